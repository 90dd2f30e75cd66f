"""Replay a metric filter over the root events CloudTrail holds: would the alarm have counted them?

The CIS filter leaves out records with ``invokedBy``; before about 2021 CloudTrail wrote
``invokedBy: signin.amazonaws.com`` on console actions, so a person's root console work in older logs
never reached the metric (research/detections.md §2.4). Pure: records and the period are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rootguard.analysis.fields import text
from rootguard.analysis.filter_pattern_ast import Expr
from rootguard.analysis.filter_pattern_semantics import evaluate
from rootguard.analysis.root_activity import analyze
from rootguard.model.activity import ActivityEvent, Category, TrailScan

PERSON = (Category.SIGN_IN, Category.SIGN_IN_FAILURE, Category.AVOIDABLE, Category.ROOT_ONLY_TASK)


@dataclass(frozen=True)
class Replay:
    person_events: int
    """Root events of the period that a person made (sign-ins, console and key actions)."""
    missed: tuple[ActivityEvent, ...]
    missed_console: int
    """How many of the missed events are console actions recorded with ``invokedBy: signin.amazonaws.com``."""


def replay(expr: Expr, scan: TrailScan, account_id: str, since: datetime, until: datetime) -> Replay:
    records: dict[tuple[str, str], Mapping[str, Any]] = {
        (item.source, text(item.record, "eventID")): item.record for item in scan.root_records
    }
    activity = analyze(scan.root_records, approvals=(), since=since, until=until)
    person = [e for e in activity.events if e.category in PERSON and e.account_id in {"", account_id}]
    missed = []
    console = 0
    for event in person:
        record = records.get((event.source, event.event_id))
        if record is None or evaluate(expr, record):
            continue
        missed.append(event)
        if text(record, "userIdentity", "invokedBy") == "signin.amazonaws.com":
            console += 1
    return Replay(person_events=len(person), missed=tuple(missed), missed_console=console)


def describe_replay(found: Replay) -> str:
    if not found.person_events:
        return "CloudTrail evidence holds no root use by a person in the window to replay the filter on."
    if not found.missed:
        return f"The filter matches all {found.person_events} root event(s) by a person that CloudTrail holds."
    example = found.missed[0]
    console = (
        f" ({found.missed_console} of them console actions recorded with invokedBy signin.amazonaws.com, "
        "as CloudTrail wrote them before about 2021)"
        if found.missed_console
        else ""
    )
    return (
        f"The filter would not have counted {len(found.missed)} of the {found.person_events} root event(s) by a "
        f"person that CloudTrail holds{console}, e.g. {example.event_source}:{example.event_name} at "
        f"{example.event_time:%Y-%m-%dT%H:%M:%SZ}."
    )
