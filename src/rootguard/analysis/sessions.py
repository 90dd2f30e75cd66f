"""Group classified root events into sessions a reader can follow.

- ``console``: a successful ``ConsoleLogin`` and the console actions that followed. Console actions
  are grouped by their session key (``ASIA…``) and the group joins the latest successful
  ``ConsoleLogin`` of the same account at most 12 hours earlier (the console session limit),
  preferring one from the same source IP. Events without a key (sign-in steps such as ``CheckMfa``,
  pre-2017 console calls) join the same way, or a ``ConsoleLogin`` within 5 minutes after them,
  because ``CheckMfa`` is recorded just before the sign-in it belongs to.
- ``access-key``: everything signed with one long-term root key (``AKIA…``), and temporary keys
  that no sign-in explains and nothing marks as console (``GetSessionToken`` sessions).
- ``assumed-root``: everything signed with one key returned by ``sts:AssumeRoot``.
- ``sign-in-failure``: failed sign-ins by account, source IP and UTC day.
- ``service``: what one service did for root, by account, service and UTC day.

Session ids are built from the session's kind, account, first event and grouping key only, so
the same input always gives the same ids, whatever the order of the records.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from rootguard.analysis.classify import Flag
from rootguard.model.activity import ActivityEvent, ActivitySession, Category

CONSOLE_REACH = timedelta(hours=12)
"""How long after a sign-in a console action can still belong to it (AWS console sessions last at most 12 h)."""
LOOKAHEAD = timedelta(minutes=5)
"""How long before a sign-in a key-less sign-in step (``CheckMfa``) can belong to it."""


class SessionKind(StrEnum):
    CONSOLE = "console"
    ACCESS_KEY = "access-key"
    ASSUMED_ROOT = "assumed-root"
    SERVICE = "service"
    SIGN_IN_FAILURE = "sign-in-failure"


@dataclass(frozen=True)
class Draft:
    """A classified event waiting for its session, with the hints that decide which one."""

    event: ActivityEvent
    console_hint: bool
    actor: str


@dataclass(frozen=True)
class _Key:
    kind: SessionKind
    account: str
    anchor: str


def form_sessions(drafts: Sequence[Draft]) -> tuple[tuple[ActivityEvent, ...], tuple[ActivitySession, ...]]:
    """Assign every event to a session. Events come back sorted by time (then event id), sessions by start."""
    groups: dict[_Key, list[Draft]] = defaultdict(list)
    logins: dict[str, list[Draft]] = defaultdict(list)
    key_groups: dict[tuple[str, str], list[Draft]] = defaultdict(list)
    keyless: list[Draft] = []
    for draft in sorted(drafts, key=_order):
        event = draft.event
        direct = _direct_key(draft)
        if direct is not None:
            groups[direct].append(draft)
            if _is_login(event):
                logins[event.account_id].append(draft)
        elif event.access_key_id:
            key_groups[(event.account_id, event.access_key_id)].append(draft)
        else:
            keyless.append(draft)

    for (account, key), members in key_groups.items():
        login = _preceding_login(logins[account], members[0].event.event_time, _ips(members))
        if login is not None:
            groups[_login_key(login.event)].extend(members)
        else:
            console = any(m.console_hint for m in members)
            kind = SessionKind.CONSOLE if console else SessionKind.ACCESS_KEY
            groups[_Key(kind, account, f"key {key}")].extend(members)

    for draft in keyless:
        event = draft.event
        ips = _ips([draft])
        login = _preceding_login(logins[event.account_id], event.event_time, ips) or _following_login(
            logins[event.account_id], event.event_time, ips
        )
        # Key-less work no sign-in explains: one console session per account, IP and day.
        target = _login_key(login.event) if login else _Key(SessionKind.CONSOLE, event.account_id, _ip_day(event))
        groups[target].append(draft)

    built = [_build(key, members) for key, members in groups.items()]
    events = sorted((e for _, members in built for e in members), key=lambda e: (e.event_time, e.event_id, e.source))
    sessions = sorted((session for session, _ in built), key=lambda s: (s.start, s.session_id))
    return tuple(events), tuple(sessions)


def _direct_key(draft: Draft) -> _Key | None:
    """The session of events whose own fields decide it; ``None`` for console candidates."""
    event = draft.event
    account = event.account_id
    if event.category is Category.ASSUMED_ROOT:
        return _Key(SessionKind.ASSUMED_ROOT, account, f"key {event.access_key_id or _day(event)}")
    if event.category is Category.SIGN_IN_FAILURE:
        return _Key(SessionKind.SIGN_IN_FAILURE, account, _ip_day(event))
    if event.category is Category.SERVICE_INVOKED:
        return _Key(SessionKind.SERVICE, account, f"{draft.actor} {_day(event)}")
    if (event.access_key_id or "").startswith("AKIA"):
        return _Key(SessionKind.ACCESS_KEY, account, f"key {event.access_key_id}")
    if _is_login(event):
        return _login_key(event)
    return None


def _is_login(event: ActivityEvent) -> bool:
    return event.category is Category.SIGN_IN and event.event_name == "ConsoleLogin"


def _login_key(login: ActivityEvent) -> _Key:
    # eventID is unique in real CloudTrail; time and IP keep hand-made records without one apart.
    anchor = f"login {login.event_id} {_stamp(login.event_time)} {login.source_ip}"
    return _Key(SessionKind.CONSOLE, login.account_id, anchor)


def _preceding_login(logins: Sequence[Draft], moment: datetime, ips: set[str]) -> Draft | None:
    candidates = [d for d in logins if timedelta(0) <= moment - d.event.event_time <= CONSOLE_REACH]
    preferred = [d for d in candidates if d.event.source_ip in ips] or candidates
    return max(preferred, key=_order, default=None)


def _following_login(logins: Sequence[Draft], moment: datetime, ips: set[str]) -> Draft | None:
    candidates = [d for d in logins if timedelta(0) < d.event.event_time - moment <= LOOKAHEAD]
    preferred = [d for d in candidates if d.event.source_ip in ips] or candidates
    return min(preferred, key=_order, default=None)


def _build(key: _Key, members: list[Draft]) -> tuple[ActivitySession, list[ActivityEvent]]:
    ordered = sorted((m.event for m in members), key=lambda e: (e.event_time, e.event_id, e.source))
    start, end = ordered[0].event_time, ordered[-1].event_time
    session_id = session_id_for(key.kind, key.account, start, key.anchor)
    events = [_finish(e, session_id, console=key.kind is SessionKind.CONSOLE) for e in ordered]
    present = {e.category for e in ordered}
    session = ActivitySession(
        session_id=session_id,
        kind=key.kind.value,
        start=start,
        end=end,
        events=len(ordered),
        source_ips=_unique(e.source_ip for e in ordered),
        user_agents=_unique(e.user_agent for e in ordered),
        regions=_unique(e.region for e in ordered),
        mfa=aggregate_mfa(e.mfa for e in ordered),
        categories=tuple(c for c in Category if c in present),
        account_id=key.account,
    )
    return session, events


def session_id_for(kind: SessionKind, account: str, start: datetime, anchor: str) -> str:
    """``<kind>-<account>-<yyyymmddThhmmssZ of the first event>-<10 hex of the grouping key>``.

    The key (an access key id, a sign-in's event id, an IP and day) is hashed rather than shown:
    access key ids do not belong in ids that end up in tickets and chat.
    """
    digest = hashlib.sha256(f"{kind}|{account}|{anchor}".encode()).hexdigest()[:10]
    return f"{kind}-{account or 'unknown'}-{_stamp(start)}-{digest}"


def aggregate_mfa(values: Iterable[bool | None]) -> bool | None:
    """False if any event says no MFA; True if every event that says anything says yes; else None."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return all(known)


def _finish(event: ActivityEvent, session_id: str, *, console: bool) -> ActivityEvent:
    flags = set(event.flags) | ({Flag.CONSOLE} if console else set())
    return replace(event, session_id=session_id, flags=tuple(f for f in Flag if f in flags))


def _order(draft: Draft) -> tuple[datetime, str, str]:
    return draft.event.event_time, draft.event.event_id, draft.event.source


def _ips(members: Iterable[Draft]) -> set[str]:
    return {m.event.source_ip for m in members if m.event.source_ip}


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v}))


def _day(event: ActivityEvent) -> str:
    return event.event_time.astimezone(UTC).date().isoformat()


def _ip_day(event: ActivityEvent) -> str:
    return f"ip {event.source_ip} {_day(event)}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
