"""CSV: RFC 4180 that the csv module reads back to the report, fixed columns, no formula a spreadsheet would run."""

from __future__ import annotations

import csv
import io

import pytest

from rootguard.checks import ALL_CHECKS
from rootguard.model.activity import ActivityReport
from rootguard.model.findings import AuditReport
from rootguard.report.csv_report import (
    ACTIVITY_COLUMNS,
    COLUMNS,
    FORMULA_STARTS,
    guard,
    render_activity_csv,
    render_csv,
)
from rootguard.report.format_common import CIS_BENCHMARKS


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def unguard(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


@pytest.mark.parametrize("name", ["demo_report", "hostile_report"])
def test_one_row_per_account_and_check_with_every_status(name: str, request: pytest.FixtureRequest) -> None:
    report: AuditReport = request.getfixturevalue(name)
    text = render_csv(report)
    rows = read(text)
    assert tuple(rows[0].keys()) == COLUMNS
    expected = [(a.account_id, f.check_id, f.status.value) for a in report.accounts for f in a.findings]
    assert [(r["account_id"], r["check_id"], r["status"]) for r in rows] == expected
    assert text.endswith("\r\n") and text.count("\r\n") >= len(rows) + 1


def test_every_cell_reads_back_as_the_report_says(hostile_report: AuditReport) -> None:
    rows = read(render_csv(hostile_report))
    findings = [(a, f) for a in hostile_report.accounts for f in a.findings]
    for row, (account, finding) in zip(rows, findings, strict=True):
        assert unguard(row["message"]) == finding.message
        assert unguard(row["title"]) == finding.title
        assert unguard(row["remediation"]) == finding.remediation
        assert unguard(row["account_name"]) == (account.name or "")
        assert row["ou_path"] == (account.ou_path or "")
        assert row["cis-aws-3.0.0"] == "; ".join(finding.frameworks.get("cis-aws-3.0.0", ()))
        assert row["as_of"] == "2026-11-20T12:00:00Z"


def test_no_cell_starts_a_formula(hostile_report: AuditReport, hostile_activity: ActivityReport) -> None:
    for text in (render_csv(hostile_report), render_activity_csv(hostile_activity)):
        for row in csv.reader(io.StringIO(text, newline="")):
            assert not [cell for cell in row if cell.startswith(FORMULA_STARTS)], row
    rows = read(render_csv(hostile_report))
    assert "'=cmd|' /C calc'!A0" in [row["message"] for row in rows]
    assert "'\tTAB" in [row["message"] for row in rows]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_the_guard_prefixes_each_formula_start(cell: str) -> None:
    assert guard(cell) == "'" + cell
    assert guard("a" + cell) == "a" + cell


def test_organization_columns_are_empty_outside_an_organization(demo_report: AuditReport) -> None:
    rows = read(render_csv(demo_report))
    assert {row["account_name"] for row in rows} == {""} and {row["ou_path"] for row in rows} == {""}


def test_the_cis_columns_are_every_cis_framework_the_checks_name() -> None:
    named = {key for spec in ALL_CHECKS for key in spec.frameworks if key.startswith("cis-")}
    assert named == {key for key, _ in CIS_BENCHMARKS}


@pytest.mark.parametrize("name", ["demo_activity", "hostile_activity"])
def test_activity_rows_are_the_events(name: str, request: pytest.FixtureRequest) -> None:
    report: ActivityReport = request.getfixturevalue(name)
    rows = read(render_activity_csv(report))
    assert tuple(rows[0].keys()) == ACTIVITY_COLUMNS
    assert [row["event_id"] for row in rows] == [event.event_id for event in report.activity.events]
    assert [unguard(row["user_agent"]) for row in rows] == [event.user_agent for event in report.activity.events]


def test_the_same_report_gives_the_same_bytes(demo_report: AuditReport) -> None:
    assert render_csv(demo_report) == render_csv(demo_report)
