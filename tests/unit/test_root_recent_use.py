"""root-recent-use (CIS 1.7): all three dates, the most recent counts, never a PASS on unknowns."""

from __future__ import annotations

from datetime import timedelta

import pytest

from builders import AS_OF, AccountBuilder, ago, approval, context, iso, root_cells, user_cells
from rootguard.checks.root_usage import root_recent_use
from rootguard.model.findings import Status
from rootguard.model.operations import CREDENTIAL_REPORT


def verdict(builder: AccountBuilder, **ctx: object):  # type: ignore[no-untyped-def]
    return root_recent_use.evaluate(builder.evidence(), context(**ctx))  # type: ignore[arg-type]


def test_pass_when_root_was_last_used_long_ago() -> None:
    outcome = verdict(AccountBuilder().root(password_last_used=ago(days=200)))
    assert outcome.status is Status.PASS
    assert "200 days before" in outcome.message
    assert "password" in outcome.message


def test_fail_names_the_credential_the_time_and_the_age() -> None:
    outcome = verdict(AccountBuilder().root(password_last_used=ago(days=3)))
    assert outcome.status is Status.FAIL
    assert "password" in outcome.message
    assert "2026-11-17T12:00:00Z" in outcome.message
    assert "3 days before the as-of time" in outcome.message


def test_error_when_the_report_is_missing() -> None:
    """Peer flaw: Prowler, ScoutSuite and Custodian stay silent (or pass) without a report."""
    outcome = verdict(AccountBuilder().report(None))
    assert outcome.status is Status.ERROR
    assert "get-credential-report.json" in outcome.message
    assert "iam:GenerateCredentialReport" in outcome.message


def test_error_when_the_report_has_no_root_row() -> None:
    """Peer flaw: stock moto (and any report without <root_account>) makes every peer silent."""
    outcome = verdict(AccountBuilder().rows([user_cells("alice")]))
    assert outcome.status is Status.ERROR
    assert "no <root_account> row" in outcome.message


def test_error_when_access_denied() -> None:
    outcome = verdict(AccountBuilder().report({"Error": {"Code": "AccessDenied", "Message": "no"}}))
    assert outcome.status is Status.ERROR
    assert "AccessDenied" in outcome.message


def test_peer_flaw_one_date_of_three_key_used_today_password_long_ago() -> None:
    """Prowler reads only the first date present: password 100 days ago hides a key used today."""
    builder = AccountBuilder().root(
        password_last_used=ago(days=100),
        access_key_1_active="true",
        access_key_1_last_rotated=ago(days=500),
        access_key_1_last_used_date=ago(hours=1),
    )
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL
    assert "access key 1" in outcome.message


def test_key_two_counts_too() -> None:
    builder = AccountBuilder().root(password_last_used="no_information", access_key_2_last_used_date=ago(days=10))
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL
    assert "access key 2" in outcome.message


def test_the_most_recent_of_the_three_is_named() -> None:
    builder = AccountBuilder().root(
        password_last_used=ago(days=30),
        access_key_1_last_used_date=ago(days=5),
        access_key_2_last_used_date=ago(days=60),
    )
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL
    assert outcome.message.startswith("Root's access key 1 was used at 2026-11-15")


def test_peer_flaw_na_password_does_not_crash_and_passes_when_nothing_was_used() -> None:
    """Prowler crashes on password_last_used = N/A and drops the finding."""
    outcome = verdict(AccountBuilder().root(password_last_used="N/A"))
    assert outcome.status is Status.PASS
    assert "records no root use" in outcome.message


def test_no_information_means_never_used() -> None:
    outcome = verdict(AccountBuilder().root(password_last_used="no_information"))
    assert outcome.status is Status.PASS


@pytest.mark.parametrize("value", ["not_supported", "yesterday", "2026-99-99"])
def test_unknown_password_date_is_an_error_not_a_pass(value: str) -> None:
    outcome = verdict(AccountBuilder().root(password_last_used=value))
    assert outcome.status is Status.ERROR
    assert "password_last_used" in outcome.message


def test_unknown_date_does_not_hide_a_known_recent_use() -> None:
    builder = AccountBuilder().root(password_last_used="garbage", access_key_1_last_used_date=ago(days=2))
    assert verdict(builder).status is Status.FAIL


def test_peer_flaw_inverted_key_comparison() -> None:
    """Steampipe alarms on keys used MORE than 90 days ago and not on recent ones."""
    recent = AccountBuilder().root(password_last_used="no_information", access_key_1_last_used_date=ago(days=1))
    old = AccountBuilder().root(password_last_used="no_information", access_key_1_last_used_date=ago(days=200))
    assert verdict(recent).status is Status.FAIL
    assert verdict(old).status is Status.PASS


def test_peer_flaw_one_day_window() -> None:
    """Prowler's window is one day: a root sign-in two days ago passes there."""
    assert verdict(AccountBuilder().root(password_last_used=ago(days=2))).status is Status.FAIL


def test_peer_flaw_key_use_ignored() -> None:
    """ScoutSuite reads only password_last_used."""
    builder = AccountBuilder().root(password_last_used=ago(days=300), access_key_1_last_used_date=ago(days=20))
    assert verdict(builder).status is Status.FAIL


@pytest.mark.parametrize(
    ("days", "window", "status"), [(29, 30, Status.FAIL), (31, 30, Status.PASS), (30, 30, Status.FAIL)]
)
def test_window_boundary(days: int, window: int, status: Status) -> None:
    assert verdict(AccountBuilder().root(password_last_used=ago(days=days)), window=window).status is status


def test_as_of_moves_the_window_but_never_past_what_the_report_covers() -> None:
    """A use 3 days before collection is outside a 90-day window 100 days later, but the report, generated
    at collection, says nothing of those 100 days: not PASS (MANUAL, with the unseen span)."""
    builder = AccountBuilder().root(password_last_used=ago(days=3))
    later = verdict(builder, as_of=AS_OF + timedelta(days=100))
    assert later.status is Status.MANUAL
    assert "100 days before the as-of time" in later.message
    assert later.evidence["uncovered"]["to"] == "2027-02-28T12:00:00Z"
    # The same report, as of a time it covers, still passes.
    fresh = AccountBuilder().rows(
        [root_cells(password_last_used=ago(days=3))], generated=AS_OF + timedelta(days=100) - timedelta(hours=1)
    )
    assert verdict(fresh, as_of=AS_OF + timedelta(days=100)).status is Status.PASS


def test_use_after_the_as_of_time_hides_the_window_so_it_is_an_error() -> None:
    builder = AccountBuilder().root(password_last_used=ago(days=3))
    outcome = verdict(builder, as_of=AS_OF - timedelta(days=30))
    assert outcome.status is Status.ERROR
    assert "after the as-of time" in outcome.message


def test_approved_use_passes_and_names_the_ticket() -> None:
    builder = AccountBuilder().root(password_last_used="2026-11-02T10:00:00+00:00")
    ok = approval("CHG-1042", "2026-11-02T09:00:00Z", "2026-11-02T11:00:00Z")
    outcome = verdict(builder, approvals=(ok,))
    assert outcome.status is Status.PASS
    assert "CHG-1042" in outcome.message
    assert "security-oncall" in outcome.message


def test_approval_for_another_account_does_not_cover() -> None:
    builder = AccountBuilder().root(password_last_used="2026-11-02T10:00:00+00:00")
    other = approval("CHG-1", "2026-11-02T09:00:00Z", "2026-11-02T11:00:00Z", accounts=["999999999999"])
    assert verdict(builder, approvals=(other,)).status is Status.FAIL


def test_approval_must_cover_every_recent_use() -> None:
    builder = AccountBuilder().root(
        password_last_used="2026-11-02T10:00:00+00:00", access_key_1_last_used_date="2026-11-10T10:00:00+00:00"
    )
    ok = approval("CHG-1042", "2026-11-02T09:00:00Z", "2026-11-02T11:00:00Z")
    outcome = verdict(builder, approvals=(ok,))
    assert outcome.status is Status.FAIL
    assert "access key 1" in outcome.message
    assert "CHG-1042" in outcome.message


def test_a_report_older_than_aws_four_hours_cannot_pass() -> None:
    builder = AccountBuilder().rows(
        [root_cells(password_last_used=ago(days=200))], generated=AS_OF - timedelta(hours=7)
    )
    outcome = verdict(builder)
    assert outcome.status is Status.MANUAL
    assert "7 hours before the as-of time" in outcome.message
    assert "No root use in the 90-day window" in outcome.message, "what the report shows is still said"
    weeks = AccountBuilder().rows([root_cells(password_last_used=ago(days=200))], generated=AS_OF - timedelta(days=30))
    assert "30 days before the as-of time" in verdict(weeks).message, "an age in days is said in days"


def test_a_use_proven_by_a_stale_report_still_fails() -> None:
    builder = AccountBuilder().rows([root_cells(password_last_used=ago(days=40))], generated=AS_OF - timedelta(days=30))
    assert verdict(builder).status is Status.FAIL


def test_a_report_without_generated_time_cannot_pass() -> None:
    builder = AccountBuilder().root(password_last_used=ago(days=200))
    document = builder.documents[CREDENTIAL_REPORT.path(builder.account)]
    del document["GeneratedTime"]
    outcome = verdict(builder)
    assert outcome.status is Status.MANUAL
    assert "no GeneratedTime" in outcome.message


def test_a_second_or_foreign_root_row_is_corrupt_evidence() -> None:
    twice = AccountBuilder().rows([root_cells(password_last_used=ago(days=200)), root_cells()])
    outcome = verdict(twice)
    assert outcome.status is Status.ERROR
    assert "2 <root_account> rows" in outcome.message
    foreign = AccountBuilder().rows([root_cells(account="999999999999", password_last_used=ago(days=200))])
    outcome = verdict(foreign)
    assert outcome.status is Status.ERROR
    assert "not the root user of account 123456789012" in outcome.message
    gov = AccountBuilder(partition="aws-us-gov").rows(
        [root_cells(partition="aws-us-gov", password_last_used=ago(days=200))]
    )
    assert verdict(gov).status is Status.PASS, "any partition's root ARN of this account is its own"


def test_fresh_report_is_not_called_stale() -> None:
    builder = AccountBuilder().rows(
        [root_cells(password_last_used=ago(days=200))], generated=AS_OF - timedelta(hours=3)
    )
    assert "before collection" not in verdict(builder).message


def test_evidence_carries_all_three_dates() -> None:
    outcome = verdict(AccountBuilder().root(password_last_used=ago(days=3)))
    assert set(outcome.evidence) >= {"password_last_used", "access_key_1_last_used_date", "access_key_2_last_used_date"}


def test_use_stamped_after_collection_by_clock_skew_is_still_a_use() -> None:
    builder = AccountBuilder().root(password_last_used=iso(AS_OF + timedelta(seconds=40)))
    assert verdict(builder).status is Status.FAIL
