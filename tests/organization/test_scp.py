"""The effective SCP set, table-driven with the AWS sample SCPs (research next-capabilities §1.2)."""

from __future__ import annotations

from typing import Any

import pytest

from org_builders import DENY_ROOT, DENY_ROOT_NOT_ACTION, FULL_ACCESS
from rootguard.analysis.scp import Decision, Level, NamedPolicy, Request, Truth, assess_root, evaluate
from rootguard.model.policy_document import policy_document_from

ROOT = "arn:aws:iam::222222222222:root"


def level(label: str, *documents: dict[str, Any]) -> Level:
    return Level(label, tuple(NamedPolicy(f"p{i}", policy_document_from(d, label)) for i, d in enumerate(documents)))


def deny(condition: dict[str, Any], action: Any = "*", **extra: Any) -> dict[str, Any]:
    statement = {"Effect": "Deny", "Action": action, "Resource": "*", "Condition": condition} | extra
    return {"Statement": [statement]}


NULL_VARIANT = [level("root", FULL_ACCESS, DENY_ROOT), level("OU Prod", FULL_ACCESS), level("account", FULL_ACCESS)]
NOT_ACTION_VARIANT = [level("root", FULL_ACCESS, DENY_ROOT_NOT_ACTION), level("account", FULL_ACCESS)]
MISSING_FULL_ACCESS = [level("root", FULL_ACCESS, DENY_ROOT), level("OU Prod"), level("account", FULL_ACCESS)]
DENY_ON_OTHER_OU = [level("root", FULL_ACCESS), level("OU Prod", FULL_ACCESS), level("account", FULL_ACCESS)]
NO_DENY = [level("root", FULL_ACCESS), level("account", FULL_ACCESS)]

# (name, levels, action, assumed_root, expected decision)
CASES = [
    ("null variant denies real root", NULL_VARIANT, "iam:CreateUser", False, Decision.DENIED),
    ("null variant lets AssumeRoot delete keys", NULL_VARIANT, "iam:DeleteAccessKey", True, Decision.ALLOWED),
    ("not-action variant denies real root", NOT_ACTION_VARIANT, "ec2:RunInstances", False, Decision.DENIED),
    ("not-action variant spares bucket policy", NOT_ACTION_VARIANT, "s3:PutBucketPolicy", False, Decision.ALLOWED),
    (
        "not-action variant breaks AssumeRoot IAM tasks",
        NOT_ACTION_VARIANT,
        "iam:DeleteLoginProfile",
        True,
        Decision.DENIED,
    ),
    ("no Allow at one OU blocks everyone", MISSING_FULL_ACCESS, "iam:DeleteAccessKey", True, Decision.DENIED),
    ("deny on another OU only does not apply", DENY_ON_OTHER_OU, "iam:CreateUser", False, Decision.ALLOWED),
    ("no deny at all allows root", NO_DENY, "s3:PutObject", False, Decision.ALLOWED),
    ("wildcard action deny", [level("r", FULL_ACCESS, deny({}, "iam:*"))], "iam:CreateUser", False, Decision.DENIED),
    (
        "wildcard action miss",
        [level("r", FULL_ACCESS, deny({}, "iam:Delete*"))],
        "iam:CreateUser",
        False,
        Decision.ALLOWED,
    ),
    (
        "StringEquals principal",
        [level("r", FULL_ACCESS, deny({"StringEquals": {"aws:PrincipalArn": ROOT}}))],
        "iam:CreateUser",
        False,
        Decision.DENIED,
    ),
    (
        "ArnEquals other principal",
        [level("r", FULL_ACCESS, deny({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::999999999999:root"}}))],
        "iam:CreateUser",
        False,
        Decision.ALLOWED,
    ),
    (
        "Bool AssumedRoot true denies sessions only",
        [level("r", FULL_ACCESS, deny({"Bool": {"aws:AssumedRoot": "true"}}))],
        "iam:DeleteAccessKey",
        True,
        Decision.DENIED,
    ),
    (
        "Bool AssumedRoot absent does not deny real root",
        [level("r", FULL_ACCESS, deny({"Bool": {"aws:AssumedRoot": "true"}}))],
        "iam:CreateUser",
        False,
        Decision.ALLOWED,
    ),
    (
        "StringNotEqualsIfExists on a missing key holds",
        [level("r", FULL_ACCESS, deny({"StringNotEqualsIfExists": {"aws:AssumedRoot": "true"}}))],
        "iam:CreateUser",
        False,
        Decision.DENIED,
    ),
    (
        "StringLikeIfExists missing key holds",
        [level("r", FULL_ACCESS, deny({"StringLikeIfExists": {"aws:AssumedRoot": "false"}}))],
        "iam:CreateUser",
        False,
        Decision.DENIED,
    ),
    (
        "ArnNotLike another account denies this root",
        [level("r", FULL_ACCESS, deny({"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::999999999999:*"]}}))],
        "iam:CreateUser",
        False,
        Decision.DENIED,
    ),
    (
        "StringNotEquals on a missing AssumedRoot holds",
        [level("r", FULL_ACCESS, deny({"StringNotEquals": {"aws:AssumedRoot": "true"}}))],
        "iam:CreateUser",
        False,
        Decision.DENIED,
    ),
    (
        "StringNotEquals true spares the session",
        [level("r", FULL_ACCESS, deny({"StringNotEquals": {"aws:AssumedRoot": "true"}}))],
        "iam:DeleteAccessKey",
        True,
        Decision.ALLOWED,
    ),
    (
        "Null false applies only to sessions",
        [level("r", FULL_ACCESS, deny({"Null": {"aws:AssumedRoot": "false"}}))],
        "iam:DeleteAccessKey",
        True,
        Decision.DENIED,
    ),
    (
        "BoolIfExists on a missing key holds",
        [level("r", FULL_ACCESS, deny({"BoolIfExists": {"aws:AssumedRoot": "false"}}))],
        "iam:CreateUser",
        False,
        Decision.DENIED,
    ),
    (
        "condition key names are case-insensitive",
        [level("r", FULL_ACCESS, deny({"ArnLike": {"AWS:PrincipalARN": "arn:aws:iam::*:root"}}))],
        "iam:CreateUser",
        False,
        Decision.DENIED,
    ),
    (
        "StringLike values are case-sensitive",
        [level("r", FULL_ACCESS, deny({"StringLike": {"aws:PrincipalArn": "ARN:AWS:IAM::*:ROOT"}}))],
        "iam:CreateUser",
        False,
        Decision.ALLOWED,
    ),
    (
        "an Allow under an unjudged condition is unknown",
        [
            level(
                "r",
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": "*",
                            "Resource": "*",
                            "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
                        }
                    ]
                },
            )
        ],
        "iam:DeleteAccessKey",
        True,
        Decision.UNKNOWN,
    ),
    (
        "unknown key is unknown, never allowed",
        [level("r", FULL_ACCESS, deny({"StringEquals": {"aws:SourceIp": "10.0.0.1"}}))],
        "iam:CreateUser",
        False,
        Decision.UNKNOWN,
    ),
    (
        "unknown operator is unknown",
        [level("r", FULL_ACCESS, deny({"ForAnyValue:StringLike": {"aws:PrincipalArn": "*"}}))],
        "iam:CreateUser",
        False,
        Decision.UNKNOWN,
    ),
    (
        "resource-scoped deny is unknown",
        [level("r", FULL_ACCESS, {"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:::b"}]})],
        "iam:CreateUser",
        False,
        Decision.UNKNOWN,
    ),
    (
        "policy variable is unknown",
        [level("r", FULL_ACCESS, deny({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:root"}}))],
        "iam:CreateUser",
        False,
        Decision.UNKNOWN,
    ),
    (
        "a proven deny wins over an unknown one",
        [level("r", FULL_ACCESS, DENY_ROOT, deny({"StringEquals": {"aws:SourceIp": "1"}}))],
        "iam:CreateUser",
        False,
        Decision.DENIED,
    ),
]


@pytest.mark.parametrize(("name", "levels", "action", "assumed", "expected"), CASES, ids=[c[0] for c in CASES])
def test_effective_scp_decision(name: str, levels: list[Level], action: str, assumed: bool, expected: Decision) -> None:
    assert evaluate(levels, Request(action, ROOT, assumed_root=assumed)).decision is expected


def test_the_null_variant_denies_root_and_keeps_every_task() -> None:
    found = assess_root(NULL_VARIANT, "222222222222")
    assert (found.root_denied, found.tasks_work) == (Truth.YES, Truth.YES)


def test_the_not_action_variant_breaks_assume_root_tasks() -> None:
    found = assess_root(NOT_ACTION_VARIANT, "222222222222")
    assert found.root_denied is Truth.YES
    assert found.tasks_work is Truth.NO
    blocked = dict(found.tasks_blocked)
    assert "iam:DeleteAccessKey" in blocked and "s3:PutBucketPolicy" not in blocked


def test_full_access_missing_names_the_level() -> None:
    found = assess_root(MISSING_FULL_ACCESS, "222222222222")
    assert found.tasks_work is Truth.NO
    assert "no SCP at OU Prod allows it" in dict(found.tasks_blocked)["iam:DeleteAccessKey"].reasons


def test_an_unjudged_condition_is_never_a_pass() -> None:
    levels = [level("r", FULL_ACCESS, deny({"StringEquals": {"aws:RequestedRegion": "us-east-1"}}))]
    found = assess_root(levels, "222222222222")
    assert found.root_denied is Truth.UNKNOWN
