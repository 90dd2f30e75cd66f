"""``rootguard package-watcher``: write the watcher's Lambda zip (contract §1.7, §10)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rootguard.cli import options

PACKAGE_EXAMPLES = """\
examples:
  rootguard package-watcher --out watcher.zip
  aws s3 cp watcher.zip s3://my-artifacts/rootguard/watcher-0.1.0.zip

The zip holds the watcher's handler and only the rootguard modules it imports (no third-party
package: the Lambda Python runtime provides boto3). The same rootguard version writes the same
bytes; its SHA-256 is printed so the deployment can pin it. Handler: rootguard.watch.handler.handler.
"""


def add_parser(commands: options.Commands) -> None:
    command = commands.add_parser(
        "package-watcher",
        help="write the Lambda zip of the root activity watcher",
        description="Write the zip `rootguard remediate --watch` templates deploy as the watcher's Lambda code.",
        epilog=PACKAGE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument("--out", type=Path, metavar="FILE", required=True, help="the zip file to write")
    command.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


def run(args: argparse.Namespace) -> int:
    from rootguard.app.watcher_package import HANDLER, build_watcher_zip, write_watcher_zip  # noqa: PLC0415

    package = build_watcher_zip()
    write_watcher_zip(package, args.out, force=args.force)
    print(
        f"rootguard: wrote {args.out}: {len(package.files)} files, {len(package.data)} bytes, "
        f"sha256 {package.sha256}, handler {HANDLER}",
        file=sys.stderr,
    )
    print(package.sha256)
    return 0
