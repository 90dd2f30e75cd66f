"""The terminal report's layout: summary first, what needs attention next, CIS ids, escaping."""

from __future__ import annotations

import sys
import types

import pytest

from builders import AS_OF
from rootguard.model.findings import AccountResult, AuditReport, Finding, OrganizationInfo, Severity, Status
from rootguard.report.table import render_table, visible


def finding(check_id: str, status: Status, severity: Severity = Severity.HIGH, message: str = "m") -> Finding:
    return Finding(
        check_id=check_id,
        status=status,
        severity=severity,
        title=check_id,
        message=message,
        resource="arn:aws:iam::123456789012:root",
        frameworks={"cis-aws-3.0.0": ("1.5",), "cis-aws-5.0.0": ("2.5",)} if check_id == "root-mfa" else {},
        evidence={},
        remediation="Fix it.",
    )


def report(*findings: Finding, **account: object) -> AuditReport:
    return AuditReport(
        as_of=AS_OF,
        accounts=(AccountResult("123456789012", findings, **account),),  # type: ignore[arg-type]
        source="test",
        tool_version="0",
    )


def test_summary_comes_before_findings_and_failures_before_passes() -> None:
    text = render_table(
        report(
            finding("a-pass", Status.PASS, message="passing"),
            finding("b-low", Status.FAIL, Severity.LOW, message="low fail"),
            finding("c-error", Status.ERROR, message="cannot tell"),
            finding("d-critical", Status.FAIL, Severity.CRITICAL, message="critical fail"),
        )
    )
    assert text.index("Summary:") < text.index("Needs attention: 3 finding(s)") < text.index("Account 123456789012")
    table = text[text.index("Account 123456789012") :]
    order = [table.index(m) for m in ("critical fail", "low fail", "cannot tell", "passing")]
    assert order == sorted(order)
    assert text.rstrip().endswith("Summary: 1 PASS · 2 FAIL · 0 MANUAL · 1 ERROR · 0 NOT_APPLICABLE")


def test_cis_v3_ids_are_shown_and_a_dash_when_none() -> None:
    text = render_table(report(finding("root-mfa", Status.FAIL), finding("other", Status.FAIL)), compact=True)
    lines = text.splitlines()
    assert any(line.split()[2:4] == ["root-mfa", "1.5"] for line in lines)
    assert any(line.split()[2:4] == ["other", "—"] for line in lines)
    assert "2.5" not in text  # v5 ids are in the JSON report, the table shows v3.0.0


def test_status_filter_keeps_counting_everything() -> None:
    text = render_table(report(finding("p", Status.PASS), finding("f", Status.FAIL)), statuses=frozenset({Status.FAIL}))
    assert "Summary: 1 PASS · 1 FAIL" in text
    assert "Not shown (--status): 1 finding(s): 1 PASS" in text


def test_nothing_to_show_prints_the_summary_only() -> None:
    text = render_table(report(finding("p", Status.PASS)), statuses=frozenset({Status.FAIL}), compact=True)
    assert "Summary: 1 PASS" in text and "Needs attention" not in text


def test_organization_names_and_ou_paths_are_escaped() -> None:
    text = render_table(
        AuditReport(
            as_of=AS_OF,
            accounts=(
                AccountResult(
                    "123456789012",
                    (finding("f", Status.FAIL),),
                    name="prod\x1b[2J[bold]x[/bold]",
                    ou_path="Root/\u202eevil",
                    management=True,
                ),
            ),
            source="test",
            tool_version="0",
            organization=OrganizationInfo("o-abc", "123456789012", 1),
        ),
        color=True,
    )
    assert "\x1b[2J" not in text and "\u202e" not in text
    assert "prod\\x1b[2J[bold]x[/bold]" in text and "Root/\\u202eevil" in text
    assert "of organization o-abc" in text and "management" in text


def test_visible_escapes_controls_and_bidi_but_keeps_text() -> None:
    assert visible("a\tb\x07c\x9bd\u2067e\nf é") == "a\\x09b\\x07c\\x9bd\\u2067e\nf é"


def test_compact_lines_fit_the_width_and_have_no_fix() -> None:
    long = "x " * 300
    text = render_table(report(finding("f", Status.FAIL, message=long)), compact=True, width=100)
    assert all(len(line) <= 100 for line in text.splitlines())
    assert "Fix:" not in text


def test_an_organization_report_shows_the_matrix_first(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bool, int]] = []

    def render_matrix(report: AuditReport, *, color: bool, width: int) -> str:
        calls.append((color, width))
        return "MATRIX ROWS\n" if report.organization is not None else ""

    monkeypatch.setitem(sys.modules, "rootguard.report.matrix", types.SimpleNamespace(render_matrix=render_matrix))
    organization = AuditReport(
        as_of=AS_OF,
        accounts=(AccountResult("123456789012", (finding("f", Status.FAIL),)),),
        source="test",
        tool_version="0",
        organization=OrganizationInfo("o-abc", "123456789012", 1),
    )
    text = render_table(organization, width=100)
    assert text.index("Summary:") < text.index("MATRIX ROWS") < text.index("Needs attention")
    assert calls == [(False, 100)]
    assert "MATRIX" not in render_table(report(finding("f", Status.FAIL)))  # not an organization: not asked
    assert len(calls) == 1
