"""``rootguard activity``: what root did, read from CloudTrail (options, run, render)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rootguard.cli import options
from rootguard.cli.output import now
from rootguard.cli.render import add_report_options, write_reports
from rootguard.errors import UsageError

ACTIVITY_EXAMPLES = """\
examples:
  rootguard activity --demo                                  the demo organisation's month of CloudTrail
  rootguard activity --logs ./AWSLogs --since 30             delivered log files (a tree, .json or .json.gz)
  rootguard activity --logs s3://my-trail-bucket/AWSLogs/    the same, read from S3 (s3:ListBucket, s3:GetObject)
  rootguard activity --lookup --profile prod                 LookupEvents in every enabled Region (90 days)
  rootguard activity --evidence ./evidence --format json     a bundle's cloudtrail-logs/
  rootguard activity --lookup --config rootguard.toml        window, approvals and fail_on from the file
  rootguard activity --athena s3://trail-bucket/AWSLogs/o-a1b2c3d4e5/ --since 180 --dry-run
                                                             the Athena DDL, query, partitions and scan bound
  rootguard activity --athena s3://trail-bucket/ --athena-setup --accounts 111122223333
                                                             create the table, then query it in Athena

exit codes: 0 nothing unapproved · 1 unapproved human root activity (high) or root-only task (medium)
            at or above --fail-on · 2 usage error · 3 nothing failed, but some input could not be read
            or the inputs do not cover the whole period (coverage)
"""


def add_parser(commands: options.Commands, aws: options.Parser) -> None:
    activity = commands.add_parser(
        "activity",
        parents=[aws],
        help="what root did, when, from where, and was it avoidable (CloudTrail)",
        description="Read CloudTrail and show every root event: sign-ins, root-only tasks, avoidable use, "
        "service-invoked calls and AssumeRoot sessions, with approvals and sessions.",
        epilog=ACTIVITY_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = activity.add_mutually_exclusive_group()
    source.add_argument(
        "--logs", action="append", metavar="PATH", help="CloudTrail file, tree or s3://bucket/prefix (repeatable)"
    )
    source.add_argument("--lookup", action="store_true", help="CloudTrail LookupEvents API, every enabled Region")
    source.add_argument("--evidence", type=Path, metavar="DIR", help="an evidence bundle's cloudtrail-logs/")
    source.add_argument("--demo", action="store_true", help="the demo bundle shipped with rootguard")
    source.add_argument(
        "--athena", metavar="S3_URI", help="run the query in Amazon Athena over the trail at s3://bucket[/prefix]"
    )
    activity.add_argument(
        "--since", type=options.days, metavar="DAYS", help="how many days back to read (default: --window)"
    )
    activity.add_argument(
        "--as-of",
        type=options.as_of,
        metavar="TIMESTAMP",
        help="end of the period (default: now, or the bundle's collection time)",
    )
    options.add_verdict_options(activity)
    options.add_config_option(activity)
    activity.add_argument(
        "--timeout", type=options.seconds, metavar="SECONDS", help=f"--lookup and s3:// --logs: {options.TIMEOUT_HELP}"
    )
    activity.add_argument(
        "--workers", type=options.positive_int, metavar="N", help="processes for local scans (default: one per core)"
    )
    add_report_options(activity, "activity")
    add_athena_options(activity)


def add_athena_options(parser: argparse.ArgumentParser) -> None:
    athena = parser.add_argument_group("Amazon Athena (--athena; also [athena] in rootguard.toml)")
    athena.add_argument("--athena-setup", action="store_true", help="create the CloudTrail table first (IF NOT EXISTS)")
    athena.add_argument(
        "--dry-run", action="store_true", help="print the DDL, the query, the partitions and the scan bound; no query"
    )
    athena.add_argument("--accounts", type=_ids, metavar="IDS", help="accounts to read (default: every account folder)")
    athena.add_argument(
        "--regions", type=_ids, metavar="REGIONS", help="Regions to read (default: every Region folder)"
    )
    athena.add_argument(
        "--max-scan-gb", type=_positive_gb, metavar="GB", help="ask before reading more than this (default 10)"
    )
    athena.add_argument("--yes", action="store_true", help="run above --max-scan-gb without asking (CI)")
    athena.add_argument("--athena-workgroup", metavar="NAME", help="workgroup (default primary)")
    athena.add_argument("--athena-database", metavar="NAME", help="Glue database of the table (default default)")
    athena.add_argument("--athena-table", metavar="NAME", help="table name (default rootguard_cloudtrail)")
    athena.add_argument("--athena-output", metavar="S3_URI", help="query results location (default: the workgroup's)")


def _ids(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _positive_gb(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of GB, not {text!r}")
    return value


def run(args: argparse.Namespace) -> int:
    from rootguard.app import activity, demo  # noqa: PLC0415
    from rootguard.report.progress import progress_bar  # noqa: PLC0415

    settings = options.settings(args, demo=demo.demo_files() if args.demo else None)
    show = not args.quiet and sys.stderr.isatty()
    if args.demo or args.evidence is not None:
        bundle = demo.demo_bundle() if args.demo else args.evidence
        report = activity.from_bundle(bundle, settings, as_of=args.as_of, since_days=args.since)
    elif args.logs:
        _check_local_logs(args.logs)
        with progress_bar(enabled=show, description="Scanning CloudTrail") as update:
            report = activity.from_logs(
                args.logs,
                settings,
                as_of=args.as_of or now(),
                since_days=args.since,
                profile=args.profile,
                region=args.region,
                workers=args.workers,
                timeout=args.timeout,
                progress=update,
            )
    elif args.lookup:
        with progress_bar(enabled=show, description="LookupEvents") as update:
            report = activity.from_lookup(
                settings,
                as_of=args.as_of or now(),
                since_days=args.since,
                profile=args.profile,
                region=args.region,
                timeout=args.timeout,
                progress=update,
            )
    elif args.athena:
        from rootguard.cli.athena import run_athena  # noqa: PLC0415

        found = run_athena(args, settings, show=show)
        if found is None:
            return 0
        report = found
    else:
        raise UsageError("choose where to read CloudTrail: --logs PATH, --lookup, --evidence DIR, --demo or --athena")
    write_reports(report, args, "activity")
    return report.exit_code(settings.fail_on)


def _check_local_logs(sources: list[str]) -> None:
    """A local --logs path that is not there or cannot be read is a usage error (exit 2), not a skipped input."""
    for source in sources:
        if source.startswith("s3://"):
            continue
        path = Path(source)
        if not path.exists():
            raise UsageError(f"--logs {source}: no such file or directory")
        if not os.access(path, os.R_OK | (os.X_OK if path.is_dir() else 0)):
            raise UsageError(f"--logs {source}: permission denied")
