"""Every §5.7 file absent, refused or malformed becomes a Gap naming the file and the action that fills it;
the account rows of an organization audit (audit role refused, --no-member-audit, states)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from builders import context
from org_builders import DEV, MANAGEMENT, PROD, OrgBuilder
from rootguard.app.evaluate import evaluate
from rootguard.evidence.assemble import assemble
from rootguard.evidence.store import MemoryStore
from rootguard.model.evidence import Evidence, Source
from rootguard.model.findings import Status
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.organization import OrganizationView, RootProbe

ORG = "organization/organizations"
Field = Callable[[OrganizationView], Any]


def probe(view: OrganizationView) -> RootProbe:
    assert view.root_probe is not None
    return view.root_probe


# (file, the account whose view is read, the field that must become a Gap, the IAM action its fix names)
FILES: list[tuple[str, str, Field, str]] = [
    (f"{ORG}/describe-organization.json", PROD, lambda v: v.organization.facts, "organizations:DescribeOrganization"),
    (
        "organization/iam/list-organizations-features.json",
        PROD,
        lambda v: v.organization.features,
        "iam:ListOrganizationsFeatures",
    ),
    (f"{ORG}/list-accounts.json", PROD, lambda v: v.account, "organizations:ListAccounts"),
    (f"{ORG}/list-roots.json", PROD, lambda v: v.organization.scp_enabled, "organizations:ListRoots"),
    (f"{ORG}/list-roots.json", PROD, lambda v: v.placement, "organizations:ListRoots"),
    (
        f"{ORG}/list-organizational-units-for-parent/ou-ab12-work.json",
        PROD,
        lambda v: v.placement,
        "organizations:ListOrganizationalUnitsForParent",
    ),
    (
        f"{ORG}/list-accounts-for-parent/ou-ab12-prod.json",
        PROD,
        lambda v: v.placement,
        "organizations:ListAccountsForParent",
    ),
    (
        f"{ORG}/list-policies-for-target/ou-ab12-prod.json",
        PROD,
        lambda v: v.scp_levels[2].policies,
        "organizations:ListPoliciesForTarget",
    ),
    (
        f"{ORG}/describe-policy/p-denyroot01.json",
        PROD,
        lambda v: v.scp_levels[0].policies[1].document,
        "organizations:DescribePolicy",
    ),
    (f"{ORG}/list-tags-for-resource/{PROD}.json", PROD, lambda v: v.tags, "organizations:ListTagsForResource"),
    ("organization/selection.json", PROD, lambda v: v.organization.selection, "rootguard org collect"),
    (f"{PROD}/assume-root/sts/assume-root.json", PROD, lambda v: probe(v).session, "sts:AssumeRoot"),
    (f"{PROD}/assume-root/iam/list-access-keys.json", PROD, lambda v: probe(v).access_keys, "iam:ListAccessKeys"),
    (f"{PROD}/assume-root/iam/list-mfa-devices.json", PROD, lambda v: probe(v).mfa_devices, "iam:ListMFADevices"),
    (
        f"{PROD}/assume-root/iam/list-signing-certificates.json",
        PROD,
        lambda v: probe(v).signing_certificates,
        "iam:ListSigningCertificates",
    ),
    (
        f"{PROD}/assume-root/iam/get-account-summary.json",
        PROD,
        lambda v: probe(v).account_summary,
        "iam:GetAccountSummary",
    ),
]
BROKEN = {
    "absent": (None, GapKind.NOT_COLLECTED),
    "denied": ({"Error": {"Code": "AccessDenied", "Message": "explicit deny"}}, GapKind.API_ERROR),
    "malformed": ({"Unexpected": []}, GapKind.MALFORMED),
}


@pytest.mark.parametrize("how", BROKEN)
@pytest.mark.parametrize(
    ("path", "account", "field", "action"), FILES, ids=[f"{f[0]}-{i}" for i, f in enumerate(FILES)]
)
def test_every_unread_file_is_a_gap_naming_it(path: str, account: str, field: Field, action: str, how: str) -> None:
    document, kind = BROKEN[how]
    views = OrgBuilder().put(path, document).views()
    gap = field(views[account])
    assert isinstance(gap, Gap), gap
    assert gap.kind is kind and gap.source == path
    if how == "absent" or (how == "denied" and path != "organization/selection.json"):  # selection: rootguard's own
        assert action in gap.fix


@pytest.mark.parametrize("document", [None, {"Error": {"Code": "AccessDenied", "Message": "x"}}, {"wrong": 1}])
def test_an_unread_key_last_use_is_a_gap_and_the_key_still_counts(document: Any) -> None:
    builder = OrgBuilder().root_file(
        PROD, "iam/list-access-keys.json", {"AccessKeyMetadata": [{"AccessKeyId": "AKIAK1", "Status": "Active"}]}
    )
    builder.root_file(PROD, "iam/get-access-key-last-used/AKIAK1.json", document)
    keys = probe(builder.views()[PROD]).access_keys
    assert not isinstance(keys, Gap) and isinstance(keys[0].last_used, Gap)
    assert keys[0].last_used.source == f"{PROD}/assume-root/iam/get-access-key-last-used/AKIAK1.json"


def test_no_such_entity_login_profile_means_no_password() -> None:
    assert probe(OrgBuilder().views()[PROD]).login_profile is None


def test_a_malformed_policy_content_names_the_file() -> None:
    builder = OrgBuilder().policy("DenyRoot", '{"Statement": [{"Effect": "Maybe"}]}')
    levels = builder.views()[PROD].scp_levels
    assert not isinstance(levels, Gap)
    policies = levels[0].policies
    assert not isinstance(policies, Gap)
    gap = policies[1].document
    assert isinstance(gap, Gap) and gap.kind is GapKind.MALFORMED
    assert gap.source == f"{ORG}/describe-policy/p-denyroot01.json"


def test_the_view_of_each_account() -> None:
    views = OrgBuilder().views()
    assert views[MANAGEMENT].management and views[MANAGEMENT].root_probe is None
    assert not views[PROD].management and views[PROD].state == "ACTIVE"
    assert views[DEV].tags == {"team": "core"}
    levels = views[DEV].scp_levels
    assert not isinstance(levels, Gap)
    assert [lvl.label for lvl in levels] == [
        "root r-ab12",
        "OU Workloads (ou-ab12-work)",
        "OU Dev (ou-ab12-dev0)",
        f"account {DEV}",
    ]


def test_an_account_missing_from_every_listing_is_a_gap() -> None:
    views = OrgBuilder().children("ou-ab12-dev0").views()
    assert isinstance(views[DEV].placement, Gap) and "not listed" in views[DEV].placement.reason


def test_a_single_account_assembly_has_no_view() -> None:
    builder = OrgBuilder()
    evidence = assemble(MemoryStore(builder.documents), builder.accounts, context().as_of, "m")
    assert all(a.organization is None for a in evidence.accounts)


# Rows -------------------------------------------------------------------------------------------------------


def org_evidence(builder: OrgBuilder, **skipped: str) -> Evidence:
    evidence = assemble(MemoryStore(builder.documents), builder.accounts, context().as_of, "m", organization=True)
    return Evidence(
        evidence.collected_at, evidence.accounts, "m", {Source(k.replace("_", "-")): v for k, v in skipped.items()}
    )


def statuses(report: Any, account: str) -> dict[str, Status]:
    row = next(a for a in report.accounts if a.account_id == account)
    return {f.check_id: f.status for f in row.findings}


def test_a_refused_audit_role_makes_the_members_single_account_checks_error_of_its_kind() -> None:
    builder = OrgBuilder().put(
        f"{PROD}/global/sts/assume-role.json", {"Error": {"Code": "AccessDenied", "Message": "no"}}
    )
    report = evaluate(org_evidence(builder), context())
    row = next(a for a in report.accounts if a.account_id == PROD)
    single = [f for f in row.findings if not f.check_id.startswith("org-")]
    assert {f.status for f in single} == {Status.ERROR}
    assert all("(assume-denied)" in f.message and f"{PROD}/global/sts/assume-role.json" in f.message for f in single)
    assert statuses(report, PROD)["org-member-root-credentials"] is Status.PASS  # the AssumeRoot probe is independent


def test_no_member_audit_skips_members_single_account_checks_only() -> None:
    report = evaluate(org_evidence(OrgBuilder(), member_audit="--no-member-audit was given"), context())
    member = statuses(report, PROD)
    assert member["root-mfa"] is Status.SKIPPED and member["org-scp-deny-root"] is Status.PASS
    assert statuses(report, MANAGEMENT)["root-mfa"] is not Status.SKIPPED


def test_no_assume_root_skips_the_member_credentials_check() -> None:
    report = evaluate(org_evidence(OrgBuilder(), assume_root="--no-assume-root was given"), context())
    assert statuses(report, PROD)["org-member-root-credentials"] is Status.SKIPPED


@pytest.mark.parametrize("state", ["SUSPENDED", "PENDING_ACTIVATION", "PENDING_CLOSURE", "CLOSED"])
def test_every_inactive_state_is_a_skipped_row_and_the_counts_add_up(state: str) -> None:
    report = evaluate(org_evidence(OrgBuilder().state(DEV, state)), context())
    row = next(a for a in report.accounts if a.account_id == DEV)
    assert row.state == state and {f.status for f in row.findings} == {Status.SKIPPED}
    assert state in row.findings[0].message
    assert sum(report.count().values()) == len(report.accounts) * len(row.findings)
    assert report.organization is not None and report.organization.listed_accounts == 3


def test_a_bundle_without_the_management_account_still_carries_the_organization_verdicts() -> None:
    """A delegated administrator's bundle: the organization-wide verdicts land on its first row."""
    builder = OrgBuilder()
    builder.accounts.remove(MANAGEMENT)
    report = evaluate(org_evidence(builder), context())
    first = statuses(report, PROD)
    assert first["org-root-credentials-centralized"] is Status.PASS
    assert first["org-root-activity"] is Status.PASS  # the roll-up, over both members
    assert statuses(report, DEV)["org-root-credentials-centralized"] is Status.NOT_APPLICABLE
    assert first["org-member-root-credentials"] is Status.PASS  # a member still: AssumeRoot and SCPs reach it


def selection_with_rows(builder: OrgBuilder, **directly: bool) -> OrgBuilder:
    document = builder.documents["organization/selection.json"]
    document["accounts"] = [
        {
            "account_id": account,
            "collected_directly": directly.get(f"a{account}", False),
            "assume_root": account != MANAGEMENT and not directly.get(f"a{account}", False),
            "member_audit": True,
        }
        for account in builder.accounts
    ]
    return builder


def test_the_collecting_delegated_administrator_is_not_probed_with_assume_root() -> None:
    builder = selection_with_rows(OrgBuilder(), **{f"a{PROD}": True})
    for relative in ("sts/assume-root.json", "iam/list-access-keys.json"):
        builder.root_file(PROD, relative, None)
    report = evaluate(org_evidence(builder), context())
    row = next(a for a in report.accounts if a.account_id == PROD)
    finding = next(f for f in row.findings if f.check_id == "org-member-root-credentials")
    assert finding.status is Status.NOT_APPLICABLE and "root-* checks" in finding.message
    assert statuses(report, DEV)["org-member-root-credentials"] is Status.PASS


def test_a_selection_with_malformed_rows_is_a_gap() -> None:
    builder = OrgBuilder()
    builder.documents["organization/selection.json"]["accounts"] = [{"account_id": PROD, "assume_root": "yes"}]
    selection = builder.views()[PROD].organization.selection
    assert isinstance(selection, Gap) and selection.kind is GapKind.MALFORMED


def test_a_member_whose_collection_failed_has_error_rows_of_its_kind() -> None:
    builder = OrgBuilder().put(
        f"{DEV}/global/sts/get-caller-identity.json", {"Error": {"Code": "ExpiredToken", "Message": "expired"}}
    )
    report = evaluate(org_evidence(builder), context())
    row = next(a for a in report.accounts if a.account_id == DEV)
    single = [f for f in row.findings if not f.check_id.startswith("org-")]
    assert {f.status for f in single} == {Status.ERROR}
    assert all("The member's collection failed (ExpiredToken)" in f.message for f in single)
    assert statuses(report, DEV)["org-scp-deny-root"] is Status.PASS
