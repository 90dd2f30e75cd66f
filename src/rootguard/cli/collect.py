"""``rootguard collect``: write an evidence bundle from the live account, for offline audits."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rootguard.cli import options
from rootguard.cli.audit import add_live_source_options, live_source, progress

COLLECT_EXAMPLES = """\
examples:
  rootguard collect --out ./evidence
  rootguard collect --profile audit --region eu-west-1 --out ./evidence --force
  rootguard audit --evidence ./evidence          then evaluate it anywhere, offline

The bundle holds AWS CLI output (contract §5); files are readable by their owner only.
"""


def add_parser(commands: options.Commands, aws: options.Parser) -> None:
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
    add_live_source_options(collect)


def run(args: argparse.Namespace) -> int:
    from rootguard.app import audit  # noqa: PLC0415
    from rootguard.app.files import check_output_dir  # noqa: PLC0415

    check_output_dir(args.out, force=args.force)  # before any AWS call: never collect for nothing
    live = live_source(args)
    with progress(args.quiet) as update:
        collection = audit.collect_live(live, progress=update)
    audit.save_collection(collection, args.out, force=args.force, skipped=live.skipped)
    files = len(collection.documents)
    print(
        f"rootguard: wrote {files} evidence files for {', '.join(collection.accounts)} to {args.out}",
        file=sys.stderr,
    )
    print(f"rootguard: {collection.stats.summary()}", file=sys.stderr)
    return 3 if collection.stats.failures else 0  # contract §2: finished, but some evidence could not be collected
