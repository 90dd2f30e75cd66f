"""One CloudTrail event as EventBridge delivers it, classified the way ``rootguard activity`` classifies it.

The watcher (the Lambda handler, ``rootguard watch``) hands each delivered message here. Pure: the
approvals, the ``AssumeRoot`` calls seen so far and the account names are given; nothing is read.

- ``unwrap`` takes what arrived (an EventBridge event, an SNS notification, an SQS body, a Lambda
  SQS or SNS batch, as a mapping or JSON text) and returns the EventBridge events inside it, each
  malformed part as a ``Rejected`` naming what is wrong.
- ``classify_envelope`` runs one event through ``analysis.root_activity.analyze`` (the activity report's
  classifier and session rules, never a second copy) and returns an ``Alert``, or ``Rejected`` when the
  event cannot be read or is not root use.

Detail types (EventBridge user guide, "Events from AWS services"; research/detections.md §2.10): API calls
arrive as "AWS API Call via CloudTrail"; console sign-ins as "AWS Console Sign In via CloudTrail" in
delivered events, spelled "AWS Console Signin via CloudTrail" in the EventBridge guide: both are read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from rootguard.analysis.assume_root import AssumeRootGrant, assume_root_grants, is_assume_root_call
from rootguard.analysis.classify import Flag
from rootguard.analysis.fields import dig, text
from rootguard.analysis.root_activity import account_of, analyze
from rootguard.model.activity import ActivityEvent, Category, TrailRecord
from rootguard.model.approvals import Approval
from rootguard.model.findings import Severity
from rootguard.model.timestamps import parse_timestamp

API_CALL = "AWS API Call via CloudTrail"
SIGN_IN_DELIVERED = "AWS Console Sign In via CloudTrail"
SIGN_IN_GUIDE = "AWS Console Signin via CloudTrail"
CLOUDTRAIL_DETAIL_TYPES = frozenset({API_CALL, SIGN_IN_DELIVERED, SIGN_IN_GUIDE})

TEST_SOURCE = "rootguard.test"
"""The self-test's source: EventBridge refuses ``PutEvents`` claiming an ``aws.*`` source
(NotAuthorizedForSourceException), so the watcher's rule also matches this custom one."""
TEST_DETAIL_TYPE = "rootguard watch self-test"

_MAX_DEPTH = 4
"""Wrappers nest at most SQS body → SNS notification → EventBridge event; deeper is not ours."""


class AlertKind(StrEnum):
    ROOT_ACTIVITY = "root-activity"
    """A record whose ``userIdentity.type`` is ``Root``."""
    ASSUME_ROOT = "assume-root"
    """An ``sts:AssumeRoot`` call (management or delegated-admin side): a root session was opened."""
    SELF_TEST = "self-test"


@dataclass(frozen=True)
class Rejected:
    """A delivered message (or part of one) that gives no alert, and why."""

    reason: str
    malformed: bool
    """True: the message cannot be read as an event (never deleted unread); False: read, not root use."""


@dataclass(frozen=True)
class SessionOrigin:
    """Who opened an ``AssumeRoot`` session and for which task, as the caller's ``AssumeRoot`` event says."""

    caller_arn: str
    task_policy: str
    known: bool
    """False: the watcher has not seen the ``AssumeRoot`` call that returned this key."""


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    severity: Severity
    envelope_id: str
    detail_type: str
    account_id: str
    account_name: str
    region: str
    event_time: datetime | None
    event: ActivityEvent | None
    """The activity report's event (root activity only)."""
    origin: SessionOrigin | None
    """For ``assumed-root`` events: the session's caller and task (``known`` False when not seen)."""
    grant: AssumeRootGrant | None
    """For ``assume-root`` alerts: the call itself."""
    record: Mapping[str, Any]
    """The CloudTrail record (``detail``); the caller keeps ``assume-root`` ones to explain later sessions."""
    test_id: str = ""


def unwrap(payload: Any, depth: int = 0) -> list[Mapping[str, Any] | Rejected]:
    """The EventBridge events in ``payload``, in order; each part that cannot be read as a ``Rejected``."""
    if depth > _MAX_DEPTH:
        return [Rejected("wrappers nested deeper than SQS → SNS → EventBridge", malformed=True)]
    if isinstance(payload, str | bytes | bytearray):
        try:
            payload = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as error:
            return [Rejected(f"not JSON ({_short(str(error))})", malformed=True)]
    if not isinstance(payload, Mapping):
        return [Rejected(f"a JSON {type(payload).__name__}, not an object", malformed=True)]
    if "detail-type" in payload or "detail" in payload:
        return [payload]
    records = payload.get("Records")
    if isinstance(records, list):  # a Lambda batch from SQS (body) or SNS (Sns.Message)
        found: list[Mapping[str, Any] | Rejected] = []
        for record in records:
            inner = dig(record, "Sns", "Message") if isinstance(dig(record, "Sns"), Mapping) else dig(record, "body")
            if isinstance(inner, str):
                found.extend(unwrap(inner, depth + 1))
            else:
                found.append(Rejected("a Lambda batch record with neither body nor Sns.Message", malformed=True))
        return found
    message = payload.get("Message")
    if payload.get("Type") == "Notification" and isinstance(message, str):
        return unwrap(message, depth + 1)
    return [Rejected("neither an EventBridge event nor an SNS or SQS wrapper around one", malformed=True)]


def classify_envelope(
    envelope: Mapping[str, Any],
    *,
    approvals: Sequence[Approval] = (),
    assume_root_calls: Sequence[Mapping[str, Any]] = (),
    account_names: Mapping[str, str] | None = None,
) -> Alert | Rejected:
    """Classify one EventBridge event.

    ``assume_root_calls``: the ``sts:AssumeRoot`` records the watcher has seen (any order); they explain
    member-side records signed with the key they returned. ``account_names``: account id → name.
    """
    names = account_names or {}
    detail_type, source, detail = envelope.get("detail-type"), envelope.get("source"), envelope.get("detail")
    if not isinstance(detail_type, str) or not isinstance(source, str):
        return Rejected("an EventBridge event needs string detail-type and source fields", malformed=True)
    if not isinstance(detail, Mapping):
        return Rejected(f"{detail_type}: detail is not a JSON object", malformed=True)
    if source == TEST_SOURCE:
        return _self_test(envelope, detail, names)
    if detail_type not in CLOUDTRAIL_DETAIL_TYPES:
        return Rejected(f"detail-type {_short(detail_type)!r} is not a CloudTrail event", malformed=False)
    try:
        moment = parse_timestamp(text(detail, "eventTime"))
    except ValueError:
        return Rejected(f"{detail_type}: detail.eventTime is missing or not a timestamp", malformed=True)
    if is_assume_root_call(detail):
        return _assume_root(envelope, detail, moment, names)
    if text(detail, "userIdentity", "type") != "Root":
        kind = text(detail, "userIdentity", "type") or "no userIdentity.type"
        return Rejected(f"not root use ({_short(kind)}); the rule should not have matched it", malformed=False)
    calls = [TrailRecord(call, "watcher:assume-root") for call in assume_root_calls]
    activity = analyze(
        [TrailRecord(detail, f"eventbridge:{text(envelope, 'id')}"), *calls],
        approvals=approvals,
        since=moment,
        until=moment,
    )
    [event] = activity.events
    grants = assume_root_grants(assume_root_calls)
    return Alert(
        kind=AlertKind.ROOT_ACTIVITY,
        severity=severity(event, grants),
        envelope_id=text(envelope, "id"),
        detail_type=detail_type,
        account_id=event.account_id or text(envelope, "account"),
        account_name=_account_name(event.account_id or text(envelope, "account"), names),
        region=event.region or text(envelope, "region"),
        event_time=moment,
        event=event,
        origin=_origin(event, grants),
        grant=None,
        record=detail,
    )


def severity(event: ActivityEvent, grants: Mapping[str, AssumeRootGrant]) -> Severity:
    """How urgently a person should look.

    The activity report's rule (unapproved sign-ins and avoidable use are high, root-only tasks medium)
    extended for a pager: a successful password sign-in without MFA, a long-term root access key or a
    root change to CloudTrail, GuardDuty or Config is critical; anything approved, a service acting for
    root, or an AssumeRoot session whose caller is known is low; one whose caller is unknown is medium.
    """
    if event.approval is not None:
        return Severity.LOW
    category = event.category
    if category is Category.ASSUMED_ROOT:
        return Severity.LOW if (event.access_key_id or "") in grants else Severity.MEDIUM
    if category is Category.SERVICE_INVOKED:
        return Severity.LOW
    if Flag.ROOT_ACCESS_KEY in event.flags or Flag.SECURITY_SERVICE_CHANGE in event.flags:
        return Severity.CRITICAL
    if category is Category.SIGN_IN and event.error_code is None and event.mfa is not True:
        return Severity.CRITICAL
    if category is Category.ROOT_ONLY_TASK:
        return Severity.MEDIUM
    return Severity.HIGH


def _origin(event: ActivityEvent, grants: Mapping[str, AssumeRootGrant]) -> SessionOrigin | None:
    if event.category is not Category.ASSUMED_ROOT:
        return None
    grant = grants.get(event.access_key_id or "")
    if grant is None:
        return SessionOrigin(caller_arn="unknown", task_policy="unknown", known=False)
    return SessionOrigin(caller_arn=grant.caller_arn or "unknown", task_policy=grant.task_policy, known=True)


def _assume_root(
    envelope: Mapping[str, Any], detail: Mapping[str, Any], moment: datetime, names: Mapping[str, str]
) -> Alert:
    grants = assume_root_grants([detail])
    if not grants:
        # A refused AssumeRoot returns no key: no session was opened, but someone tried (medium).
        grant = None
        account = account_of(detail) or text(envelope, "account")
        level = Severity.MEDIUM
    else:
        [grant] = grants.values()
        account = grant.caller_account or text(envelope, "account")
        level = Severity.LOW
    return Alert(
        kind=AlertKind.ASSUME_ROOT,
        severity=level,
        envelope_id=text(envelope, "id"),
        detail_type=text(envelope, "detail-type"),
        account_id=account,
        account_name=_account_name(account, names),
        region=text(detail, "awsRegion") or text(envelope, "region"),
        event_time=moment,
        event=None,
        origin=None,
        grant=grant,
        record=detail,
    )


def _self_test(envelope: Mapping[str, Any], detail: Mapping[str, Any], names: Mapping[str, str]) -> Alert | Rejected:
    test_id = text(detail, "test_id")
    if not test_id:
        return Rejected(f"a {TEST_SOURCE} event without detail.test_id", malformed=True)
    try:
        moment: datetime | None = parse_timestamp(text(envelope, "time"))
    except ValueError:
        moment = None
    account = text(envelope, "account")
    return Alert(
        kind=AlertKind.SELF_TEST,
        severity=Severity.LOW,
        envelope_id=text(envelope, "id"),
        detail_type=text(envelope, "detail-type"),
        account_id=account,
        account_name=names.get(account, ""),
        region=text(envelope, "region"),
        event_time=moment,
        event=None,
        origin=None,
        grant=None,
        record=detail,
        test_id=test_id,
    )


def _account_name(account: str, names: Mapping[str, str]) -> str:
    # Not userIdentity.userName: some root records carry the alias there, others an unrelated word.
    return names.get(account, "")


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
