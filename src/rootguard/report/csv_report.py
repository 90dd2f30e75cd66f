"""CSV reports (RFC 4180, UTF-8): one row per account and check, one row per root activity event.

Every finding is a row whatever its status (ERROR, MANUAL and SKIPPED included: a missing row would read
as nothing to see). The columns are fixed, so a spreadsheet or a script can rely on them; organization
columns are empty outside an organization audit. A cell that a spreadsheet would take for a formula
(it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'`` (OWASP's
advice against CSV injection): evidence holds names and user agents an attacker chose.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from rootguard.model.activity import ActivityReport
from rootguard.model.findings import AuditReport
from rootguard.model.timestamps import format_timestamp
from rootguard.report.format_common import CIS_BENCHMARKS, findings

COLUMNS = (
    "account_id",
    "account_name",
    "ou_path",
    "check_id",
    "title",
    "status",
    "severity",
    *(key for key, _ in CIS_BENCHMARKS),
    "resource",
    "message",
    "remediation",
    "as_of",
)
ACTIVITY_COLUMNS = (
    "event_time",
    "account_id",
    "region",
    "event_source",
    "event_name",
    "category",
    "root_only_task",
    "source_ip",
    "user_agent",
    "mfa",
    "error_code",
    "access_key_id",
    "session_id",
    "flags",
    "approval_ticket",
    "event_id",
    "source",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_csv(report: AuditReport) -> str:
    as_of = format_timestamp(report.as_of)
    rows = (
        (
            account.account_id,
            account.name or "",
            account.ou_path or "",
            finding.check_id,
            finding.title,
            finding.status.value,
            finding.severity.value,
            *("; ".join(finding.frameworks.get(key, ())) for key, _ in CIS_BENCHMARKS),
            finding.resource,
            finding.message,
            finding.remediation,
            as_of,
        )
        for account, finding in findings(report)
    )
    return _write(COLUMNS, rows)


def render_activity_csv(report: ActivityReport) -> str:
    rows = (
        (
            format_timestamp(event.event_time),
            event.account_id,
            event.region,
            event.event_source,
            event.event_name,
            event.category.value,
            event.root_only_task or "",
            event.source_ip,
            event.user_agent,
            "" if event.mfa is None else str(event.mfa).lower(),
            event.error_code or "",
            event.access_key_id or "",
            event.session_id,
            " ".join(event.flags),
            event.approval.ticket if event.approval is not None else "",
            event.event_id,
            event.source,
        )
        for event in report.activity.events
    )
    return _write(ACTIVITY_COLUMNS, rows)


def guard(cell: str) -> str:
    """Defuse a cell a spreadsheet would evaluate as a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _write(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    writer.writerows([guard(cell) for cell in row] for row in rows)
    return out.getvalue()
