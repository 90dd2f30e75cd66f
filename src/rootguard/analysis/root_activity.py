"""Root activity analysis: CloudTrail records in, classified events and sessions out.

Pure: no I/O, no clock. The period, the approvals and the records are all given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from rootguard.analysis.assume_root import AssumeRootGrant, assume_root_grants
from rootguard.analysis.classify import classify
from rootguard.analysis.fields import arn_account, text
from rootguard.analysis.sessions import Draft, form_sessions
from rootguard.model.activity import Activity, ActivityEvent, TrailRecord
from rootguard.model.approvals import Approval, find_approval
from rootguard.model.timestamps import parse_timestamp

_Identity = tuple[str, datetime, str, str, str, str, str]


def analyze(
    records: Iterable[TrailRecord],
    *,
    approvals: Sequence[Approval],
    since: datetime,
    until: datetime,
) -> Activity:
    """Classify every root record whose ``eventTime`` lies in ``[since, until]`` and group them into sessions.

    ``records`` may hold anything the trail readers found: non-root records are ignored except
    ``sts:AssumeRoot`` calls, which are read (whatever their time) to recognise the centralized-root
    sessions they opened. A root record without a readable ``eventTime`` is skipped and counted in
    ``Activity.undated_records``. The same record read twice (an S3 archive and LookupEvents) is kept once.
    """
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("analyze() needs time-zone-aware since and until")
    found = list(records)
    grants = assume_root_grants(r.record for r in found if isinstance(r.record, Mapping))
    chosen: dict[_Identity, tuple[TrailRecord, datetime]] = {}
    undated = 0
    for item in found:
        record = item.record
        if not isinstance(record, Mapping) or text(record, "userIdentity", "type") != "Root":
            continue
        moment = _event_time(record)
        if moment is None:
            undated += 1
            continue
        if not since <= moment <= until:
            continue
        identity = _identity(record, moment)
        kept = chosen.get(identity)
        # Keep one copy; the lowest source name wins so the result does not depend on input order.
        if kept is None or item.source < kept[0].source:
            chosen[identity] = (item, moment)
    drafts = [_draft(item, moment, grants, approvals) for item, moment in chosen.values()]
    events, sessions = form_sessions(drafts)
    return Activity(since=since, until=until, events=events, sessions=sessions, undated_records=undated)


def account_of(record: Mapping[str, Any]) -> str:
    """``recipientAccountId``, else ``userIdentity.accountId``, else the account in ``userIdentity.arn``."""
    return (
        text(record, "recipientAccountId")
        or text(record, "userIdentity", "accountId")
        or arn_account(text(record, "userIdentity", "arn"))
    )


def _draft(
    item: TrailRecord,
    moment: datetime,
    grants: Mapping[str, AssumeRootGrant],
    approvals: Sequence[Approval],
) -> Draft:
    record = item.record
    found = classify(record, grants)
    account = account_of(record)
    key = text(record, "userIdentity", "accessKeyId")
    event = ActivityEvent(
        event_id=text(record, "eventID"),
        event_time=moment,
        account_id=account,
        region=text(record, "awsRegion"),
        event_source=text(record, "eventSource"),
        event_name=text(record, "eventName"),
        source_ip=text(record, "sourceIPAddress"),
        user_agent=text(record, "userAgent"),
        mfa=found.mfa,
        category=found.category,
        root_only_task=found.root_only_task,
        approval=find_approval(approvals, account, moment),
        session_id="",
        access_key_id=key or None,
        error_code=found.error_code,
        flags=tuple(found.flags),
        source=item.source,
    )
    return Draft(event=event, console_hint=found.console_hint, actor=found.actor)


def _event_time(record: Mapping[str, Any]) -> datetime | None:
    try:
        return parse_timestamp(text(record, "eventTime"))
    except ValueError:
        return None


def _identity(record: Mapping[str, Any], moment: datetime) -> _Identity:
    # eventID alone identifies a record in real CloudTrail. Hand-made and anonymised data reuse ids
    # ("1", "redacted"), so the fields any copy of the same record shares are added to the key.
    return (
        text(record, "eventID"),
        moment,
        text(record, "eventSource"),
        text(record, "eventName"),
        account_of(record),
        text(record, "userIdentity", "accessKeyId"),
        text(record, "sourceIPAddress"),
    )
