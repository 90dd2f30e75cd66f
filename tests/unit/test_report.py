"""Renderers are pure and show evidence text literally."""

from __future__ import annotations

from builders import AS_OF
from rootguard.model.findings import AccountResult, AuditReport, Finding, Severity, Status
from rootguard.report.json_report import render_json
from rootguard.report.table import render_table


def report(message: str, status: Status = Status.FAIL, source: str = "test") -> AuditReport:
    finding = Finding(
        check_id="root-mfa",
        status=status,
        severity=Severity.CRITICAL,
        title="MFA is enabled for the root user",
        message=message,
        resource="arn:aws:iam::123456789012:root",
        frameworks={"cis-aws-3.0.0": ("1.5",)},
        evidence={"k": "v"},
        remediation="Enable MFA.",
    )
    return AuditReport(
        as_of=AS_OF, accounts=(AccountResult("123456789012", (finding,)),), source=source, tool_version="0"
    )


def test_markup_in_evidence_is_not_interpreted() -> None:
    text = render_table(report("user [bold red]evil[/bold red] did it"), color=True)
    assert "[bold red]evil[/bold red]" in text


def test_control_characters_are_escaped() -> None:
    text = render_table(report("agent \x1b[2J\x1b]0;pwned\x07 \x9b31m done"), color=False, width=200)
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "\\x1b[2J" in text


def test_source_is_escaped_too() -> None:
    text = render_table(report("m", source="dir\x1b[31m"), color=False)
    assert "\x1b" not in text
    assert "dir\\x1b[31m" in text


def test_plain_output_has_no_escape_codes_and_colour_output_has() -> None:
    assert "\x1b[" not in render_table(report("m"), color=False)
    assert "\x1b[" in render_table(report("m"), color=True)


def test_fix_shown_for_fail_not_for_pass_or_error() -> None:
    assert "Fix: Enable MFA." in render_table(report("m", Status.FAIL))
    assert "Fix:" not in render_table(report("m", Status.PASS))
    assert "Enable MFA." not in render_table(report("m", Status.ERROR))


def test_json_keeps_text_exact() -> None:
    text = render_json(report('quote " and \x1b and é'))
    assert "\\u001b" in text and "é" in text
