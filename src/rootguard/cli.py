"""The ``rootguard`` command line: parse, call the library, render, choose the exit code.

Exit codes (contract §2): 0 clean, 1 a FAIL at or above --fail-on, 2 usage or unusable input,
3 no FAIL but something could not be evaluated.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, assert_never

from rootguard import __version__
from rootguard.errors import OutputError, RootguardError, UsageError
from rootguard.model.findings import AuditReport, Severity
from rootguard.model.timestamps import parse_timestamp

if TYPE_CHECKING:
    from rootguard.activity import ActivityReport


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


AUDIT_EXAMPLES = """\
examples:
  rootguard audit --demo                          the built-in demo account, no AWS needed
  rootguard audit --profile prod                  collect from AWS now and evaluate
  rootguard audit --evidence ./evidence           evaluate a bundle offline
  rootguard audit --evidence ./evidence --as-of 2026-11-01T00:00:00Z --window 30
  rootguard audit --format json --output report.json --fail-on high
  rootguard audit --approvals approvals.toml      root use inside approved windows passes

exit codes: 0 clean · 1 a FAIL at or above --fail-on · 2 usage error or unusable input ·
            3 no FAIL, but some check could not be evaluated (ERROR)
"""

COLLECT_EXAMPLES = """\
examples:
  rootguard collect --out ./evidence
  rootguard collect --profile audit --region eu-west-1 --out ./evidence --force
  rootguard audit --evidence ./evidence          then evaluate it anywhere, offline

The bundle holds AWS CLI output (contract §5); files are readable by their owner only.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"rootguard: error: {message}\n")


def _window(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--window takes a whole number of days, not {text!r}") from None
    if days < 1:
        raise argparse.ArgumentTypeError("--window must be at least 1 day")
    return days


def _as_of(text: str) -> datetime:
    try:
        return parse_timestamp(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--as-of takes an ISO 8601 timestamp such as 2026-11-20T12:00:00Z, not {text!r}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="rootguard",
        description="End the everyday use of the AWS root user, and prove it.",
        epilog="Run `rootguard <command> --help` for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"rootguard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="command", required=True, parser_class=_Parser)

    aws = _Parser(add_help=False)
    group = aws.add_argument_group("AWS access (standard credential chain; AWS_ENDPOINT_URL is honoured)")
    group.add_argument("--profile", help="AWS profile to use")
    group.add_argument("--region", help="Region for the STS and IAM endpoints (default: the profile's, else us-east-1)")
    group.add_argument("--quiet", action="store_true", help="no progress display on stderr")

    audit = commands.add_parser(
        "audit",
        parents=[aws],
        help="evaluate the root user checks (live, a bundle, or the demo)",
        description="Collect evidence from AWS (or read a bundle, or the demo) and evaluate every root check.",
        epilog=AUDIT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = audit.add_mutually_exclusive_group()
    source.add_argument("--evidence", type=Path, metavar="DIR", help="evaluate an evidence bundle offline")
    source.add_argument("--demo", action="store_true", help="evaluate the demo bundle shipped with rootguard")
    audit.add_argument("--save-evidence", type=Path, metavar="DIR", help="live runs: keep the collected bundle in DIR")
    audit.add_argument("--force", action="store_true", help="with --save-evidence: write into a non-empty DIR")
    audit.add_argument("--format", choices=[f.value for f in OutputFormat], default=OutputFormat.TABLE.value)
    audit.add_argument("--output", type=Path, metavar="FILE", help="write the report to FILE (default: stdout)")
    audit.add_argument(
        "--as-of",
        type=_as_of,
        metavar="TIMESTAMP",
        help="evaluate as of this time (default: collection time)",
    )
    audit.add_argument(
        "--window",
        type=_window,
        default=90,
        metavar="DAYS",
        help="how far back recent root use reaches (default 90)",
    )
    audit.add_argument("--approvals", type=Path, metavar="FILE", help="TOML file of approved root-use windows")
    audit.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        default=Severity.LOW.value,
        help="lowest severity of a FAIL that makes the exit code 1 (default: low)",
    )

    collect = commands.add_parser(
        "collect",
        parents=[aws],
        help="write an evidence bundle from the live account",
        description="Collect the root user evidence from AWS into a bundle directory for offline audits.",
        epilog=COLLECT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    collect.add_argument("--out", type=Path, metavar="DIR", required=True, help="directory to write the bundle to")
    collect.add_argument("--force", action="store_true", help="write into a non-empty DIR")
    for command in (audit, collect):
        command.add_argument(
            "--no-cloudtrail",
            action="store_true",
            help="live runs: skip CloudTrail LookupEvents (faster; root-activity then reports ERROR)",
        )
    _add_activity(commands, aws)
    return parser


ACTIVITY_EXAMPLES = """\
examples:
  rootguard activity --demo                                  the demo organisation's month of CloudTrail
  rootguard activity --logs ./AWSLogs --since 30             delivered log files (a tree, .json or .json.gz)
  rootguard activity --logs s3://my-trail-bucket/AWSLogs/    the same, read from S3 (s3:ListBucket, s3:GetObject)
  rootguard activity --lookup --profile prod                 LookupEvents in every enabled Region (90 days)
  rootguard activity --evidence ./evidence --format json     a bundle's cloudtrail-logs/

exit codes: 0 nothing unapproved · 1 unapproved human root activity (high) or root-only task (medium)
            at or above --fail-on · 2 usage error · 3 nothing failed but some input could not be read
"""


def _add_activity(commands: argparse._SubParsersAction[_Parser], aws: _Parser) -> None:
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
    activity.add_argument(
        "--since", type=_window, metavar="DAYS", help="how many days back to read (default: --window)"
    )
    activity.add_argument("--window", type=_window, default=90, metavar="DAYS", help="default for --since (90)")
    activity.add_argument(
        "--as-of",
        type=_as_of,
        metavar="TIMESTAMP",
        help="end of the period (default: now, or the bundle's collection time)",
    )
    activity.add_argument("--approvals", type=Path, metavar="FILE", help="TOML file of approved root-use windows")
    activity.add_argument("--format", choices=[f.value for f in OutputFormat], default=OutputFormat.TABLE.value)
    activity.add_argument("--output", type=Path, metavar="FILE", help="write to FILE (default: stdout)")
    activity.add_argument("--fail-on", choices=[s.value for s in Severity], default=Severity.LOW.value)
    activity.add_argument(
        "--workers", type=_window, metavar="N", help="processes for local scans (default: one per core)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "audit":
            return _audit(args)
        if args.command == "activity":
            return _activity(args)
        return _collect(args)
    except RootguardError as error:
        print(f"rootguard: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("rootguard: interrupted", file=sys.stderr)
        return 130


def _audit(args: argparse.Namespace) -> int:
    from rootguard import audit  # noqa: PLC0415 - keeps `--help` and errors fast

    if args.save_evidence is not None and (args.demo or args.evidence is not None):
        raise UsageError(
            "--save-evidence keeps what a live audit collected; it cannot be used with --evidence or --demo"
        )
    approvals = audit.load_approvals(args.approvals) if args.approvals else ()
    if args.demo and not args.approvals:
        approvals = audit.demo_approvals()
    options = audit.AuditOptions(as_of=args.as_of, window_days=args.window, approvals=approvals)
    if args.demo:
        report = audit.audit_bundle(audit.demo_bundle(), options, source="demo")
    elif args.evidence is not None:
        report = audit.audit_bundle(args.evidence, options)
    else:
        with _progress(args.quiet) as progress:
            report = audit.audit_live(
                options,
                profile=args.profile,
                region=args.region,
                save_to=args.save_evidence,
                force=args.force,
                progress=progress,
                lookup=not args.no_cloudtrail,
            )
    _emit(_render(report, OutputFormat(args.format), to_terminal=args.output is None), args.output)
    return report.exit_code(Severity(args.fail_on))


def _collect(args: argparse.Namespace) -> int:
    from rootguard import audit  # noqa: PLC0415

    with _progress(args.quiet) as progress:
        collection = audit.collect_live(
            profile=args.profile, region=args.region, progress=progress, lookup=not args.no_cloudtrail
        )
    audit.save_collection(collection, args.out, force=args.force)
    files = len(collection.documents)
    print(
        f"rootguard: wrote {files} evidence files for {', '.join(collection.accounts)} to {args.out}",
        file=sys.stderr,
    )
    return 0


def _activity(args: argparse.Namespace) -> int:
    from rootguard import activity, audit  # noqa: PLC0415
    from rootguard.progress import progress_bar  # noqa: PLC0415

    approvals = audit.load_approvals(args.approvals) if args.approvals else ()
    if args.demo and not args.approvals:
        approvals = audit.demo_approvals()
    days = args.since or args.window
    show = not args.quiet and sys.stderr.isatty()
    if args.demo or args.evidence is not None:
        bundle = audit.demo_bundle() if args.demo else args.evidence
        report = activity.from_bundle(bundle, as_of=args.as_of, since_days=days, approvals=approvals)
    elif args.logs:
        with progress_bar(enabled=show, description="Scanning CloudTrail") as update:
            report = activity.from_logs(
                args.logs,
                as_of=args.as_of or _now(),
                since_days=days,
                approvals=approvals,
                profile=args.profile,
                region=args.region,
                workers=args.workers,
                progress=update,
            )
    elif args.lookup:
        with progress_bar(enabled=show, description="LookupEvents") as update:
            report = activity.from_lookup(
                as_of=args.as_of or _now(),
                since_days=days,
                approvals=approvals,
                profile=args.profile,
                region=args.region,
                progress=update,
            )
    else:
        raise UsageError("choose where to read CloudTrail: --logs PATH, --lookup, --evidence DIR or --demo")
    _emit(_render_activity(report, OutputFormat(args.format), to_terminal=args.output is None), args.output)
    return report.exit_code(Severity(args.fail_on))


def _now() -> datetime:
    from datetime import UTC  # noqa: PLC0415

    return datetime.now(UTC).replace(microsecond=0)


def _render_activity(report: ActivityReport, output_format: OutputFormat, *, to_terminal: bool) -> str:
    match output_format:
        case OutputFormat.JSON:
            from rootguard.report.activity_json import render_activity_json  # noqa: PLC0415

            return render_activity_json(report)
        case OutputFormat.TABLE:
            from rootguard.report.activity_table import render_activity_table  # noqa: PLC0415

            color = to_terminal and sys.stdout.isatty() and "NO_COLOR" not in os.environ
            return render_activity_table(report, color=color, width=_terminal_width() if to_terminal else 120)
        case _:
            assert_never(output_format)


def _render(report: AuditReport, output_format: OutputFormat, *, to_terminal: bool) -> str:
    match output_format:
        case OutputFormat.JSON:
            from rootguard.report.json_report import render_json  # noqa: PLC0415

            return render_json(report)
        case OutputFormat.TABLE:
            from rootguard.report.table import render_table  # noqa: PLC0415

            color = to_terminal and sys.stdout.isatty() and "NO_COLOR" not in os.environ
            width = _terminal_width() if to_terminal else 120
            return render_table(report, color=color, width=width)
        case _:
            assert_never(output_format)


def _terminal_width() -> int:
    try:
        return max(80, min(os.get_terminal_size(sys.stdout.fileno()).columns, 160))
    except (OSError, ValueError):
        return 120


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise OutputError(f"cannot write the report to {output}: {error.strerror or error}") from None


def _progress(quiet: bool) -> AbstractContextManager[Callable[[str], None]]:
    from rootguard.progress import progress_display  # noqa: PLC0415

    return progress_display(enabled=not quiet and sys.stderr.isatty())
