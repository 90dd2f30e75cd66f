"""AWS-CLI-shaped documents about administrators: authorization details, settings, simulations.

The default account (``admin_documents``) has one role, ``Admin``, that people assume and that holds
AdministratorAccess, one user in an ``ops`` group, and simulations that allow every root-adjacent
action; tests change only what matters to them.
"""

from __future__ import annotations

from typing import Any

from rootguard.evidence.store import error_document
from rootguard.model.account_settings import ROOT_ADJACENT_ACTIONS
from rootguard.model.operations import (
    ACCOUNT_ALIASES,
    AUTHORIZATION_DETAILS,
    PASSWORD_POLICY,
    SIMULATE_PRINCIPAL,
    SSO_INSTANCES,
)

ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
REGION = "us-east-1"


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def assume(principal: Any, action: Any = "sts:AssumeRole", effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    """A trust-policy statement: ``principal`` ("*" or {"AWS": …}) may (or, with effect="Deny", may not) ``action``."""
    return {"Effect": effect, "Principal": principal, "Action": action, **extra}


def people_trust(account: str) -> dict[str, Any]:
    return document(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "sts:AssumeRole"}
    )


def service_trust(service: str = "ec2.amazonaws.com") -> dict[str, Any]:
    return document({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})


def attached(arn: str) -> dict[str, str]:
    return {"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}


def inline(name: str, doc: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyName": name, "PolicyDocument": doc}


def role(
    name: str,
    account: str,
    *,
    attached_arns: tuple[str, ...] = (),
    policies: tuple[dict[str, Any], ...] = (),
    trust: dict[str, Any] | str | None = None,
    boundary: str | None = None,
    path: str = "/",
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Path": path,
        "RoleName": name,
        "RoleId": f"AROA{name.upper()}",
        "Arn": f"arn:aws:iam::{account}:role{path}{name}",
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "AssumeRolePolicyDocument": trust if trust is not None else people_trust(account),
        "InstanceProfileList": [],
        "RolePolicyList": list(policies),
        "AttachedManagedPolicies": [attached(a) for a in attached_arns],
        "Tags": [],
        "RoleLastUsed": {},
    }
    if boundary:
        item["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": boundary,
        }
    return item


def user(
    name: str,
    account: str,
    *,
    groups: tuple[str, ...] = (),
    attached_arns: tuple[str, ...] = (),
    policies: tuple[dict[str, Any], ...] = (),
    boundary: str | None = None,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Path": "/",
        "UserName": name,
        "UserId": f"AIDA{name.upper()}",
        "Arn": f"arn:aws:iam::{account}:user/{name}",
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "UserPolicyList": list(policies),
        "GroupList": list(groups),
        "AttachedManagedPolicies": [attached(a) for a in attached_arns],
        "Tags": [],
    }
    if boundary:
        item["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": boundary,
        }
    return item


def group(
    name: str, account: str, *, attached_arns: tuple[str, ...] = (), policies: tuple[dict[str, Any], ...] = ()
) -> dict[str, Any]:
    return {
        "Path": "/",
        "GroupName": name,
        "GroupId": f"AGPA{name.upper()}",
        "Arn": f"arn:aws:iam::{account}:group/{name}",
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "GroupPolicyList": list(policies),
        "AttachedManagedPolicies": [attached(a) for a in attached_arns],
    }


def managed(arn: str, doc: dict[str, Any], version: str = "v1") -> dict[str, Any]:
    return {
        "PolicyName": arn.rsplit("/", 1)[-1],
        "PolicyId": "ANPAEXAMPLE",
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": version,
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": "2024-01-01T00:00:00+00:00",
        "UpdateDate": "2024-01-01T00:00:00+00:00",
        "PolicyVersionList": [
            {"Document": document(allow("s3:GetObject")), "VersionId": "v0", "IsDefaultVersion": False},
            {"Document": doc, "VersionId": version, "IsDefaultVersion": True, "CreateDate": "2024-01-01T00:00:00Z"},
        ],
    }


def details(
    *,
    users: tuple[dict[str, Any], ...] = (),
    groups: tuple[dict[str, Any], ...] = (),
    roles: tuple[dict[str, Any], ...] = (),
    policies: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    return {
        "UserDetailList": list(users),
        "GroupDetailList": list(groups),
        "RoleDetailList": list(roles),
        "Policies": list(policies),
    }


def result(action: str, decision: str = "allowed", **extra: Any) -> dict[str, Any]:
    return {
        "EvalActionName": action,
        "EvalResourceName": "*",
        "EvalDecision": decision,
        "MatchedStatements": [],
        "MissingContextValues": [],
        **extra,
    }


def simulation(**decisions: Any) -> dict[str, Any]:
    """Every root-adjacent action allowed unless named (``iam_CreateAccountAlias="explicitDeny"`` or a result)."""
    results = []
    for action in ROOT_ADJACENT_ACTIONS:
        given = decisions.get(action.replace(":", "_"), "allowed")
        results.append(given if isinstance(given, dict) else result(action, given))
    return {"EvaluationResults": results}


def admin_details(account: str) -> dict[str, Any]:
    """The default: role Admin (AdministratorAccess, people may assume it), user alice in group ops."""
    return details(
        roles=(role("Admin", account, attached_arns=(ADMIN_ACCESS,)),),
        users=(user("alice", account, groups=("ops",)),),
        groups=(group("ops", account, policies=(inline("read", document(allow("s3:Get*"))),)),),
        policies=(managed(ADMIN_ACCESS, document(allow())),),
    )


def admin_documents(account: str) -> dict[str, Any]:
    return {
        AUTHORIZATION_DETAILS.path(account): admin_details(account),
        PASSWORD_POLICY.path(account): {"PasswordPolicy": {"MinimumPasswordLength": 14, "PasswordReusePrevention": 24}},
        ACCOUNT_ALIASES.path(account): {"AccountAliases": ["example-prod"]},
        SSO_INSTANCES.path(account, REGION): {
            "Instances": [
                {
                    "InstanceArn": "arn:aws:sso:::instance/ssoins-1234567890abcdef",
                    "IdentityStoreId": "d-1234567890",
                    "OwnerAccountId": account,
                    "Status": "ACTIVE",
                }
            ]
        },
        SIMULATE_PRINCIPAL.path(account, resource="role/Admin"): simulation(),
    }


NO_SUCH_ENTITY = error_document("NoSuchEntity", "The Password Policy with domain name 123456789012 cannot be found.")
