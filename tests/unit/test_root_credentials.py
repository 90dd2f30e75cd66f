"""root-access-keys, root-mfa, root-hardware-mfa, root-signing-certs: PASS, FAIL and ERROR paths."""

from __future__ import annotations

import pytest

from builders import DENIED, AccountBuilder, ago, context, device, root_virtual_device
from rootguard.checks.registry import CheckSpec, Outcome
from rootguard.checks.root_credentials import root_access_keys, root_hardware_mfa, root_mfa, root_signing_certs
from rootguard.model.findings import Status


def run(spec: CheckSpec, builder: AccountBuilder) -> Outcome:
    return spec.evaluate(builder.evidence(), context())


ACTIVE_KEY = {
    "access_key_1_active": "true",
    "access_key_1_last_rotated": "2019-03-04T10:40:12+00:00",
    "access_key_1_last_used_date": "2026-10-09T06:01:00+00:00",
    "access_key_1_last_used_region": "eu-west-1",
    "access_key_1_last_used_service": "ec2",
}


# --- root-access-keys ---------------------------------------------------------------------------


def test_keys_pass_when_none_and_summary_agrees() -> None:
    outcome = run(root_access_keys, AccountBuilder())
    assert outcome.status is Status.PASS


def test_keys_fail_with_rotation_and_last_use() -> None:
    outcome = run(root_access_keys, AccountBuilder().root(**ACTIVE_KEY).summary(keys=1))
    assert outcome.status is Status.FAIL
    assert "2019-03-04T10:40:12Z" in outcome.message
    assert "2026-10-09T06:01:00Z" in outcome.message
    assert "ec2" in outcome.message and "eu-west-1" in outcome.message


def test_keys_both_active() -> None:
    builder = AccountBuilder().root(**ACTIVE_KEY, access_key_2_active="TRUE", access_key_2_last_rotated=ago(days=10))
    outcome = run(root_access_keys, builder)
    assert outcome.status is Status.FAIL
    assert "2 active access key(s)" in outcome.message


def test_keys_summary_says_present_but_report_none_active() -> None:
    """AccountAccessKeysPresent counts inactive keys and keys newer than the report."""
    outcome = run(root_access_keys, AccountBuilder().summary(keys=1))
    assert outcome.status is Status.FAIL
    assert "AccountAccessKeysPresent=1" in outcome.message


def test_keys_error_when_neither_source_is_available() -> None:
    outcome = run(root_access_keys, AccountBuilder().report(None).summary(DENIED))
    assert outcome.status is Status.ERROR
    assert "iam:GetAccountSummary" in outcome.message
    assert "get-credential-report.json" in outcome.message


def test_keys_summary_alone_settles_absence() -> None:
    outcome = run(root_access_keys, AccountBuilder().report(None).summary(keys=0))
    assert outcome.status is Status.PASS
    assert "AccountAccessKeysPresent=0" in outcome.message


def test_keys_summary_alone_settles_presence() -> None:
    outcome = run(root_access_keys, AccountBuilder().report(None).summary(keys=1))
    assert outcome.status is Status.FAIL


def test_keys_report_alone_says_so() -> None:
    outcome = run(root_access_keys, AccountBuilder().summary(DENIED))
    assert outcome.status is Status.PASS
    assert "not available to cross-check" in outcome.message


def test_keys_active_report_fails_even_without_summary() -> None:
    assert run(root_access_keys, AccountBuilder().root(**ACTIVE_KEY).summary(DENIED)).status is Status.FAIL


def test_keys_unreadable_flag_without_summary_is_error() -> None:
    outcome = run(root_access_keys, AccountBuilder().root(access_key_1_active="maybe").no_summary())
    assert outcome.status is Status.ERROR


# --- root-signing-certs -------------------------------------------------------------------------


def test_certs_pass() -> None:
    assert run(root_signing_certs, AccountBuilder()).status is Status.PASS


def test_certs_fail() -> None:
    builder = AccountBuilder().root(cert_1_active="true", cert_1_last_rotated="2018-01-01T00:00:00+00:00")
    outcome = run(root_signing_certs, builder)
    assert outcome.status is Status.FAIL
    assert "certificate 1" in outcome.message


def test_certs_summary_present_but_none_active() -> None:
    assert run(root_signing_certs, AccountBuilder().summary(certs=1)).status is Status.FAIL


def test_certs_error() -> None:
    outcome = run(root_signing_certs, AccountBuilder().report(None).no_summary())
    assert outcome.status is Status.ERROR
    assert "not collected" in outcome.message


# --- root-mfa -----------------------------------------------------------------------------------


def test_mfa_pass() -> None:
    outcome = run(root_mfa, AccountBuilder())
    assert outcome.status is Status.PASS
    assert "AccountMFAEnabled=1" in outcome.message


def test_mfa_fail_when_root_has_a_password() -> None:
    outcome = run(root_mfa, AccountBuilder().root(mfa_active="false").summary(mfa=0, password=1))
    assert outcome.status is Status.FAIL
    assert "a password" in outcome.message


def test_mfa_fail_when_root_has_keys_even_without_password() -> None:
    builder = AccountBuilder().root(mfa_active="false", **ACTIVE_KEY).summary(mfa=0, password=0, keys=1)
    outcome = run(root_mfa, builder)
    assert outcome.status is Status.FAIL
    assert "access keys" in outcome.message


def test_mfa_pass_when_root_has_no_credentials_at_all() -> None:
    """Centralized root access: no password, no keys, no certificates. Peers mis-score this as no MFA."""
    builder = AccountBuilder().root(mfa_active="false", password_last_used="N/A").summary(mfa=0, password=0)
    outcome = run(root_mfa, builder)
    assert outcome.status is Status.PASS
    assert "no credentials" in outcome.message


def test_mfa_error_when_nothing_says() -> None:
    outcome = run(root_mfa, AccountBuilder().report(None).summary(DENIED))
    assert outcome.status is Status.ERROR
    assert "AccessDenied" in outcome.message


def test_mfa_from_report_when_summary_denied() -> None:
    outcome = run(root_mfa, AccountBuilder().summary(DENIED))
    assert outcome.status is Status.PASS
    assert "mfa_active=true" in outcome.message


def test_mfa_off_and_password_unknown_is_error() -> None:
    """Without AccountPasswordPresent and a not_supported password_enabled, 'no credentials' cannot be proven."""
    builder = AccountBuilder().root(mfa_active="false", password_last_used="no_information").summary(DENIED)
    outcome = run(root_mfa, builder)
    assert outcome.status is Status.ERROR


def test_a_past_password_use_does_not_claim_root_holds_a_password() -> None:
    """The summary lacks AccountPasswordPresent; the report's password_last_used proves a password existed
    then, not that root holds one now (it may have been deleted since): ERROR, and no such claim."""
    builder = AccountBuilder().root(mfa_active="false", password_last_used=ago(days=30)).summary(mfa=0, password=None)
    outcome = run(root_mfa, builder)
    assert outcome.status is Status.ERROR
    message = outcome.message.lower()
    assert message.count("holds a password") == message.count("whether root holds a password") == 1
    assert "AccountPasswordPresent" in outcome.message
    # With the summary's flag, the same report fails on the password.
    held = AccountBuilder().root(mfa_active="false", password_last_used=ago(days=30)).summary(mfa=0, password=1)
    assert run(root_mfa, held).status is Status.FAIL


def test_mfa_live_summary_wins_over_older_report() -> None:
    outcome = run(root_mfa, AccountBuilder().root(mfa_active="false").summary(mfa=1))
    assert outcome.status is Status.PASS
    assert "mfa_active=false" in outcome.message


def test_mfa_govcloud_not_applicable() -> None:
    builder = AccountBuilder(partition="aws-us-gov").root(mfa_active="false").summary(mfa=0)
    outcome = run(root_mfa, builder)
    assert outcome.status is Status.NOT_APPLICABLE
    assert "GovCloud" in outcome.message


# --- root-hardware-mfa --------------------------------------------------------------------------


def test_hardware_pass_when_mfa_on_and_no_virtual_device_on_root() -> None:
    builder = AccountBuilder().devices(
        device("arn:aws:iam::123456789012:mfa/alice", "arn:aws:iam::123456789012:user/alice")
    )
    outcome = run(root_hardware_mfa, builder)
    assert outcome.status is Status.PASS
    assert "hardware" in outcome.message


def test_hardware_fail_with_virtual_device_on_root() -> None:
    outcome = run(root_hardware_mfa, AccountBuilder().devices(root_virtual_device()))
    assert outcome.status is Status.FAIL
    assert "root-account-mfa-device" in outcome.message


def test_hardware_fail_when_no_mfa() -> None:
    builder = AccountBuilder().root(mfa_active="false").summary(mfa=0, password=1)
    assert run(root_hardware_mfa, builder).status is Status.FAIL


def test_peer_flaw_fail_open_on_denied_device_list() -> None:
    """Prowler stores [] when ListVirtualMFADevices fails, so a virtual MFA root passes."""
    outcome = run(root_hardware_mfa, AccountBuilder().devices_document(DENIED))
    assert outcome.status is Status.ERROR
    assert "iam:ListVirtualMFADevices" in outcome.message


def test_hardware_error_when_device_list_missing() -> None:
    outcome = run(root_hardware_mfa, AccountBuilder().devices_document(None))
    assert outcome.status is Status.ERROR
    assert "list-virtual-mfa-devices.json" in outcome.message


def test_hardware_error_on_one_page_of_many() -> None:
    outcome = run(root_hardware_mfa, AccountBuilder().devices(truncated=True))
    assert outcome.status is Status.ERROR
    assert "IsTruncated" in outcome.message


def test_hardware_root_device_on_a_partial_page_still_fails() -> None:
    assert run(root_hardware_mfa, AccountBuilder().devices(root_virtual_device(), truncated=True)).status is Status.FAIL


def test_peer_flaw_substring_root_does_not_count() -> None:
    """A user named rootops, a device named root-*, or an unassigned device are not root's."""
    builder = AccountBuilder().devices(
        device("arn:aws:iam::123456789012:mfa/rootops", "arn:aws:iam::123456789012:user/rootops"),
        device("arn:aws:iam::123456789012:mfa/root-account-mfa-device"),
        device("arn:aws:iam::123456789012:mfa/x", "arn:aws:iam::123456789012:user/root"),
        device("arn:aws:iam::123456789012:mfa/y", "arn:aws:iam::999999999999:root"),
    )
    assert run(root_hardware_mfa, builder).status is Status.PASS


@pytest.mark.parametrize("partition", ["aws-cn", "aws"])
def test_hardware_partitions(partition: str) -> None:
    builder = AccountBuilder(partition=partition).devices(root_virtual_device(partition=partition))
    assert run(root_hardware_mfa, builder).status is Status.FAIL


def test_hardware_govcloud_not_applicable() -> None:
    assert run(root_hardware_mfa, AccountBuilder(partition="aws-us-gov")).status is Status.NOT_APPLICABLE


def test_hardware_pass_when_root_has_no_credentials() -> None:
    builder = AccountBuilder().root(mfa_active="false", password_last_used="N/A").summary(mfa=0, password=0)
    outcome = run(root_hardware_mfa, builder)
    assert outcome.status is Status.PASS
    assert "no credentials" in outcome.message


def test_hardware_error_when_mfa_state_unknown() -> None:
    outcome = run(root_hardware_mfa, AccountBuilder().report(None).summary(DENIED))
    assert outcome.status is Status.ERROR


def test_hardware_malformed_device_list_is_error_naming_the_file() -> None:
    outcome = run(root_hardware_mfa, AccountBuilder().devices_document({"Devices": "?"}))
    assert outcome.status is Status.ERROR
    assert "list-virtual-mfa-devices.json" in outcome.message
