"""The administrator evaluator: which principals are allowed everything, and why not."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from admin_builders import (
    ADMIN_ACCESS,
    allow,
    deny,
    details,
    document,
    group,
    inline,
    managed,
    role,
    service_trust,
    user,
)
from rootguard.analysis.policy_eval import AdminLevel, actions_match, administrators, assess
from rootguard.model.authorization import AuthorizationDetails, authorization_details_from_document
from rootguard.model.gaps import MalformedEvidence

ACCOUNT = "123456789012"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/Boundary"
CUSTOM = f"arn:aws:iam::{ACCOUNT}:policy/Custom"


def parsed(**lists: Any) -> AuthorizationDetails:
    return authorization_details_from_document(details(**lists))


def role_with(*statements: dict[str, Any], boundary: str | None = None, policies: tuple[Any, ...] = ()) -> Any:
    return role("R", ACCOUNT, policies=(inline("p", document(*statements)),) if statements else (), boundary=boundary)


CASES: list[tuple[str, list[dict[str, Any]], AdminLevel, str]] = [
    ("Allow * on *", [allow()], AdminLevel.FULL, ""),
    ("Allow *:* on *", [allow("*:*")], AdminLevel.FULL, ""),
    ("Allow * on arn:*", [allow("*", "arn:*")], AdminLevel.FULL, ""),
    ("Allow * in a list", [allow(["s3:GetObject", "*"], ["arn:aws:s3:::b", "*"])], AdminLevel.FULL, ""),
    ("Allow iam:* only", [allow("iam:*")], AdminLevel.NONE, "no policy allows every action"),
    ("Allow * on one bucket", [allow("*", "arn:aws:s3:::b/*")], AdminLevel.NONE, "no policy allows"),
    ("Allow NotAction iam:*", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], AdminLevel.NONE, ""),
    ("Allow * NotResource", [{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::b"}], AdminLevel.NONE, ""),
    ("Deny iam:*", [allow(), deny("iam:*")], AdminLevel.NONE, "denied iam:* (inline p)"),
    ("Deny iam:Create*", [allow(), deny("iam:Create*")], AdminLevel.NONE, "denied iam:Create*"),
    ("Deny iam:?reate*", [allow(), deny("iam:?reateAccountAlias")], AdminLevel.NONE, "denied iam:?reate"),
    (
        "Deny NotAction",
        [allow(), {"Effect": "Deny", "NotAction": ["s3:*"], "Resource": "*"}],
        AdminLevel.NONE,
        "every action but s3:*",
    ),
    (
        "Deny * NotResource",
        [allow(), {"Effect": "Deny", "Action": "ec2:*", "NotResource": "arn:aws:ec2:*:*:instance/i-1"}],
        AdminLevel.NONE,
        "denied ec2:*",
    ),
    ("Deny one named action", [allow(), deny("iam:CreateAccountAlias")], AdminLevel.FULL, ""),
    ("Deny on a named bucket", [allow(), deny("s3:*", "arn:aws:s3:::logs/*")], AdminLevel.FULL, "named resources"),
    (
        "Allow * with MFA condition",
        [allow(Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})],
        AdminLevel.CONDITIONAL,
        "only under a Condition",
    ),
    (
        "Deny * unless MFA",
        [allow(), deny("*", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})],
        AdminLevel.CONDITIONAL,
        "BoolIfExists:aws:MultiFactorAuthPresent",
    ),
    (
        "conditional named deny",
        [allow(), deny("iam:DeleteAccountAlias", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})],
        AdminLevel.FULL,
        "conditionally denied iam:DeleteAccountAlias",
    ),
    ("no statements", [], AdminLevel.NONE, ""),
]


@pytest.mark.parametrize(("name", "statements", "level", "note"), CASES, ids=[c[0] for c in CASES])
def test_admin_levels(name: str, statements: list[dict[str, Any]], level: AdminLevel, note: str) -> None:
    found = parsed(roles=(role_with(*statements),))
    assessment = assess(found, found.roles[0])
    assert assessment.level is level, assessment.notes
    assert note in " ".join(assessment.notes), assessment.notes


def test_named_denies_are_exceptions_of_an_administrator() -> None:
    found = parsed(roles=(role_with(allow(), deny(["iam:CreateAccountAlias", "account:PutAlternateContact"])),))
    assessment = assess(found, found.roles[0])
    assert assessment.exceptions == ("iam:CreateAccountAlias", "account:PutAlternateContact")
    assert "except iam:CreateAccountAlias" in assessment.describe()


def test_administrator_access_is_read_from_its_document() -> None:
    # A policy named AdministratorAccess whose document is narrow is not an administrator's.
    fake = f"arn:aws:iam::{ACCOUNT}:policy/AdministratorAccess"
    found = parsed(
        roles=(role("R", ACCOUNT, attached_arns=(fake,)),),
        policies=(managed(fake, document(allow("s3:*"))),),
    )
    assert assess(found, found.roles[0]).level is AdminLevel.NONE
    # AWS's, with its document in the evidence.
    found = parsed(
        roles=(role("R", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),), policies=(managed(ADMIN_ACCESS, document(allow())),)
    )
    assessment = assess(found, found.roles[0])
    assert assessment.level is AdminLevel.FULL
    assert assessment.granted_by == ("AdministratorAccess",)
    assert "assumed" not in " ".join(assessment.notes)


def test_administrator_access_absent_from_the_evidence_falls_back_on_aws_document() -> None:
    found = parsed(roles=(role("R", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),))
    assessment = assess(found, found.roles[0])
    assert assessment.level is AdminLevel.FULL
    assert "AWS's published AdministratorAccess document assumed" in " ".join(assessment.notes)


def test_other_policies_absent_from_the_evidence_make_a_grant_conditional_at_best() -> None:
    found = parsed(roles=(role("R", ACCOUNT, attached_arns=(ADMIN_ACCESS, CUSTOM)),))
    assessment = assess(found, found.roles[0])
    assert assessment.level is AdminLevel.CONDITIONAL
    assert "Custom" in " ".join(assessment.notes)
    only_unknown = parsed(roles=(role("R", ACCOUNT, attached_arns=(CUSTOM,)),))
    assert assess(only_unknown, only_unknown.roles[0]).level is AdminLevel.NONE


def test_group_inherited_admin() -> None:
    found = parsed(
        users=(user("carol", ACCOUNT, groups=("admins",)), user("dave", ACCOUNT, groups=("readers",))),
        groups=(
            group("admins", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),
            group("readers", ACCOUNT, policies=(inline("r", document(allow("s3:Get*"))),)),
        ),
        policies=(managed(ADMIN_ACCESS, document(allow())),),
    )
    assert [a.principal.name for a in administrators(found)] == ["carol"]
    assert assess(found, found.users[0]).granted_by == ("AdministratorAccess via group admins",)


def test_a_group_deny_applies_to_its_members() -> None:
    found = parsed(
        users=(user("carol", ACCOUNT, attached_arns=(ADMIN_ACCESS,), groups=("fenced",)),),
        groups=(group("fenced", ACCOUNT, policies=(inline("fence", document(deny("iam:*"))),)),),
    )
    assessment = assess(found, found.users[0])
    assert assessment.level is AdminLevel.NONE
    assert "iam:* (inline fence via group fenced)" in assessment.notes[0]


BOUNDARY_CASES = [
    ("boundary allows everything", document(allow()), AdminLevel.FULL),
    ("boundary allows s3 only", document(allow("s3:*")), AdminLevel.NONE),
    ("boundary denies iam:*", document(allow(), deny("iam:*")), AdminLevel.NONE),
    (
        "boundary conditional",
        document(allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        AdminLevel.CONDITIONAL,
    ),
]


@pytest.mark.parametrize(("name", "boundary", "level"), BOUNDARY_CASES, ids=[c[0] for c in BOUNDARY_CASES])
def test_permissions_boundary_intersects(name: str, boundary: dict[str, Any], level: AdminLevel) -> None:
    found = parsed(roles=(role_with(allow(), boundary=BOUNDARY),), policies=(managed(BOUNDARY, boundary),))
    assert assess(found, found.roles[0]).level is level


def test_a_boundary_missing_from_the_evidence_is_not_assumed_permissive() -> None:
    found = parsed(roles=(role_with(allow(), boundary=BOUNDARY),))
    assessment = assess(found, found.roles[0])
    assert assessment.level is AdminLevel.NONE
    assert "not in the evidence" in assessment.notes[0]


def test_roles_first_and_people_only() -> None:
    found = parsed(
        users=(user("alice", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),),
        roles=(
            role("Admin", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),
            role("Ec2", ACCOUNT, attached_arns=(ADMIN_ACCESS,), trust=service_trust()),
            role("AWSServiceRoleForX", ACCOUNT, attached_arns=(ADMIN_ACCESS,), path="/aws-service-role/x/"),
        ),
    )
    assert [a.principal.name for a in administrators(found)] == ["Admin", "alice"]


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        ("*", "iam:CreateAccountAlias", True),
        ("iam:*", "IAM:createaccountalias", True),
        ("iam:Create*", "iam:CreateAccountAlias", True),
        ("iam:Create*", "iam:DeleteAccountAlias", False),
        ("iam:?reate*", "iam:CreateUser", True),
        ("s3:*", "s3x:Get", False),
        ("iam:CreateAccountAlias", "iam:CreateAccountAliasX", False),
    ],
)
def test_action_matching(pattern: str, action: str, expected: bool) -> None:
    assert actions_match(pattern, action) is expected


def test_policy_documents_as_objects_json_strings_and_url_encoded_strings() -> None:
    statement = document(allow())
    for given in (statement, json.dumps(statement), quote(json.dumps(statement))):
        found = parsed(roles=(role("R", ACCOUNT, policies=({"PolicyName": "p", "PolicyDocument": given},)),))
        assert assess(found, found.roles[0]).level is AdminLevel.FULL
    url_trust = quote(json.dumps(document({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"})))
    found = parsed(roles=(role("R", ACCOUNT, trust=url_trust, attached_arns=(ADMIN_ACCESS,)),))
    assert found.roles[0].assumable_by_people


@pytest.mark.parametrize(
    ("document_value", "message"),
    [
        ("not json", "neither JSON nor URL-encoded JSON"),
        ({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}, "not Allow or Deny"),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "x", "Resource": "*"}]}, "exactly one"),
        ({"Statement": [{"Effect": "Allow", "Action": 3, "Resource": "*"}]}, "not a string"),
        ({"Version": "2012-10-17"}, "no Statement"),
    ],
)
def test_malformed_documents_are_named(document_value: Any, message: str) -> None:
    with pytest.raises(MalformedEvidence, match=message):
        parsed(roles=(role("R", ACCOUNT, policies=({"PolicyName": "p", "PolicyDocument": document_value},)),))


def test_a_truncated_document_is_malformed() -> None:
    with pytest.raises(MalformedEvidence, match="IsTruncated"):
        authorization_details_from_document({**details(), "IsTruncated": True, "Marker": "m"})
