"""The ``rootguard`` command line: parse, call the library, render, choose the exit code.

Exit codes (contract §2): 0 clean, 1 a FAIL at or above --fail-on, 2 usage or unusable input,
3 no FAIL but something could not be evaluated.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import assert_never

from rootguard import __version__
from rootguard.cli import activity as cli_activity
from rootguard.cli import options as cli_config
from rootguard.cli import remediate as cli_remediate
from rootguard.cli import support
from rootguard.cli.support import OutputFormat, Parser
from rootguard.errors import RootguardError, UsageError
from rootguard.model.findings import AuditReport, Severity

AUDIT_EXAMPLES = """\
examples:
  rootguard audit --demo                          the built-in demo account, no AWS needed
  rootguard audit --profile prod                  collect from AWS now and evaluate
  rootguard audit --evidence ./evidence           evaluate a bundle offline
  rootguard audit --evidence ./evidence --as-of 2026-11-01T00:00:00Z --window 30
  rootguard audit --format json --output report.json --fail-on high
  rootguard audit --approvals approvals.toml      root use inside approved windows passes
  rootguard audit --config rootguard.toml         thresholds, check selection, break-glass declarations
  rootguard audit --demo --skip-checks root-activity,break-glass
  rootguard audit --evidence ./evidence --unused-credentials-days 30 --key-rotation-days 60

settings: command line > ROOTGUARD_* variables > rootguard.toml (--config FILE, else
$ROOTGUARD_CONFIG, else ./rootguard.toml if present) > defaults; --demo reads its own file.

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


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="rootguard",
        description="End the everyday use of the AWS root user, and prove it.",
        epilog="Run `rootguard <command> --help` for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"rootguard {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="command", required=True, parser_class=Parser)

    aws = Parser(add_help=False)
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
        type=support.as_of,
        metavar="TIMESTAMP",
        help="evaluate as of this time (default: collection time)",
    )
    audit.add_argument(
        "--window",
        type=support.days,
        metavar="DAYS",
        help="how far back recent root use reaches (default 90)",
    )
    audit.add_argument("--approvals", type=Path, metavar="FILE", help="TOML file of approved root-use windows")
    audit.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="lowest severity of a FAIL that makes the exit code 1 (default: low)",
    )
    cli_config.add_audit_options(audit)

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
        command.add_argument(
            "--no-alerting",
            action="store_true",
            help="live runs: skip the alerting paths (trails, metric filters, alarms, SNS, EventBridge, GuardDuty, "
            "Config in every Region; faster; the checks that need them then report ERROR)",
        )
    cli_activity.add_parser(commands, aws)
    cli_remediate.add_parser(commands)
    permissions = commands.add_parser(
        "permissions",
        help="print the least-privilege IAM policy rootguard needs",
        description="Print the read-only IAM policy built from the actions rootguard's collectors declare.",
        epilog="example:\n  rootguard permissions --s3-bucket my-trail-bucket > rootguard-policy.json\n"
        "  aws iam create-policy --policy-name rootguard-audit --policy-document file://rootguard-policy.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    permissions.add_argument("--s3-bucket", metavar="BUCKET", help="also allow reading this CloudTrail bucket")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "audit":
            return _audit(args)
        if args.command == "activity":
            return cli_activity.run(args)
        if args.command == "remediate":
            return cli_remediate.run(args)
        if args.command == "permissions":
            from rootguard.app.permissions import render_policy  # noqa: PLC0415

            sys.stdout.write(render_policy(s3_bucket=args.s3_bucket))
            return 0
        return _collect(args)
    except RootguardError as error:
        print(f"rootguard: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("rootguard: interrupted", file=sys.stderr)
        return 130


def _audit(args: argparse.Namespace) -> int:
    from rootguard.app import audit  # noqa: PLC0415 - keeps `--help` and errors fast

    if args.save_evidence is not None and (args.demo or args.evidence is not None):
        raise UsageError(
            "--save-evidence keeps what a live audit collected; it cannot be used with --evidence or --demo"
        )
    settings = cli_config.settings(args, demo_file=audit.demo_config() if args.demo else None)
    approvals = audit.load_approvals(settings.approvals) if settings.approvals else ()
    if args.demo and not settings.approvals:
        approvals = audit.demo_approvals()
    options = audit.AuditOptions(
        as_of=args.as_of,
        window_days=settings.window_days,
        approvals=approvals,
        thresholds=settings.thresholds,
        break_glass=settings.break_glass,
        check_ids=settings.check_ids,
    )
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
                alerting=not args.no_alerting,
            )
    support.emit(_render(report, OutputFormat(args.format), to_terminal=args.output is None), args.output)
    return report.exit_code(settings.fail_on)


def _collect(args: argparse.Namespace) -> int:
    from rootguard.app import audit  # noqa: PLC0415

    with _progress(args.quiet) as progress:
        collection = audit.collect_live(
            profile=args.profile,
            region=args.region,
            progress=progress,
            lookup=not args.no_cloudtrail,
            alerting=not args.no_alerting,
        )
    audit.save_collection(collection, args.out, force=args.force)
    files = len(collection.documents)
    print(
        f"rootguard: wrote {files} evidence files for {', '.join(collection.accounts)} to {args.out}",
        file=sys.stderr,
    )
    return 0


def _render(report: AuditReport, output_format: OutputFormat, *, to_terminal: bool) -> str:
    match output_format:
        case OutputFormat.JSON:
            from rootguard.report.json_report import render_json  # noqa: PLC0415

            return render_json(report)
        case OutputFormat.TABLE:
            from rootguard.report.table import render_table  # noqa: PLC0415

            return render_table(report, color=support.use_color(to_terminal), width=support.width(to_terminal))
        case _:
            assert_never(output_format)


def _progress(quiet: bool) -> AbstractContextManager[Callable[[str], None]]:
    from rootguard.report.progress import progress_display  # noqa: PLC0415

    return progress_display(enabled=not quiet and sys.stderr.isatty())
