"""What the HTML audit report shows, as plain values the template lays out.

Nothing here writes markup: every string (messages, evidence, account names, OU paths) reaches the
page through Jinja2's autoescaping. The default order puts FAIL and ERROR first, worst severity
first, so the page reads right without its script.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rootguard.model.findings import AccountResult, AuditReport, Finding, OrganizationInfo, Status
from rootguard.model.timestamps import format_timestamp
from rootguard.report.coverage import coverage_line
from rootguard.report.json_report import coverage_by_account

STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.MANUAL, Status.PASS, Status.NOT_APPLICABLE, Status.SKIPPED)
"""The default order of the findings table and of the filter: what needs action first."""
SHORT = {Status.NOT_APPLICABLE: "N/A", Status.SKIPPED: "SKIP"}
"""Matrix cells are narrow: the two long status names are shortened there."""
FIX_SHOWN = frozenset({Status.FAIL, Status.MANUAL})
"""An ERROR's message already says how to fill the gap; the check's remediation fixes a FAIL (as the table)."""
SHOWN_ACCOUNTS = 6


@dataclass(frozen=True)
class EvidenceItem:
    key: str
    value: str
    nested: bool
    """A list or mapping, shown as indented JSON in a ``<pre>``."""


@dataclass(frozen=True)
class FindingRow:
    anchor: str
    order: int
    finding: Finding
    account: AccountResult
    status_rank: int
    severity_rank: int
    """Higher is worse: ``critical`` sorts first."""
    references: tuple[str, ...]
    evidence: tuple[EvidenceItem, ...]
    fix: str | None


@dataclass(frozen=True)
class MatrixRow:
    account: AccountResult
    cells: tuple[FindingRow | None, ...]


@dataclass(frozen=True)
class Matrix:
    organization: OrganizationInfo
    checks: tuple[str, ...]
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True)
class AuditView:
    report: AuditReport
    as_of: str
    counts: tuple[tuple[Status, int], ...]
    rows: tuple[FindingRow, ...]
    accounts: tuple[AccountResult, ...]
    more_accounts: int
    coverage: tuple[tuple[str, str, bool], ...]
    """(account id, the coverage line, complete) per account whose root-activity finding measured it."""
    matrix: Matrix | None
    several_accounts: bool


def audit_view(report: AuditReport) -> AuditView:
    counts = report.count()
    rows = _rows(report)
    covered = coverage_by_account(report)
    return AuditView(
        report=report,
        as_of=format_timestamp(report.as_of),
        counts=tuple((status, counts[status]) for status in STATUS_ORDER),
        rows=rows,
        accounts=report.accounts[:SHOWN_ACCOUNTS],
        more_accounts=max(0, len(report.accounts) - SHOWN_ACCOUNTS),
        coverage=tuple(
            (account_id, coverage_line(document), bool(document.get("complete")))
            for account_id, document in covered.items()
        ),
        matrix=_matrix(report, rows) if report.organization is not None else None,
        several_accounts=len(report.accounts) > 1,
    )


def _rows(report: AuditReport) -> tuple[FindingRow, ...]:
    found = [(account, finding) for account in report.accounts for finding in account.findings]
    ranked = sorted(
        enumerate(found),
        key=lambda item: (STATUS_ORDER.index(item[1][1].status), -item[1][1].severity.rank, item[0]),
    )
    return tuple(
        FindingRow(
            anchor=f"finding-{original + 1}",
            order=position,
            finding=finding,
            account=account,
            status_rank=STATUS_ORDER.index(finding.status),
            severity_rank=finding.severity.rank,
            references=_references(finding.frameworks),
            evidence=tuple(_evidence_item(key, value) for key, value in finding.evidence.items()),
            fix=finding.remediation if finding.status in FIX_SHOWN else None,
        )
        for position, (original, (account, finding)) in enumerate(ranked)
    )


def _references(frameworks: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """``cis-aws-6.0.0`` → ``CIS 6.0.0 2.6``: the benchmark version and its recommendation numbers."""
    shown = []
    for name, ids in sorted(frameworks.items()):
        label = f"CIS {name.removeprefix('cis-aws-')}" if name.startswith("cis-aws-") else name
        shown.append(f"{label} {', '.join(ids)}")
    return tuple(shown)


def _evidence_item(key: object, value: object) -> EvidenceItem:
    if isinstance(value, Mapping | list | tuple):
        return EvidenceItem(str(key), json.dumps(value, indent=2, ensure_ascii=False, default=str), nested=True)
    return EvidenceItem(str(key), "null" if value is None else str(value), nested=False)


def _matrix(report: AuditReport, rows: tuple[FindingRow, ...]) -> Matrix:
    assert report.organization is not None
    checks = tuple(dict.fromkeys(f.check_id for account in report.accounts for f in account.findings))
    by_cell = {(row.account.account_id, row.finding.check_id): row for row in rows}
    return Matrix(
        organization=report.organization,
        checks=checks,
        rows=tuple(
            MatrixRow(account, tuple(by_cell.get((account.account_id, check)) for check in checks))
            for account in report.accounts
        ),
    )


def short_status(status: Status) -> str:
    return SHORT.get(status, status.value)


def as_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)
