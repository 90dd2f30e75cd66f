"""The watcher's classifier: one delivered event → the activity report's classification, and its message."""

from __future__ import annotations

import json
from typing import Any

import pytest

import watch_envelopes as w
from rootguard.analysis.root_activity import analyze
from rootguard.analysis.watch_event import (
    Alert,
    AlertKind,
    Rejected,
    classify_envelope,
    unwrap,
)
from rootguard.analysis.watch_message import SUBJECT_LIMIT, document, message, subject
from rootguard.model.activity import Category, TrailRecord
from rootguard.model.approvals import parse_approvals
from rootguard.model.findings import Severity

APPROVALS = parse_approvals(w.APPROVALS_TOML, "approvals.toml")
NAMES = {w.MEMBER: "prod-payments", "123456789012": "billing"}


def alert(envelope: dict[str, Any], **kwargs: Any) -> Alert:
    found = classify_envelope(envelope, approvals=APPROVALS, account_names=NAMES, **kwargs)
    assert isinstance(found, Alert), found
    return found


@pytest.mark.parametrize(
    ("build", "category", "mfa", "level"),
    [
        (w.sign_in_without_mfa, Category.SIGN_IN, False, Severity.CRITICAL),
        (w.sign_in_with_mfa, Category.SIGN_IN, True, Severity.HIGH),
        (w.failed_sign_in, Category.SIGN_IN_FAILURE, False, Severity.HIGH),
        (w.root_api_call, Category.AVOIDABLE, False, Severity.HIGH),
        (w.root_access_key_call, Category.AVOIDABLE, None, Severity.CRITICAL),
        (w.service_invoked, Category.SERVICE_INVOKED, None, Severity.LOW),
        (w.approved_break_glass_sign_in, Category.SIGN_IN, False, Severity.LOW),
    ],
)
def test_documented_events_get_the_activity_reports_category(
    build: Any, category: Category, mfa: Any, level: Any
) -> None:
    found = alert(build())
    assert found.kind is AlertKind.ROOT_ACTIVITY
    assert found.event is not None
    assert (found.event.category, found.event.mfa, found.severity) == (category, mfa, level)


@pytest.mark.parametrize(
    "build", [w.sign_in_without_mfa, w.failed_sign_in, w.root_api_call, w.service_invoked, w.assume_root_session_call]
)
def test_same_answer_as_the_activity_report(build: Any) -> None:
    """No second classifier: the watcher's event is the one `rootguard activity` builds from the record."""
    envelope = build()
    calls = [w.assume_root_call()["detail"]]
    found = alert(envelope, assume_root_calls=calls)
    records = [TrailRecord(envelope["detail"], "x"), *(TrailRecord(c, "y") for c in calls)]
    moment = found.event_time
    assert moment is not None
    [expected] = analyze(records, approvals=APPROVALS, since=moment, until=moment).events
    assert found.event is not None
    assert (found.event.category, found.event.root_only_task, found.event.mfa, found.event.flags) == (
        expected.category,
        expected.root_only_task,
        expected.mfa,
        expected.flags,
    )
    assert found.event.session_id == expected.session_id


def test_both_sign_in_spellings_are_read() -> None:
    delivered, guide = w.sign_in_without_mfa(), w.sign_in_with_mfa()
    assert delivered["detail-type"] == "AWS Console Sign In via CloudTrail"
    assert guide["detail-type"] == "AWS Console Signin via CloudTrail"
    assert alert(delivered).event is not None
    assert alert(guide).event is not None


def test_sign_in_message_says_account_who_what_where_mfa_approval_and_next_command() -> None:
    text = message(alert(w.sign_in_without_mfa()))
    assert text.startswith("[CRITICAL] Root: console sign-in with the root password in prod-payments (111122223333)")
    for line in (
        "Account:   prod-payments (111122223333), us-east-1",
        "Who:       root user (password sign-in)",
        "What:      signin.amazonaws.com ConsoleLogin",
        "From:      192.0.2.0 - Mozilla/5.0",
        "MFA:       NO",
        "Approved:  NO - no approval window covers this account at this time",
        "See more:  rootguard activity --lookup --since 7 --region us-east-1",
    ):
        assert line in text, line
    assert len(text.splitlines()) <= 24


def test_failed_sign_in_says_failed_and_why() -> None:
    found = alert(w.failed_sign_in())
    assert "FAILED: Failed authentication" in message(found)
    assert subject(found).startswith("[HIGH] Root: FAILED root sign-in")


def test_approved_break_glass_names_ticket_reason_and_expiry() -> None:
    found = alert(w.approved_break_glass_sign_in())
    assert found.event is not None and found.event.approval is not None
    assert found.event.approval.ticket == "CHG-2041"
    assert (
        "Approved:  yes - CHG-2041: break-glass: restore the billing contact "
        "(approved by alice@example.com, until 2016-01-05T20:00:00Z)"
    ) in message(found)
    assert "(approved)" in subject(found)
    assert document(found)["approval"]["end"] == "2016-01-05T20:00:00Z"


def test_root_only_task_or_avoidable_is_said() -> None:
    assert "Root-only: no - avoidable" in message(alert(w.root_api_call()))
    session = alert(w.assume_root_session_call(), assume_root_calls=[w.assume_root_call()["detail"]])
    assert "Root-only: yes - Edit or delete an S3 bucket policy that denies all principals" in message(session)


def test_assume_root_session_names_caller_and_task_when_its_call_was_seen() -> None:
    found = alert(w.assume_root_session_call(), assume_root_calls=[w.assume_root_call()["detail"]])
    assert found.event is not None and found.event.category is Category.ASSUMED_ROOT
    assert found.origin is not None and found.origin.known
    assert found.origin.caller_arn == "arn:aws:sts::444455556666:assumed-role/RootTaskOperator/platform-oncall"
    assert found.origin.task_policy == "S3UnlockBucketPolicy"
    assert found.severity is Severity.LOW
    assert "AssumeRoot session opened by arn:aws:sts::444455556666:assumed-role/RootTaskOperator" in message(found)


def test_assume_root_session_flagged_but_not_seen_is_unknown() -> None:
    envelope = w.assume_root_session_call()
    envelope["detail"]["userIdentity"]["sessionContext"]["assumedRoot"] = "true"
    found = alert(envelope)
    assert found.event is not None and found.event.category is Category.ASSUMED_ROOT
    assert found.origin is not None and not found.origin.known
    assert (found.origin.caller_arn, found.origin.task_policy) == ("unknown", "unknown")
    assert found.severity is Severity.MEDIUM
    assert "caller and task policy unknown" in message(found)
    assert document(found)["session_origin"] == {"caller_arn": "unknown", "task_policy": "unknown", "known": False}


def test_unflagged_session_without_its_call_is_not_guessed_as_assume_root() -> None:
    found = alert(w.assume_root_session_call())
    assert found.event is not None and found.event.category is Category.ROOT_ONLY_TASK
    assert "AssumeRoot caller unknown, or GetSessionToken" in message(found)


def test_the_assume_root_call_itself_is_an_alert_to_remember() -> None:
    found = alert(w.assume_root_call())
    assert found.kind is AlertKind.ASSUME_ROOT
    assert found.grant is not None and found.grant.access_key_id == w.SESSION_KEY
    assert found.account_id == w.MANAGEMENT
    assert "Task:    S3UnlockBucketPolicy" in message(found)
    refused = w.assume_root_call()
    refused["detail"]["errorCode"] = "AccessDenied"
    del refused["detail"]["responseElements"]
    denied = alert(refused)
    assert denied.grant is None and denied.severity is Severity.MEDIUM
    assert "refused: AccessDenied" in message(denied)


def test_self_test_is_clearly_labelled() -> None:
    found = alert(w.self_test("rg-abc"))
    assert found.kind is AlertKind.SELF_TEST and found.test_id == "rg-abc"
    assert subject(found).startswith("[TEST] rootguard watch self-test rg-abc - not root activity")
    assert "NOT root activity" in message(found)


@pytest.mark.parametrize(
    ("envelope", "reason"),
    [
        ({"detail-type": "AWS API Call via CloudTrail", "source": "aws.s3"}, "detail is not a JSON object"),
        ({"detail-type": 7, "source": "aws.s3", "detail": {}}, "string detail-type and source"),
        (w.mutated(w.root_api_call(), detail={"userIdentity": {"type": "Root"}}), "eventTime is missing"),
        (w.mutated(w.self_test(), detail={}), "without detail.test_id"),
    ],
)
def test_malformed_envelopes_are_rejected_with_a_reason(envelope: dict[str, Any], reason: str) -> None:
    found = classify_envelope(envelope)
    assert isinstance(found, Rejected) and found.malformed
    assert reason in found.reason


def test_events_that_are_not_root_use_are_read_and_set_aside() -> None:
    iam_user = w.envelope(
        w.record(f"{w.SIGN_IN_PAGE}__L28__IAMUser__ConsoleLogin.json"),
        "AWS Console Sign In via CloudTrail",
        source="aws.signin",
    )
    found = classify_envelope(iam_user)
    assert isinstance(found, Rejected) and not found.malformed and "not root use (IAMUser)" in found.reason
    other = classify_envelope(
        {"detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2", "detail": {}}
    )
    assert isinstance(other, Rejected) and not other.malformed


def test_unwrap_reads_every_wrapper() -> None:
    event = w.root_api_call()
    body = json.dumps(w.sns_wrapped(event))
    assert unwrap(event) == [event]
    assert unwrap(json.dumps(event)) == [event]
    assert unwrap(body) == [event]
    batch = w.lambda_sqs_batch(body, "{not json", json.dumps(w.self_test()))
    found = unwrap(batch)
    assert found[0] == event and found[2] == w.self_test()
    assert isinstance(found[1], Rejected) and found[1].malformed and found[1].reason.startswith("not JSON")
    sns_batch = {"Records": [{"EventSource": "aws:sns", "Sns": {"Message": json.dumps(event)}}]}
    assert unwrap(sns_batch) == [event]


@pytest.mark.parametrize("payload", [[], "[1, 2]", {"hello": "world"}, {"Records": [{"nothing": 1}]}, 42])
def test_unwrap_rejects_what_is_not_an_event(payload: Any) -> None:
    [found] = unwrap(payload)
    assert isinstance(found, Rejected) and found.malformed


def test_attacker_chosen_strings_cannot_drive_a_terminal_or_forge_lines() -> None:
    envelope = w.sign_in_without_mfa()
    envelope["detail"]["userAgent"] = "evil\x1b[2J\nApproved:  yes - forged" + "A" * 500
    text = message(alert(envelope))
    assert "\x1b" not in text and "\\x1b[2J\\x0aApproved:  yes - forged" in text
    assert max(len(line) for line in text.splitlines()) < 260
    long_name = classify_envelope(envelope, account_names={w.MEMBER: "ü" * 300})
    assert isinstance(long_name, Alert)
    assert len(subject(long_name)) <= SUBJECT_LIMIT and subject(long_name).isascii()


def test_document_is_json_ready() -> None:
    found = document(alert(w.root_access_key_call()))
    assert json.loads(json.dumps(found)) == found
    assert found["category"] == "avoidable" and found["flags"] == ["root-access-key"]
    assert found["severity"] == "critical"
