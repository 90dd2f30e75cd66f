"""Root activity read from CloudTrail: the records found, what they mean, and which time they cover.

The trail readers (``rootguard.trail``) produce a ``TrailScan``: every record whose identity is the
root user, plus every ``sts:AssumeRoot`` call (needed to recognise centralized-root sessions), with
what could not be read, and ``TrailReads``: which delivered log files, digest files and LookupEvents
answers were read. The analysis (``rootguard.analysis.root_activity``) turns a scan into classified
``ActivityEvent``s grouped into ``ActivitySession``s; ``rootguard.analysis.coverage`` turns the reads
into ``Coverage``: the time spans, per account and Region, the evidence vouches for. "No root
activity" is only true over covered time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, NamedTuple

from rootguard.model.approvals import Approval
from rootguard.model.findings import Severity
from rootguard.model.gaps import Gap
from rootguard.model.timestamps import format_timestamp

LOOKUP_EVENTS_REACH = timedelta(days=90)
"""How far back the CloudTrail LookupEvents API (event history) reaches."""

DELIVERY_CADENCE = timedelta(minutes=5)
"""CloudTrail publishes log files about every 5 minutes ("Getting and viewing your CloudTrail log files",
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html)."""
QUIET_TOLERANCE = timedelta(hours=1)
"""The longest gap between two deliveries (or between a delivery and an end of the period) taken as quiet
time where no digest file says what happened: twelve deliveries missed at the 5-minute cadence. A quiet
Region writes no log files, so a longer gap cannot be told from lost files without digests: it is
uncovered, never taken as quiet."""
LOOKUP_QUESTIONS = ("root", "console-login", "assume-root")
"""The LookupEvents questions live collection asks in every enabled Region (``collect.cloudtrail.QUESTIONS``,
contract §5.2): a Region is covered by LookupEvents only when every one of them was answered whole."""
DIGEST_PERIOD = timedelta(hours=1)
"""A digest file lists the log files delivered in the hour before it ("CloudTrail digest file structure",
https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html)."""


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


class DeliveredLog(NamedTuple):
    """A log file named as CloudTrail delivers it: ``<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>…``.

    The stamp is when it was delivered; it holds records written at any time before that
    ("CloudTrail log file name format"). ``whole``: read without a problem (else it is in ``skipped``).
    A named tuple: one is made per file read, in the scan's hot path.
    """

    path: str
    account: str
    region: str
    delivered: datetime
    whole: bool = True


@dataclass(frozen=True, slots=True)
class ListedLog:
    """A log file a digest file lists: its name (the last part of ``s3Object``) and its events' times."""

    name: str
    oldest: datetime | None = None
    newest: datetime | None = None


@dataclass(frozen=True, slots=True)
class Digest:
    """A CloudTrail digest file: the log files delivered in ``[start, end]`` (``digestStartTime``,
    ``digestEndTime``), and the previous digest of the chain (``None`` in a starting digest)."""

    path: str
    account: str
    region: str
    start: datetime | None
    end: datetime | None
    previous: str | None
    """The file name of ``previousDigestS3Object``."""
    logs: tuple[ListedLog, ...] = ()
    backfill: bool = False
    """A ``_backfill`` digest: log files a digest of its hour missed; not a link of the chain."""


@dataclass(frozen=True, slots=True)
class LookupAnswer:
    """One stored LookupEvents answer (every page of one question in one Region, merged)."""

    path: str
    account: str = ""
    region: str = ""
    question: str = ""
    """The bundle's question name (``root``, ``console-login``, ``assume-root``); empty outside the layout."""
    start: datetime | None = None
    end: datetime | None = None
    """The period asked, when the answer says (``StartTime``/``EndTime``); else the caller's."""
    more_pages: bool = False
    """The answer still carries a ``NextToken``: later pages were not read."""
    answered: bool = True
    """False: an error document or an unreadable file (listed in ``skipped``)."""


@dataclass(frozen=True)
class TrailReads:
    """What the inputs say about time: which Regions and periods they can vouch for."""

    logs: tuple[DeliveredLog, ...] = ()
    digests: tuple[Digest, ...] = ()
    lookups: tuple[LookupAnswer, ...] = ()
    lookup_regions: tuple[tuple[str, str], ...] = ()
    """(account, Region) pairs LookupEvents had to answer for: the enabled Regions the bundle lists, when it
    holds LookupEvents answers at all."""
    regions: tuple[tuple[str, str], ...] = ()
    """(account, Region) pairs known to be enabled (a bundle's Region folders): each must be covered by some
    evidence, since a Region that left nothing at all is the one place root activity cannot be ruled out."""
    undated: int = 0
    """Inputs read that say nothing about the time they cover (no delivery stamp, digest or question)."""


def merge_reads(parts: Iterable[TrailReads]) -> TrailReads:
    found = list(parts)
    return TrailReads(
        logs=tuple(log for part in found for log in part.logs),
        digests=tuple(digest for part in found for digest in part.digests),
        lookups=tuple(answer for part in found for answer in part.lookups),
        lookup_regions=tuple(sorted({pair for part in found for pair in part.lookup_regions})),
        regions=tuple(sorted({pair for part in found for pair in part.regions})),
        undated=sum(part.undated for part in found),
    )


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
    reads: TrailReads = field(default_factory=TrailReads)
    """Which delivered log files, digest files and LookupEvents answers were read (for coverage)."""


@dataclass(frozen=True, slots=True)
class Span:
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Uncovered:
    """Time in the period no evidence vouches for, and why."""

    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Unread:
    """Evidence that exists but was not read: a LookupEvents answer with a ``NextToken``, a Region or
    question without an answer, a digest the chain names that is missing."""

    path: str
    reason: str


@dataclass(frozen=True)
class RegionCoverage:
    account: str
    region: str
    sources: tuple[str, ...]
    """What vouches for the Region: ``log files``, ``digests``, ``LookupEvents``."""
    covered: tuple[Span, ...]
    uncovered: tuple[Uncovered, ...]
    unread: tuple[Unread, ...]

    @property
    def complete(self) -> bool:
        return not self.uncovered and not self.unread


@dataclass(frozen=True)
class Coverage:
    """The time spans of ``[since, until]`` the evidence covers, per account and Region."""

    since: datetime
    until: datetime
    regions: tuple[RegionCoverage, ...]
    undated: int = 0
    """Inputs read that say nothing about the time they cover."""
    unread: tuple[Unread, ...] = ()
    """Unread evidence tied to no Region (a LookupEvents answer outside the bundle layout with a ``NextToken``)."""

    @property
    def complete(self) -> bool:
        """Every Region read is covered over the whole period (and at least one was)."""
        return bool(self.regions) and not self.unread and all(region.complete for region in self.regions)


def coverage_document(coverage: Coverage) -> dict[str, Any]:
    """Coverage as the reports write it (contract §4 ``coverage``, §7 ``coverage``)."""
    return {
        "complete": coverage.complete,
        "since": format_timestamp(coverage.since),
        "until": format_timestamp(coverage.until),
        "tolerance_minutes": int(QUIET_TOLERANCE.total_seconds() // 60),
        "undated_inputs": coverage.undated,
        "regions": [
            {
                "account_id": region.account,
                "region": region.region,
                "complete": region.complete,
                "sources": list(region.sources),
                "covered": [_span(item) for item in region.covered],
                "uncovered": [_span(item) | {"reason": item.reason} for item in region.uncovered],
                "unread": [{"path": item.path, "reason": item.reason} for item in region.unread],
            }
            for region in coverage.regions
        ],
        "unread": [{"path": item.path, "reason": item.reason} for item in coverage.unread],
    }


def _span(item: Span | Uncovered) -> dict[str, Any]:
    return {"start": format_timestamp(item.start), "end": format_timestamp(item.end)}


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
    coverage: Coverage | None = None
    """Which time the evidence covers; ``None`` (older callers) is taken as not covered."""

    def exit_code(self, fail_on: Severity) -> int:
        """Contract §2 and §7, with unapproved human activity as a high FAIL and root-only tasks as medium.

        "No root activity" (0) needs every input read and the whole period covered (§7 ``coverage``).
        """
        severities = [s for e in self.activity.events if (s := _severity(e)) is not None]
        if any(s.rank >= fail_on.rank for s in severities):
            return 1
        if self.scan.skipped or self.gaps or self.coverage is None or not self.coverage.complete:
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


def event_severity(event: ActivityEvent) -> Severity | None:
    """What one event weighs in the exit code (contract §2, §7); None for an event that fails nothing."""
    return _severity(event)
