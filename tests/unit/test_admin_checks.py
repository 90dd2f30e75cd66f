"""admin-principals, admin-root-adjacent and iam-policies-via-groups: PASS, FAIL, MANUAL and ERROR paths."""

from __future__ import annotations

from typing import Any

import pytest

from admin_builders import (
    ADMIN_ACCESS,
    NO_SUCH_ENTITY,
    REGION,
    admin_details,
    allow,
    assume,
    attached,
    deny,
    details,
    document,
    group,
    inline,
    managed,
    result,
    role,
    service_trust,
    simulation,
    user,
)
from builders import ACCOUNT, DENIED, AccountBuilder, context, root_cells, user_cells
from rootguard.checks.admins import admin_principals, admin_root_adjacent
from rootguard.checks.iam_groups import iam_policies_via_groups
from rootguard.checks.registry import Outcome
from rootguard.model.account_settings import NO_PASSWORD_POLICY, AccountAliases, IdentityCenter
from rootguard.model.findings import Status
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import (
    ACCOUNT_ALIASES,
    AUTHORIZATION_DETAILS,
    PASSWORD_POLICY,
    SIMULATE_PRINCIPAL,
    SSO_INSTANCES,
)

DETAILS = AUTHORIZATION_DETAILS.path(ACCOUNT)
ADMIN_SIMULATION = SIMULATE_PRINCIPAL.path(ACCOUNT, resource="role/Admin")
MALFORMED = {"UserDetailList": "nope"}


def run(check: Any, builder: AccountBuilder) -> Outcome:
    outcome: Outcome = check.evaluate(builder.evidence(), context())
    return outcome


def with_details(**lists: Any) -> AccountBuilder:
    return AccountBuilder().put(DETAILS, details(**lists))


# --- admin-principals --------------------------------------------------------------------------


def test_admin_principals_passes_and_names_roles_first() -> None:
    builder = with_details(
        users=(user("alice", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),),
        roles=(
            role("AWSReservedSSO_AdministratorAccess_0123abcd", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),
            role("Ec2Admin", ACCOUNT, attached_arns=(ADMIN_ACCESS,), trust=service_trust()),
        ),
    )
    outcome = run(admin_principals, builder)
    assert outcome.status is Status.PASS
    assert outcome.message.index("role AWSReservedSSO_") < outcome.message.index("user alice")
    assert "provisioned by IAM Identity Center" in outcome.message
    assert "only AWS services can assume (not counted): Ec2Admin" in outcome.message
    assert "AdministratorAccess document assumed" in outcome.message


def test_admin_principals_fails_when_only_root_can_administer() -> None:
    builder = with_details(
        roles=(role("Ec2Admin", ACCOUNT, attached_arns=(ADMIN_ACCESS,), trust=service_trust()),),
        users=(user("alice", ACCOUNT, policies=(inline("p", document(allow(), deny("iam:*"))),)),),
    )
    outcome = run(admin_principals, builder)
    assert outcome.status is Status.FAIL
    assert "can only be administered as root" in outcome.message


ADMIN_USER = (user("ops", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),)
NO_KEYS = {f"access_key_{n}_active": "false" for n in (1, 2)}


def admin_user_with(**cells: str) -> AccountBuilder:
    """The account's only administrator is the IAM user ``ops``, with these credential-report cells."""
    return with_details(users=ADMIN_USER).rows([root_cells(), user_cells("ops", **cells)])


def test_an_admin_user_with_a_password_or_an_active_key_counts() -> None:
    assert run(admin_principals, admin_user_with(password_enabled="true")).status is Status.PASS
    with_key = admin_user_with(password_enabled="false", access_key_2_active="true")
    assert run(admin_principals, with_key).status is Status.PASS


def test_an_admin_user_nobody_can_sign_in_as_does_not_count() -> None:
    outcome = run(admin_principals, admin_user_with(password_enabled="false", **NO_KEYS))
    assert outcome.status is Status.FAIL
    assert "no console password and no active access key" in outcome.message
    assert "user ops" in outcome.message


def test_an_admin_user_the_report_cannot_settle_is_an_error_not_a_pass() -> None:
    unreadable = run(admin_principals, admin_user_with(password_enabled="maybe", **NO_KEYS))
    assert unreadable.status is Status.ERROR
    assert "credentials cannot be read: user ops" in unreadable.message
    assert unreadable.evidence["gaps"][0]["source"] == f"{ACCOUNT}/global/iam/get-credential-report.json"
    no_row = run(admin_principals, with_details(users=ADMIN_USER).rows([root_cells()]))
    assert no_row.status is Status.ERROR
    denied = run(admin_principals, with_details(users=ADMIN_USER).report(DENIED))
    assert denied.status is Status.ERROR
    assert "AccessDenied" in denied.message


def test_a_role_admin_passes_whatever_the_users_hold() -> None:
    builder = with_details(users=ADMIN_USER, roles=(role("Admin", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),))
    outcome = run(
        admin_principals, builder.rows([root_cells(), user_cells("ops", password_enabled="false", **NO_KEYS)])
    )
    assert outcome.status is Status.PASS
    assert "nobody can sign in as" in outcome.message


def test_admin_principals_is_manual_with_only_conditional_admins() -> None:
    mfa = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
    outcome = run(
        admin_principals,
        with_details(roles=(role("Admin", ACCOUNT, policies=(inline("p", document(allow(Condition=mfa))),)),)),
    )
    assert outcome.status is Status.MANUAL
    assert "allowed everything only under a Condition" in outcome.message
    assert "role Admin" in outcome.message


@pytest.mark.parametrize(
    ("document_value", "kind"),
    [(None, GapKind.NOT_COLLECTED), (DENIED, GapKind.API_ERROR), (MALFORMED, GapKind.MALFORMED)],
    ids=["absent", "denied", "malformed"],
)
def test_admin_checks_error_without_authorization_details(document_value: Any, kind: GapKind) -> None:
    builder = AccountBuilder().put(DETAILS, document_value)
    for check in (admin_principals, admin_root_adjacent, iam_policies_via_groups):
        outcome = run(check, builder)
        assert outcome.status is Status.ERROR, check.check_id
        assert "get-account-authorization-details.json" in outcome.message
        assert "Fix:" in outcome.message
        assert outcome.evidence["gaps"][0]["kind"] == kind.value
    if kind is GapKind.API_ERROR:
        assert "iam:GetAccountAuthorizationDetails" in run(admin_principals, builder).message


def test_identity_center_gap_is_reported_but_never_fails() -> None:
    builder = AccountBuilder().put(SSO_INSTANCES.path(ACCOUNT, REGION), DENIED)
    outcome = run(admin_principals, builder)
    assert outcome.status is Status.PASS
    assert "IAM Identity Center could not be looked up" in outcome.message


# --- admin-root-adjacent ------------------------------------------------------------------------


def test_root_adjacent_passes_when_an_admin_can_do_everything() -> None:
    outcome = run(admin_root_adjacent, AccountBuilder())
    assert outcome.status is Status.PASS
    assert "role/Admin can do all of them" in outcome.message
    assert "does not evaluate SCPs that have any conditions" in outcome.message, "the simulator's limits are stated"


def test_root_adjacent_fails_naming_action_principal_and_reason() -> None:
    denied = result(
        "iam:CreateAccountAlias",
        "explicitDeny",
        MatchedStatements=[{"SourcePolicyId": "no-alias", "SourcePolicyType": "IAM Policy"}],
    )
    scp = result(
        "account:PutAlternateContact", "implicitDeny", OrganizationsDecisionDetail={"AllowedByOrganizations": False}
    )
    boundary = result(
        "iam:CreateServiceLinkedRole",
        "implicitDeny",
        PermissionsBoundaryDecisionDetail={"AllowedByPermissionsBoundary": False},
    )
    builder = AccountBuilder().put(
        ADMIN_SIMULATION,
        simulation(
            iam_CreateAccountAlias=denied,
            account_PutAlternateContact=scp,
            iam_CreateServiceLinkedRole=boundary,
            iam_DeleteAccountAlias="implicitDeny",
        ),
    )
    outcome = run(admin_root_adjacent, builder)
    assert outcome.status is Status.FAIL
    message = outcome.message
    assert "No administrator can do iam:CreateAccountAlias, iam:DeleteAccountAlias" in message
    assert "role/Admin: explicitDeny: an explicit Deny in no-alias" in message
    assert "organization policy (SCP)" in message
    assert "permissions boundary does not allow it" in message
    assert "implicitDeny: no policy allows it" in message
    assert outcome.evidence["allowed"]["iam:UpdateAccountPasswordPolicy"] == ["role/Admin"]


def test_one_able_admin_is_enough() -> None:
    admins = admin_details(ACCOUNT)
    admins["RoleDetailList"].append(role("Backup", ACCOUNT, attached_arns=(ADMIN_ACCESS,)))
    builder = (
        AccountBuilder()
        .put(DETAILS, admins)
        .put(ADMIN_SIMULATION, simulation(iam_CreateAccountAlias="explicitDeny"))
        .put(SIMULATE_PRINCIPAL.path(ACCOUNT, resource="role/Backup"), simulation())
    )
    outcome = run(admin_root_adjacent, builder)
    assert outcome.status is Status.PASS
    assert "role/Backup can do all of them" in outcome.message
    assert "role/Admin can do iam:DeleteAccountAlias, iam:UpdateAccountPasswordPolicy" in outcome.message


def test_a_denial_that_needed_missing_context_is_manual_not_fail() -> None:
    needs_mfa = result("iam:CreateAccountAlias", "implicitDeny", MissingContextValues=["aws:MultiFactorAuthPresent"])
    outcome = run(
        admin_root_adjacent, AccountBuilder().put(ADMIN_SIMULATION, simulation(iam_CreateAccountAlias=needs_mfa))
    )
    assert outcome.status is Status.MANUAL
    assert "lacked the context keys aws:MultiFactorAuthPresent" in outcome.message


def test_root_adjacent_fails_without_any_admin() -> None:
    builder = with_details(users=(user("alice", ACCOUNT, groups=()),))
    outcome = run(admin_root_adjacent, builder)
    assert outcome.status is Status.FAIL
    assert "only root can do iam:CreateAccountAlias" in outcome.message


@pytest.mark.parametrize(
    ("document_value", "reason"),
    [
        (None, "not collected"),
        (DENIED, "AccessDenied"),
        ({"EvaluationResults": [{"EvalActionName": "iam:CreateAccountAlias", "EvalDecision": "perhaps"}]}, "perhaps"),
        ({"EvaluationResults": [result("iam:CreateAccountAlias")]}, "no result for iam:DeleteAccountAlias"),
    ],
    ids=["absent", "denied", "malformed", "incomplete"],
)
def test_root_adjacent_errors_on_simulation_gaps(document_value: Any, reason: str) -> None:
    outcome = run(admin_root_adjacent, AccountBuilder().put(ADMIN_SIMULATION, document_value))
    assert outcome.status is Status.ERROR
    assert "Fix:" in outcome.message
    assert "simulate-principal-policy/role%2FAdmin.json" in outcome.message
    assert reason.split(maxsplit=1)[0] in outcome.message or reason in outcome.message


def test_a_missing_simulation_still_hints_at_the_policies_own_denies() -> None:
    admins = admin_details(ACCOUNT)
    admins["RoleDetailList"][0]["RolePolicyList"] = [inline("no-alias", document(deny("IAM:createAccountAlias")))]
    outcome = run(admin_root_adjacent, AccountBuilder().put(DETAILS, admins).put(ADMIN_SIMULATION, DENIED))
    assert outcome.status is Status.ERROR
    assert "role/Admin's own policies deny iam:CreateAccountAlias" in outcome.message


def test_absent_simulation_fix_gives_the_full_command() -> None:
    outcome = run(admin_root_adjacent, AccountBuilder().put(ADMIN_SIMULATION, None))
    assert (
        f"aws iam simulate-principal-policy --policy-source-arn arn:aws:iam::{ACCOUNT}:role/Admin "
        "--action-names iam:CreateAccountAlias" in outcome.message
    )
    assert "grant iam:SimulatePrincipalPolicy" in outcome.message


def test_a_denied_simulation_does_not_hide_another_admin_who_can() -> None:
    admins = admin_details(ACCOUNT)
    admins["RoleDetailList"].append(role("Backup", ACCOUNT, attached_arns=(ADMIN_ACCESS,)))
    builder = (
        AccountBuilder()
        .put(DETAILS, admins)
        .put(ADMIN_SIMULATION, DENIED)
        .put(SIMULATE_PRINCIPAL.path(ACCOUNT, resource="role/Backup"), simulation())
    )
    outcome = run(admin_root_adjacent, builder)
    assert outcome.status is Status.PASS
    assert "1 gap(s)" in outcome.message


# --- iam-policies-via-groups --------------------------------------------------------------------


def test_policies_via_groups_passes() -> None:
    assert run(iam_policies_via_groups, AccountBuilder()).status is Status.PASS
    assert run(iam_policies_via_groups, with_details()).message == "The account has no IAM users."


def test_policies_via_groups_fails_naming_users_and_policies() -> None:
    builder = with_details(
        users=(
            user("bob", ACCOUNT, attached_arns=(f"arn:aws:iam::{ACCOUNT}:policy/S3",)),
            user("eve", ACCOUNT, policies=(inline("mine", document(allow("ec2:*"))),)),
            user("carol", ACCOUNT, groups=("ops",)),
        ),
        groups=(group("ops", ACCOUNT),),
    )
    outcome = run(iam_policies_via_groups, builder)
    assert outcome.status is Status.FAIL
    assert "bob: S3 (attached)" in outcome.message
    assert "eve: mine (inline)" in outcome.message
    assert "carol" not in outcome.message
    assert outcome.evidence["users"] == {"bob": ["S3 (attached)"], "eve": ["mine (inline)"]}


# --- the other evidence -------------------------------------------------------------------------


def test_no_password_policy_is_a_fact_not_a_gap() -> None:
    evidence = AccountBuilder().put(PASSWORD_POLICY.path(ACCOUNT), NO_SUCH_ENTITY).evidence()
    assert evidence.password_policy == NO_PASSWORD_POLICY
    denied = AccountBuilder().put(PASSWORD_POLICY.path(ACCOUNT), DENIED).evidence()
    assert isinstance(denied.password_policy, Gap) and denied.password_policy.code == "AccessDenied"
    absent = AccountBuilder().put(PASSWORD_POLICY.path(ACCOUNT), None).evidence()
    assert isinstance(absent.password_policy, Gap) and absent.password_policy.kind is GapKind.NOT_COLLECTED


def test_aliases_and_identity_center_are_read() -> None:
    evidence = AccountBuilder().evidence()
    assert evidence.account_aliases == AccountAliases(("example-prod",))
    assert isinstance(evidence.identity_center, IdentityCenter) and evidence.identity_center.region == REGION
    bad = AccountBuilder().put(ACCOUNT_ALIASES.path(ACCOUNT), {"AccountAliases": [1]}).evidence()
    assert isinstance(bad.account_aliases, Gap) and bad.account_aliases.kind is GapKind.MALFORMED
    none = AccountBuilder().put(SSO_INSTANCES.path(ACCOUNT, REGION), None).evidence()
    assert isinstance(none.identity_center, Gap) and none.identity_center.kind is GapKind.NOT_COLLECTED


def test_simulations_follow_the_administrators() -> None:
    policy = f"arn:aws:iam::{ACCOUNT}:policy/AdminAll"
    builder = with_details(
        roles=(role("Admin", ACCOUNT, attached_arns=(policy,)),),
        users=(user("root-ish", ACCOUNT, groups=("admins",)),),
        groups=(group("admins", ACCOUNT, attached_arns=(policy,)),),
        policies=(managed(policy, document(allow())),),
    )
    simulations = builder.evidence().admin_simulations
    assert not isinstance(simulations, Gap)
    assert set(simulations) == {"role/Admin", "user/root-ish"}
    assert isinstance(simulations["user/root-ish"], Gap)  # not in the bundle
    assert attached(policy)["PolicyName"] == "AdminAll"


# --- who can assume an administrator role (trust policies) ---------------------------------------
# AWS IAM User Guide: reference_policies_elements_principal.html, reference_policies_evaluation-logic_policy-eval-
# denyallow.html, id_session-tags.html, reference_policies_condition-keys.html (per-rule cases in
# tests/analysis/test_trust_policy.py).

ROOT_PRINCIPAL = {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}
DENY_EVERYONE = document(assume(ROOT_PRINCIPAL), assume("*", effect="Deny"))
TAG_ONLY = document(assume(ROOT_PRINCIPAL, "sts:TagSession"))


def admin_role(name: str, trust: Any = None) -> dict[str, Any]:
    return role(name, ACCOUNT, attached_arns=(ADMIN_ACCESS,), trust=trust)


@pytest.mark.parametrize(
    ("trust", "why"),
    [
        (DENY_EVERYONE, "an explicit Deny in Statement[1] refuses"),
        (TAG_ONLY, "allows only sts:TagSession"),
        ({"Version": "2012-10-17", "Statement": []}, "has no statement"),
        (document(assume({"AWS": "AROAJQABLZS4A3QDU576Q"})), "deleted user or role"),
    ],
    ids=["deny everyone", "TagSession only", "no statement", "deleted principal"],
)
def test_an_admin_role_nobody_can_assume_does_not_pass(trust: Any, why: str) -> None:
    """Must not PASS: the only administrator role cannot be assumed, so only root administers (proven: FAIL)."""
    builder = with_details(roles=(admin_role("Locked", trust),))
    outcome = run(admin_principals, builder)
    assert outcome.status is Status.FAIL
    assert "Administrator roles no one can assume (not counted): Locked (" in outcome.message
    assert why in outcome.message
    [listed] = outcome.evidence["unassumable_role_administrators"]
    assert listed["principal"].endswith(":role/Locked") and any(why in r for r in listed["why_nobody_can_assume"])
    assert outcome.evidence["administrators"] == []
    assert run(admin_root_adjacent, builder).status is Status.FAIL


def test_an_unassumable_admin_role_is_named_beside_one_that_is() -> None:
    """Must still PASS: another role people can assume administers."""
    builder = with_details(roles=(admin_role("Admin"), admin_role("Locked", DENY_EVERYONE)))
    outcome = run(admin_principals, builder)
    assert outcome.status is Status.PASS
    assert outcome.message.startswith("Administrators other than root: role Admin")
    assert "no one can assume (not counted): Locked" in outcome.message


def test_an_unassumable_role_is_not_simulated() -> None:
    builder = with_details(roles=(admin_role("Admin"), admin_role("Locked", TAG_ONLY))).put(
        ADMIN_SIMULATION, simulation()
    )
    simulations = builder.evidence().admin_simulations
    assert not isinstance(simulations, Gap)
    assert set(simulations) == {"role/Admin"}
    outcome = run(admin_root_adjacent, builder)
    assert outcome.status is Status.PASS
    assert outcome.evidence["administrators"] == ["role/Admin"]


def test_a_role_only_a_service_can_assume_stays_reported_not_counted() -> None:
    builder = with_details(roles=(admin_role("Ec2Admin", service_trust()),))
    outcome = run(admin_principals, builder)
    assert outcome.status is Status.FAIL
    assert "only AWS services can assume (not counted): Ec2Admin" in outcome.message
    assert "no one can assume" not in outcome.message


def test_a_trust_policy_rootguard_cannot_judge_is_manual_not_pass() -> None:
    vendor = document(assume({"AWS": "111122223333"}, Condition={"StringEquals": {"sts:ExternalId": "x-1"}}))
    outcome = run(admin_principals, with_details(roles=(admin_role("Vendor", vendor),)))
    assert outcome.status is Status.MANUAL
    assert "Only conditional administrators: role Vendor (" in outcome.message
    assert "its trust policy lets people assume it only when StringEquals:sts:ExternalId" in outcome.message


def test_mfa_and_identity_center_trust_policies_still_pass() -> None:
    mfa = document(assume(ROOT_PRINCIPAL, Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}}))
    sso = document(
        assume(
            {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/AWSSSO_0123abcd_DO_NOT_DELETE"},
            ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            Condition={"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
        )
    )
    for trust in (mfa, sso):
        outcome = run(admin_principals, with_details(roles=(admin_role("Admin", trust),)))
        assert outcome.status is Status.PASS, outcome.message
        assert outcome.message.startswith("Administrators other than root: role Admin (AdministratorAccess:")


# --- documents that cannot be read ----------------------------------------------------------------

CUSTOM = f"arn:aws:iam::{ACCOUNT}:policy/AdminAll"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/Boundary"


@pytest.mark.parametrize(
    ("lists", "named", "kind", "fix"),
    [
        (
            {"roles": (role("Admin", ACCOUNT, attached_arns=(CUSTOM,)),)},
            f"managed policy {CUSTOM} (attached to role Admin) is not in the authorization details",
            GapKind.INCOMPLETE,
            "--filter User Role Group LocalManagedPolicy AWSManagedPolicy",
        ),
        (
            {
                "roles": (role("Admin", ACCOUNT, attached_arns=(ADMIN_ACCESS,), boundary=BOUNDARY),),
                "policies": (managed(ADMIN_ACCESS, document(allow())),),
            },
            f"managed policy {BOUNDARY} (permissions boundary of role Admin) is not in the authorization details",
            GapKind.INCOMPLETE,
            f"aws iam get-policy-version --policy-arn {BOUNDARY}",
        ),
        (
            {"roles": (role("Admin", ACCOUNT, policies=(inline("all", "{not json"),)),)},  # type: ignore[arg-type]
            "inline policy all of role Admin does not parse",
            GapKind.MALFORMED,
            "aws iam get-role-policy --role-name Admin --policy-name all",
        ),
        (
            {"roles": (admin_role("Admin", "{not json"),)},
            "the trust policy (AssumeRolePolicyDocument) of role Admin does not parse",
            GapKind.MALFORMED,
            "aws iam get-role --role-name Admin",
        ),
    ],
    ids=["attached policy missing", "boundary missing", "inline policy malformed", "trust policy malformed"],
)
def test_the_only_candidate_with_an_unreadable_document_is_an_error_not_a_fail(
    lists: dict[str, Any], named: str, kind: GapKind, fix: str
) -> None:
    """Must not FAIL (nor PASS): the unread document may make it an administrator, or not."""
    builder = with_details(**lists)
    outcome = run(admin_principals, builder)
    assert outcome.status is Status.ERROR, outcome.message
    assert "No administrator is proven" in outcome.message
    assert named in outcome.message
    [gap] = outcome.evidence["gaps"]
    assert gap["kind"] == kind.value
    assert gap["source"] == DETAILS
    assert fix in gap["fix"]
    assert outcome.evidence["undetermined"][0]["level"] == "unknown"
    adjacent = run(admin_root_adjacent, builder)
    assert adjacent.status is Status.ERROR, adjacent.message
    assert named in adjacent.message


def test_an_unreadable_policy_names_get_policy_version() -> None:
    outcome = run(admin_principals, with_details(roles=(role("Admin", ACCOUNT, attached_arns=(CUSTOM,)),)))
    assert "iam:GetPolicyVersion" in outcome.message
    assert "iam:GetAccountAuthorizationDetails" in outcome.message


def test_a_missing_document_beside_a_proven_administrator_is_mentioned_and_passes() -> None:
    builder = with_details(roles=(admin_role("Admin"), role("Maybe", ACCOUNT, attached_arns=(CUSTOM,))))
    outcome = run(admin_principals, builder)
    assert outcome.status is Status.PASS
    assert outcome.message.startswith("Administrators other than root: role Admin")
    assert "Whether these administer cannot be told" in outcome.message
    assert "role Maybe (cannot be assessed: managed policy" in outcome.message
    assert "gaps" not in outcome.evidence


def test_a_missing_document_keeps_root_adjacent_from_failing() -> None:
    """The one administrator cannot set the alias; another principal's policies are unread: it might (ERROR)."""
    builder = with_details(roles=(admin_role("Admin"), role("Maybe", ACCOUNT, attached_arns=(CUSTOM,)))).put(
        ADMIN_SIMULATION, simulation(iam_CreateAccountAlias="explicitDeny")
    )
    outcome = run(admin_root_adjacent, builder)
    assert outcome.status is Status.ERROR
    assert "Cannot tell whether an administrator can do iam:CreateAccountAlias" in outcome.message
    assert "role Maybe" in outcome.message
    # With every document read, the same refusal is a FAIL.
    proven = with_details(roles=(admin_role("Admin"),)).put(
        ADMIN_SIMULATION, simulation(iam_CreateAccountAlias="explicitDeny")
    )
    assert run(admin_root_adjacent, proven).status is Status.FAIL


def test_what_can_be_read_still_proves_nobody_administers() -> None:
    """Must still FAIL: a denied iam:* rules the principal out whatever its unread policy says."""
    fenced = role("Fenced", ACCOUNT, attached_arns=(CUSTOM,), policies=(inline("fence", document(deny("iam:*"))),))
    assert run(admin_principals, with_details(roles=(fenced,))).status is Status.FAIL


def test_an_undetermined_user_without_credentials_does_not_block_a_fail() -> None:
    unread = (user("ops", ACCOUNT, attached_arns=(CUSTOM,)),)
    builder = with_details(users=unread).rows([root_cells(), user_cells("ops", password_enabled="false", **NO_KEYS)])
    outcome = run(admin_principals, builder)
    assert outcome.status is Status.FAIL
    assert "nobody can sign in as" in outcome.message
    with_password = with_details(users=unread).rows([root_cells(), user_cells("ops", password_enabled="true")])
    assert run(admin_principals, with_password).status is Status.ERROR


def test_a_malformed_policy_document_spoils_only_its_principal() -> None:
    # iam-policies-via-groups needs only names: it still judges (was ERROR for the whole file).
    broken = user("bob", ACCOUNT, policies=(inline("mine", "{not json"),))  # type: ignore[arg-type]
    builder = with_details(users=(broken,), roles=(admin_role("Admin"),))
    assert run(iam_policies_via_groups, builder).status is Status.FAIL
    assert run(admin_principals, builder).status is Status.PASS
