"""The least-privilege IAM policy rootguard needs, built from what each collector declares.

Tests record every API call the collectors make against moto and fail when one is not declared,
so this policy stays exactly what rootguard calls.
"""

from __future__ import annotations

import json
from typing import Any

from rootguard.collect import cloudtrail, s3_logs
from rootguard.model.operations import AUDIT_ROOT_POLICY, OPERATIONS, ORGANIZATION_OPERATIONS

DEFAULT_AUDIT_ROLE = "OrganizationAccountAccessRole"


def audit_actions() -> list[str]:
    """What ``rootguard audit`` and ``collect`` call (``sts:GetCallerIdentity`` needs no permission)."""
    declared = {action for operation in OPERATIONS for action in operation.actions}
    return sorted(declared | set(cloudtrail.REQUIRED_ACTIONS))


def organization_actions() -> list[str]:
    """What ``rootguard org`` reads with the caller's credentials besides ``audit_actions``."""
    return sorted({action for operation in ORGANIZATION_OPERATIONS for action in operation.actions})


def organization_statements(audit_role: str = DEFAULT_AUDIT_ROLE) -> list[dict[str, Any]]:
    """``rootguard org``: read the organization, AssumeRoot only with the audit task policy, and assume the
    audit role in members. The AssumeRoot session's own calls (GetLoginProfile …) are granted by the task
    policy, not by this one."""
    role = audit_role if audit_role.startswith("arn:") else f"arn:aws:iam::*:role/{audit_role}"
    return [
        {"Sid": "RootguardReadOrganization", "Effect": "Allow", "Action": organization_actions(), "Resource": "*"},
        {
            "Sid": "RootguardAuditMemberRootCredentials",
            "Effect": "Allow",
            "Action": "sts:AssumeRoot",
            "Resource": "*",
            "Condition": {"StringEquals": {"sts:TaskPolicyArn": AUDIT_ROOT_POLICY}},
        },
        {
            "Sid": "RootguardAssumeMemberAuditRole",
            "Effect": "Allow",
            "Action": "sts:AssumeRole",
            "Resource": role.replace("{account_id}", "*"),
        },
    ]


def policy_document(*, s3_bucket: str | None = None, organization: bool = False) -> dict[str, Any]:
    """A read-only policy; with ``s3_bucket``, also what ``activity --logs s3://bucket/…`` reads; with
    ``organization``, also what ``rootguard org`` needs from the management account."""
    statements: list[dict[str, Any]] = [
        {"Sid": "RootguardReadRootPosture", "Effect": "Allow", "Action": audit_actions(), "Resource": "*"}
    ]
    if s3_bucket:
        statements.append(
            {
                "Sid": "RootguardReadCloudTrailArchive",
                "Effect": "Allow",
                "Action": sorted(s3_logs.REQUIRED_ACTIONS),
                "Resource": [f"arn:aws:s3:::{s3_bucket}", f"arn:aws:s3:::{s3_bucket}/*"],
            }
        )
    if organization:
        statements.extend(organization_statements())
    return {"Version": "2012-10-17", "Statement": statements}


def render_policy(*, s3_bucket: str | None = None, organization: bool = False) -> str:
    return json.dumps(policy_document(s3_bucket=s3_bucket, organization=organization), indent=2) + "\n"
