"""Root activity read from CloudTrail: the records found, and what they mean.

The trail readers (``rootguard.trail``) produce a ``TrailScan``: every record whose identity is the
root user, plus every ``sts:AssumeRoot`` call (needed to recognise centralized-root sessions), with
what could not be read. The analysis (``rootguard.analysis.root_activity``) turns a scan into
classified ``ActivityEvent``s grouped into ``ActivitySession``s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from rootguard.model.approvals import Approval
from rootguard.model.findings import Severity
from rootguard.model.gaps import Gap

LOOKUP_EVENTS_REACH = timedelta(days=90)
"""How far back the CloudTrail LookupEvents API (event history) reaches."""


@dataclass(frozen=True)
class TrailRecord:
    """One CloudTrail record (already JSON-decoded) and the file it came from."""

    record: Mapping[str, Any]
    source: str


@dataclass(frozen=True)
class SkippedSource:
    """A file (or object) that could not be read, and why: reported, never silently dropped."""

    path: str
    reason: str


@dataclass(frozen=True)
class TrailScan:
    """What a scan of CloudTrail inputs found."""

    files: int
    """Files (or objects, or API pages) read."""
    records: int
    """Records parsed. Files whose bytes cannot hold a root record are not parsed, so not counted."""
    root_records: tuple[TrailRecord, ...]
    """Records whose ``userIdentity.type`` is ``Root``, plus ``sts:AssumeRoot`` calls by anyone."""
    skipped: tuple[SkippedSource, ...] = field(default=())
    """Inputs that could not be read (corrupt gzip, truncated JSON …). Digest files are not listed."""
    lookup_only: bool = False
    """Every input was LookupEvents output, which reaches back 90 days from collection at most."""
    earliest_delivery: datetime | None = None
    """The earliest date in the names of delivered log files (``…_CloudTrail_<region>_<stamp>_…``):
    the archive says nothing about root before it. ``None`` when no file name carries a date."""


class Category(StrEnum):
    """Contract §7."""

    SIGN_IN = "sign-in"
    SIGN_IN_FAILURE = "sign-in-failure"
    ROOT_ONLY_TASK = "root-only-task"
    AVOIDABLE = "avoidable"
    SERVICE_INVOKED = "service-invoked"
    ASSUMED_ROOT = "assumed-root"


@dataclass(frozen=True)
class ActivityEvent:
    """One root event, classified."""

    event_id: str
    event_time: datetime
    account_id: str
    region: str
    event_source: str
    event_name: str
    source_ip: str
    user_agent: str
    mfa: bool | None
    """From ``MFAUsed`` (sign-ins) or ``mfaAuthenticated`` (API calls); ``None`` when the record does not say."""
    category: Category
    root_only_task: str | None
    """The catalogue's name for the root-only task, when the category is ``root-only-task``."""
    approval: Approval | None
    session_id: str
    access_key_id: str | None
    error_code: str | None
    """``errorCode`` (or ``errorMessage`` for sign-in failures); ``None`` when the call succeeded."""
    flags: tuple[str, ...]
    """Extra signals: ``root-access-key`` (an AKIA key), ``security-service-change`` (CloudTrail, GuardDuty,
    Config changed as root), ``console`` …"""
    source: str
    """The file, object or API page the record came from."""


@dataclass(frozen=True)
class ActivitySession:
    """Events that belong together: a console sign-in and what followed, one access key, one AssumeRoot session."""

    session_id: str
    kind: str
    """``console``, ``access-key``, ``assumed-root``, ``service`` or ``sign-in-failure``."""
    start: datetime
    end: datetime
    events: int
    source_ips: tuple[str, ...]
    user_agents: tuple[str, ...]
    regions: tuple[str, ...]
    mfa: bool | None
    categories: tuple[Category, ...]
    account_id: str


@dataclass(frozen=True)
class Activity:
    """The analysed root activity of a period."""

    since: datetime
    until: datetime
    events: tuple[ActivityEvent, ...]
    sessions: tuple[ActivitySession, ...]
    undated_records: int = 0
    """Root records skipped because their ``eventTime`` was missing or unreadable (reported, not dropped silently)."""


HUMAN = (Category.SIGN_IN, Category.SIGN_IN_FAILURE, Category.AVOIDABLE)
"""Categories of root use a person chose to make (contract §2: a high FAIL unless approved)."""


@dataclass(frozen=True)
class ActivityReport:
    as_of: datetime
    since: datetime
    scan: TrailScan
    activity: Activity
    gaps: tuple[Gap, ...] = ()
    """Accounts of a bundle that had no CloudTrail evidence at all."""

    def exit_code(self, fail_on: Severity) -> int:
        """Contract §2, with unapproved human activity as a high FAIL and root-only tasks as medium."""
        severities = [s for e in self.activity.events if (s := _severity(e)) is not None]
        if any(s.rank >= fail_on.rank for s in severities):
            return 1
        if self.scan.skipped or self.gaps:
            return 3
        return 0


def _severity(event: ActivityEvent) -> Severity | None:
    if event.approval is not None:
        return None
    if event.category in HUMAN:
        return Severity.HIGH
    if event.category is Category.ROOT_ONLY_TASK:
        return Severity.MEDIUM
    return None
