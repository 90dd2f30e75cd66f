"""``rootguard activity --athena``: show the plan and its cost bound, ask when it is large, run, say the cost."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from rootguard.cli.output import now
from rootguard.errors import UsageError

if TYPE_CHECKING:
    from rootguard.app.athena import AthenaPreview
    from rootguard.config.settings import Settings
    from rootguard.model.activity import ActivityReport

BYTES_PER_GB = 10**9
SHOWN_PARTITIONS = 6


def run_athena(args: argparse.Namespace, settings: Settings, *, show: bool) -> ActivityReport | None:
    """The report, or None after ``--dry-run`` (which prints the plan on stdout and asks Athena nothing)."""
    from rootguard.app import athena  # noqa: PLC0415
    from rootguard.report.progress import progress_display  # noqa: PLC0415

    aws = athena.connect(args.profile, args.region, args.timeout)
    shown = athena.preview(
        args.athena,
        settings,
        as_of=args.as_of or now(),
        since_days=args.since,
        accounts=args.accounts,
        regions=args.regions,
        aws=aws,
    )
    if args.dry_run:
        print(describe(shown, settings, with_sql=True))
        return None
    if not args.quiet:
        print(describe(shown, settings, with_sql=False), file=sys.stderr)
    if athena.over_budget(shown, settings) and not args.yes:
        _confirm(shown, settings)
    with progress_display(enabled=show) as update:
        ran = athena.run(shown, settings, aws=aws, setup=args.athena_setup, timeout=args.timeout, progress=update)
    scanned = ran.outcome.scanned_bytes
    if not args.quiet and scanned is not None:
        cost = shown.cost(settings.athena.price_per_tb, scanned)
        print(
            f"Athena scanned {_gb(scanned)} (about ${cost:,.2f} at ${settings.athena.price_per_tb:g}/TB)",
            file=sys.stderr,
        )
    return ran.report


def describe(shown: AthenaPreview, settings: Settings, *, with_sql: bool) -> str:
    plan = shown.plan
    days = plan.days()
    partitions = plan.partitions()
    lines = [
        f"-- Athena plan for s3://{plan.location.bucket}/{plan.location.base()}",
        f"-- partitions: {len(partitions):,} = {len(plan.accounts)} account(s) x {len(plan.regions)} Region(s) "
        f"x {len(days)} day(s) ({days[0]:%Y/%m/%d} to {days[-1]:%Y/%m/%d})",
        f"-- accounts: {', '.join(plan.accounts)}",
        f"-- Regions: {', '.join(plan.regions)}",
    ]
    lines += [f"--   {plan.location.day_prefix(a, r, d)}" for a, r, d in partitions[:SHOWN_PARTITIONS]]
    if len(partitions) > SHOWN_PARTITIONS:
        lines.append(f"--   … and {len(partitions) - SHOWN_PARTITIONS:,} more")
    price = settings.athena.price_per_tb
    lines.append(
        f"-- scan bound: {_gb(shown.bound_bytes)} in {len(shown.listing.objects):,} object(s), at most "
        f"${shown.cost(price):,.2f} at ${price:g}/TB (limit without asking: {settings.athena.max_scan_gb:g} GB)"
    )
    lines += [f"-- not listed: {path}: {reason}" for path, reason in shown.listing.failed]
    if with_sql:
        lines += ["", "-- table (run with --athena-setup):", shown.ddl + ";", "", "-- query:", shown.query + ";"]
    return "\n".join(lines)


def _confirm(shown: AthenaPreview, settings: Settings) -> None:
    limit = settings.athena.max_scan_gb
    question = f"The query may read {_gb(shown.bound_bytes)}, more than --max-scan-gb {limit:g}. Run it? [y/N] "
    if not sys.stdin.isatty():
        raise UsageError(
            f"the query may read {_gb(shown.bound_bytes)}, more than --max-scan-gb {limit:g}: "
            "pass --yes to run it anyway, raise --max-scan-gb, or narrow --since, --accounts or --regions"
        )
    print(question, end="", file=sys.stderr, flush=True)
    if sys.stdin.readline().strip().lower() not in {"y", "yes"}:
        raise UsageError("not run: the scan bound is above --max-scan-gb and the answer was not yes")


def _gb(size: int) -> str:
    return f"{size / BYTES_PER_GB:,.3f} GB"
