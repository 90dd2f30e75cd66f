"""The organization matrix: one row per account, one column per check, a status letter in each cell.

Rows with a FAIL come first, then ERROR, MANUAL and the rest, each group in report order. Names and OU
paths come from AWS and are shown as typed (``rich.text.Text``, control characters escaped), never as markup.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from rootguard.model.findings import AccountResult, AuditReport, Status
from rootguard.report.console import STYLES, text_console, visible

LETTERS = {
    Status.PASS: "P",
    Status.FAIL: "F",
    Status.ERROR: "E",
    Status.MANUAL: "M",
    Status.NOT_APPLICABLE: "N",
    Status.SKIPPED: "S",
}
ACCOUNT_WIDTH = 13
"""A 12-digit account id and the management account's ``*``."""
NAME_WIDTH = 8
OU_WIDTH = 10
RANK = (Status.FAIL, Status.ERROR, Status.MANUAL, Status.SKIPPED, Status.NOT_APPLICABLE, Status.PASS)


def _worst(account: AccountResult) -> int:
    statuses = {f.status for f in account.findings}
    return next((i for i, s in enumerate(RANK) if s in statuses), len(RANK))


def render_matrix(report: AuditReport, *, color: bool, width: int) -> str:
    """Accounts × checks with P/F/E/M/N/S; ``""`` for a report that is not an organization audit."""
    if report.organization is None:
        return ""
    check_ids = list(dict.fromkeys(f.check_id for a in report.accounts for f in a.findings))
    # Never drop a column to fit: a hidden cell could be a FAIL. Narrow terminals get long lines instead.
    needed = ACCOUNT_WIDTH + NAME_WIDTH + OU_WIDTH + 8 + sum(len(str(n)) + 2 for n in range(1, len(check_ids) + 1))
    console, buffer = text_console(color=color, width=max(width, needed))
    info = report.organization
    title = Text(
        f"Organization {visible(info.organization_id or '?')} · {len(report.accounts)} account(s)", style="bold"
    )
    table = Table(title=title, title_justify="left", expand=False, box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0))
    table.add_column("Account", no_wrap=True, min_width=ACCOUNT_WIDTH)
    table.add_column("Name", overflow="fold", min_width=NAME_WIDTH)
    table.add_column("OU", overflow="fold", min_width=OU_WIDTH)
    for number, _ in enumerate(check_ids, start=1):
        table.add_column(str(number), justify="center", no_wrap=True, min_width=len(str(number)))
    rows = sorted(enumerate(report.accounts), key=lambda pair: (_worst(pair[1]), pair[0]))
    for _, account in rows:
        by_id = {f.check_id: f.status for f in account.findings}
        marker = "*" if account.management else ""
        cells = [
            Text(f"{account.account_id}{marker}"),
            Text(visible(account.name or "")),
            Text(visible(account.ou_path or "")),
        ]
        for check_id in check_ids:
            status = by_id.get(check_id)
            cells.append(Text(LETTERS[status], style=STYLES[status]) if status else Text("·"))
        table.add_row(*cells)
    console.print(table)
    legend = Text("Checks: ")
    legend.append(", ".join(f"{n} {c}" for n, c in enumerate(check_ids, start=1)))
    legend.append(". P pass, F fail, E error, M manual, N not applicable, S skipped; * the management account.")
    console.print(legend)
    if info.excluded:
        shown = "; ".join(f"{a}: {visible(why)}" for a, why in info.excluded.items())
        console.print(Text(f"Not audited ({len(info.excluded)}): {shown}", style="yellow"))
    return buffer.getvalue()
