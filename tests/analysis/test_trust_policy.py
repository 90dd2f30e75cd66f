"""Role trust policies: who can assume a role (analysis.trust_policy), one case per rule and direction.

Each case names the AWS IAM User Guide page its expectation comes from:

- PRINCIPAL: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
  (account ids and ``:root``, ``"*"``, ``Federated``, ``Service``; a deleted user or role shows as its unique id)
- NOT_PRINCIPAL: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
  (Deny only; a spared principal's account must be named too; not supported in role trust policies)
- EVALUATION: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html
  (an explicit Deny overrides any Allow; no Allow is an implicit deny)
- SESSION_TAGS: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html
  (sts:TagSession, and likewise sts:SetSourceIdentity, is an extra permission of an assumption, not one)
- SAML: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_saml.html
  (Action sts:AssumeRoleWithSAML, Principal Federated saml-provider, SAML:aud the sign-in endpoint, regional or not)
- OIDC: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
  (Action sts:AssumeRoleWithWebIdentity, Principal Federated oidc-provider or a web identity provider)
- OPERATORS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
  (a key absent from the request makes a condition false, except ...IfExists, Null and negated operators)
- KEYS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
  (aws:SourceArn / aws:SourceAccount are only in the context when a service calls on behalf of a resource;
  aws:MultiFactorAuthPresent is true when the credentials were validated with MFA)
- ACTIONS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
  (wildcards, NotAction; action names are case-insensitive)
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from admin_builders import assume, details, document, role, service_trust
from rootguard.analysis.trust_policy import Reach, TrustAssessment, assess_trust
from rootguard.model.authorization import authorization_details_from_document

ACCOUNT = "123456789012"
OTHER = "111122223333"
ROOT = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
BOB = f"arn:aws:iam::{ACCOUNT}:user/bob"
SAML_PROVIDER = f"arn:aws:iam::{ACCOUNT}:saml-provider/AWSSSO_0123abcd_DO_NOT_DELETE"
OIDC_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
MFA = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}

PRINCIPAL = "reference_policies_elements_principal"
NOT_PRINCIPAL = "reference_policies_elements_notprincipal"
EVALUATION = "reference_policies_evaluation-logic_policy-eval-denyallow"
SESSION_TAGS = "id_session-tags"
SAML = "id_roles_create_for-idp_saml"
OIDC = "id_roles_create_for-idp_oidc"
OPERATORS = "reference_policies_elements_condition_operators"
KEYS = "reference_policies_condition-keys"
ACTIONS = "reference_policies_elements_action"


def trust_of(trust: Any) -> TrustAssessment:
    found = authorization_details_from_document(details(roles=(role("R", ACCOUNT, trust=trust),)))
    return assess_trust(found.roles[0])


def saml(aud: str, operator: str = "StringEquals") -> dict[str, Any]:
    return document(
        assume(
            {"Federated": SAML_PROVIDER},
            ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            Condition={operator: {"SAML:aud": aud}},
        )
    )


def not_principal_deny(*names: str) -> dict[str, Any]:
    return {"Effect": "Deny", "NotPrincipal": {"AWS": list(names)}, "Action": "sts:AssumeRole"}


# (case, trust policy, expected reach, text the reasons/conditions/judged hold, AWS page)
NOBODY_CASES: list[tuple[str, Any, Reach, str, str]] = [
    (
        "explicit Deny of everyone",
        document(assume(ROOT), assume("*", effect="Deny")),
        Reach.NOBODY,
        "explicit Deny",
        EVALUATION,
    ),
    (
        'Deny {"AWS": "*"} of sts:*',
        document(assume(ROOT), assume({"AWS": "*"}, "sts:*", effect="Deny")),
        Reach.NOBODY,
        "explicit Deny",
        EVALUATION,
    ),
    (
        "Deny NotAction sts:TagSession",
        document(assume(ROOT), {"Effect": "Deny", "Principal": "*", "NotAction": "sts:TagSession"}),
        Reach.NOBODY,
        "explicit Deny",
        EVALUATION,
    ),
    (
        "Deny of the trusted account",
        document(assume(ROOT), assume({"AWS": ACCOUNT}, effect="Deny")),
        Reach.NOBODY,
        "explicit Deny",
        PRINCIPAL,
    ),
    (
        "Allow of sts:TagSession only",
        document(assume(ROOT, "sts:TagSession")),
        Reach.NOBODY,
        "sts:TagSession",
        SESSION_TAGS,
    ),
    (
        "Allow of sts:SetSourceIdentity only",
        document(assume(ROOT, ["sts:SetSourceIdentity", "sts:TagSession"])),
        Reach.NOBODY,
        "sts:SetSourceIdentity",
        SESSION_TAGS,
    ),
    ("empty Statement", {"Version": "2012-10-17", "Statement": []}, Reach.NOBODY, "no statement", EVALUATION),
    ("absent Statement", {"Version": "2012-10-17"}, Reach.NOBODY, "no statement", EVALUATION),
    ("only a Deny", document(assume(ROOT, effect="Deny")), Reach.NOBODY, "no Allow statement", EVALUATION),
    ("service principal only", service_trust(), Reach.SERVICES, "", PRINCIPAL),
    (
        "services only, several",
        document(assume({"Service": ["lambda.amazonaws.com", "ec2.amazonaws.com"]})),
        Reach.SERVICES,
        "",
        PRINCIPAL,
    ),
    (
        "a deleted principal (unique id)",
        document(assume({"AWS": "AIDAJQABLZS4A3QDU576Q"})),
        Reach.NOBODY,
        "deleted user or role",
        PRINCIPAL,
    ),
    (
        "a SAML provider allowed only sts:AssumeRole",
        document(assume({"Federated": SAML_PROVIDER})),
        Reach.NOBODY,
        "sts:AssumeRoleWithSAML",
        SAML,
    ),
    (
        "an account allowed only sts:AssumeRoleWithSAML",
        document(assume(ROOT, "sts:AssumeRoleWithSAML")),
        Reach.NOBODY,
        "through sts:AssumeRole",
        PRINCIPAL,
    ),
    (
        "an OIDC provider allowed only sts:AssumeRoleWithSAML",
        document(assume({"Federated": OIDC_PROVIDER}, "sts:AssumeRoleWithSAML")),
        Reach.NOBODY,
        "sts:AssumeRoleWithWebIdentity",
        OIDC,
    ),
    (
        "Allow only when aws:SourceArn (absent from a person's request)",
        document(assume(ROOT, Condition={"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::bucket"}})),
        Reach.NOBODY,
        "aws:SourceArn",
        KEYS,
    ),
    (
        "Allow only when aws:SourceAccount is present (Null false)",
        document(assume(ROOT, Condition={"Null": {"aws:SourceAccount": "false"}})),
        Reach.NOBODY,
        "aws:SourceAccount",
        OPERATORS,
    ),
    (
        "Deny NotPrincipal sparing only another account",
        document(assume(ROOT), not_principal_deny(f"arn:aws:iam::{OTHER}:user/bob", f"arn:aws:iam::{OTHER}:root")),
        Reach.NOBODY,
        "NotPrincipal",
        NOT_PRINCIPAL,
    ),
]

CONDITIONAL_CASES: list[tuple[str, Any, Reach, str, str]] = [
    (
        "sts:ExternalId",
        document(assume({"AWS": OTHER}, Condition={"StringEquals": {"sts:ExternalId": "x-123"}})),
        Reach.CONDITIONAL,
        "StringEquals:sts:ExternalId",
        KEYS,
    ),
    (
        "aws:PrincipalOrgID on everyone",
        document(assume("*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc"}})),
        Reach.CONDITIONAL,
        "aws:PrincipalOrgID",
        PRINCIPAL,
    ),
    (
        "a Deny under a condition rootguard cannot judge",
        document(assume(ROOT), assume("*", effect="Deny", Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}})),
        Reach.CONDITIONAL,
        "may refuse it when NotIpAddress:aws:SourceIp",
        EVALUATION,
    ),
    (
        "Deny NotPrincipal naming a user without its account",
        document(assume(ROOT), not_principal_deny(BOB)),
        Reach.CONDITIONAL,
        "may refuse",
        NOT_PRINCIPAL,
    ),
    (
        "Allow with NotPrincipal (not supported)",
        document({"Effect": "Allow", "NotPrincipal": {"AWS": BOB}, "Action": "sts:AssumeRole"}),
        Reach.CONDITIONAL,
        "NotPrincipal",
        NOT_PRINCIPAL,
    ),
    ("SAML:aud that is not the sign-in endpoint", saml("https://example.com/acs"), Reach.CONDITIONAL, "SAML:aud", SAML),
    (
        "OIDC with claim conditions",
        document(
            assume(
                {"Federated": OIDC_PROVIDER},
                "sts:AssumeRoleWithWebIdentity",
                Condition={"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/*"}},
            )
        ),
        Reach.CONDITIONAL,
        "token.actions.githubusercontent.com:sub",
        OIDC,
    ),
    (
        "a principal form rootguard does not know",
        document(assume({"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"})),
        Reach.CONDITIONAL,
        "cannot judge",
        PRINCIPAL,
    ),
]

PEOPLE_CASES: list[tuple[str, Any, Reach, str, str]] = [
    ("the account's root ARN", document(assume(ROOT)), Reach.PEOPLE, "", PRINCIPAL),
    ("a 12-digit account id", document(assume({"AWS": OTHER})), Reach.PEOPLE, "", PRINCIPAL),
    ('Principal "*"', document(assume("*")), Reach.PEOPLE, "", PRINCIPAL),
    ('{"AWS": "*"}', document(assume({"AWS": "*"})), Reach.PEOPLE, "", PRINCIPAL),
    ("a user ARN", document(assume({"AWS": BOB})), Reach.PEOPLE, "", PRINCIPAL),
    (
        "an assumed-role session ARN",
        document(assume({"AWS": f"arn:aws:sts::{ACCOUNT}:assumed-role/Ops/alice"})),
        Reach.PEOPLE,
        "",
        PRINCIPAL,
    ),
    ("MFA required", document(assume(ROOT, Condition=MFA)), Reach.PEOPLE, "MFA", KEYS),
    (
        "MFA no older than an hour",
        document(assume(ROOT, Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})),
        Reach.PEOPLE,
        "recent MFA",
        KEYS,
    ),
    (
        "a Deny unless MFA (BoolIfExists false), escaped by signing in with MFA",
        document(
            assume(ROOT),
            assume("*", effect="Deny", Condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}),
        ),
        Reach.PEOPLE,
        "MFA",
        OPERATORS,
    ),
    (
        "IAM Identity Center / SAML sign-in",
        saml("https://signin.aws.amazon.com/saml"),
        Reach.PEOPLE,
        "SAML sign-in",
        SAML,
    ),
    (
        "a regional SAML sign-in endpoint",
        saml("https://eu-west-1.signin.aws.amazon.com/saml"),
        Reach.PEOPLE,
        "SAML",
        SAML,
    ),
    (
        "an OIDC provider without conditions",
        document(assume({"Federated": "cognito-identity.amazonaws.com"}, "sts:AssumeRoleWithWebIdentity")),
        Reach.PEOPLE,
        "",
        OIDC,
    ),
    ("Action sts:*", document(assume(ROOT, "sts:*")), Reach.PEOPLE, "", ACTIONS),
    ("Action sts:Assume*", document(assume(ROOT, "sts:Assume*")), Reach.PEOPLE, "", ACTIONS),
    ("Action *", document(assume(ROOT, "*")), Reach.PEOPLE, "", ACTIONS),
    ("Action in another case", document(assume(ROOT, "STS:assumerole")), Reach.PEOPLE, "", ACTIONS),
    (
        "Allow NotAction sts:TagSession",
        document({"Effect": "Allow", "Principal": ROOT, "NotAction": "sts:TagSession"}),
        Reach.PEOPLE,
        "",
        ACTIONS,
    ),
    (
        "AssumeRole with TagSession",
        document(assume(ROOT, ["sts:AssumeRole", "sts:TagSession"])),
        Reach.PEOPLE,
        "",
        SESSION_TAGS,
    ),
    (
        "a service and the account",
        document(assume({"Service": "ec2.amazonaws.com"}), assume(ROOT)),
        Reach.PEOPLE,
        "",
        PRINCIPAL,
    ),
    (
        "a Deny of one user leaves the account",
        document(assume(ROOT), assume({"AWS": BOB}, effect="Deny")),
        Reach.PEOPLE,
        "",
        EVALUATION,
    ),
    (
        "a Deny of another account",
        document(assume(ROOT), assume({"AWS": OTHER}, effect="Deny")),
        Reach.PEOPLE,
        "",
        EVALUATION,
    ),
    (
        "a Deny of sts:TagSession only",
        document(assume(ROOT), assume("*", "sts:TagSession", effect="Deny")),
        Reach.PEOPLE,
        "",
        SESSION_TAGS,
    ),
    (
        "a Deny only when aws:SourceArn (never in a person's request)",
        document(
            assume(ROOT), assume("*", effect="Deny", Condition={"StringEquals": {"aws:SourceArn": "arn:aws:s3:::b"}})
        ),
        Reach.PEOPLE,
        "",
        OPERATORS,
    ),
    (
        "Allow when aws:SourceArn matches if it exists (IfExists)",
        document(assume(ROOT, Condition={"ArnLikeIfExists": {"aws:SourceArn": "arn:aws:s3:::b"}})),
        Reach.PEOPLE,
        "",
        OPERATORS,
    ),
    (
        "Allow when aws:SourceAccount is absent (Null true)",
        document(assume(ROOT, Condition={"Null": {"aws:SourceAccount": "true"}})),
        Reach.PEOPLE,
        "",
        OPERATORS,
    ),
    (
        "Allow when aws:SourceAccount is not another (negated operator)",
        document(assume(ROOT, Condition={"StringNotEquals": {"aws:SourceAccount": OTHER}})),
        Reach.PEOPLE,
        "",
        OPERATORS,
    ),
    (
        "Deny NotPrincipal sparing a user and its account",
        document(assume(ROOT), not_principal_deny(BOB, f"arn:aws:iam::{ACCOUNT}:root")),
        Reach.PEOPLE,
        "",
        NOT_PRINCIPAL,
    ),
    (
        "a deleted principal beside a live one",
        document(assume({"AWS": ["AROAJQABLZS4A3QDU576Q", BOB]})),
        Reach.PEOPLE,
        "",
        PRINCIPAL,
    ),
]


def _text(found: TrustAssessment) -> str:
    return " ".join((*found.reasons, *found.conditions, *found.judged))


@pytest.mark.parametrize(("name", "trust", "reach", "text", "page"), NOBODY_CASES, ids=[c[0] for c in NOBODY_CASES])
def test_no_person_can_assume(name: str, trust: Any, reach: Reach, text: str, page: str) -> None:
    """Must not count: nobody (or only a service) gets in, and the reason is said."""
    found = trust_of(trust)
    assert found.reach is reach, (page, found)
    assert not found.people, page
    assert text in _text(found), (page, found)


@pytest.mark.parametrize(
    ("name", "trust", "reach", "text", "page"), CONDITIONAL_CASES, ids=[c[0] for c in CONDITIONAL_CASES]
)
def test_people_can_assume_only_under_conditions_rootguard_cannot_judge(
    name: str, trust: Any, reach: Reach, text: str, page: str
) -> None:
    """Must not count as proven: a person may or may not get in (MANUAL at best)."""
    found = trust_of(trust)
    assert found.reach is reach, (page, found)
    assert text in _text(found), (page, found)
    assert "only when" in found.describe()


@pytest.mark.parametrize(("name", "trust", "reach", "text", "page"), PEOPLE_CASES, ids=[c[0] for c in PEOPLE_CASES])
def test_people_can_assume(name: str, trust: Any, reach: Reach, text: str, page: str) -> None:
    """Must still count."""
    found = trust_of(trust)
    assert found.reach is reach, (page, found)
    assert found.people
    assert text in _text(found), (page, found)


def test_the_trust_policy_as_json_text_url_encoded_and_a_single_statement_object() -> None:
    statement = assume(ROOT)
    for given in (
        json.dumps(document(statement)),
        quote(json.dumps(document(statement))),
        {"Version": "2012-10-17", "Statement": statement},
    ):
        assert trust_of(given).reach is Reach.PEOPLE


@pytest.mark.parametrize(
    ("trust", "text"),
    [
        ("not json", "neither JSON nor URL-encoded JSON"),
        (document({"Effect": "Allow", "Action": "sts:AssumeRole"}), "exactly one of Principal and NotPrincipal"),
        (document({"Effect": "Allow", "Principal": {"AWS": 3}, "Action": "sts:AssumeRole"}), "not a string"),
        (document({"Effect": "Perhaps", "Principal": ROOT, "Action": "sts:AssumeRole"}), "not Allow or Deny"),
    ],
    ids=["not json", "no principal", "principal not a string", "bad effect"],
)
def test_an_unreadable_trust_policy_is_unreadable_not_nobody(trust: Any, text: str) -> None:
    found = trust_of(trust)
    assert found.reach is Reach.UNREADABLE
    assert text in found.describe()


def test_an_absent_trust_policy_is_unreadable() -> None:
    item = role("R", ACCOUNT)
    del item["AssumeRolePolicyDocument"]
    found = authorization_details_from_document(details(roles=(item,)))
    assessment = assess_trust(found.roles[0])
    assert assessment.reach is Reach.UNREADABLE
    assert "not in the evidence" in assessment.describe()
