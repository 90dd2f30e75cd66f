"""An organization bundle audited through `rootguard audit --evidence DIR` (the CLI in-process), its JSON
validated by docs/report.schema.json, its matrix, and single-account bundles left exactly as they were."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from builders import AccountBuilder, context
from org_builders import DENY_ROOT_NOT_ACTION, DEV, MANAGEMENT, PROD, OrgBuilder
from rootguard.app.evaluate import evaluate
from rootguard.checks import ALL_CHECKS, ORGANIZATION_CHECKS
from rootguard.cli.main import main
from rootguard.evidence.bundle import open_bundle
from rootguard.model.findings import Status
from rootguard.report.matrix import render_matrix
from rootguard.report.table import render_table

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "report.schema.json").read_text())
SUSPENDED = "444444444444"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [n for n in os.environ if n.startswith("ROOTGUARD_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def organization(tmp_path: Path) -> Path:
    """Four accounts: a healthy Prod member, a Dev member whose root holds a password under an allow-list SCP,
    and a suspended member with no files at all (it still has a row)."""
    builder = OrgBuilder()
    builder.accounts.append(SUSPENDED)
    builder.states[SUSPENDED] = "SUSPENDED"
    builder.state(SUSPENDED, "SUSPENDED")
    builder.children("ou-ab12-prod", PROD, SUSPENDED)
    builder.attach(SUSPENDED, "FullAWSAccess")
    builder.root_file(DEV, "iam/get-login-profile.json", {"LoginProfile": {"CreateDate": "2024-01-01T00:00:00Z"}})
    builder.policy("DenyRootOld", DENY_ROOT_NOT_ACTION)
    builder.attach("ou-ab12-dev0", "FullAWSAccess", "DenyRootOld")
    builder.put(
        "organization/selection.json",
        {
            "management_account_id": MANAGEMENT,
            "audit_role": "OrganizationAccountAccessRole",
            "accounts_file": None,
            "ous": [],
            "include": [],
            "exclude": ["555555555555"],
            "excluded": {"555555555555": "--exclude-accounts"},
        },
    )
    documents = {p: d for p, d in builder.documents.items() if not p.startswith(f"{SUSPENDED}/")}
    builder.documents = documents
    return builder.write(tmp_path / "org")


def audit_json(capsys: pytest.CaptureFixture[str], bundle: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    code = main(["audit", "--evidence", str(bundle), "--format", "json", *extra])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def test_an_organization_bundle_audits_every_account_with_the_org_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = audit_json(capsys, organization(tmp_path))
    errors = [e.message for e in Draft202012Validator(SCHEMA).iter_errors(report)]
    assert errors == []
    assert code == 1  # the worst status: FAILs of the Dev member
    assert [a["account_id"] for a in report["accounts"]] == [MANAGEMENT, PROD, DEV, SUSPENDED]
    checks = len(ALL_CHECKS) + len(ORGANIZATION_CHECKS)
    assert sum(report["summary"].values()) == 4 * checks
    rows = {a["account_id"]: a for a in report["accounts"]}
    assert rows[MANAGEMENT]["management"] is True and "management" not in rows[PROD]
    assert rows[PROD]["ou_path"] == "Root/Workloads/Prod" and rows[PROD]["state"] == "ACTIVE"
    assert rows[PROD]["name"] == "acct-222"
    status = {a: {f["check_id"]: f["status"] for f in rows[a]["findings"]} for a in rows}
    assert set(status[SUSPENDED].values()) == {"SKIPPED"}
    assert "SUSPENDED" in rows[SUSPENDED]["findings"][0]["message"]
    assert status[MANAGEMENT]["org-root-credentials-centralized"] == "PASS"
    assert status[PROD]["org-root-credentials-centralized"] == "NOT_APPLICABLE"
    assert status[PROD]["org-member-root-credentials"] == "PASS"
    assert status[DEV]["org-member-root-credentials"] == "FAIL"
    assert status[DEV]["org-scp-deny-root"] == "FAIL"
    assert status[PROD]["org-scp-deny-root"] == "PASS"
    assert status[MANAGEMENT]["org-scp-deny-root"] == "NOT_APPLICABLE"
    assert report["organization"] == {
        "organization_id": "o-exampleorg1",
        "management_account_id": MANAGEMENT,
        "listed_accounts": 4,
        "excluded": {"555555555555": "--exclude-accounts"},
    }
    credentials = next(f for f in rows[DEV]["findings"] if f["check_id"] == "org-member-root-credentials")
    assert credentials["evidence"]["credentials"][0]["kind"] == "password"


def test_the_table_opens_with_the_matrix_fail_rows_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["audit", "--evidence", str(organization(tmp_path))])
    out, _ = capsys.readouterr()
    assert "Organization o-exampleorg1" in out
    matrix = out.split("Checks: ")[0]
    lines = [line for line in matrix.splitlines() if any(a in line for a in (MANAGEMENT, PROD, DEV, SUSPENDED))]
    assert DEV in lines[0]  # FAIL rows first
    assert "acct-333" in lines[0] and "Root/Work" in lines[0]
    assert "Not audited (1): 555555555555" in out
    assert out.index("Organization o-exampleorg1") < out.index(f"Account {MANAGEMENT}")


def test_org_checks_can_be_selected_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, report = audit_json(capsys, organization(tmp_path), "--skip-checks", "org-scp-deny-root")
    found = {f["check_id"] for a in report["accounts"] for f in a["findings"]}
    assert "org-scp-deny-root" not in found and "org-member-root-credentials" in found
    _, report = audit_json(capsys, organization(tmp_path / "again"), "--checks", "org-member-root-credentials")
    assert {f["check_id"] for a in report["accounts"] for f in a["findings"]} == {"org-member-root-credentials"}


def test_a_single_account_bundle_is_unchanged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = AccountBuilder().write(tmp_path / "one")
    _, report = audit_json(capsys, bundle)
    assert "organization" not in report
    assert set(report["accounts"][0]) == {"account_id", "findings"}
    assert len(report["accounts"][0]["findings"]) == len(ALL_CHECKS)
    report_object = evaluate(open_bundle(bundle).evidence, context())
    assert report_object.organization is None
    assert render_matrix(report_object, color=False, width=120) == ""
    assert "Organization o-" not in render_table(report_object) and "Checks: " not in render_table(report_object)


def test_a_linked_organization_folder_is_refused_file_by_file(tmp_path: Path) -> None:
    bundle = organization(tmp_path)
    (bundle / "organization").rename(tmp_path / "elsewhere")
    (bundle / "organization").symlink_to(tmp_path / "elsewhere")
    report = evaluate(open_bundle(bundle).evidence, context())
    assert report.organization is not None
    management = report.accounts[0]
    finding = next(f for f in management.findings if f.check_id == "org-root-credentials-centralized")
    assert finding.status is Status.ERROR


def test_the_retired_status_field_is_read_when_state_is_absent(tmp_path: Path) -> None:
    builder = OrgBuilder().state(PROD, "SUSPENDED", retired_status=True)
    evidence = builder.evidence(PROD)
    assert evidence.organization is not None and evidence.organization.state == "SUSPENDED"


def test_escaped_names_in_the_matrix(tmp_path: Path) -> None:
    builder = OrgBuilder()
    document = builder.documents["organization/organizations/list-accounts.json"]
    document["Accounts"][1]["Name"] = "evil\x1b[31m[bold]"
    bundle = builder.write(tmp_path / "o")
    text = render_matrix(evaluate(open_bundle(bundle).evidence, context()), color=False, width=200)
    assert "\x1b" not in text and "\\x1b[31m[bold]" in text


def test_every_organization_check_and_file_is_in_the_contract() -> None:
    import importlib

    from rootguard.model import organization_operations as ops

    contract = (Path(__file__).parents[2] / "docs" / "CONTRACT.md").read_text()
    section = contract.split("### 9.2 Organization checks", 1)[1].split("\n## ", 1)[0]
    for spec in ORGANIZATION_CHECKS:
        rows = [line for line in section.splitlines() if line.startswith(f"| `{spec.check_id}` |")]
        assert len(rows) == 1, spec.check_id
        cells = [c.strip() for c in rows[0].strip("|").split(" | ")]
        assert cells[1] == spec.title and cells[3] == spec.severity.value
        assert f"**`{spec.check_id}`**" in section
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert all(f"| `{spec.check_id}` |" in readme for spec in ORGANIZATION_CHECKS)
    layout = contract.split("### 5.7 Organization bundles", 1)[1]
    for value in vars(ops).values():
        if isinstance(value, (ops.OrganizationOperation, ops.AssumeRootOperation)):
            path = value.path("<account>", resource="<x>" if value.resource_option else None)
            shown = "DIR/" + path.replace("/%3Cx%3E.json", "/<").replace("%3Caccount%3E", "<account>")
            assert shown.split("<x>")[0] in layout, path
    assert importlib.import_module("rootguard.checks").organization_check_ids() == tuple(
        s.check_id for s in ORGANIZATION_CHECKS
    )


def test_the_manifest_skipped_member_probes_are_read_from_the_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = organization(tmp_path)
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["skipped"] = {"assume-root": "--no-assume-root was given", "member-audit": "--no-member-audit was given"}
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    code, report = audit_json(capsys, bundle)
    rows = {a["account_id"]: {f["check_id"]: f for f in a["findings"]} for a in report["accounts"]}
    assert rows[PROD]["org-member-root-credentials"]["status"] == "SKIPPED"
    assert "--no-assume-root" in rows[PROD]["org-member-root-credentials"]["message"]
    assert rows[PROD]["root-mfa"]["status"] == "SKIPPED" and rows[MANAGEMENT]["root-mfa"]["status"] != "SKIPPED"
    assert rows[DEV]["org-scp-deny-root"]["status"] == "FAIL" and code == 1


@pytest.mark.parametrize("width", [20, 60, 200])
def test_the_matrix_never_drops_a_column_to_fit(tmp_path: Path, width: int) -> None:
    report = evaluate(open_bundle(organization(tmp_path)).evidence, context())
    text = render_matrix(report, color=False, width=width)
    header = next(line for line in text.splitlines() if "Account" in line)
    checks = len(report.accounts[0].findings)
    assert header.split()[-checks:] == [str(n) for n in range(1, checks + 1)]
    dev = next(line for line in text.splitlines() if line.strip().startswith(DEV))
    assert "acct-333" in dev and dev.split()[-checks:].count("F") == 2
