"""The least-privilege IAM policy rootguard needs, built from what each collector declares.

Tests record every API call the collectors make against moto and fail when one is not declared,
so this policy stays exactly what rootguard calls.
"""

from __future__ import annotations

import json
from typing import Any

from rootguard.collect import cloudtrail, s3_logs
from rootguard.model.operations import OPERATIONS


def audit_actions() -> list[str]:
    """What ``rootguard audit`` and ``collect`` call (``sts:GetCallerIdentity`` needs no permission)."""
    declared = {action for operation in OPERATIONS for action in operation.actions}
    return sorted(declared | set(cloudtrail.REQUIRED_ACTIONS))


def policy_document(*, s3_bucket: str | None = None) -> dict[str, Any]:
    """A read-only policy; with ``s3_bucket``, also what ``activity --logs s3://bucket/…`` reads."""
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
    return {"Version": "2012-10-17", "Statement": statements}


def render_policy(*, s3_bucket: str | None = None) -> str:
    return json.dumps(policy_document(s3_bucket=s3_bucket), indent=2) + "\n"
