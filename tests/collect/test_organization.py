"""The organization collector against moto: structure, SCPs, both member probes, failures as files, no secret.

moto lacks AssumeRoot and ListOrganizationsFeatures: tests/moto_org.py answers them (parameters validated
against the API model). Members are collected with --no-cloudtrail/--no-alerting equivalents: the
single-account collection has its own tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moto_org import MANAGEMENT, FakeOrg, OrgAnswers, build_org
from rootguard.app.permissions import audit_actions, organization_actions, policy_document
from rootguard.collect.aws import Aws
from rootguard.collect.member import AuditOptions
from rootguard.collect.org_run import OrgCollection, OrgRunOptions, collect_organization
from rootguard.collect.org_selection import AccountOverride, SelectionRequest
from rootguard.evidence.bundle import BundleWriter
from rootguard.evidence.manifest import read_manifest
from rootguard.model.operations import MEMBER_ROOT_OPERATIONS

FAST = OrgRunOptions(concurrency=4, assume_root_rate=1000, audit=AuditOptions(lookup=False, alerting=False))


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    with mock_aws():
        yield build_org(members=4)


def run(
    out: Path,
    answers: OrgAnswers,
    request: SelectionRequest | None = None,
    options: OrgRunOptions = FAST,
    recorded: list[str] | None = None,
) -> OrgCollection:
    aws = Aws(region="us-east-1", recorder=recorded.append if recorded is not None else None)
    answers.install(aws)
    with BundleWriter(out) as writer:
        collection = collect_organization(aws, request or SelectionRequest(), writer.write_all, options)
        writer.finish(collection.accounts, collection.collected_at, skipped={"cloudtrail": "test"})
    return collection


def load(out: Path, relative: str) -> Any:
    return json.loads((out / relative).read_text())


def test_every_file_of_the_organization_bundle_is_written(org: FakeOrg, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    collection = run(out, OrgAnswers())

    manifest = read_manifest(out)
    assert manifest.accounts == (MANAGEMENT, *org.accounts)  # management first, then ListAccounts order
    assert collection.failures == 0
    listed = {item["Id"] for item in load(out, "organization/organizations/list-accounts.json")["Accounts"]}
    selection = load(out, "organization/selection.json")
    assert listed == set(manifest.accounts) | set(selection["excluded"])
    assert load(out, "organization/organizations/describe-organization.json")["Organization"]["MasterAccountId"] == (
        MANAGEMENT
    )
    assert load(out, "organization/iam/list-organizations-features.json")["EnabledFeatures"] == [
        "RootCredentialsManagement",
        "RootSessions",
    ]
    tree = "organization/organizations"
    for parent in (org.root_id, *org.ous.values()):
        assert (out / f"{tree}/list-organizational-units-for-parent/{parent}.json").is_file()
        assert (out / f"{tree}/list-accounts-for-parent/{parent}.json").is_file()
    # SCP lists: the root, each OU on a selected account's path, each account.
    for target in (org.root_id, org.ous["prod"], org.ous["prod/inner"], org.ous["dev"], MANAGEMENT, *org.accounts):
        listed_policies = load(out, f"{tree}/list-policies-for-target/{target}.json")
        assert "Policies" in listed_policies, target
    prod = load(out, f"{tree}/list-policies-for-target/{org.ous['prod']}.json")
    assert org.policy_id in {policy["Id"] for policy in prod["Policies"]}
    assert "Deny" in load(out, f"{tree}/describe-policy/{org.policy_id}.json")["Policy"]["Content"]
    assert (out / f"{tree}/describe-policy/p-FullAWSAccess.json").is_file()
    for account in (MANAGEMENT, *org.accounts):
        assert "Tags" in load(out, f"{tree}/list-tags-for-resource/{account}.json")
    rows = {row["account_id"]: row for row in selection["accounts"]}
    inner = next(a for a in org.accounts if org.placement[a] == "prod/inner")
    assert rows[inner]["ou_path"] == [org.root_id, org.ous["prod"], org.ous["prod/inner"]]


def test_members_get_both_probes_and_the_management_account_neither(org: FakeOrg, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    answers = OrgAnswers()
    run(out, answers)

    member = org.accounts[0]
    for name in (
        "sts/assume-root",
        "iam/get-login-profile",
        "iam/list-access-keys",
        "iam/list-mfa-devices",
        "iam/list-signing-certificates",
        "iam/get-account-summary",
    ):
        assert (out / member / "assume-root" / f"{name}.json").is_file(), name
    stored = load(out, f"{member}/assume-root/sts/assume-root.json")
    assert stored["Credentials"] == {"AccessKeyId": f"ASIAROOT{member}", "Expiration": "2026-12-07T16:00:00Z"}
    assume_role = load(out, f"{member}/global/sts/assume-role.json")
    assert set(assume_role["Credentials"]) == {"AccessKeyId", "Expiration"}
    assert load(out, f"{member}/global/sts/get-caller-identity.json")["Account"] == member
    assert (out / member / "global/iam/get-credential-report.json").is_file()
    # The management account: its own credentials, no AssumeRoot, no AssumeRole.
    assert not (out / MANAGEMENT / "assume-root").exists()
    assert not (out / MANAGEMENT / "global/sts/assume-role.json").exists()
    assert load(out, f"{MANAGEMENT}/global/sts/get-caller-identity.json")["Account"] == MANAGEMENT
    # AssumeRoot as the contract fixes it: the audit task policy, at most 900 s.
    call = next(c for c in answers.root_calls if c["TargetPrincipal"] == member)
    assert call["TaskPolicyArn"] == {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
    assert call["DurationSeconds"] <= 900
    assert MANAGEMENT not in {c["TargetPrincipal"] for c in answers.root_calls}


def test_no_secret_is_ever_written(org: FakeOrg, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    answers = OrgAnswers()
    run(out, answers)

    assert len(answers.secrets) > 2  # AssumeRoot's and every AssumeRole's
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            leaked = [secret for secret in answers.secrets if secret.encode() in data]
            assert not leaked, f"{path} holds a session secret"


def test_refusals_and_throttling_are_files_of_their_account_and_the_run_goes_on(org: FakeOrg, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    denied, throttled, role_denied = org.accounts[0], org.accounts[1], org.accounts[2]
    answers = OrgAnswers(root_denied={denied}, root_throttled={throttled}, role_denied={role_denied})
    collection = run(out, answers)

    assert read_manifest(out).accounts == (MANAGEMENT, *org.accounts)
    refused = load(out, f"{denied}/assume-root/sts/assume-root.json")["Error"]
    assert (refused["Code"], refused["Category"], refused["Operation"]) == ("AccessDenied", "denied", "sts:AssumeRoot")
    assert not (out / denied / "assume-root/iam").exists()
    assert (out / denied / "global/sts/assume-role.json").is_file()  # the other probe is independent
    assert load(out, f"{throttled}/assume-root/sts/assume-root.json")["Error"]["Category"] == "throttled"
    role = load(out, f"{role_denied}/global/sts/assume-role.json")["Error"]
    assert (role["Code"], role["Operation"]) == ("AccessDenied", "sts:AssumeRole")
    assert not (out / role_denied / "global/iam").exists()
    assert (out / role_denied / "assume-root/iam/list-access-keys.json").is_file()
    assert collection.failed == {"denied": 2, "throttled": 1}


def test_selection_options_and_the_accounts_file_shape_the_run(org: FakeOrg, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    under_prod = [a for a in org.accounts if org.placement[a] == "prod/inner"]
    request = SelectionRequest(
        ous=(org.ous["prod"],),
        exclude=(under_prod[-1],) if len(under_prod) > 1 else (),
        overrides={},
    )
    run(out, OrgAnswers(), request)
    manifest = read_manifest(out)
    selection = load(out, "organization/selection.json")
    kept = [a for a in under_prod if a not in request.exclude]
    assert manifest.accounts == tuple(kept)
    for account in [MANAGEMENT, *org.accounts]:
        assert account in manifest.accounts or account in selection["excluded"], account
    assert selection["excluded"][MANAGEMENT] == f"not under --ou {org.ous['prod']}"


def test_an_accounts_file_role_chain_and_external_id_are_used(org: FakeOrg, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    member = org.accounts[0]
    chain = (f"arn:aws:iam::{MANAGEMENT}:role/Hop", "Audit")
    request = SelectionRequest(
        accounts_file="accounts.yml", overrides={member: AccountOverride(roles=chain, external_id="ext-123")}
    )
    run(out, OrgAnswers(), request)
    assumed = load(out, f"{member}/global/sts/assume-role.json")
    assert assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{member}:assumed-role/Audit/rootguard-audit"
    assert read_manifest(out).accounts == (member,)
    excluded = load(out, "organization/selection.json")["excluded"]
    assert excluded[MANAGEMENT] == "not in --accounts-file accounts.yml"


def test_suspended_members_have_a_row_and_no_probe(org: FakeOrg, tmp_path: Path) -> None:
    closed = org.accounts[1]
    boto3.client("organizations", region_name="us-east-1").close_account(AccountId=closed)
    out = tmp_path / "bundle"
    answers = OrgAnswers()
    run(out, answers)

    assert closed in read_manifest(out).accounts
    row = next(r for r in load(out, "organization/selection.json")["accounts"] if r["account_id"] == closed)
    assert row["state"] != "ACTIVE"
    assert not (out / closed / "assume-root").exists()
    assert not (out / closed / "global").exists()
    assert closed not in {c["TargetPrincipal"] for c in answers.root_calls}


def test_concurrency_is_bounded_and_used(tmp_path: Path) -> None:
    with mock_aws():
        build_org(members=9)
        answers = OrgAnswers(delay=0.05)
        options = OrgRunOptions(concurrency=3, assume_root_rate=1000, audit=FAST.audit)
        request = SelectionRequest(member_audit=False)
        run(tmp_path / "bundle", answers, request, options)
    assert 1 < answers.most_in_flight <= 3


def test_without_probes_only_the_organization_is_read(org: FakeOrg, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    answers = OrgAnswers()
    run(out, answers, SelectionRequest(root_probe=False, member_audit=False))
    assert answers.root_calls == []
    for member in org.accounts:
        assert not (out / member).exists()
    assert load(out, "organization/selection.json")["probes"] == {"assume_root": False, "member_audit": False}


def test_every_action_called_is_one_rootguard_permissions_declares(org: FakeOrg, tmp_path: Path) -> None:
    recorded: list[str] = []
    run(tmp_path / "bundle", OrgAnswers(), recorded=recorded)
    declared = {
        *audit_actions(),
        *organization_actions(),
        *(action for operation in MEMBER_ROOT_OPERATIONS for action in operation.actions),
        "sts:AssumeRoot",
        "sts:AssumeRole",
        "sts:GetCallerIdentity",
    }
    assert {"organizations:ListAccounts", "sts:AssumeRoot", "iam:ListOrganizationsFeatures"} <= set(recorded)
    assert set(recorded) <= declared, sorted(set(recorded) - declared)
    statements = {s["Sid"]: s for s in policy_document(organization=True)["Statement"]}
    assert statements["RootguardAuditMemberRootCredentials"]["Condition"] == {
        "StringEquals": {"sts:TaskPolicyArn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"}
    }


def test_a_features_error_is_stored_as_its_error_document(org: FakeOrg, tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    run(out, OrgAnswers(features_error="ServiceAccessNotEnabled"))
    error = load(out, "organization/iam/list-organizations-features.json")["Error"]
    assert (error["Code"], error["Operation"]) == ("ServiceAccessNotEnabled", "iam:ListOrganizationsFeatures")
    assert read_manifest(out).accounts == (MANAGEMENT, *org.accounts)


def test_outside_an_organization_the_caller_still_gets_its_row(tmp_path: Path) -> None:
    out = tmp_path / "bundle"
    with mock_aws():
        collection = run(out, OrgAnswers())
    assert read_manifest(out).accounts == (MANAGEMENT,)
    assert load(out, "organization/organizations/describe-organization.json")["Error"]["Code"] == (
        "AWSOrganizationsNotInUseException"
    )
    assert collection.failures >= 1
    assert load(out, f"{MANAGEMENT}/global/sts/get-caller-identity.json")["Account"] == MANAGEMENT
