"""Who administers the demo organisation's accounts (imported by build_demo.py).

What a reader of `rootguard audit --demo` should find:
- prod (210987654321): an `Admin` role people assume holds AdministratorAccess, but an inline policy
  denies iam:CreateAccountAlias, so the policy simulator answers explicitDeny and nobody but root can
  set the account alias (admin-root-adjacent FAIL); the `ci-deploy` user holds a policy of its own
  instead of through a group (iam-policies-via-groups FAIL); no password policy is set.
- sandbox (109876543210): administrators sign in through IAM Identity Center, whose permission set
  provisions an `AWSReservedSSO_AdministratorAccess_…` role; every root-adjacent task is open to it.

Call ``demo_iam_admin()`` for {bundle path: document}.
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

PROD, SANDBOX = "210987654321", "109876543210"
REGION = "us-east-1"
ADMIN_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"
CREATED = "2024-03-01T09:00:00+00:00"
SSO_ROLE = "AWSReservedSSO_AdministratorAccess_5f0c1d2e3b4a6978"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
POWER_USER_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": [
                "iam:CreateServiceLinkedRole",
                "iam:DeleteServiceLinkedRole",
                "iam:ListRoles",
                "organizations:DescribeOrganization",
                "account:ListRegions",
                "account:GetAccountInformation",
            ],
            "Resource": "*",
        },
    ],
}


def _document(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _attached(arn: str) -> dict[str, str]:
    return {"PolicyName": arn.rsplit("/", 1)[-1], "PolicyArn": arn}


def _managed(arn: str, document: dict[str, Any], policy_id: str, attachments: int) -> dict[str, Any]:
    return {
        "PolicyName": arn.rsplit("/", 1)[-1],
        "PolicyId": policy_id,
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": "2015-02-06T18:39:46+00:00" if ":aws:policy/" in arn else CREATED,
        "UpdateDate": "2015-02-06T18:39:46+00:00" if ":aws:policy/" in arn else CREATED,
        "PolicyVersionList": [
            {"Document": document, "VersionId": "v1", "IsDefaultVersion": True, "CreateDate": CREATED}
        ],
    }


def _user(account: str, name: str, user_id: str, *, groups: list[str], attached: list[str]) -> dict[str, Any]:
    return {
        "Path": "/",
        "UserName": name,
        "UserId": user_id,
        "Arn": f"arn:aws:iam::{account}:user/{name}",
        "CreateDate": CREATED,
        "UserPolicyList": [],
        "GroupList": groups,
        "AttachedManagedPolicies": [_attached(a) for a in attached],
        "Tags": [],
    }


def _group(account: str, name: str, group_id: str, attached: list[str]) -> dict[str, Any]:
    return {
        "Path": "/",
        "GroupName": name,
        "GroupId": group_id,
        "Arn": f"arn:aws:iam::{account}:group/{name}",
        "CreateDate": CREATED,
        "GroupPolicyList": [],
        "AttachedManagedPolicies": [_attached(a) for a in attached],
    }


def _role(account: str, name: str, role_id: str, path: str, trust: dict[str, Any], **lists: Any) -> dict[str, Any]:
    return {
        "Path": path,
        "RoleName": name,
        "RoleId": role_id,
        "Arn": f"arn:aws:iam::{account}:role{path}{name}",
        "CreateDate": CREATED,
        "AssumeRolePolicyDocument": trust,
        "InstanceProfileList": [],
        "RolePolicyList": lists.get("inline", []),
        "AttachedManagedPolicies": [_attached(a) for a in lists.get("attached", [])],
        "Tags": [],
        "RoleLastUsed": {"LastUsedDate": "2026-11-19T17:02:11+00:00", "Region": REGION},
    }


def _simulation(denied: dict[str, dict[str, Any]]) -> dict[str, Any]:
    results = []
    for action in ROOT_ADJACENT_ACTIONS:
        base = {"EvalActionName": action, "EvalResourceName": "*", "MissingContextValues": []}
        allowed = {
            "EvalDecision": "allowed",
            "MatchedStatements": [
                {
                    "SourcePolicyId": "AdministratorAccess",
                    "SourcePolicyType": "IAM Policy",
                    "StartPosition": {"Line": 3, "Column": 17},
                    "EndPosition": {"Line": 8, "Column": 6},
                }
            ],
        }
        results.append({**base, **denied.get(action, allowed)})
    return {"EvaluationResults": results}


ADMINISTRATOR_ACCESS = _document({"Effect": "Allow", "Action": "*", "Resource": "*"})


def prod() -> dict[str, Any]:
    ci_policy = f"arn:aws:iam::{PROD}:policy/CiDeployArtifacts"
    readers = f"arn:aws:iam::{PROD}:policy/ReadOnlyEverywhere"
    trust = _document(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{PROD}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }
    )
    no_alias = _document({"Sid": "KeepTheAlias", "Effect": "Deny", "Action": "iam:CreateAccountAlias", "Resource": "*"})
    details = {
        "UserDetailList": [
            _user(PROD, "alice", "AIDAPRODALICE0000001", groups=["developers"], attached=[]),
            _user(PROD, "ci-deploy", "AIDAPRODCIDEPLOY0001", groups=[], attached=[ci_policy]),
            _user(PROD, "rootops", "AIDAPRODROOTOPS00001", groups=["developers"], attached=[]),
        ],
        "GroupDetailList": [_group(PROD, "developers", "AGPAPRODDEVELOPERS01", [readers])],
        "RoleDetailList": [
            _role(
                PROD,
                "Admin",
                "AROAPRODADMIN0000001",
                "/",
                trust,
                attached=[ADMIN_ACCESS],
                inline=[{"PolicyName": "keep-account-alias", "PolicyDocument": no_alias}],
            )
        ],
        "Policies": [
            _managed(ADMIN_ACCESS, ADMINISTRATOR_ACCESS, "ANPAIWMBCKSKIEE64ZLYK", 1),
            _managed(
                ci_policy,
                _document({"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*"}),
                "ANPAPRODCIDEPLOY0001",
                1,
            ),
            _managed(
                readers,
                _document({"Effect": "Allow", "Action": ["*:Describe*", "*:Get*", "*:List*"], "Resource": "*"}),
                "ANPAPRODREADERS00001",
                1,
            ),
        ],
    }
    denied = {
        "iam:CreateAccountAlias": {
            "EvalDecision": "explicitDeny",
            "MatchedStatements": [
                {
                    "SourcePolicyId": "keep-account-alias",
                    "SourcePolicyType": "IAM Policy",
                    "StartPosition": {"Line": 1, "Column": 40},
                    "EndPosition": {"Line": 1, "Column": 140},
                }
            ],
        }
    }
    return {
        AUTHORIZATION_DETAILS.path(PROD): details,
        PASSWORD_POLICY.path(PROD): error_document(
            "NoSuchEntity", f"The Password Policy with domain name {PROD} cannot be found."
        ),
        ACCOUNT_ALIASES.path(PROD): {"AccountAliases": ["example-prod"]},
        SSO_INSTANCES.path(PROD, REGION): {"Instances": []},
        SIMULATE_PRINCIPAL.path(PROD, resource="role/Admin"): _simulation(denied),
    }


BREAK_GLASS_TRUST = _document(
    {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{SANDBOX}:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }
)


def sandbox() -> dict[str, Any]:
    path = "/aws-reserved/sso.amazonaws.com/"
    trust = _document(
        {
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{SANDBOX}:saml-provider/AWSSSO_0a1b2c3d4e5f6a7b_DO_NOT_DELETE"},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        }
    )
    details = {
        # The Terraform pipeline's user (its stale key is in the credential report) gets its rights from a group.
        "UserDetailList": [
            _user(SANDBOX, "sandbox-terraform", "AIDASANDBOXTERRAFRM1", groups=["deployers"], attached=[])
        ],
        "GroupDetailList": [_group(SANDBOX, "deployers", "AGPASANDBOXDEPLOYRS1", [POWER_USER])],
        "RoleDetailList": [
            _role(SANDBOX, SSO_ROLE, "AROASANDBOXSSOADMIN1", path, trust, attached=[ADMIN_ACCESS]),
            # The declared break-glass role (demo/rootguard.toml): assumable with MFA, admin when assumed.
            _role(SANDBOX, "BreakGlassAdmin", "AROASANDBOXBREAKGLS1", "/", BREAK_GLASS_TRUST, attached=[ADMIN_ACCESS]),
        ],
        "Policies": [
            _managed(ADMIN_ACCESS, ADMINISTRATOR_ACCESS, "ANPAIWMBCKSKIEE64ZLYK", 2),
            _managed(POWER_USER, POWER_USER_DOCUMENT, "ANPAJYRXTHIB4FOVS3ZXS", 1),
        ],
    }
    return {
        AUTHORIZATION_DETAILS.path(SANDBOX): details,
        SIMULATE_PRINCIPAL.path(SANDBOX, resource="role/BreakGlassAdmin"): _simulation({}),
        PASSWORD_POLICY.path(SANDBOX): {
            "PasswordPolicy": {
                "MinimumPasswordLength": 14,
                "RequireSymbols": True,
                "RequireNumbers": True,
                "RequireUppercaseCharacters": True,
                "RequireLowercaseCharacters": True,
                "AllowUsersToChangePassword": True,
                "ExpirePasswords": False,
                "PasswordReusePrevention": 24,
            }
        },
        ACCOUNT_ALIASES.path(SANDBOX): {"AccountAliases": ["example-sandbox"]},
        SSO_INSTANCES.path(SANDBOX, REGION): {
            "Instances": [
                {
                    "InstanceArn": "arn:aws:sso:::instance/ssoins-72231a2b3c4d5e6f",
                    "IdentityStoreId": "d-9067a1b2c3",
                    "OwnerAccountId": SANDBOX,
                    "Name": "example-org",
                    "CreatedDate": "2024-03-01T09:00:00+00:00",
                    "Status": "ACTIVE",
                }
            ]
        },
        SIMULATE_PRINCIPAL.path(SANDBOX, resource=f"role/{SSO_ROLE}"): _simulation({}),
    }


def demo_iam_admin() -> dict[str, Any]:
    """{bundle path: document} for both demo accounts."""
    return {**prod(), **sandbox()}
