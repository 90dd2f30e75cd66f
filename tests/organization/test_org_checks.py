"""The four organization checks: every status each can give, from hand-built §5.7 evidence."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from builders import AS_OF, context, iso, trail_record
from org_builders import DENY_ROOT, DENY_ROOT_NOT_ACTION, DEV, MANAGEMENT, PROD, OrgBuilder
from rootguard.checks.org_activity import org_root_activity
from rootguard.checks.org_root import org_member_root_credentials, org_root_credentials_centralized
from rootguard.checks.org_scp import org_scp_deny_root
from rootguard.checks.registry import CheckSpec
from rootguard.model.findings import Status

ORG_CHECKS = (org_root_credentials_centralized, org_member_root_credentials, org_scp_deny_root, org_root_activity)


def judge(spec: CheckSpec, builder: OrgBuilder, account: str, **ctx: Any) -> Any:
    return spec.evaluate(builder.evidence(account), context(**ctx))


# org-root-credentials-centralized ------------------------------------------------------------------------------


def test_centralized_passes_with_both_features() -> None:
    outcome = judge(org_root_credentials_centralized, OrgBuilder(), MANAGEMENT)
    assert outcome.status is Status.PASS
    assert outcome.evidence["missing"] == []


def test_centralized_ignores_other_feature_values() -> None:
    builder = OrgBuilder().features("RootCredentialsManagement", "RootSessions", "OrganizationIamResources")
    assert judge(org_root_credentials_centralized, builder, MANAGEMENT).status is Status.PASS


@pytest.mark.parametrize(
    ("enabled", "missing", "meaning"),
    [
        (("RootCredentialsManagement",), "RootSessions", "S3 bucket or SQS queue policy"),
        (("RootSessions",), "RootCredentialsManagement", "keep (and new members get)"),
        ((), "RootCredentialsManagement and RootSessions", "are not"),
    ],
)
def test_centralized_fails_naming_what_is_missing(enabled: tuple[str, ...], missing: str, meaning: str) -> None:
    outcome = judge(org_root_credentials_centralized, OrgBuilder().features(*enabled), MANAGEMENT)
    assert outcome.status is Status.FAIL
    assert missing in outcome.message and meaning in outcome.message


@pytest.mark.parametrize(
    ("code", "status", "said"),
    [
        ("ServiceAccessNotEnabled", Status.FAIL, "Trusted access for AWS IAM is not enabled"),
        ("OrganizationNotInAllFeaturesMode", Status.FAIL, "consolidated billing only"),
        ("AccountNotManagementOrDelegatedAdministrator", Status.ERROR, "neither the management account nor"),
        ("OrganizationNotFound", Status.ERROR, "not in an organization"),
        ("AccessDenied", Status.ERROR, "iam:ListOrganizationsFeatures"),
    ],
)
def test_each_documented_error_code_has_its_own_message(code: str, status: Status, said: str) -> None:
    outcome = judge(org_root_credentials_centralized, OrgBuilder().features_error(code), MANAGEMENT)
    assert outcome.status is status
    assert said in outcome.message


def test_centralized_errors_when_the_features_file_is_absent() -> None:
    builder = OrgBuilder().put("organization/iam/list-organizations-features.json", None)
    outcome = judge(org_root_credentials_centralized, builder, MANAGEMENT)
    assert outcome.status is Status.ERROR
    assert "organization/iam/list-organizations-features.json" in outcome.message and "Fix:" in outcome.message


def test_centralized_is_one_verdict_on_the_management_row() -> None:
    outcome = judge(org_root_credentials_centralized, OrgBuilder().features(), PROD)
    assert outcome.status is Status.NOT_APPLICABLE
    assert MANAGEMENT in outcome.message


def test_consolidated_billing_fails() -> None:
    builder = OrgBuilder()
    document = builder.documents["organization/organizations/describe-organization.json"]
    document["Organization"]["FeatureSet"] = "CONSOLIDATED_BILLING"
    assert judge(org_root_credentials_centralized, builder, MANAGEMENT).status is Status.FAIL


# org-member-root-credentials --------------------------------------------------------------------------------


def test_no_credentials_at_all_is_a_pass_never_mfa_missing() -> None:
    outcome = judge(org_member_root_credentials, OrgBuilder(), PROD)
    assert outcome.status is Status.PASS
    assert outcome.evidence["credentials"] == []
    assert "MFA" not in outcome.message.split(":")[0]


def test_credentials_are_listed_with_age_and_last_use() -> None:
    builder = OrgBuilder()
    builder.root_file(
        DEV, "iam/get-login-profile.json", {"LoginProfile": {"CreateDate": iso(AS_OF - timedelta(days=400))}}
    )
    builder.root_file(
        DEV,
        "iam/list-access-keys.json",
        {
            "AccessKeyMetadata": [
                {"AccessKeyId": "AKIAROOTKEY1", "Status": "Active", "CreateDate": iso(AS_OF - timedelta(days=900))}
            ]
        },
    )
    builder.root_file(
        DEV,
        "iam/get-access-key-last-used/AKIAROOTKEY1.json",
        {
            "AccessKeyLastUsed": {
                "LastUsedDate": iso(AS_OF - timedelta(days=3)),
                "ServiceName": "s3",
                "Region": "us-east-1",
            }
        },
    )
    builder.root_file(
        DEV,
        "iam/list-mfa-devices.json",
        {
            "MFADevices": [
                {"SerialNumber": "GAHT12345678", "EnableDate": iso(AS_OF - timedelta(days=10))},
                {"SerialNumber": f"arn:aws:iam::{DEV}:mfa/root-account-mfa-device", "EnableDate": iso(AS_OF)},
                {"SerialNumber": f"arn:aws:iam::{DEV}:u2f/root/passkey-ABC", "EnableDate": iso(AS_OF)},
            ]
        },
    )
    builder.root_file(
        DEV,
        "iam/list-signing-certificates.json",
        {
            "Certificates": [
                {"CertificateId": "CERT1", "Status": "Inactive", "UploadDate": iso(AS_OF - timedelta(days=5))}
            ]
        },
    )
    outcome = judge(org_member_root_credentials, builder, DEV)
    assert outcome.status is Status.FAIL
    credentials = outcome.evidence["credentials"]
    assert [c["kind"] for c in credentials] == [
        "password",
        "access-key",
        "mfa-device",
        "mfa-device",
        "mfa-device",
        "signing-certificate",
    ]
    key = credentials[1]
    assert key["id"] == "AKIAROOTKEY1" and key["status"] == "Active" and key["last_used"].startswith("2026-11-17")
    assert [c["mfa_type"] for c in credentials[2:5]] == ["hardware", "virtual", "passkey"]
    assert credentials[0] == {
        "kind": "password",
        "id": "login-profile",
        "status": None,
        "created": "2025-10-16T12:00:00Z",
        "last_used": None,
        "mfa_type": None,
    }
    assert "AKIAROOTKEY1" in outcome.message and "last used" in outcome.message and "900 days" in outcome.message


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("AccessDenied", "assume-denied"),
        ("ThrottlingException", "throttled"),
        ("ResourceNotFoundException", "not-found"),
        ("RegionDisabledException", "RegionDisabledException"),
    ],
)
def test_a_failed_probe_is_an_error_of_its_kind(code: str, kind: str) -> None:
    builder = OrgBuilder().root_file(PROD, "sts/assume-root.json", {"Error": {"Code": code, "Message": "no"}})
    outcome = judge(org_member_root_credentials, builder, PROD)
    assert outcome.status is Status.ERROR
    assert outcome.evidence["probe_error"] == kind and outcome.evidence["credentials"] is None
    assert f"({kind})" in outcome.message


def test_an_absent_probe_is_an_error_naming_the_file() -> None:
    builder = OrgBuilder().root_file(PROD, "sts/assume-root.json", None)
    outcome = judge(org_member_root_credentials, builder, PROD)
    assert outcome.status is Status.ERROR
    assert f"{PROD}/assume-root/sts/assume-root.json" in outcome.message and "sts:AssumeRoot" in outcome.message


@pytest.mark.parametrize(
    "relative", ["iam/list-access-keys.json", "iam/list-mfa-devices.json", "iam/list-signing-certificates.json"]
)
@pytest.mark.parametrize("document", [None, {"Error": {"Code": "AccessDenied", "Message": "no"}}, {"wrong": 1}])
def test_an_unread_list_is_never_no_credentials(relative: str, document: Any) -> None:
    builder = OrgBuilder().root_file(PROD, relative, document)
    outcome = judge(org_member_root_credentials, builder, PROD)
    assert outcome.status is Status.ERROR
    assert f"{PROD}/assume-root/{relative}" in outcome.message


def test_a_refused_login_profile_is_not_no_password() -> None:
    builder = OrgBuilder().root_file(
        PROD, "iam/get-login-profile.json", {"Error": {"Code": "AccessDenied", "Message": "x"}}
    )
    assert judge(org_member_root_credentials, builder, PROD).status is Status.ERROR


def test_found_credentials_fail_even_when_another_list_is_unread() -> None:
    builder = OrgBuilder().root_file(PROD, "iam/get-login-profile.json", {"LoginProfile": {"CreateDate": iso(AS_OF)}})
    builder.root_file(PROD, "iam/list-mfa-devices.json", None)
    outcome = judge(org_member_root_credentials, builder, PROD)
    assert outcome.status is Status.FAIL
    assert outcome.evidence["gaps"][0]["source"] == f"{PROD}/assume-root/iam/list-mfa-devices.json"


def test_summary_disagreeing_with_empty_lists_is_an_error() -> None:
    builder = OrgBuilder().root_file(PROD, "iam/get-account-summary.json", {"SummaryMap": {"AccountMFAEnabled": 1}})
    assert judge(org_member_root_credentials, builder, PROD).status is Status.ERROR


def test_management_root_is_left_to_the_root_checks() -> None:
    outcome = judge(org_member_root_credentials, OrgBuilder(), MANAGEMENT)
    assert outcome.status is Status.NOT_APPLICABLE
    assert "root-access-keys" in outcome.message


# org-scp-deny-root -------------------------------------------------------------------------------------------


def test_scp_passes_with_the_sample_null_variant() -> None:
    assert judge(org_scp_deny_root, OrgBuilder(), PROD).status is Status.PASS


def test_scp_fails_with_the_not_action_variant() -> None:
    builder = OrgBuilder().policy("DenyRoot", DENY_ROOT_NOT_ACTION)
    outcome = judge(org_scp_deny_root, builder, PROD)
    assert outcome.status is Status.FAIL
    assert "AssumeRoot sessions cannot do their tasks" in outcome.message


def test_scp_fails_when_full_access_is_missing_on_one_ou() -> None:
    builder = OrgBuilder().attach("ou-ab12-dev0")
    assert judge(org_scp_deny_root, builder, PROD).status is Status.PASS
    outcome = judge(org_scp_deny_root, builder, DEV)
    assert outcome.status is Status.FAIL
    assert "no SCP at OU Dev (ou-ab12-dev0) allows it" in outcome.message


def test_scp_deny_on_one_ou_only_covers_that_ou() -> None:
    builder = OrgBuilder().attach("r-ab12", "FullAWSAccess").attach("ou-ab12-prod", "FullAWSAccess", "DenyRoot")
    assert judge(org_scp_deny_root, builder, PROD).status is Status.PASS
    outcome = judge(org_scp_deny_root, builder, DEV)
    assert outcome.status is Status.FAIL and "the root user is not denied" in outcome.message


def test_scp_manual_on_a_condition_it_cannot_judge() -> None:
    statement = dict(DENY_ROOT["Statement"][0])
    statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
    builder = OrgBuilder().policy("DenyRoot", {"Statement": [statement]})
    assert judge(org_scp_deny_root, builder, PROD).status is Status.MANUAL


def test_scp_not_enabled_fails() -> None:
    builder = OrgBuilder().put(
        "organization/organizations/list-roots.json", {"Roots": [{"Id": "r-ab12", "Name": "Root", "PolicyTypes": []}]}
    )
    assert judge(org_scp_deny_root, builder, PROD).status is Status.FAIL


@pytest.mark.parametrize(
    "path",
    [
        "organization/organizations/list-roots.json",
        "organization/organizations/list-policies-for-target/ou-ab12-prod.json",
        "organization/organizations/describe-policy/p-denyroot01.json",
        "organization/organizations/list-accounts-for-parent/ou-ab12-prod.json",
    ],
)
@pytest.mark.parametrize("document", [None, {"Error": {"Code": "AccessDeniedException", "Message": "no"}}, {"x": 1}])
def test_scp_errors_on_an_unread_file(path: str, document: Any) -> None:
    outcome = judge(org_scp_deny_root, OrgBuilder().put(path, document), PROD)
    assert outcome.status is Status.ERROR
    assert path in outcome.message and "Fix:" in outcome.message


def test_scp_errors_on_a_policy_that_does_not_parse() -> None:
    builder = OrgBuilder().policy("DenyRoot", "{not json")
    outcome = judge(org_scp_deny_root, builder, PROD)
    assert outcome.status is Status.ERROR and "p-denyroot01.json" in outcome.message


def test_scp_never_applies_to_the_management_account() -> None:
    assert judge(org_scp_deny_root, OrgBuilder(), MANAGEMENT).status is Status.NOT_APPLICABLE


# org-root-activity -------------------------------------------------------------------------------------------


def org_trail_file(member: str, *records: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    day = f"AWSLogs/o-exampleorg1/{member}/CloudTrail/us-east-1/2026/11/19"
    name = f"{day}/{member}_CloudTrail_us-east-1_20261119T1200Z_abc.json"
    return f"{MANAGEMENT}/cloudtrail-logs/{name}", {"Records": list(records)}


def test_activity_counts_only_the_member_as_recipient() -> None:
    builder = OrgBuilder()
    path, document = org_trail_file(DEV, trail_record(AS_OF - timedelta(days=2), account=DEV))
    builder.put(path, document)
    assert judge(org_root_activity, builder, PROD).status is Status.PASS
    outcome = judge(org_root_activity, builder, DEV)
    assert outcome.status is Status.FAIL
    rollup = judge(org_root_activity, builder, MANAGEMENT)
    assert rollup.status is Status.FAIL
    assert rollup.evidence["unapproved_root_use"] == [DEV] and DEV in rollup.message


def test_activity_rollup_passes_when_every_member_is_covered_and_quiet() -> None:
    outcome = judge(org_root_activity, OrgBuilder(), MANAGEMENT)
    assert outcome.status is Status.PASS and outcome.evidence["members"] == 2


def test_activity_rollup_errors_for_members_without_coverage() -> None:
    builder = OrgBuilder()
    for path in [p for p in builder.documents if p.startswith(f"{PROD}/cloudtrail-logs/")]:
        builder.put(path, None)
    assert judge(org_root_activity, builder, PROD).status is Status.ERROR
    rollup = judge(org_root_activity, builder, MANAGEMENT)
    assert rollup.status is Status.ERROR
    assert rollup.evidence["without_coverage"] == [PROD] and "Fix:" in rollup.message


def test_activity_rollup_leaves_out_suspended_members() -> None:
    builder = OrgBuilder().state(PROD, "SUSPENDED")
    for path in [p for p in builder.documents if p.startswith(f"{PROD}/cloudtrail-logs/")]:
        builder.put(path, None)
    assert judge(org_root_activity, builder, MANAGEMENT).evidence["members"] == 1


def test_activity_member_manual_when_part_of_the_window_is_uncovered() -> None:
    builder = OrgBuilder().put(f"{PROD}/cloudtrail-logs/lookup-events/us-east-1/root.json", None)
    outcome = judge(org_root_activity, builder, PROD)
    assert outcome.status is Status.MANUAL and "us-east-1" in outcome.message
    rollup = judge(org_root_activity, builder, MANAGEMENT)
    assert rollup.status is Status.ERROR and rollup.evidence["without_coverage"] == [PROD]  # never PASS


def test_activity_errors_on_a_window_longer_than_lookup_events_reach() -> None:
    builder = OrgBuilder()
    assert judge(org_root_activity, builder, PROD, window=200).status is Status.ERROR
    assert judge(org_root_activity, builder, MANAGEMENT, window=200).status is Status.ERROR


def test_activity_is_skipped_without_cloudtrail() -> None:
    from rootguard.app.evaluate import _run
    from rootguard.model.evidence import Source

    skipped = {Source.CLOUDTRAIL: "--no-cloudtrail was given"}
    assert _run(org_root_activity, OrgBuilder().evidence(PROD), context(), skipped).status is Status.SKIPPED


# Every organization check outside an organization bundle, and its metadata -------------------------------------


@pytest.mark.parametrize("spec", ORG_CHECKS, ids=lambda s: s.check_id)
def test_outside_an_organization_every_org_check_is_not_applicable(spec: CheckSpec) -> None:
    from builders import AccountBuilder

    assert spec.evaluate(AccountBuilder().evidence(), context()).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize("spec", ORG_CHECKS, ids=lambda s: s.check_id)
def test_org_check_metadata(spec: CheckSpec) -> None:
    assert spec.check_id.startswith("org-") and spec.title and len(spec.remediation) > 40


def test_a_check_that_raises_on_a_member_is_still_a_finding() -> None:
    builder = OrgBuilder()
    evidence = builder.evidence(PROD)
    broken = replace(evidence, organization=replace(evidence.organization, root_probe="not a probe"))  # type: ignore[arg-type]
    from rootguard.app.evaluate import _run

    assert _run(org_member_root_credentials, broken, context(), {}).status is Status.ERROR
    assert DENY_ROOT  # the sample stays importable for the table tests
