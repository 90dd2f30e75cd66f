"""``rootguard activity --athena``: the root-activity query run where the trail lies, in Amazon Athena.

The plan (accounts × Regions × days) comes from the user or from listing the trail's S3 layout; the
objects under those day folders are listed first, which gives the upper bound on bytes Athena will read
(it bills compressed bytes read) and the delivered log files whose names prove coverage, exactly as a
local scan of the same files would. A query that fails, is cancelled or does not finish leaves every one
of those files unread: uncovered time, never "no activity". Rows go through the same classifier and
report as local files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rootguard.app.activity import build_report
from rootguard.collect.athena import Listing, QueryOutcome, QueryTarget, list_prefixes, run_query
from rootguard.collect.aws import Aws
from rootguard.collect.s3_logs import ACCOUNT, ORG, Lister, parse_uri
from rootguard.config.settings import Settings
from rootguard.errors import UsageError
from rootguard.model.activity import ActivityReport, SkippedSource, TrailRecord, TrailScan
from rootguard.trail.athena_sql import PATH_COLUMN, QueryPlan, TrailLocation, create_table_ddl, root_query, row_record
from rootguard.trail.athena_sql import validate_plan as plan_problems
from rootguard.trail.paths import base_name, delivered_name
from rootguard.trail.reads import reads_of

BYTES_PER_GB = 10**9
BYTES_PER_TB = 10**12
Progress = Callable[[str], None]
Confirm = Callable[[str], bool]


@dataclass(frozen=True)
class AthenaPreview:
    """What a run would do: printed by ``--dry-run`` and before a run."""

    plan: QueryPlan
    table: str
    ddl: str
    query: str
    listing: Listing

    @property
    def bound_bytes(self) -> int:
        return self.listing.total_bytes

    def cost(self, price_per_tb: float, scanned: int | None = None) -> float:
        return (self.bound_bytes if scanned is None else scanned) / BYTES_PER_TB * price_per_tb


@dataclass(frozen=True)
class AthenaRun:
    report: ActivityReport
    preview: AthenaPreview
    outcome: QueryOutcome


def parse_location(uri: str) -> TrailLocation:
    """``s3://bucket[/prefix][/AWSLogs[/o-…]]`` → the trail location (the organization id when named)."""
    bucket, key = parse_uri(uri)
    parts = [p for p in key.split("/") if p]
    organization = None
    if "AWSLogs" in parts:
        at = parts.index("AWSLogs")
        rest = parts[at + 1 :]
        parts = parts[:at]
        if rest and ORG.fullmatch(rest[0]):
            organization = rest.pop(0)
        if rest:
            raise UsageError(
                f"--athena {uri}: give the trail's location down to AWSLogs/ (or AWSLogs/o-…/); "
                "select accounts and Regions with --accounts and --regions"
            )
    return TrailLocation(bucket, "/".join(parts), organization)


def connect(profile: str | None, region: str | None, timeout: float | None) -> Aws:
    """The AWS session both steps use (the standard credential chain; ``AWS_ENDPOINT_URL`` honoured)."""
    return Aws(profile=profile, region=region, timeout=timeout)


def preview(
    uri: str,
    settings: Settings,
    *,
    as_of: datetime,
    since_days: int | None,
    accounts: Sequence[str] | None,
    regions: Sequence[str] | None,
    aws: Aws,
) -> AthenaPreview:
    """Plan the query and size it from S3 (ListObjectsV2 only: Athena is not called)."""
    location = parse_location(uri)
    s3 = aws.s3(max_pool_connections=32)
    lister = Lister(s3, location.bucket)
    if location.organization_id is None and accounts is None:
        location = _find_organization(lister, location)
    chosen_accounts = tuple(accounts) if accounts else _children(lister, location.base(), ACCOUNT.fullmatch, uri)
    if regions:
        chosen_regions = tuple(regions)
    else:
        found = {r for a in chosen_accounts for r in _names(lister, f"{location.base()}{a}/CloudTrail/")}
        chosen_regions = tuple(sorted(found))
    since = as_of - timedelta(days=since_days or settings.window_days)
    plan = QueryPlan(location, chosen_accounts, chosen_regions, since, as_of)
    problems = plan_problems(plan)
    if problems:
        raise UsageError(f"--athena {uri}: " + "; ".join(problems))
    table = _table_name(settings)
    listing = list_prefixes(s3, location.bucket, plan.prefixes())
    listing.failed.extend((source.path, source.reason) for source in lister.skipped)
    return AthenaPreview(plan, table, create_table_ddl(location, table), root_query(plan, table), listing)


def run(
    shown: AthenaPreview,
    settings: Settings,
    *,
    aws: Aws,
    setup: bool,
    timeout: float | None,
    progress: Progress | None = None,
) -> AthenaRun:
    """Create the table when asked, run the query, and report what it found and what it covered."""
    client = aws.athena()
    target = QueryTarget(settings.athena.database, settings.athena.workgroup, settings.athena.output)
    outcome: QueryOutcome | None = None
    if setup:
        created = run_query(client, shown.ddl, target, timeout=timeout, progress=progress)
        if not created.succeeded:
            outcome = created
    if outcome is None:
        outcome = run_query(client, shown.query, target, timeout=timeout, progress=progress)
    scan = _scan(shown, outcome, settings)
    plan = shown.plan
    report = build_report(
        scan,
        as_of=plan.until,
        since_days=max(1, round((plan.until - plan.since) / timedelta(days=1))),
        approvals=settings.approvals,
    )
    return AthenaRun(report, shown, outcome)


def over_budget(shown: AthenaPreview, settings: Settings) -> bool:
    return shown.bound_bytes > settings.athena.max_scan_gb * BYTES_PER_GB


def _scan(shown: AthenaPreview, outcome: QueryOutcome, settings: Settings) -> TrailScan:
    bucket = shown.plan.location.bucket
    read = outcome.succeeded
    logs = []
    for key, _size in shown.listing.objects:
        named = delivered_name(base_name(key))
        if named is not None:
            account, region, stamp = named
            logs.append((f"s3://{bucket}/{key}", account, region, stamp, read))
    skipped = [SkippedSource(path, reason) for path, reason in shown.listing.failed]
    if not read:
        where = f"Athena ({settings.athena.workgroup}/{settings.athena.database}.{shown.table})"
        skipped.append(SkippedSource(where, f"query {outcome.state.lower()}: {outcome.reason}"))
    records = tuple(TrailRecord(row_record(row), str(row.get(PATH_COLUMN) or "")) for row in outcome.rows)
    return TrailScan(
        files=len(shown.listing.objects),
        records=len(records),
        root_records=records,
        skipped=tuple(skipped),
        reads=reads_of(logs, (), (), 0),
    )


def _find_organization(lister: Lister, location: TrailLocation) -> TrailLocation:
    """An organization trail's folder (``AWSLogs/o-…/``) when the layout has exactly one."""
    organizations = _names(lister, location.base(), ORG.fullmatch)
    if len(organizations) == 1:
        return TrailLocation(location.bucket, location.prefix, organizations[0])
    if len(organizations) > 1:
        raise UsageError(
            f"s3://{location.bucket}/{location.base()} holds several organizations ({', '.join(organizations)}): "
            "name one, as s3://…/AWSLogs/o-…/"
        )
    return location


def _children(lister: Lister, prefix: str, wanted: Callable[[str], object], uri: str) -> tuple[str, ...]:
    found = tuple(_names(lister, prefix, wanted))
    if not found:
        failed = "; ".join(source.reason for source in lister.skipped)
        raise UsageError(
            f"--athena {uri}: no account folder under s3://{lister.bucket}/{prefix}"
            + (f" ({failed})" if failed else "")
            + "; give --accounts, or the trail's location down to AWSLogs/"
        )
    return found


def _names(lister: Lister, prefix: str, wanted: Callable[[str], object] | None = None) -> list[str]:
    names = [child.rstrip("/").rpartition("/")[2] for child in lister.children(prefix) or []]
    return sorted(name for name in names if wanted is None or wanted(name))


def _table_name(settings: Settings) -> str:
    return f"{settings.athena.database}.{settings.athena.table}"
