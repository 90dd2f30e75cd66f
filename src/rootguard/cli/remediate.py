"""``rootguard remediate``: write the infrastructure-as-code that fixes what the findings say is missing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rootguard.cli import options, org_remediate
from rootguard.errors import UsageError

REMEDIATE_EXAMPLES = """\
examples:
  rootguard remediate --format cloudformation --demo           templates for the demo's failing checks
  rootguard remediate --format terraform --report report.json --out ./fix
  rootguard remediate --format terraform --evidence ./evidence --config rootguard.toml
  rootguard remediate --format cloudformation --all --out ./fix  every template, whatever the findings
  rootguard remediate --format terraform --watch --out ./watch  the root activity watcher (`package-watcher` zip)
  rootguard remediate --org --format cloudformation --ou ou-ab12-cdef3456 --out ./org-fix
  rootguard remediate --org --report org-report.json            member root credentials that would be deleted
  rootguard remediate --org --report org-report.json --apply    delete them (asks first; --yes for CI)

With --evidence or --demo the bundle is audited first with the same settings as `rootguard audit`
(rootguard.toml, ROOTGUARD_*, --approvals, check selection), so both agree on what fails.
Templates are parameterised (e-mail address, log group, event bus); read each file's comments before
deploying. Nothing is deployed by rootguard.
"""


def add_parser(commands: options.Commands) -> None:
    remediate = commands.add_parser(
        "remediate",
        help="write CloudFormation or Terraform that fixes failing findings",
        description="Write the remediation templates for the checks that FAIL (or all of them with --all).",
        epilog=REMEDIATE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    remediate.add_argument(
        "--format", choices=["cloudformation", "terraform"], help="required unless --org prints a plan"
    )
    source = remediate.add_mutually_exclusive_group()
    source.add_argument("--report", type=Path, metavar="FILE", help="a `rootguard audit --format json` report")
    source.add_argument("--evidence", type=Path, metavar="DIR", help="audit this bundle offline first")
    source.add_argument("--demo", action="store_true", help="audit the demo bundle first")
    source.add_argument("--all", action="store_true", help="every template, whatever the findings")
    source.add_argument(
        "--watch", action="store_true", help="the root activity watcher (EventBridge, Lambda, SNS) and its org variant"
    )
    remediate.add_argument("--out", type=Path, metavar="DIR", help="write the files here (default: stdout)")
    remediate.add_argument("--force", action="store_true", help="overwrite files that already exist in DIR")
    remediate.add_argument("--approvals", type=Path, metavar="FILE", help="TOML file of approved root-use windows")
    options.add_check_options(remediate)
    org_remediate.add_org_options(remediate)


def run(args: argparse.Namespace) -> int:
    from rootguard.app import remediate  # noqa: PLC0415

    org_remediate.check_org_only(args)
    if args.org:
        return org_remediate.run(args, write=lambda files: _emit(files, args))
    if args.format is None:
        raise UsageError("the following arguments are required: --format")
    failing = set() if args.all or args.watch else _failing_checks(args)
    result = remediate.remediate(failing, args.format, all_templates=args.all, watch=args.watch)
    if result.untemplated:
        print(
            f"rootguard: failing with no template here: {', '.join(result.untemplated)} "
            "(each finding's fix says what to do)",
            file=sys.stderr,
        )
    if not result.templates:
        print("rootguard: nothing to remediate: no failing check has a template", file=sys.stderr)
        return 0
    for template in result.templates:
        print(f"rootguard: {template.template_id}: {template.title}. {template.notes}".rstrip(), file=sys.stderr)
    _emit(result.files, args)
    return 0


def _emit(files: dict[str, bytes], args: argparse.Namespace) -> None:
    """Every file to stdout after a ``# ==> <path> <==`` line, or under ``--out DIR``."""
    if args.out is None:
        for name, content in files.items():
            sys.stdout.write(f"# ==> {name} <==\n{content.decode()}\n")
        return
    _write(files, args.out, force=args.force)
    print(f"rootguard: wrote {len(files)} file(s) to {args.out}", file=sys.stderr)


def _failing_checks(args: argparse.Namespace) -> set[str]:
    from rootguard.app import demo, remediate  # noqa: PLC0415

    if args.report is not None:
        return remediate.failing_in_report(args.report)
    if args.demo or args.evidence is not None:
        settings = options.settings(args, demo=demo.demo_files() if args.demo else None)
        if args.demo:
            return remediate.failing_in_bundle(demo.demo_bundle(), settings, source="demo")
        return remediate.failing_in_bundle(args.evidence, settings)
    raise UsageError("say which findings to fix: --report FILE, --evidence DIR, --demo, --all or --watch")


def _write(files: dict[str, bytes], out: Path, *, force: bool) -> None:
    from rootguard.app.files import write_templates  # noqa: PLC0415

    write_templates(files, out, force=force)
