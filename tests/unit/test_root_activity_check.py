"""root-activity (CIS 1.7 from CloudTrail): FAIL high / medium, PASS with what was seen, ERROR without evidence.

A PASS needs evidence that covers the window (``covered()``: LookupEvents answers to every question in
every enabled Region, as live collection stores them); the coverage rules themselves are in
tests/unit/test_root_activity_coverage.py and tests/analysis/test_coverage.py.
"""

from __future__ import annotations

from datetime import timedelta

from cloudtrail_coverage import covered, deliver, home_only

from builders import AS_OF, AccountBuilder, approval, context, trail_record
from rootguard.checks.root_activity import root_activity
from rootguard.model.findings import Severity, Status

RECENT = AS_OF - timedelta(days=3)


def run(builder: AccountBuilder, **ctx: object):  # type: ignore[no-untyped-def]
    return root_activity.evaluate(builder.evidence(), context(**ctx))  # type: ignore[arg-type]


def test_error_without_cloudtrail_evidence() -> None:
    outcome = run(AccountBuilder().no_cloudtrail())
    assert outcome.status is Status.ERROR
    assert "cloudtrail-logs" in outcome.message
    assert "cloudtrail:LookupEvents" in outcome.message


def test_pass_when_no_root_events() -> None:
    other = trail_record(
        RECENT, identity={"type": "IAMUser", "userName": "root", "arn": "arn:aws:iam::123456789012:user/root"}
    )
    outcome = run(covered().cloudtrail(other))
    assert outcome.status is Status.PASS
    assert "no root activity" in outcome.message


def test_fail_high_for_avoidable_root_use() -> None:
    outcome = run(AccountBuilder().cloudtrail(trail_record(RECENT)))
    assert outcome.status is Status.FAIL
    assert outcome.severity is Severity.HIGH
    assert "iam:CreateUser" in outcome.message
    assert "198.51.100.23" in outcome.message


def test_fail_high_for_failed_sign_ins() -> None:
    failure = trail_record(
        RECENT,
        "ConsoleLogin",
        "signin.amazonaws.com",
        responseElements={"ConsoleLogin": "Failure"},
        errorMessage="Failed authentication",
        eventType="AwsConsoleSignIn",
        additionalEventData={"MFAUsed": "No"},
    )
    outcome = run(AccountBuilder().cloudtrail(failure))
    assert outcome.status is Status.FAIL
    assert outcome.severity is Severity.HIGH
    assert "sign-in-failure" in outcome.message


def test_fail_medium_for_unapproved_root_only_task() -> None:
    task = trail_record(RECENT, "SetIAMAccessPreference", "billingconsole.amazonaws.com", eventType="AwsConsoleAction")
    outcome = run(AccountBuilder().cloudtrail(task))
    assert outcome.status is Status.FAIL
    assert outcome.severity is Severity.MEDIUM


def test_pass_when_approved() -> None:
    ok = approval("CHG-9", "2026-11-17T00:00:00Z", "2026-11-17T23:59:59Z")
    outcome = run(covered().cloudtrail(trail_record(RECENT)), approvals=(ok,))
    assert outcome.status is Status.PASS
    assert "CHG-9" in outcome.message


def test_pass_for_service_invoked_only() -> None:
    invoked = trail_record(
        RECENT,
        "RunInstances",
        "ec2.amazonaws.com",
        identity={
            "type": "Root",
            "accountId": "123456789012",
            "invokedBy": "autoscaling.amazonaws.com",
            "arn": "arn:aws:iam::123456789012:root",
        },
        sessionCredentialFromConsole=None,
    )
    outcome = run(covered().cloudtrail(invoked))
    assert outcome.status is Status.PASS
    assert "1 service-invoked" in outcome.message


def test_outside_the_window_is_ignored() -> None:
    old = trail_record(AS_OF - timedelta(days=200))
    assert run(covered().cloudtrail(old)).status is Status.PASS


def test_unreadable_input_turns_pass_into_error() -> None:
    builder = (
        AccountBuilder()
        .cloudtrail()
        .cloudtrail_document("broken.json", {"Error": {"Code": "AccessDenied", "Message": "no"}})
    )
    outcome = run(builder)
    assert outcome.status is Status.ERROR
    assert "AccessDenied" in outcome.message


def test_unreadable_input_does_not_hide_a_fail() -> None:
    builder = (
        AccountBuilder()
        .cloudtrail(trail_record(RECENT))
        .cloudtrail_document("broken.json", {"Error": {"Code": "AccessDenied", "Message": "no"}})
    )
    assert run(builder).status is Status.FAIL


def test_other_accounts_events_do_not_count() -> None:
    foreign = trail_record(RECENT, account="999999999999")
    assert run(covered().cloudtrail(foreign)).status is Status.PASS


def test_lookup_events_cover_ninety_days() -> None:
    assert run(covered(), window=90).status is Status.PASS


def test_window_longer_than_lookup_events_reach_is_an_error_not_a_pass() -> None:
    outcome = run(covered(), window=365)
    assert outcome.status is Status.ERROR
    assert "keeps 90 days" in outcome.message


def test_archives_are_not_limited_to_ninety_days() -> None:
    """Delivered log files reach as far back as the archive does: 100 days of hourly deliveries pass."""
    builder = home_only()
    deliver(builder, AS_OF - timedelta(days=100), AS_OF, every=timedelta(hours=1))
    assert run(builder, window=100).status is Status.PASS


def late_archive() -> AccountBuilder:
    builder = home_only()
    deliver(builder, AS_OF - timedelta(days=5, hours=11, minutes=55), AS_OF, every=timedelta(minutes=30))
    return builder


def test_an_archive_that_starts_after_the_window_is_not_a_pass() -> None:
    outcome = run(late_archive(), window=90)
    assert outcome.status is Status.MANUAL
    assert "2026-08-22T12:00:00Z to 2026-11-15T00:05:00Z" in outcome.message
    [gap] = outcome.evidence["coverage"]["regions"][0]["uncovered"]
    assert gap["reason"].startswith("the evidence starts at 2026-11-15T00:05:00Z")


def test_an_archive_that_covers_the_window_passes() -> None:
    outcome = run(late_archive(), window=3)
    assert outcome.status is Status.PASS
    assert "the evidence (log files) covers all of it in us-east-1" in outcome.message
