"""``rootguard audit``: evaluate every check, live, from a bundle, or on the demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from rootguard.cli import options, security_hub
from rootguard.cli.render import add_report_options, write_reports
from rootguard.errors import UsageError

if TYPE_CHECKING:
    from rootguard.app.audit import LiveSource

AUDIT_EXAMPLES = """\
examples:
  rootguard audit --demo                          the built-in demo account, no AWS needed
  rootguard audit --profile prod                  collect from AWS now and evaluate
  rootguard audit --evidence ./evidence           evaluate a bundle offline
  rootguard audit --evidence ./evidence --as-of 2026-11-01T00:00:00Z --window 30
  rootguard audit --format json --output report.json --fail-on high
  rootguard audit --demo --output r.sarif --output r.html --format table   table on stdout, two files
  rootguard audit --demo --status fail,error --compact   one line per failing finding
  rootguard audit --approvals approvals.toml      root use inside approved windows passes
  rootguard audit --config rootguard.toml         thresholds, check selection, break-glass declarations
  rootguard audit --demo --skip-checks root-activity,break-glass
  rootguard audit --evidence ./evidence --unused-credentials-days 30 --key-rotation-days 60

settings: command line > ROOTGUARD_* variables > rootguard.toml (--config FILE, else
$ROOTGUARD_CONFIG, else ./rootguard.toml if present) > defaults; --demo reads its own file.

exit codes: 0 clean · 1 a FAIL at or above --fail-on · 2 usage error or unusable input ·
            3 no FAIL, but some check could not be evaluated (ERROR)
"""


def add_live_source_options(parser: argparse.ArgumentParser) -> None:
    """What a live collection may skip, which Regions it reads and how long it may take (audit and collect)."""

    def regions(text: str) -> tuple[str, ...]:
        names = tuple(name.strip() for name in text.split(",") if name.strip())
        if not names:
            raise argparse.ArgumentTypeError("takes comma-separated Region names, such as us-east-1,eu-west-1")
        return names

    parser.add_argument(
        "--no-cloudtrail",
        action="store_true",
        help="live runs: skip CloudTrail LookupEvents (faster; root-activity is then SKIPPED)",
    )
    parser.add_argument(
        "--no-alerting",
        action="store_true",
        help="live runs: skip the alerting paths (trails, metric filters, alarms, SNS, EventBridge, GuardDuty, "
        "Config in every Region; faster; the checks that need them are then SKIPPED)",
    )
    parser.add_argument(
        "--regions",
        type=regions,
        metavar="REGIONS",
        help="live runs: read only these enabled Regions (comma-separated, such as us-east-1,eu-west-1; "
        "default: every enabled Region)",
    )
    parser.add_argument(
        "--timeout",
        type=options.seconds,
        metavar="SECONDS",
        help=options.TIMEOUT_HELP,
    )


def live_source(args: argparse.Namespace) -> LiveSource:
    """What the live-source options (audit and collect) ask to read."""
    from rootguard.app.audit import LiveSource  # noqa: PLC0415 - keeps `--help` fast

    return LiveSource(
        profile=args.profile,
        region=args.region,
        lookup=not args.no_cloudtrail,
        alerting=not args.no_alerting,
        regions=args.regions,
        timeout=args.timeout,
    )


def add_parser(commands: options.Commands, aws: options.Parser) -> None:
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
    audit.add_argument(
        "--as-of",
        type=options.as_of,
        metavar="TIMESTAMP",
        help="evaluate as of this time (default: collection time)",
    )
    options.add_verdict_options(audit)
    options.add_check_options(audit)
    add_live_source_options(audit)
    add_report_options(audit, "audit")
    security_hub.add_option(audit)


def run(args: argparse.Namespace) -> int:
    from rootguard.app import audit, demo  # noqa: PLC0415 - keeps `--help` and errors fast

    if args.save_evidence is not None and (args.demo or args.evidence is not None):
        raise UsageError(
            "--save-evidence keeps what a live audit collected; it cannot be used with --evidence or --demo"
        )
    settings = options.settings(args, demo=demo.demo_files() if args.demo else None)
    if args.demo:
        report = audit.audit_bundle(demo.demo_bundle(), settings, as_of=args.as_of, source="demo")
    elif args.evidence is not None:
        report = audit.audit_bundle(args.evidence, settings, as_of=args.as_of)
    else:
        if args.save_evidence is not None:
            from rootguard.app.files import check_output_dir  # noqa: PLC0415

            check_output_dir(args.save_evidence, force=args.force)  # before any AWS call
        live = live_source(args)
        with progress(args.quiet) as update:
            report = audit.audit_live(
                settings, live, as_of=args.as_of, save_to=args.save_evidence, force=args.force, progress=update
            )
    write_reports(report, args, "audit")
    return security_hub.send_if_asked(args, report, report.exit_code(settings.fail_on))


def progress(quiet: bool) -> AbstractContextManager[Callable[[str], None]]:
    """A spinner naming the current step, on a terminal unless --quiet."""
    from rootguard.report.progress import progress_display  # noqa: PLC0415

    return progress_display(enabled=not quiet and sys.stderr.isatty())
