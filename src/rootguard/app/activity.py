"""``rootguard activity``: read CloudTrail from a source, analyse root activity.

Sources: an evidence bundle (or the demo), local files and trees, ``s3://`` archives, and the
LookupEvents API. Only the S3 and LookupEvents paths talk to AWS, through ``rootguard.collect``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from rootguard.config.settings import Settings
from rootguard.model.activity import LOOKUP_EVENTS_REACH, ActivityReport, Span, TrailScan
from rootguard.model.approvals import Approval
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.timestamps import format_timestamp
from rootguard.trail import merge_scans

Progress = Callable[[int, int], None]


def build_report(
    scan: TrailScan,
    *,
    as_of: datetime,
    since_days: int,
    approvals: Sequence[Approval],
    gaps: tuple[Gap, ...] = (),
    lookup_period: Span | None = None,
) -> ActivityReport:
    """``lookup_period``: what stored LookupEvents answers asked, when they do not say (a bundle's 90 days
    before collection, contract §5.2)."""
    from rootguard.analysis.coverage import coverage  # noqa: PLC0415 - see _load_analysis
    from rootguard.analysis.root_activity import analyze  # noqa: PLC0415

    since = as_of - timedelta(days=since_days)
    activity = analyze(scan.root_records, approvals=approvals, since=since, until=as_of)
    covered = coverage(scan.reads, since=since, until=as_of, lookup_period=lookup_period)
    return ActivityReport(as_of=as_of, since=since, scan=scan, activity=activity, gaps=gaps, coverage=covered)


def _load_analysis() -> object:
    """Import what ``build_report`` needs while a local scan's workers read (``scan_paths(meanwhile=…)``):
    ~15 ms of imports (the analysis package, its catalogue's readers) then share a core instead of
    delaying the first file."""
    from rootguard.analysis import coverage, root_activity  # noqa: PLC0415

    return coverage, root_activity


def from_bundle(path: Path, settings: Settings, *, as_of: datetime | None, since_days: int | None) -> ActivityReport:
    """Every account's ``cloudtrail-logs/`` of a bundle (the demo is one)."""
    from rootguard.evidence.bundle import open_bundle  # noqa: PLC0415

    evidence = open_bundle(path).evidence
    scans = [a.cloudtrail for a in evidence.accounts if isinstance(a.cloudtrail, TrailScan)]
    gaps = tuple(a.cloudtrail for a in evidence.accounts if isinstance(a.cloudtrail, Gap))
    collected = evidence.collected_at
    return build_report(
        merge_scans(scans),
        as_of=as_of or collected,
        since_days=since_days or settings.window_days,
        approvals=settings.approvals,
        gaps=gaps,
        lookup_period=Span(collected - LOOKUP_EVENTS_REACH, collected),
    )


def from_logs(
    sources: Sequence[str],
    settings: Settings,
    *,
    as_of: datetime,
    since_days: int | None,
    profile: str | None = None,
    region: str | None = None,
    workers: int | None = None,
    timeout: float | None = None,
    progress: Progress | None = None,
) -> ActivityReport:
    """Local files and trees, and ``s3://bucket/prefix`` archives."""
    since_days = since_days or settings.window_days
    since = as_of - timedelta(days=since_days)
    scans: list[TrailScan] = []
    local = [Path(s) for s in sources if not s.startswith("s3://")]
    if local:
        from rootguard.trail import scan_paths  # noqa: PLC0415

        scans.append(
            scan_paths(local, since=since, until=as_of, workers=workers, progress=progress, meanwhile=_load_analysis)
        )
    remote = [s for s in sources if s.startswith("s3://")]
    if remote:
        from rootguard.collect.aws import Aws  # noqa: PLC0415
        from rootguard.collect.s3_logs import scan_s3  # noqa: PLC0415

        aws = Aws(profile=profile, region=region, timeout=timeout)
        scans.extend(scan_s3(uri, since=since, until=as_of, aws=aws, progress=progress) for uri in remote)
    return build_report(merge_scans(scans), as_of=as_of, since_days=since_days, approvals=settings.approvals)


def from_lookup(
    settings: Settings,
    *,
    as_of: datetime,
    since_days: int | None,
    profile: str | None = None,
    region: str | None = None,
    timeout: float | None = None,
    progress: Progress | None = None,
) -> ActivityReport:
    """The LookupEvents API in every enabled Region (90 days at most)."""
    since_days = since_days or settings.window_days
    from rootguard.collect.aws import Aws  # noqa: PLC0415
    from rootguard.collect.cloudtrail import lookup_documents  # noqa: PLC0415
    from rootguard.evidence.cloudtrail import scan_documents  # noqa: PLC0415

    aws = Aws(profile=profile, region=region, timeout=timeout)
    since = as_of - timedelta(days=since_days)
    reach = as_of - LOOKUP_EVENTS_REACH
    asked = (max(since, reach), as_of)
    account_id, documents = lookup_documents(aws, since=asked[0], until=asked[1], progress=progress)
    scan = scan_documents(documents, account_id, asked=asked)
    gaps: tuple[Gap, ...] = (scan,) if isinstance(scan, Gap) else ()
    if since < reach:
        gaps += (
            Gap(
                GapKind.INCOMPLETE,
                "cloudtrail:LookupEvents",
                f"event history keeps 90 days: {format_timestamp(since)} to {format_timestamp(reach)} was not read.",
                "use --since 90 or less, or read the trail's S3 archive with --logs s3://…",
            ),
        )
    found = scan if isinstance(scan, TrailScan) else TrailScan(files=0, records=0, root_records=())
    return build_report(found, as_of=as_of, since_days=since_days, approvals=settings.approvals, gaps=gaps)
