"""Markdown reports: a summary, then one table of findings (FAIL and ERROR first), for pull requests and wikis.

Evidence text (names, user agents, messages) is escaped so it renders as the text it is: ``|`` cannot
split a cell, ``*``, ``_``, ``[`` … cannot format or link, ``<`` cannot open HTML, and a line break or a
control character cannot end the table.
"""

from __future__ import annotations

import re

from rootguard.model.activity import ActivityReport
from rootguard.model.findings import AuditReport, Status
from rootguard.model.timestamps import format_timestamp
from rootguard.report.format_common import cis_short, findings, one_line

ORDER = (Status.FAIL, Status.ERROR, Status.MANUAL, Status.PASS, Status.NOT_APPLICABLE, Status.SKIPPED)
"""What a reader acts on first; ties keep the report's order."""
_MARKUP = re.compile(r"([\\`*_\[\]|~])")
"""What can format, link or split a cell mid-line; ``(``, ``!`` and ``#`` do nothing once ``[`` is escaped."""
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape(text: str) -> str:
    """Text shown literally in a Markdown table cell or line."""
    flat = one_line(text)
    flat = "".join(_HTML.get(ch, ch) for ch in flat)
    return _MARKUP.sub(r"\\\1", flat)


def render_markdown(report: AuditReport) -> str:
    counts = report.count()
    lines = [
        "# rootguard audit",
        "",
        f"- As of: {format_timestamp(report.as_of)}",
        f"- Source: {escape(report.source)}",
        f"- Accounts: {len(report.accounts)}",
        "- Findings: " + " · ".join(f"{counts[status]} {status.value}" for status in ORDER),
        f"- rootguard {escape(report.tool_version)}",
    ]
    organization = report.organization
    if organization is not None:
        lines += [
            f"- Organization: {escape(organization.organization_id)} "
            f"(management account {escape(organization.management_account_id)}, "
            f"{organization.listed_accounts} accounts listed, {len(organization.excluded)} excluded)"
        ]
        lines += [f"  - excluded {escape(account)}: {escape(why)}" for account, why in organization.excluded.items()]
    lines += [f"- Note: {escape(note)}" for note in report.notes]
    if organization is not None:
        lines += _matrix(report)
    lines += ["", "## Findings", ""]
    named = any(account.name or account.ou_path for account in report.accounts)
    header = ["Status", "Severity", "Account", *(["Name", "OU"] if named else []), "Check", "CIS", "Finding"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    rows = sorted(findings(report), key=lambda pair: ORDER.index(pair[1].status))
    for account, finding in rows:
        cells = [
            f"**{finding.status.value}**" if finding.status in (Status.FAIL, Status.ERROR) else finding.status.value,
            finding.severity.value,
            escape(account.account_id),
            *([escape(account.name or ""), escape(account.ou_path or "")] if named else []),
            f"`{finding.check_id}`" if _plain(finding.check_id) else escape(finding.check_id),
            escape(cis_short(finding)),
            f"{escape(finding.title)}: {escape(finding.message)}"
            + (f" Fix: {escape(finding.remediation)}" if finding.status is Status.FAIL else ""),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_activity_markdown(report: ActivityReport) -> str:
    scan, activity, coverage = report.scan, report.activity, report.coverage
    lines = [
        "# rootguard root activity",
        "",
        f"- Period: {format_timestamp(report.since)} to {format_timestamp(report.as_of)}",
        f"- Read: {scan.files} file(s), {scan.records} record(s); {len(scan.skipped)} could not be read",
        f"- Root events: {len(activity.events)} in {len(activity.sessions)} session(s)",
        "- Coverage: " + ("complete" if coverage is not None and coverage.complete else "incomplete"),
    ]
    lines += [f"- Not read: {escape(item.path)}: {escape(item.reason)}" for item in scan.skipped]
    lines += [f"- No CloudTrail evidence: {escape(gap.source)}: {escape(gap.reason)}" for gap in report.gaps]
    lines += ["", "## Events", ""]
    header = ["Time", "Account", "Region", "Event", "Category", "Source IP", "User agent", "MFA", "Approval"]
    lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for event in activity.events:
        cells = [
            format_timestamp(event.event_time),
            escape(event.account_id),
            escape(event.region),
            escape(f"{event.event_source} {event.event_name}")
            + (f" ({escape(event.error_code)})" if event.error_code else ""),
            escape(event.category.value) + (f": {escape(event.root_only_task)}" if event.root_only_task else ""),
            escape(event.source_ip),
            escape(event.user_agent),
            "unknown" if event.mfa is None else ("yes" if event.mfa else "no"),
            escape(event.approval.ticket) if event.approval is not None else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _matrix(report: AuditReport) -> list[str]:
    """One row per account: where it sits and how many findings of each status it has."""
    header = ["Account", "Name", "OU", "State", *(status.value for status in ORDER)]
    lines = ["", "## Accounts", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for account in report.accounts:
        statuses = [finding.status for finding in account.findings]
        cells = [
            escape(account.account_id) + (" (management)" if account.management else ""),
            escape(account.name or ""),
            escape(account.ou_path or ""),
            escape(account.state or ""),
            *(str(statuses.count(status)) for status in ORDER),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _plain(text: str) -> bool:
    return re.fullmatch(r"[a-z0-9-]+", text) is not None
