"""``rootguard org audit`` and ``rootguard org collect``: every account of an AWS Organization in one run."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from rootguard.cli import options, security_hub
from rootguard.cli.audit import add_live_source_options, live_source
from rootguard.cli.render import add_report_options, write_reports
from rootguard.model.thresholds import DEFAULT_ORG_CONCURRENCY

if TYPE_CHECKING:
    from rootguard.app.org import OrgRequest

DEFAULT_AUDIT_ROLE = "OrganizationAccountAccessRole"
DEFAULT_ASSUME_ROOT_RATE = 5.0

ORG_EXAMPLES = """\
examples (run with management-account or delegated-administrator credentials):
  rootguard org audit                                   every member, a matrix of accounts × checks
  rootguard org audit --ou ou-ab12-cdef3456 --format json --output org.json
  rootguard org audit --accounts-file accounts.yml      c7n-org's file: its roles and Regions per account
  rootguard org collect --out ./org-evidence            then, anywhere, offline:
  rootguard audit --evidence ./org-evidence

Each member is read twice, independently: sts:AssumeRoot (IAMAuditRootUserCredentials) for what its root
user holds, and the audit role (--audit-role) for the single-account checks. The management account is
audited with your own credentials (AssumeRoot cannot target it and SCPs do not apply there).
"""

COLLECT_EXAMPLES = """\
examples:
  rootguard org collect --out ./org-evidence
  rootguard org collect --out ./org-evidence --exclude-accounts 111122223333 --no-cloudtrail
  rootguard org collect --out ./org-evidence --audit-role 'arn:aws:iam::{account_id}:role/Audit' --external-id x9

exit codes: 0 every evidence file collected · 2 usage error or unusable input ·
            3 written, but some evidence could not be collected (its files say why)
"""

AUDIT_EXAMPLES = """\
examples:
  rootguard org audit
  rootguard org audit --accounts 111122223333,444455556666 --no-member-audit
  rootguard org audit --concurrency 32 --assume-root-rate 10 --save-evidence ./org-evidence
  rootguard org audit --format json --output org.json --fail-on high

exit codes: 0 clean · 1 a FAIL at or above --fail-on · 2 usage error or unusable input ·
            3 no FAIL, but some check could not be evaluated (ERROR)
"""


def account_ids(text: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    bad = [part for part in ids if not (len(part) == 12 and part.isdigit())]
    if not ids or bad:
        raise argparse.ArgumentTypeError(f"takes comma-separated 12-digit account ids, not {text!r}")
    return ids


def ou_ids(text: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    if not ids or any(not part.startswith("ou-") for part in ids):
        raise argparse.ArgumentTypeError(f"takes comma-separated OU ids (ou-xxxx-xxxxxxxx), not {text!r}")
    return ids


def rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value > 1000:
        raise argparse.ArgumentTypeError(f"takes a number of calls per second above 0, not {text!r}")
    return value


def add_parser(commands: options.Commands, aws: options.Parser) -> None:
    org = commands.add_parser(
        "org",
        help="audit every account of an AWS Organization (org audit, org collect)",
        description="Audit or collect every account of an AWS Organization, from the management account.",
        epilog=ORG_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = org.add_subparsers(dest="org_command", metavar="command", required=True, parser_class=options.Parser)
    collect = actions.add_parser(
        "collect",
        parents=[aws],
        help="write an organization evidence bundle",
        description="Collect every selected account of the organization into one bundle (contract §5.7).",
        epilog=COLLECT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    collect.add_argument("--out", type=Path, metavar="DIR", required=True, help="directory to write the bundle to")
    collect.add_argument("--force", action="store_true", help="write into a non-empty DIR")
    _add_org_options(collect)
    audit = actions.add_parser(
        "audit",
        parents=[aws],
        help="audit every selected account and the organization's root controls",
        description="Collect the organization (into a private temporary bundle unless --save-evidence) and "
        "evaluate it as `rootguard audit --evidence` does.",
        epilog=AUDIT_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    audit.add_argument("--save-evidence", type=Path, metavar="DIR", help="keep the organization bundle in DIR")
    audit.add_argument("--force", action="store_true", help="with --save-evidence: write into a non-empty DIR")
    audit.add_argument(
        "--as-of", type=options.as_of, metavar="TIMESTAMP", help="evaluate as of this time (default: collection time)"
    )
    options.add_verdict_options(audit)
    options.add_check_options(audit)
    _add_org_options(audit)
    add_report_options(audit, "audit")
    security_hub.add_option(audit)
    for parser in (collect, audit):
        parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _add_org_options(parser: argparse.ArgumentParser) -> None:
    selection = parser.add_argument_group("selection (default: every account; excluded accounts are named)")
    selection.add_argument("--accounts", type=account_ids, metavar="IDS", help="comma-separated account ids to include")
    selection.add_argument(
        "--exclude-accounts", type=account_ids, metavar="IDS", help="comma-separated account ids to leave out"
    )
    selection.add_argument(
        "--ou", type=ou_ids, metavar="OU_IDS", help="comma-separated OU ids: accounts anywhere under them"
    )
    selection.add_argument(
        "--accounts-file",
        type=Path,
        metavar="FILE",
        help="c7n-org accounts.yml: only its accounts, each with its role (or role chain), external_id and regions",
    )
    member = parser.add_argument_group("member accounts")
    member.add_argument(
        "--audit-role",
        metavar="NAME|ARN",
        default=DEFAULT_AUDIT_ROLE,
        help=f"role assumed in each member for the single-account audit (default {DEFAULT_AUDIT_ROLE}; "
        "an ARN may contain {account_id})",
    )
    member.add_argument("--external-id", metavar="ID", help="ExternalId for --audit-role")
    member.add_argument(
        "--concurrency",
        type=options.positive_int,
        metavar="N",
        default=DEFAULT_ORG_CONCURRENCY,
        help=f"accounts audited at once (default {DEFAULT_ORG_CONCURRENCY})",
    )
    member.add_argument(
        "--assume-root-rate",
        type=rate,
        metavar="N",
        default=DEFAULT_ASSUME_ROOT_RATE,
        help=f"at most N sts:AssumeRoot calls per second (default {DEFAULT_ASSUME_ROOT_RATE:g}; throttling is "
        "also retried)",
    )
    member.add_argument(
        "--no-assume-root",
        action="store_true",
        help="skip the AssumeRoot probe (org-member-root-credentials is then SKIPPED)",
    )
    member.add_argument(
        "--no-member-audit",
        action="store_true",
        help="skip the audit-role probe (the single-account checks of members are then SKIPPED)",
    )
    add_live_source_options(parser)


def org_request(args: argparse.Namespace) -> OrgRequest:
    from rootguard.app.org import OrgRequest  # noqa: PLC0415 - keeps `--help` fast

    return OrgRequest(
        live=live_source(args),
        include=args.accounts or (),
        exclude=args.exclude_accounts or (),
        ous=args.ou or (),
        accounts_file=args.accounts_file,
        audit_role=args.audit_role,
        external_id=args.external_id,
        concurrency=args.concurrency,
        assume_root_rate=args.assume_root_rate,
        assume_root=not args.no_assume_root,
        member_audit=not args.no_member_audit,
    )


def run(args: argparse.Namespace) -> int:
    if args.org_command == "collect":
        return run_collect(args)
    return run_audit(args)


def run_collect(args: argparse.Namespace) -> int:
    from rootguard.app.org import org_collect  # noqa: PLC0415

    request = org_request(args)
    with progress(args.quiet) as update:
        result = org_collect(request, args.out, force=args.force, progress=update, warn=warn)
    wrote = f"wrote {result.files} evidence files for {len(result.accounts)} accounts to {result.out}"
    print(f"rootguard: {wrote}", file=sys.stderr)
    if result.excluded:
        shown = ", ".join(f"{account} ({why})" for account, why in list(result.excluded.items())[:10])
        more = f" and {len(result.excluded) - 10} more" if len(result.excluded) > 10 else ""
        print(f"rootguard: excluded: {shown}{more}", file=sys.stderr)
    print(f"rootguard: {result.summary}", file=sys.stderr)
    return 3 if result.failures else 0  # contract §2: finished, but some evidence could not be collected


def run_audit(args: argparse.Namespace) -> int:
    from rootguard.app.org import org_audit  # noqa: PLC0415

    settings = options.settings(args)
    request = org_request(args)
    with progress(args.quiet) as update:
        report = org_audit(
            settings,
            request,
            as_of=args.as_of,
            save_to=args.save_evidence,
            force=args.force,
            progress=update,
            warn=warn,
        )
    write_reports(report, args, "audit")
    return security_hub.send_if_asked(args, report, report.exit_code(settings.fail_on))


def warn(line: str) -> None:
    print(f"rootguard: {line}", file=sys.stderr)


def progress(quiet: bool) -> AbstractContextManager[Callable[[int, int], None]]:
    """Accounts done / accounts in all, on a terminal unless --quiet."""
    from rootguard.report.progress import progress_bar  # noqa: PLC0415

    return progress_bar(enabled=not quiet and sys.stderr.isatty(), description="Auditing accounts")
