"""``rootguard remediate``: the infrastructure-as-code that fixes what the findings say is missing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rootguard.cli.support import Parser
from rootguard.errors import OutputError, UsageError

REMEDIATE_EXAMPLES = """\
examples:
  rootguard remediate --format cloudformation --demo           templates for the demo's failing checks
  rootguard remediate --format terraform --report report.json --out ./fix
  rootguard remediate --format cloudformation --all --out ./fix  every template, whatever the findings

Templates are parameterised (e-mail address, log group, event bus); read each file's comments before
deploying. Nothing is deployed by rootguard.
"""


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    remediate = commands.add_parser(
        "remediate",
        help="write CloudFormation or Terraform that fixes failing findings",
        description="Write the remediation templates for the checks that FAIL (or all of them with --all).",
        epilog=REMEDIATE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    remediate.add_argument("--format", choices=["cloudformation", "terraform"], required=True)
    source = remediate.add_mutually_exclusive_group()
    source.add_argument("--report", type=Path, metavar="FILE", help="a `rootguard audit --format json` report")
    source.add_argument("--evidence", type=Path, metavar="DIR", help="audit this bundle offline first")
    source.add_argument("--demo", action="store_true", help="audit the demo bundle first")
    source.add_argument("--all", action="store_true", help="every template, whatever the findings")
    remediate.add_argument("--out", type=Path, metavar="DIR", help="write the files here (default: stdout)")
    remediate.add_argument("--force", action="store_true", help="overwrite files that already exist in DIR")


def run(args: argparse.Namespace) -> int:
    from rootguard import remediation  # noqa: PLC0415

    failing = set() if args.all else _failing_checks(args)
    chosen = remediation.select_templates(failing, all_templates=args.all)
    if not chosen:
        print("rootguard: nothing to remediate: no failing check has a template", file=sys.stderr)
        return 0
    fmt = remediation.TemplateFormat(args.format)
    files: dict[str, bytes] = {}
    for template in chosen:
        files.update(remediation.render(template, fmt))
        print(f"rootguard: {template.template_id}: {template.title}. {template.notes}".rstrip(), file=sys.stderr)
    if args.out is None:
        for name, content in files.items():
            sys.stdout.write(f"# ==> {name} <==\n{content.decode()}\n")
        return 0
    _write(files, args.out, force=args.force)
    print(f"rootguard: wrote {len(files)} file(s) to {args.out}", file=sys.stderr)
    return 0


def _failing_checks(args: argparse.Namespace) -> set[str]:
    if args.report is not None:
        return _from_report(args.report)
    if args.demo or args.evidence is not None:
        from rootguard.app import audit  # noqa: PLC0415

        bundle = audit.demo_bundle() if args.demo else args.evidence
        report = audit.audit_bundle(bundle, audit.AuditOptions(approvals=audit.demo_approvals() if args.demo else ()))
        return {f.check_id for a in report.accounts for f in a.findings if f.status.value == "FAIL"}
    raise UsageError("say which findings to fix: --report FILE, --evidence DIR, --demo, or --all")


def _from_report(path: Path) -> set[str]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return {
            finding["check_id"]
            for account in document["accounts"]
            for finding in account["findings"]
            if finding["status"] == "FAIL"
        }
    except FileNotFoundError:
        raise UsageError(f"report not found: {path}") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UsageError(f"{path} is not a rootguard JSON report ({error})") from None


def _write(files: dict[str, bytes], out: Path, *, force: bool) -> None:
    existing = [name for name in files if (out / name).exists()]
    if existing and not force:
        raise OutputError(f"{out / existing[0]} already exists; pass --force to overwrite")
    try:
        for name, content in files.items():
            target = out / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    except OSError as error:
        raise OutputError(f"cannot write templates under {out}: {error.strerror or error}") from None
