"""``--send-to-security-hub`` (audit, org audit): after the report is written, import its findings.

What the user sees: one line on stderr with what was sent, then one line per finding Security Hub
refused and per account whose findings only that account can send. The exit code is the audit's, or 3
when something asked for was not sent (a FAIL's 1 still wins, as in contract §2).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from rootguard.errors import SecurityHubError, UsageError

if TYPE_CHECKING:
    from rootguard.model.findings import AuditReport

HELP = (
    "after writing the report, import its findings into AWS Security Hub (BatchImportFindings, the calling "
    "account's default integration in its Region; a re-run updates them)"
)
NOT_SENT = 3


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--send-to-security-hub", action="store_true", help=HELP)


def send_if_asked(args: argparse.Namespace, report: AuditReport, exit_code: int) -> int:
    """The exit code once the findings were sent (or not asked to be)."""
    if not getattr(args, "send_to_security_hub", False):
        return exit_code
    if getattr(args, "demo", False):
        raise UsageError("--send-to-security-hub sends a real account's findings; the demo's accounts are not real")
    from rootguard.app.publish import send_to_security_hub  # noqa: PLC0415 - loads boto3
    from rootguard.report.asff import asff_findings  # noqa: PLC0415

    try:
        published = send_to_security_hub(
            lambda region: asff_findings(report, region=region),
            profile=getattr(args, "profile", None),
            region=getattr(args, "region", None),
            timeout=getattr(args, "timeout", None),
        )
    except SecurityHubError as error:
        print(f"rootguard: error: {error}", file=sys.stderr)
        return exit_code if exit_code == 1 else NOT_SENT
    print(
        f"rootguard: sent {published.sent} finding(s) of account {published.account_id} to Security Hub in "
        f"{published.region} ({published.calls} BatchImportFindings call(s))",
        file=sys.stderr,
    )
    for finding_id, code, message in published.rejected:
        print(f"rootguard: Security Hub refused {finding_id}: {code}: {message}", file=sys.stderr)
    if published.other_accounts:
        print(
            f"rootguard: not sent: the findings of {', '.join(published.other_accounts)}; Security Hub takes an "
            "account's findings only from that account (run with its credentials)",
            file=sys.stderr,
        )
    return exit_code if published.complete or exit_code == 1 else NOT_SENT
