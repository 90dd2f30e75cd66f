"""The terminal report: one table per account, a fix under every finding that is not a PASS.

Every string from evidence goes into ``rich.text.Text`` objects, never into markup, so names and
messages that contain ``[bold]`` or escape sequences are shown as typed, not interpreted.
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rootguard.model.findings import AuditReport, Finding, Status
from rootguard.model.timestamps import format_timestamp
from rootguard.report.coverage import coverage_line
from rootguard.report.json_report import coverage_by_account

STYLES = {
    Status.PASS: "bold green",
    Status.FAIL: "bold red",
    Status.ERROR: "bold magenta",
    Status.MANUAL: "bold yellow",
    Status.NOT_APPLICABLE: "dim",
    Status.SKIPPED: "dim",
}
OPTIONAL_IN_SUMMARY = frozenset({Status.SKIPPED})
"""Statuses the summary line names only when some finding has them."""


def render_table(report: AuditReport, *, color: bool = False, width: int = 120) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    header = Text(f"rootguard {report.tool_version} · ", style="bold")
    header.append(f"evidence: {visible(report.source)} · as of {format_timestamp(report.as_of)}")
    console.print(header)
    for note in report.notes:
        console.print(Text(f"note: {visible(note)}", style="yellow"))
    from rootguard.report.matrix import render_matrix  # noqa: PLC0415 - matrix builds on this module

    buffer.write(render_matrix(report, color=color, width=width))  # "" outside an organization audit
    for account in report.accounts:
        console.print()
        table = Table(title=Text(f"Account {account.account_id}", style="bold"), title_justify="left", expand=True)
        table.add_column("Status", no_wrap=True)
        table.add_column("Check", no_wrap=True)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Finding", ratio=1)
        for finding in account.findings:
            table.add_row(
                Text(finding.status.value, style=STYLES[finding.status]),
                Text(finding.check_id),
                Text(finding.severity.value),
                _details(finding),
            )
        console.print(table)
        covered = coverage_by_account(report).get(account.account_id)
        if covered is not None:
            console.print(Text(visible(coverage_line(covered)), style="" if covered.get("complete") else "yellow"))
    console.print()
    console.print(_summary(report))
    return buffer.getvalue()


def _details(finding: Finding) -> Text:
    text = Text(visible(finding.message))
    # An ERROR's message already says how to fill the gap; the check's remediation fixes a FAIL.
    if finding.status in (Status.FAIL, Status.MANUAL):
        text.append("\nFix: ", style="bold")
        text.append(finding.remediation, style="dim")
    return text


def _summary(report: AuditReport) -> Text:
    counts = report.count()
    summary = Text("Summary: ", style="bold")
    shown = [s for s in Status if counts[s] or s not in OPTIONAL_IN_SUMMARY]
    for index, status in enumerate(shown):
        if index:
            summary.append(" · ")
        summary.append(f"{counts[status]} {status.value}", style=STYLES[status] if counts[status] else "")
    return summary


def visible(text: str) -> str:
    """Show control characters from evidence as ``\\xNN`` so they cannot drive the terminal."""
    return "".join(f"\\x{ord(ch):02x}" if _is_control(ch) else ch for ch in text)


def _is_control(ch: str) -> bool:
    return ch != "\n" and (ch < " " or "\x7f" <= ch <= "\x9f")
