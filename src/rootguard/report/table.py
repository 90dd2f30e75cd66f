"""The terminal report: a summary first, then what needs attention, then every finding in detail.

Layout (contract §1: the table's layout may change, scripts read JSON):

1. the summary block: counts by status, the accounts, as-of, source, CloudTrail coverage, notes;
2. the organization matrix when the report is an organization's (``report/matrix.py``);
3. "Needs attention": one line per FAIL and ERROR finding, worst first, so they fit above the fold;
4. one table per account, FAIL and ERROR first, then the rest, with the fix under each FAIL and MANUAL.

``compact`` replaces 3 and 4 with one line per finding. ``statuses`` hides the findings of other
statuses from 3 and 4 (the summary still counts them all) and says how many it hid.

Every string from evidence goes into ``rich.text.Text`` objects, never into markup, and through
``visible()``, so names and messages that contain ``[bold]`` or escape sequences are shown as typed.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence

from rich import box
from rich.table import Table
from rich.text import Text

from rootguard.model.findings import AccountResult, AuditReport, Finding, Status
from rootguard.model.timestamps import format_timestamp
from rootguard.report.console import STYLES, text_console, visible
from rootguard.report.coverage import coverage_line
from rootguard.report.json_report import coverage_by_account

OPTIONAL_IN_SUMMARY = frozenset({Status.SKIPPED})
"""Statuses the summary line names only when some finding has them."""
ORDER = (Status.FAIL, Status.ERROR, Status.MANUAL, Status.PASS, Status.NOT_APPLICABLE, Status.SKIPPED)
"""The order findings are listed in: what needs action first."""
ATTENTION = frozenset({Status.FAIL, Status.ERROR})
CIS_FRAMEWORK = "cis-aws-3.0.0"
SHOWN_ACCOUNTS = 5
"""Accounts named in the summary block; an organization's are counted, and shown in the matrix."""
SHOWN_INCOMPLETE = 3
"""Accounts whose incomplete CloudTrail coverage the summary block spells out."""


def render_table(
    report: AuditReport,
    *,
    color: bool = False,
    width: int = 120,
    statuses: frozenset[Status] | None = None,
    compact: bool = False,
) -> str:
    console, buffer = text_console(color=color, width=width)
    shown = set(statuses) if statuses is not None else set(Status)
    for line in _summary_block(report, shown):
        console.print(line)
    matrix = _organization_matrix(report, color=color, width=width)
    if matrix:
        console.print()
        buffer.write(matrix if matrix.endswith("\n") else matrix + "\n")
    many = len(report.accounts) > 1
    if compact:
        every = _ordered((a, f) for a in report.accounts for f in a.findings if f.status in shown)
        if every:
            console.print()
            console.print(_lines(every, with_account=many))
        return buffer.getvalue()
    attention = _ordered((a, f) for a in report.accounts for f in a.findings if f.status in ATTENTION & shown)
    if attention:
        console.print()
        console.print(Text(f"Needs attention: {len(attention)} finding(s), worst first", style="bold"))
        console.print(_lines(attention, with_account=many))
    for account in report.accounts:
        findings = [f for f in account.findings if f.status in shown]
        if findings:
            console.print()
            console.print(_account_table(account, findings))
    console.print()
    console.print(_summary(report))
    return buffer.getvalue()


def _summary_block(report: AuditReport, shown: set[Status]) -> list[Text]:
    header = Text(f"rootguard {report.tool_version} · ", style="bold")
    header.append(f"evidence: {visible(report.source)} · as of {format_timestamp(report.as_of)}")
    lines = [header, _summary(report)]
    hidden = [f.status for a in report.accounts for f in a.findings if f.status not in shown]
    if hidden:
        counted = " · ".join(f"{hidden.count(s)} {s.value}" for s in ORDER if s in hidden)
        lines.append(Text(f"Not shown (--status): {len(hidden)} finding(s): {counted}", style="dim"))
    lines.append(Text(f"Accounts: {_accounts(report)}"))
    lines += _coverage(report)
    lines += [Text(f"note: {visible(note)}", style="yellow") for note in report.notes]
    return lines


def _accounts(report: AuditReport) -> str:
    organization = report.organization
    if organization is None:
        names = [_account_name(account) for account in report.accounts[:SHOWN_ACCOUNTS]]
        more = len(report.accounts) - SHOWN_ACCOUNTS
        return ", ".join(names) + (f" and {more} more" if more > 0 else "") or "none"
    # Every account has its row in the matrix below: the summary only counts them.
    return f"{len(report.accounts)} of organization {visible(organization.organization_id)} (each in the matrix below)"


def _account_name(account: AccountResult) -> str:
    extra = [visible(part) for part in (account.name, account.ou_path, account.state) if part]
    if account.management:
        extra.append("management")
    return f"{account.account_id} ({', '.join(extra)})" if extra else account.account_id


def _coverage(report: AuditReport) -> list[Text]:
    """CloudTrail coverage: every account's line when few, else the complete ones counted."""
    covered = coverage_by_account(report)
    if len(covered) <= 1:
        return [Text(visible(coverage_line(c)), style=_coverage_style(c)) for c in covered.values()]
    incomplete = {account: c for account, c in covered.items() if not c.get("complete")}
    lines = [Text(f"CloudTrail coverage complete in {len(covered) - len(incomplete)} of {len(covered)} account(s)")]
    for account, document in list(incomplete.items())[:SHOWN_INCOMPLETE]:
        lines.append(Text(f"{account}: {visible(coverage_line(document))}", style="yellow"))
    if len(incomplete) > SHOWN_INCOMPLETE:
        lines.append(Text(f"and {len(incomplete) - SHOWN_INCOMPLETE} more account(s) incomplete", style="yellow"))
    return lines


def _coverage_style(document: object) -> str:
    return "" if isinstance(document, dict) and document.get("complete") else "yellow"


def _organization_matrix(report: AuditReport, *, color: bool, width: int) -> str:
    """The accounts × checks matrix of an organization report, from ``report/matrix.py``.

    HOOK: ``render_matrix(report, *, color, width) -> str`` is written on the organization branch;
    until it is merged there is no matrix and the per-account tables stand alone.
    """
    if report.organization is None:
        return ""
    try:
        matrix = importlib.import_module("rootguard.report.matrix")
    except ModuleNotFoundError:
        return ""
    return str(matrix.render_matrix(report, color=color, width=width))


def _ordered(pairs: Iterable[tuple[AccountResult, Finding]]) -> list[tuple[AccountResult, Finding]]:
    """FAIL, then ERROR, then the rest; the worst severity first; stable (report order) otherwise."""
    return sorted(pairs, key=lambda pair: (ORDER.index(pair[1].status), -pair[1].severity.rank))


def _lines(findings: Sequence[tuple[AccountResult, Finding]], *, with_account: bool) -> Table:
    """One line per finding: status, severity, check, CIS, (account,) the message's first line."""
    table = Table(box=None, show_header=False, pad_edge=False, expand=True)
    for name in ("status", "severity", "check", "cis", *(("account",) if with_account else ())):
        table.add_column(name, no_wrap=True)
    table.add_column("finding", no_wrap=True, overflow="ellipsis", ratio=1)
    for account, finding in findings:
        cells = [
            Text(finding.status.value, style=STYLES[finding.status]),
            Text(finding.severity.value),
            Text(finding.check_id),
            Text(_cis(finding)),
            *((Text(account.account_id),) if with_account else ()),
            Text(visible(" ".join(finding.message.split()))),
        ]
        table.add_row(*cells)
    return table


def _account_table(account: AccountResult, findings: list[Finding]) -> Table:
    table = Table(
        title=Text(f"Account {_account_name(account)}", style="bold"),
        title_justify="left",
        expand=True,
        box=box.HEAVY_HEAD,
    )
    table.add_column("Status", no_wrap=True)
    table.add_column("Check", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("CIS", no_wrap=True)
    table.add_column("Finding", ratio=1)
    ordered = [finding for _, finding in _ordered((account, f) for f in findings)]
    for index, finding in enumerate(ordered):
        if index and finding.status not in ATTENTION and ordered[index - 1].status in ATTENTION:
            table.add_section()  # a rule between what needs action and the rest
        table.add_row(
            Text(finding.status.value, style=STYLES[finding.status]),
            Text(finding.check_id),
            Text(finding.severity.value),
            Text(_cis(finding)),
            _details(finding),
        )
    return table


def _cis(finding: Finding) -> str:
    """The CIS AWS Foundations v3.0.0 recommendation(s) the finding answers, or a dash."""
    return ", ".join(finding.frameworks.get(CIS_FRAMEWORK, ())) or "—"


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
