"""docs/CONTRACT.md and the JSON Schemas beside it are the user-facing contract: keep them and the code in step.

Everything the code knows (check ids, commands and options, exit codes, bundle paths, settings,
templates, enum values) must be written in the contract, and what the CLI writes must validate
against docs/report.schema.json and docs/activity.schema.json. The parser is found at test time
(``rootguard.cli.main.build_parser``) and walked generically, whichever module adds each command.
"""

from __future__ import annotations

import argparse
import copy
import importlib
import json
import os
import pkgutil
import re
from collections.abc import Callable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
CONTRACT = DOCS / "CONTRACT.md"
REPORT_SCHEMA = DOCS / "report.schema.json"
ACTIVITY_SCHEMA = DOCS / "activity.schema.json"
GOLDEN_REPORT = ROOT / "tests" / "golden" / "demo-report.json"
GOLDEN_ACTIVITY = ROOT / "tests" / "golden" / "demo-activity.json"

STABLE_SECTIONS = {
    1: "Commands",
    2: "Exit codes",
    3: "Statuses",
    4: "JSON report",
    5: "Evidence bundle",
    6: "Approvals file",
    7: "Activity JSON",
}
"""Code and documents cite these numbers ("contract §5"): they never move."""


# The contract, by section -----------------------------------------------------------------------------


@cache
def contract() -> str:
    return CONTRACT.read_text(encoding="utf-8")


def section(number: int) -> str:
    """The text of ``## <number>. …`` up to the next top-level section."""
    found = re.search(rf"^## {number}\. [^\n]*\n(.*?)(?=^## \d+\. |\Z)", contract(), re.MULTILINE | re.DOTALL)
    assert found, f"docs/CONTRACT.md has no section {number}"
    return found.group(1)


def subsection(text: str, heading: str) -> str:
    """The text of the ``### …`` heading that contains ``heading``, up to the next heading."""
    found = re.search(rf"^### [^\n]*{re.escape(heading)}[^\n]*\n(.*?)(?=^##|\Z)", text, re.MULTILINE | re.DOTALL)
    assert found, f"docs/CONTRACT.md has no subsection for {heading}"
    return found.group(1)


def table_rows(text: str, first_cell: str) -> list[list[str]]:
    """The cells of the Markdown table rows whose first cell is ``first_cell``."""
    rows = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if line.startswith("|") and cells[0] == first_cell:
            rows.append(cells)
    return rows


def table_keys(text: str, header: str) -> list[str]:
    """The first cells of the body rows of the table whose header row starts with ``| <header> |``."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if line.startswith(f"| {header} |")), None)
    assert start is not None, f"no table headed {header!r}"
    body = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        body.append(line.strip("|").split(" | ")[0].strip())
    return body


def test_the_cited_sections_keep_their_numbers_and_meaning() -> None:
    headings = re.findall(r"^## (\d+)\. ([^\n]+)$", contract(), re.MULTILINE)
    numbers = [int(number) for number, _ in headings]
    assert numbers == list(range(1, len(numbers) + 1)), "sections are numbered 1, 2, 3 … in order"
    titles = {int(number): title for number, title in headings}
    for number, title in STABLE_SECTIONS.items():
        assert titles[number].startswith(title), f"§{number} is {titles[number]!r}, cited as {title!r}"
    assert len(numbers) > len(STABLE_SECTIONS), "settings, checks, templates and versioning follow §7"


# Checks (§9) ------------------------------------------------------------------------------------------


def registered_checks() -> tuple[Any, ...]:
    return tuple(importlib.import_module("rootguard.checks").ALL_CHECKS)


def cis_cell(spec: Any, framework: str) -> str:
    requirements = spec.frameworks.get(framework, ())
    return ", ".join(requirements) if requirements else "—"


def test_every_registered_check_is_in_the_contract_with_its_title_references_and_severity() -> None:
    checks = section(9)
    for spec in registered_checks():
        rows = table_rows(checks, f"`{spec.check_id}`")
        assert len(rows) == 1, f"check {spec.check_id} is registered but not in the §9 table of docs/CONTRACT.md"
        (row,) = rows
        assert row[1:] == [
            spec.title,
            cis_cell(spec, "cis-aws-3.0.0"),
            cis_cell(spec, "cis-aws-5.0.0"),
            cis_cell(spec, "cis-aws-6.0.0"),
            spec.severity.value,
        ], f"§9 row of {spec.check_id} disagrees with its CheckSpec"
        assert f"**`{spec.check_id}`**" in checks, f"§9 does not say which statuses {spec.check_id} gives"
        known = {"cis-aws-3.0.0", "cis-aws-5.0.0", "cis-aws-6.0.0"}
        assert set(spec.frameworks) <= known, f"{spec.check_id}: add a column for {set(spec.frameworks) - known}"


def test_the_contract_lists_exactly_the_registered_checks_in_report_order() -> None:
    listed = [cell.strip("`") for cell in table_keys(section(9), "check_id")]
    assert listed == [spec.check_id for spec in registered_checks()]


# Commands and options (§1) ----------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Whatever module builds the parser, ``rootguard.cli.main.build_parser`` returns it."""
    parser: argparse.ArgumentParser = importlib.import_module("rootguard.cli.main").build_parser()
    return parser


def commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ("rootguard",)
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """The parser and every subcommand's parser, at any depth, with the words that reach it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield from commands(subparser, (*path, name))


def is_help(action: argparse.Action) -> bool:
    return isinstance(action, argparse._HelpAction)


def test_the_parser_has_the_commands_of_the_contract() -> None:
    names = {" ".join(path) for path, _ in commands(build_parser())}
    assert names >= {f"rootguard {c}" for c in ("audit", "collect", "activity", "remediate", "permissions")}


def test_every_subcommand_is_in_the_contract() -> None:
    overview = section(1)
    for path, _ in commands(build_parser()):
        if len(path) > 1:
            assert f"`{' '.join(path)}" in overview, f"`{' '.join(path)}` is not in §1 of docs/CONTRACT.md"


def test_every_option_of_every_command_is_in_its_subsection_of_the_contract() -> None:
    overview = section(1)
    missing = []
    for path, parser in commands(build_parser()):
        name = " ".join(path)
        text = overview if len(path) == 1 else subsection(overview, f"`{name}`")
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            if is_help(action):
                missing += [f"{name} {s}" for s in action.option_strings if f"`{s}`" not in overview]
                continue
            if not action.option_strings:
                shown = action.metavar if isinstance(action.metavar, str) else action.dest
                missing += [] if shown in text else [f"{name} {shown} (positional)"]
            missing += [f"{name} {s}" for s in action.option_strings if f"`{s}" not in text]
            if action.choices is not None:
                missing += [f"{name} {action.option_strings} {c!r}" for c in action.choices if f"`{c}`" not in text]
    assert not missing, f"options missing from §1 of docs/CONTRACT.md: {missing}"


# Exit codes (§2) --------------------------------------------------------------------------------------


def exit_codes_in(text: str, marker: str) -> set[int]:
    """The codes listed after ``marker`` in ``0 clean · 1 a FAIL …`` or ``0 clean, 1 a FAIL …`` form."""
    if marker not in text:
        return set()
    listing = text.split(marker, 1)[1].split("\n\n", 1)[0]
    listing = listing.split(":", 1)[1] if listing.lstrip().startswith("(") else listing
    return {int(found) for found in re.findall(r"(?:^|[·,:])\s*(\d{1,3})\s+[a-zA-Z]", listing)}


def cli_exit_codes() -> set[int]:
    """Every exit code the CLI documents: --help's epilogs, the main module, the errors it maps."""
    codes = {0}  # --help and --version
    for _, parser in commands(build_parser()):
        codes |= exit_codes_in(parser.epilog or "", "exit codes:")
    main = importlib.import_module("rootguard.cli.main")
    codes |= exit_codes_in(main.__doc__ or "", "Exit codes")
    errors = importlib.import_module("rootguard.errors")
    codes |= {
        error.exit_code
        for error in vars(errors).values()
        if isinstance(error, type) and issubclass(error, errors.RootguardError)
    }
    return codes


def test_every_exit_code_the_cli_documents_is_in_the_contract() -> None:
    documented = {int(cell) for cell in table_keys(section(2), "code")}
    found = cli_exit_codes()
    assert found >= {0, 1, 2, 3}, f"the CLI's help no longer lists its exit codes: {found}"
    assert found | {130} <= documented, f"exit codes missing from §2: {sorted((found | {130}) - documented)}"


# Statuses, severities and enum values (§3, §4, §7) ----------------------------------------------------


def test_every_status_severity_and_gap_kind_is_in_the_contract() -> None:
    findings = importlib.import_module("rootguard.model.findings")
    gaps = importlib.import_module("rootguard.model.gaps")
    statuses = section(3)
    assert {cell.strip("`") for cell in table_keys(statuses, "status")} == {s.value for s in findings.Status}
    for severity in findings.Severity:
        assert f"`{severity.value}`" in statuses
    for kind in gaps.GapKind:
        assert f'"{kind.value}"' in section(4)


def test_every_activity_category_session_kind_and_flag_is_in_the_contract() -> None:
    activity = section(7)
    categories = importlib.import_module("rootguard.model.activity").Category
    listed = [cell.strip("`") for cell in table_keys(activity, "category")]
    assert listed == [c.value for c in categories]
    for kind in importlib.import_module("rootguard.analysis.sessions").SessionKind:
        assert f"`{kind.value}`" in activity
    for flag in importlib.import_module("rootguard.analysis.classify").Flag:
        assert f"`{flag.value}`" in activity


# Evidence bundle (§5) ---------------------------------------------------------------------------------


def demo_bundle() -> Path:
    return Path(str(resources.files("rootguard") / "demo" / "bundle"))


def demo_placements(service: str, name: str) -> set[str]:
    """Where the demo bundle stores the operation's files: ``global`` and/or ``<region>``."""
    found = set()
    for path in demo_bundle().glob(f"*/*/{service}/{name}*"):
        found.add("global" if path.parent.parent.name == "global" else "<region>")
    return found


def test_every_operation_has_its_bundle_path_in_the_contract() -> None:
    bundle = section(5)
    operations = importlib.import_module("rootguard.model.operations")
    missing = []
    for op in operations.OPERATIONS:
        tail = r"/<[a-z-]+>\.json" if op.resource_option else r"\.json"
        pattern = rf"DIR/<account>/(global|<region>)/{re.escape(op.service)}/{re.escape(op.name)}{tail}\s"
        placements = {m.group(1) for m in re.finditer(pattern, bundle)}
        if not placements:
            missing.append(f"<account>/…/{op.service}/{op.name}" + ("/<name>.json" if op.resource_option else ".json"))
            continue
        demo = demo_placements(op.service, op.name)
        assert not demo or demo <= placements, f"{op.service}/{op.name}: the demo bundle has it under {demo}"
        assert f"`aws {op.service} {op.name}" in bundle, f"§5 does not name the command of {op.service}/{op.name}"
    assert not missing, f"bundle paths missing from §5 of docs/CONTRACT.md: {missing}"


def test_the_cloudtrail_forms_manifest_and_error_document_are_in_the_contract() -> None:
    bundle = section(5)
    trail = importlib.import_module("rootguard.evidence.cloudtrail")
    lookups = importlib.import_module("rootguard.collect.cloudtrail")
    manifest = importlib.import_module("rootguard.evidence.manifest")
    store = importlib.import_module("rootguard.evidence.store")

    assert f"DIR/{trail.logs_prefix('<account>')}…" in bundle
    assert f"DIR/{trail.lookup_path('<account>', '<region>/<question>')}" in bundle
    assert f"DIR/{trail.lookup_path('<account>', 'regions')}" in bundle
    for question, attribute, value in lookups.QUESTIONS:
        assert f"`{question}` (`" in bundle, f"§5 does not name the LookupEvents question {question}"
        assert f"AttributeKey={attribute},AttributeValue={value}" in bundle
    assert f'"format": "{manifest.FORMAT}"' in bundle
    assert f"DIR/{manifest.MANIFEST}" in bundle
    assert json.dumps(store.error_document("AccessDenied", "…"), ensure_ascii=False) in bundle
    assert "0600" in bundle
    assert "0700" in bundle
    assert "sha256" in bundle


# Settings (§8) and templates (§10) --------------------------------------------------------------------


def config_modules() -> Iterator[Any]:
    package = importlib.import_module("rootguard.config")
    for info in pkgutil.iter_modules(package.__path__):
        yield importlib.import_module(f"rootguard.config.{info.name}")


def test_every_environment_variable_is_in_the_contract() -> None:
    settings = section(8)
    found = set()
    for path in (ROOT / "src" / "rootguard").rglob("*.py"):
        found |= set(re.findall(r"\bROOTGUARD_[A-Z][A-Z_]*[A-Z]\b", path.read_text(encoding="utf-8")))
    assert "ROOTGUARD_CONFIG" in found
    missing = sorted(name for name in found if f"`{name}`" not in settings)
    assert not missing, f"ROOTGUARD_* variables missing from §8 of docs/CONTRACT.md: {missing}"


def test_every_settings_file_key_is_in_the_contract() -> None:
    settings = section(8)
    keys: dict[str, set[str]] = {}
    for module in config_modules():
        for name in ("TOP_KEYS", "THRESHOLD_KEYS", "ATTESTATION_KEYS"):
            keys.setdefault(name, set()).update(getattr(module, name, set()))
    assert keys["TOP_KEYS"] >= {"window", "fail_on", "approvals", "thresholds", "checks", "break_glass"}
    for key in keys["TOP_KEYS"]:
        assert re.search(rf"`{key}[`.]", settings), f"rootguard.toml key {key} is not in §8"
    for key in keys["THRESHOLD_KEYS"]:
        assert f"`thresholds.{key}`" in settings, f"rootguard.toml key thresholds.{key} is not in §8"
    for key in keys["ATTESTATION_KEYS"]:
        assert f"| `{key}` |" in settings, f"[[break_glass.attestation]] key {key} is not in §8"
    kinds = importlib.import_module("rootguard.model.break_glass").AttestationKind
    for kind in kinds:
        assert f"`{kind.value}`" in settings


def test_every_remediation_template_is_in_the_contract() -> None:
    templates = section(10)
    catalog = importlib.import_module("rootguard.remediation.catalog")
    listed = [cell.strip("`") for cell in table_keys(templates, "template id")]
    assert listed == [t.template_id for t in catalog.CATALOG]
    for template in catalog.CATALOG:
        (row,) = table_rows(templates, f"`{template.template_id}`")
        assert row[1] == template.title
        for check_id in template.fixes:
            assert f"`{check_id}`" in row[2]
        for fmt, paths in template.files.items():
            cell = row[3] if fmt.value == "cloudformation" else row[4]
            for path in paths:
                folder, _, name = path.rpartition("/")
                if path.startswith("terraform/"):
                    assert f"`{folder}/`" in cell and f"`{name}`" in cell, f"{path} is not in §10"
                else:
                    assert f"`{path}`" in cell, f"{path} is not in §10"


def test_nothing_points_at_the_contract_outside_the_repository() -> None:
    needle = "shared/" + "CONTRACT"
    skip = {".venv", ".git", "__pycache__", ".hypothesis", ".mypy_cache", ".ruff_cache", "fixtures"}
    offenders = []
    for path in ROOT.rglob("*"):
        relative = path.relative_to(ROOT)
        if not path.is_file() or skip.intersection(relative.parts) or relative.parts[0].endswith(".egg-info"):
            continue
        if any(part.endswith(".egg-info") for part in relative.parts) or path.suffix in {".gz", ".pyc"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        offenders += [f"{relative}:{n}" for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert not offenders, f"the contract is docs/CONTRACT.md; these still point elsewhere: {offenders}"


# The JSON Schemas (§4, §7) ----------------------------------------------------------------------------


def validator(path: Path) -> Draft202012Validator:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def problems(path: Path, document: Any) -> list[str]:
    found = validator(path).iter_errors(document)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in found]


def run_cli(argv: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    """``rootguard <argv> --output FILE`` in this process, away from the developer's settings."""
    for name in [n for n in os.environ if n.startswith("ROOTGUARD_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    output = tmp_path / "out.json"
    main: Callable[[list[str]], int] = importlib.import_module("rootguard.cli.main").main
    code = main([*argv, "--output", str(output)])
    return code, json.loads(output.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        code, report = run_cli(
            ["audit", "--demo", "--format", "json"], monkeypatch, tmp_path_factory.mktemp("demo-report")
        )
    assert code == 1, "the demo fails on purpose"
    return report


@pytest.fixture(scope="module")
def demo_activity(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _, document = run_cli(
            ["activity", "--demo", "--format", "json"], monkeypatch, tmp_path_factory.mktemp("demo-activity")
        )
    return document


def test_the_schemas_are_valid_draft_2020_12() -> None:
    validator(REPORT_SCHEMA)
    validator(ACTIVITY_SCHEMA)


def test_the_demo_report_follows_the_schema(demo_report: dict[str, Any]) -> None:
    assert problems(REPORT_SCHEMA, demo_report) == []


def test_the_golden_demo_report_follows_the_schema() -> None:
    assert problems(REPORT_SCHEMA, json.loads(GOLDEN_REPORT.read_text(encoding="utf-8"))) == []


def test_the_example_in_the_contract_follows_the_schema() -> None:
    example = section(4).split("```json\n", 1)[1].split("\n```", 1)[0]
    assert problems(REPORT_SCHEMA, json.loads(example)) == []


def test_the_demo_report_keeps_what_the_schema_cannot_say(demo_report: dict[str, Any]) -> None:
    """One finding per selected check per account, in §9's order; the summary counts them."""
    order = [spec.check_id for spec in registered_checks()]
    counts = dict.fromkeys(demo_report["summary"], 0)
    for account in demo_report["accounts"]:
        ids = [finding["check_id"] for finding in account["findings"]]
        assert ids == sorted(ids, key=order.index), "findings come in report order"
        assert len(ids) == len(set(ids)), f"a check appears twice for {account['account_id']}"
        for finding in account["findings"]:
            counts[finding["status"]] += 1
            assert finding["resource"] == f"arn:aws:iam::{account['account_id']}:root"
    assert counts == demo_report["summary"]


def mutate(document: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    change(changed)
    return changed


def first_finding(report: dict[str, Any]) -> dict[str, Any]:
    finding: dict[str, Any] = report["accounts"][0]["findings"][0]
    return finding


BROKEN_REPORTS: dict[str, Callable[[dict[str, Any]], None]] = {
    "a made-up status": lambda r: first_finding(r).update(status="MAYBE"),
    "a lower-case status": lambda r: first_finding(r).update(status="fail"),
    "a made-up severity": lambda r: first_finding(r).update(severity="urgent"),
    "another schema": lambda r: r.update(schema="rootguard/report@2"),
    "an account id as a number": lambda r: r["accounts"][0].update(account_id=210987654321),
    "an account id of 11 digits": lambda r: r["accounts"][0].update(account_id="10987654321"),
    "a timestamp with an offset": lambda r: r.update(as_of="2026-11-20T12:00:00+00:00"),
    "a timestamp without a time zone": lambda r: r.update(as_of="2026-11-20T12:00:00"),
    "a date for a timestamp": lambda r: r.update(as_of="2026-11-20"),
    "a finding without a check id": lambda r: first_finding(r).pop("check_id"),
    "a finding without evidence": lambda r: first_finding(r).pop("evidence"),
    "evidence that is a list": lambda r: first_finding(r).update(evidence=[]),
    "frameworks with a bare string": lambda r: first_finding(r).update(frameworks={"cis-aws-3.0.0": "1.7"}),
    "a summary without ERROR": lambda r: r["summary"].pop("ERROR"),
    "a summary with a made-up status": lambda r: r["summary"].update(MAYBE=0),
    "a negative count": lambda r: r["summary"].update(PASS=-1),
    "no tool": lambda r: r.pop("tool"),
    "a gap of a made-up kind": lambda r: first_finding(r)["evidence"].update(
        gaps=[{"source": "x", "kind": "lost", "code": None, "reason": "r", "fix": "f"}]
    ),
}


@pytest.mark.parametrize("breakage", BROKEN_REPORTS, ids=list(BROKEN_REPORTS))
def test_the_report_schema_is_not_vacuous(demo_report: dict[str, Any], breakage: str) -> None:
    assert problems(REPORT_SCHEMA, mutate(demo_report, BROKEN_REPORTS[breakage])), f"{breakage} passed the schema"


def test_the_report_schema_lets_the_report_grow(demo_report: dict[str, Any]) -> None:
    """§11: new fields at the top, in accounts, findings and evidence, and new checks, never break readers."""

    def extend(report: dict[str, Any]) -> None:
        report["organization"] = {"id": "o-example"}
        report["accounts"][0]["alias"] = "prod"
        first_finding(report)["since"] = "2026-01-01T00:00:00Z"
        first_finding(report)["evidence"]["anything"] = [1, {"nested": True}]
        first_finding(report)["frameworks"]["nist-800-53"] = ["AC-6"]
        new = dict(first_finding(report), check_id="root-new-check-2")
        report["accounts"][0]["findings"].append(new)

    assert problems(REPORT_SCHEMA, mutate(demo_report, extend)) == []


def test_the_demo_activity_follows_its_schema(demo_activity: dict[str, Any]) -> None:
    assert demo_activity["events"], "the demo holds root activity"
    assert problems(ACTIVITY_SCHEMA, demo_activity) == []


def test_the_golden_demo_activity_follows_its_schema() -> None:
    assert problems(ACTIVITY_SCHEMA, json.loads(GOLDEN_ACTIVITY.read_text(encoding="utf-8"))) == []


BROKEN_ACTIVITY: dict[str, Callable[[dict[str, Any]], None]] = {
    "a made-up category": lambda d: d["events"][0].update(category="suspicious"),
    "mfa as text": lambda d: d["events"][0].update(mfa="yes"),
    "an event without a time": lambda d: d["events"][0].pop("event_time"),
    "a made-up session kind": lambda d: d["sessions"][0].update(kind="web"),
    "another schema": lambda d: d.update(schema="rootguard/activity@2"),
    "a skipped source without a reason": lambda d: d["sources"]["skipped"].append({"path": "x"}),
}


@pytest.mark.parametrize("breakage", BROKEN_ACTIVITY, ids=list(BROKEN_ACTIVITY))
def test_the_activity_schema_is_not_vacuous(demo_activity: dict[str, Any], breakage: str) -> None:
    assert problems(ACTIVITY_SCHEMA, mutate(demo_activity, BROKEN_ACTIVITY[breakage])), f"{breakage} passed"
