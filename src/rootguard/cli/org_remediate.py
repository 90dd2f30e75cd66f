"""``rootguard remediate --org``: organization templates, the root-credential clean-up plan, ``--apply``.

``--apply`` deletes credentials in other accounts, so it asks first: the accounts are named on stderr
and the user types their number (or ``yes``). Without a terminal on stdin there is nobody to ask, so it
refuses unless ``--yes`` says the caller (CI) has already decided.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from rootguard.cli import options
from rootguard.errors import UsageError

if TYPE_CHECKING:
    from rootguard.model.root_cleanup import CleanupPlan, MemberOutcome, MemberPlan

INCOMPLETE = 3
"""Exit code when a member could not be cleaned or verified (contract §2: something could not be done)."""
DECLINED = 2

ORG_ONLY = ("ou", "apply", "yes", "log", "profile", "region", "timeout")
APPLY_ONLY = ("log", "profile", "region", "timeout")


def add_org_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("organization (--org)")
    group.add_argument(
        "--org",
        action="store_true",
        help="organization fixes: the audit-role StackSet, the SCP, the AssumeRoot limits and the steps to "
        "enable centralized root access; with --report/--evidence also the root-credential clean-up plan",
    )
    group.add_argument("--ou", metavar="OU_IDS", help="comma-separated ou-xxxx ids the SCP attach commands name")
    group.add_argument(
        "--apply", action="store_true", help="delete the planned member root credentials (asks to confirm)"
    )
    group.add_argument(
        "--yes", action="store_true", help="with --apply: do not ask (for CI; stdin need not be a terminal)"
    )
    group.add_argument(
        "--log", type=Path, metavar="FILE", help="append-only log of --apply (default: rootguard-cleanup.log)"
    )
    group.add_argument(
        "--profile", help="with --apply: AWS profile of the management or delegated-administrator account"
    )
    group.add_argument(
        "--region", help="with --apply: Region of the STS endpoint for AssumeRoot (default: the profile's)"
    )
    group.add_argument(
        "--timeout", type=options.seconds, metavar="DURATION", help="with --apply: " + options.TIMEOUT_HELP
    )


def check_org_only(args: argparse.Namespace) -> None:
    """Organization options without ``--org`` are a usage error, not silently ignored."""
    given = [name for name in ORG_ONLY if getattr(args, name, None) not in (None, False)]
    if given and not args.org:
        raise UsageError(f"--{given[0]} needs --org")


def run(args: argparse.Namespace, *, write: Callable[[dict[str, bytes]], None]) -> int:
    from rootguard.app import org_remediate  # noqa: PLC0415

    has_source = args.report is not None or args.evidence is not None or args.demo
    if args.apply and not has_source:
        raise UsageError("--apply needs the audit to clean up after: --report FILE or --evidence DIR")
    if args.yes and not args.apply:
        raise UsageError("--yes only confirms --apply")
    for name in APPLY_ONLY:
        if getattr(args, name) is not None and not args.apply:
            raise UsageError(f"--{name} is used only with --apply")
    if args.format is None and not has_source:
        raise UsageError(
            "say what to write: --format cloudformation|terraform, and/or --report/--evidence for the plan"
        )
    if args.format is not None and args.out is None and has_source:
        raise UsageError("the templates and the clean-up plan would share stdout: pass --out DIR for the templates")
    if args.format is not None:
        ous = org_remediate.parse_ous(args.ou) if args.ou else ()
        for template in org_remediate.ORG_TEMPLATES:
            print(f"rootguard: {template.template_id}: {template.title}. {template.notes}".rstrip(), file=sys.stderr)
        write(org_remediate.organization_templates(args.format, ous))
    if not has_source:
        return 0
    plan = _plan(args)
    sys.stdout.write(org_remediate.render_plan(plan))
    if not args.apply:
        return 0
    if not plan.members:
        print("rootguard: --apply: nothing to delete", file=sys.stderr)
        return 0
    if not args.yes and not _confirmed(plan):
        print("rootguard: not confirmed; nothing was deleted", file=sys.stderr)
        return DECLINED
    return _apply(args, plan)


def _plan(args: argparse.Namespace) -> CleanupPlan:
    from rootguard.app import demo, org_remediate  # noqa: PLC0415

    if args.report is not None:
        return org_remediate.plan_from_report_file(args.report)
    settings = options.settings(args, demo=demo.demo_files() if args.demo else None)
    if args.demo:
        return org_remediate.plan_from_bundle(demo.demo_bundle(), settings, source="demo")
    return org_remediate.plan_from_bundle(args.evidence, settings)


def _confirmed(plan: CleanupPlan, *, ask: Callable[[str], str] = input) -> bool:
    """Name the accounts; go on only when the answer is their number or ``yes``."""
    from rootguard.app.org_remediate import label  # noqa: PLC0415

    if not sys.stdin.isatty():
        raise UsageError("--apply asks for confirmation on a terminal and stdin is not one; pass --yes to go on anyway")
    count = len(plan.members)
    print(f"rootguard: --apply deletes the root credentials above in {count} member account(s):", file=sys.stderr)
    for member in plan.members:
        print(f"  {label(member)}: {len(member.credentials)} credential(s)", file=sys.stderr)
    print(f'Type {count} (the number of accounts) or "yes" to delete them: ', end="", file=sys.stderr, flush=True)
    try:
        answer = ask("").strip().lower()
    except EOFError:
        return False
    return answer in {str(count), "yes"}


def _apply(args: argparse.Namespace, plan: CleanupPlan) -> int:
    from rootguard.app import org_remediate  # noqa: PLC0415
    from rootguard.app.cleanup_log import DEFAULT_LOG  # noqa: PLC0415

    log = args.log or DEFAULT_LOG

    def progress(member: MemberPlan, outcome: MemberOutcome) -> None:
        verdict = "no root credentials left" if outcome.verified_clean else _problem(outcome)
        print(f"rootguard: {org_remediate.label(member)}: {verdict}", file=sys.stderr)

    result = org_remediate.apply_cleanup(
        plan, log_path=log, profile=args.profile, region=args.region, timeout=args.timeout, on_member=progress
    )
    clean = sum(outcome.verified_clean for outcome in result.outcomes)
    print(f"rootguard: {clean} of {len(result.outcomes)} member(s) verified clean; log: {log}", file=sys.stderr)
    return 0 if result.all_clean else INCOMPLETE


def _problem(outcome: MemberOutcome) -> str:
    if outcome.remaining is None:
        return f"{outcome.failures} step(s) failed and the result could not be verified (see the log)"
    left = ", ".join(f"{credential.kind.value} {credential.id}" for credential in outcome.remaining)
    return f"{outcome.failures} step(s) failed; still held: {left or 'nothing'} (see the log)"
