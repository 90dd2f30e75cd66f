"""The administrator evaluator: which principals are allowed everything, and why not."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from admin_builders import (
    ADMIN_ACCESS,
    allow,
    assume,
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
from rootguard.analysis.policy_eval import AdminLevel, actions_match, administrators, assess, census
from rootguard.analysis.trust_policy import Reach
from rootguard.model.authorization import AuthorizationDetails, Unreadable, authorization_details_from_document
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


def test_other_policies_absent_from_the_evidence_make_the_principal_unknown_not_a_non_admin() -> None:
    # A grant whose other policy is unread: its Denies are unknown (was CONDITIONAL, i.e. MANUAL at best).
    found = parsed(roles=(role("R", ACCOUNT, attached_arns=(ADMIN_ACCESS, CUSTOM)),))
    assessment = assess(found, found.roles[0])
    assert assessment.level is AdminLevel.UNKNOWN
    assert not assessment.is_admin
    [missing] = assessment.missing
    assert missing.what == f"managed policy {CUSTOM} (attached to role R)"
    assert missing.reason == "is not in the authorization details"
    assert "--filter User Role Group LocalManagedPolicy AWSManagedPolicy" in missing.fix
    assert f"aws iam get-policy-version --policy-arn {CUSTOM}" in missing.fix
    assert "iam:GetPolicyVersion" in missing.fix
    # The only policy unread: it may be the grant (was NONE, which became a FAIL when nobody else qualified).
    only_unknown = parsed(roles=(role("R", ACCOUNT, attached_arns=(CUSTOM,)),))
    assert assess(only_unknown, only_unknown.roles[0]).level is AdminLevel.UNKNOWN


UNREADABLE_CASES: list[tuple[str, dict[str, Any], str, bool]] = [
    (
        "attached policy missing from the details",
        {"roles": (role("R", ACCOUNT, attached_arns=(CUSTOM,)),)},
        "is not in the authorization details",
        False,
    ),
    (
        "attached policy listed without its default version",
        {
            "roles": (role("R", ACCOUNT, attached_arns=(CUSTOM,)),),
            "policies": ({**managed(CUSTOM, document(allow())), "PolicyVersionList": []},),
        },
        "without its default version (v1)",
        False,
    ),
    (
        "attached policy whose default version does not parse",
        {"roles": (role("R", ACCOUNT, attached_arns=(CUSTOM,)),), "policies": (managed(CUSTOM, "{not json"),)},  # type: ignore[arg-type]
        "does not parse",
        True,
    ),
    (
        "inline policy that does not parse",
        {"roles": (role("R", ACCOUNT, policies=(inline("broken", {"Statement": [{"Effect": "Maybe"}]}),)),)},  # type: ignore[dict-item]
        "inline policy broken of role R does not parse",
        True,
    ),
    (
        "group missing from the details",
        {"users": (user("u", ACCOUNT, groups=("admins",)),)},
        "group admins (of user u) is not in the authorization details",
        False,
    ),
    (
        "group policy missing from the details",
        {
            "users": (user("u", ACCOUNT, groups=("admins",)),),
            "groups": (group("admins", ACCOUNT, attached_arns=(CUSTOM,)),),
        },
        "attached to group admins, for user u",
        False,
    ),
    (
        "permissions boundary missing from the details",
        {"roles": (role_with(allow(), boundary=BOUNDARY),)},
        f"managed policy {BOUNDARY} (permissions boundary of role R) is not in the authorization details",
        False,
    ),
]


@pytest.mark.parametrize(("name", "lists", "text", "malformed"), UNREADABLE_CASES, ids=[c[0] for c in UNREADABLE_CASES])
def test_unreadable_documents_make_the_principal_unknown(
    name: str, lists: dict[str, Any], text: str, malformed: bool
) -> None:
    found = parsed(**lists)
    principal = (found.roles or found.users)[0]
    assessment = assess(found, principal)
    assert assessment.level is AdminLevel.UNKNOWN, assessment.notes
    assert any(text in m.describe() for m in assessment.missing), assessment.missing
    assert any(m.malformed is malformed for m in assessment.missing)
    assert "cannot be assessed" in assessment.describe()


def test_what_can_be_read_still_proves_not_an_administrator() -> None:
    # A denied family, a boundary that does not allow everything, or no grant and nothing unread: NONE whatever
    # the unread documents say.
    fenced = parsed(
        roles=(role("R", ACCOUNT, attached_arns=(CUSTOM,), policies=(inline("p", document(deny("iam:*"))),)),)
    )
    assert assess(fenced, fenced.roles[0]).level is AdminLevel.NONE
    bounded = parsed(
        roles=(role("R", ACCOUNT, attached_arns=(CUSTOM,), boundary=BOUNDARY),),
        policies=(managed(BOUNDARY, document(allow("s3:*"))),),
    )
    assert assess(bounded, bounded.roles[0]).level is AdminLevel.NONE
    reader = parsed(roles=(role_with(allow("s3:Get*")),))
    assert assess(reader, reader.roles[0]).level is AdminLevel.NONE


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


def test_a_boundary_missing_from_the_evidence_is_neither_assumed_permissive_nor_restrictive() -> None:
    found = parsed(roles=(role_with(allow(), boundary=BOUNDARY),))
    assessment = assess(found, found.roles[0])
    assert assessment.level is AdminLevel.UNKNOWN
    assert "permissions boundary of role R" in assessment.notes[0]


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
    assert [a.principal.name for a in census(found).service_roles] == ["Ec2", "AWSServiceRoleForX"]


ROOT = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}


def admin_role(name: str, trust: Any) -> dict[str, Any]:
    return role(name, ACCOUNT, attached_arns=(ADMIN_ACCESS,), trust=trust)


def test_a_role_nobody_can_assume_is_no_administrator_and_says_why() -> None:
    found = parsed(
        roles=(
            admin_role("Locked", document(assume(ROOT), assume("*", effect="Deny"))),
            admin_role("Tags", document(assume(ROOT, "sts:TagSession"))),
            admin_role("Empty", {"Version": "2012-10-17", "Statement": []}),
            admin_role("Reader", document(assume(ROOT, effect="Deny"))),
        )
    )
    result = census(found)
    assert administrators(found) == ()
    assert [a.principal.name for a in result.unassumable] == ["Locked", "Tags", "Empty", "Reader"]
    assert all(a.trust is not None and a.trust.reach is Reach.NOBODY for a in result.unassumable)
    locked = result.unassumable[0]
    assert locked.trust is not None and "explicit Deny in Statement[1]" in locked.trust.describe()


def test_a_trust_policy_that_cannot_be_judged_makes_a_conditional_administrator() -> None:
    external = document(assume({"AWS": "111122223333"}, Condition={"StringEquals": {"sts:ExternalId": "x"}}))
    found = parsed(roles=(admin_role("Vendor", external),))
    [vendor] = administrators(found)
    assert vendor.level is AdminLevel.CONDITIONAL
    assert "its trust policy lets people assume it only when StringEquals:sts:ExternalId" in vendor.describe()
    # Requiring MFA in the trust policy does not: a person who signs in with MFA meets it.
    mfa = document(assume(ROOT, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    found = parsed(roles=(admin_role("Admin", mfa),))
    [admin] = administrators(found)
    assert admin.level is AdminLevel.FULL
    assert "trust" not in admin.describe()


def test_an_unreadable_trust_policy_makes_an_administrator_role_undetermined() -> None:
    found = parsed(roles=(admin_role("Admin", "{broken"), role("Reader", ACCOUNT, trust="{broken")))
    result = census(found)
    assert result.administrators == ()
    [admin] = result.undetermined  # Reader administers nothing whoever may assume it
    assert admin.level is AdminLevel.UNKNOWN
    [missing] = admin.missing
    assert missing.what == "the trust policy (AssumeRolePolicyDocument) of role Admin"
    assert missing.malformed
    assert "aws iam get-role --role-name Admin" in missing.fix


def test_undetermined_principals_are_neither_administrators_nor_dropped() -> None:
    custom = f"arn:aws:iam::{ACCOUNT}:policy/Custom"
    found = parsed(
        roles=(
            role("Maybe", ACCOUNT, attached_arns=(custom,)),
            role("Svc", ACCOUNT, attached_arns=(custom,), trust=service_trust()),
        ),
        users=(user("carol", ACCOUNT, attached_arns=(custom,)),),
    )
    result = census(found)
    assert result.administrators == ()
    assert [a.principal.name for a in result.undetermined] == ["Maybe", "carol"]
    assert result.service_roles == ()  # a service role is reported only when proven an administrator
    # Nobody can assume it: whatever its unread policy says, it is no candidate.
    locked = role("Locked", ACCOUNT, attached_arns=(custom,), trust=document(assume(ROOT, "sts:TagSession")))
    assert census(parsed(roles=(locked,))) == census(parsed())


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
    assert [a.principal.name for a in administrators(found)] == ["R"]


@pytest.mark.parametrize(
    ("document_value", "message"),
    [
        ("not json", "neither JSON nor URL-encoded JSON"),
        ({"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}, "not Allow or Deny"),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "NotAction": "x", "Resource": "*"}]}, "exactly one"),
        ({"Statement": [{"Effect": "Allow", "Action": 3, "Resource": "*"}]}, "not a string"),
        ({"Version": "2012-10-17"}, "no Statement"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"Bool": {"k": {}}}}]},
            "not a",
        ),
    ],
)
def test_malformed_documents_are_named_and_kept_to_themselves(document_value: Any, message: str) -> None:
    # A document that does not parse spoils only itself: the rest of the details (names, other principals) stays.
    found = parsed(
        roles=(role("R", ACCOUNT, policies=({"PolicyName": "p", "PolicyDocument": document_value},)),),
        users=(user("alice", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),),
    )
    policy = found.roles[0].inline[0]
    assert isinstance(policy.document, Unreadable)
    assert message in policy.document.reason
    assert [a.principal.name for a in administrators(found)] == ["alice"]


def test_a_structurally_broken_file_is_still_malformed_as_a_whole() -> None:
    with pytest.raises(MalformedEvidence, match="PolicyName"):
        parsed(roles=(role("R", ACCOUNT, policies=({"PolicyDocument": document(allow())},)),))


def test_a_truncated_document_is_malformed() -> None:
    with pytest.raises(MalformedEvidence, match="IsTruncated"):
        authorization_details_from_document({**details(), "IsTruncated": True, "Marker": "m"})
