"""``rootguard checks``: every check id with its title, CIS references, severity, evidence and IAM actions."""

from __future__ import annotations

import argparse
import sys

from rootguard.cli import options

CHECKS_EXAMPLES = """\
examples:
  rootguard checks                       a table for people
  rootguard checks --format json         rootguard/checks@1, for scripts
  rootguard checks --format markdown     the README's check table"""
FORMATS = ("table", "json", "markdown")


def add_parser(commands: options.Commands) -> None:
    checks = commands.add_parser(
        "checks",
        help="list every check: CIS references, severity, the evidence it reads, the IAM actions it needs",
        description="List every check rootguard runs, with what it reads and what a live audit needs to read it.",
        epilog=CHECKS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    checks.add_argument("--format", choices=FORMATS, default="table", help="table (default), json or markdown")


def run(args: argparse.Namespace) -> int:
    from rootguard.app.catalog import check_catalog  # noqa: PLC0415 - loads the check registry on use
    from rootguard.report import checks_report  # noqa: PLC0415

    entries = check_catalog()
    if args.format == "json":
        text = checks_report.render_checks_json(entries)
    elif args.format == "markdown":
        text = checks_report.render_checks_markdown(entries)
    else:
        from rootguard.report.console import use_color, width  # noqa: PLC0415

        text = checks_report.render_checks_table(entries, color=use_color(True), width=width(True))
    sys.stdout.write(text)
    return 0
