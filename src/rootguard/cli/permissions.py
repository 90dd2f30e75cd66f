"""``rootguard permissions``: the least-privilege IAM policy the collectors need."""

from __future__ import annotations

import argparse
import sys

from rootguard.cli import options

PERMISSIONS_EXAMPLES = """\
example:
  rootguard permissions --s3-bucket my-trail-bucket > rootguard-policy.json
  aws iam create-policy --policy-name rootguard-audit --policy-document file://rootguard-policy.json"""


def add_parser(commands: options.Commands) -> None:
    permissions = commands.add_parser(
        "permissions",
        help="print the least-privilege IAM policy rootguard needs",
        description="Print the read-only IAM policy built from the actions rootguard's collectors declare.",
        epilog=PERMISSIONS_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    permissions.add_argument("--s3-bucket", metavar="BUCKET", help="also allow reading this CloudTrail bucket")
    permissions.add_argument(
        "--org",
        action="store_true",
        help="also what `rootguard org` needs in the management account (Organizations reads, "
        "sts:AssumeRoot limited to IAMAuditRootUserCredentials, sts:AssumeRole into the audit role)",
    )


def run(args: argparse.Namespace) -> int:
    from rootguard.app.permissions import render_policy  # noqa: PLC0415

    sys.stdout.write(render_policy(s3_bucket=args.s3_bucket, organization=args.org))
    return 0
