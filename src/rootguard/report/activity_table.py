"""The terminal view of root activity: a summary first, then a timeline and a session summary per account.

User agents, IPs and names come from CloudTrail and may be attacker-controlled: they are shown as
plain ``Text`` with control characters escaped, never as markup.
"""

from __future__ import annotations

from collections import defaultdict

from rich.table import Table
from rich.text import Text

from rootguard.model.activity import (
    HUMAN,
    ActivityEvent,
    ActivityReport,
    ActivitySession,
    Category,
    Coverage,
    coverage_document,
)
from rootguard.model.timestamps import format_timestamp
from rootguard.report.console import text_console, visible
from rootguard.report.coverage import coverage_line

CATEGORY_STYLES = {
    Category.SIGN_IN: "bold red",
    Category.SIGN_IN_FAILURE: "bold magenta",
    Category.AVOIDABLE: "red",
    Category.ROOT_ONLY_TASK: "yellow",
    Category.SERVICE_INVOKED: "dim",
    Category.ASSUMED_ROOT: "cyan",
}
MFA = {True: "yes", False: "NO", None: "?"}
SHOWN_ACCOUNTS = 5


def render_activity_table(report: ActivityReport, *, color: bool = False, width: int = 120) -> str:
    console, buffer = text_console(color=color, width=width)
    scan = report.scan
    console.print(
        Text(
            f"Root activity {format_timestamp(report.since)} → {format_timestamp(report.as_of)} · "
            f"{scan.files} input(s) read, {scan.records} record(s) parsed, {len(report.activity.events)} root event(s)",
            style="bold",
        )
    )
    console.print(_summary(report))
    for skipped in scan.skipped:
        console.print(Text(f"skipped {visible(skipped.path)}: {visible(skipped.reason)}", style="yellow"))
    for gap in report.gaps:
        console.print(Text(f"no evidence: {visible(gap.explain())}", style="yellow"))
    covered = report.coverage or Coverage(since=report.since, until=report.as_of, regions=())
    console.print(Text(visible(coverage_line(coverage_document(covered))), style="" if covered.complete else "yellow"))
    events: dict[str, list[ActivityEvent]] = defaultdict(list)
    for event in report.activity.events:
        events[event.account_id].append(event)
    sessions: dict[str, list[ActivitySession]] = defaultdict(list)
    for session in report.activity.sessions:
        sessions[session.account_id].append(session)
    for account in sorted(events):
        console.print()
        console.print(_timeline(account, events[account]))
        console.print(_sessions(sessions[account]))
    if not report.activity.events:
        console.print(Text("\nNo root activity in this period.", style="green"))
    return buffer.getvalue()


def _summary(report: ActivityReport) -> Text:
    """Events by category, how many a person made without approval, and which accounts: before any table."""
    events = report.activity.events
    summary = Text("Summary: ", style="bold")
    if not events:
        summary.append("no root event in this period")
        return summary
    for index, category in enumerate(c for c in Category if any(e.category is c for e in events)):
        if index:
            summary.append(" · ")
        count = sum(1 for e in events if e.category is category)
        summary.append(f"{count} {category.value}", style=CATEGORY_STYLES[category])
    human = sum(1 for e in events if e.approval is None and e.category in HUMAN)
    tasks = sum(1 for e in events if e.approval is None and e.category is Category.ROOT_ONLY_TASK)
    summary.append(f" · unapproved: {human} human, {tasks} root-only task", style="bold red" if human + tasks else "")
    accounts = sorted({e.account_id or "(unknown)" for e in events})
    shown = ", ".join(accounts[:SHOWN_ACCOUNTS]) + (
        f" and {len(accounts) - SHOWN_ACCOUNTS} more" if len(accounts) > SHOWN_ACCOUNTS else ""
    )
    summary.append(f" · {len(report.activity.sessions)} session(s) · accounts: {shown}")
    return summary


def _timeline(account: str, events: list[ActivityEvent]) -> Table:
    table = Table(
        title=Text(f"Account {account or '(unknown)'} · timeline", style="bold"), title_justify="left", expand=True
    )
    for name in ("Time (UTC)", "Category", "Event", "Source IP", "MFA", "Approval"):
        table.add_column(name, no_wrap=name in ("Time (UTC)", "MFA"))
    for event in events:
        what = f"{event.event_source.removesuffix('.amazonaws.com')}:{event.event_name}"
        if event.root_only_task:
            what += f" ({event.root_only_task})"
        if event.error_code:
            what += f" [failed: {event.error_code}]"
        flags = [f for f in event.flags if not (f == "failed" and event.error_code)]
        if flags:
            what += f" [{', '.join(flags)}]"
        table.add_row(
            Text(format_timestamp(event.event_time)),
            Text(event.category.value, style=CATEGORY_STYLES[event.category]),
            Text(visible(what)),
            Text(visible(event.source_ip)),
            Text(MFA[event.mfa], style="bold red" if event.mfa is False else ""),
            Text(event.approval.ticket if event.approval else "—"),
        )
    return table


def _sessions(sessions: list[ActivitySession]) -> Table:
    table = Table(title=Text("sessions", style="bold"), title_justify="left", expand=True)
    for name in ("Session", "Kind", "Start → end (UTC)", "Events", "Source IPs", "MFA", "Categories"):
        table.add_column(name, overflow="fold")
    for session in sessions:
        table.add_row(
            Text(visible(session.session_id)),
            Text(session.kind),
            Text(f"{format_timestamp(session.start)} → {format_timestamp(session.end)}"),
            Text(str(session.events)),
            Text(visible(", ".join(session.source_ips))),
            Text(MFA[session.mfa]),
            Text(", ".join(c.value for c in session.categories)),
        )
    return table
