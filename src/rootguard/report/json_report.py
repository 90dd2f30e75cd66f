"""The JSON report of contract §4 (``rootguard/report@1``)."""

from __future__ import annotations

import json
from typing import Any

from rootguard.model.findings import AccountResult, AuditReport, Finding, Status
from rootguard.model.timestamps import format_timestamp

SCHEMA = "rootguard/report@1"


def render_json(report: AuditReport) -> str:
    return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"


def report_document(report: AuditReport) -> dict[str, Any]:
    counts = report.count()
    return {
        "schema": SCHEMA,
        "tool": {"name": "rootguard", "version": report.tool_version},
        "as_of": format_timestamp(report.as_of),
        "source": report.source,
        "accounts": [_account(account) for account in report.accounts],
        "summary": {status.value: counts[status] for status in Status},
        "notes": list(report.notes),
        "coverage": coverage_by_account(report),
    } | _organization(report)


def _account(account: AccountResult) -> dict[str, Any]:
    """An account's entry; the organization fields only when an organization audit set them (contract §4)."""
    entry: dict[str, Any] = {"account_id": account.account_id, "findings": [_finding(f) for f in account.findings]}
    for key in ("name", "ou_path", "state"):
        value = getattr(account, key)
        if value is not None:
            entry[key] = value
    if account.management:
        entry["management"] = True
    return entry


def _organization(report: AuditReport) -> dict[str, Any]:
    info = report.organization
    if info is None:
        return {}
    return {
        "organization": {
            "organization_id": info.organization_id,
            "management_account_id": info.management_account_id,
            "listed_accounts": info.listed_accounts,
            "excluded": dict(info.excluded),
        }
    }


COVERAGE_CHECK = "root-activity"


def coverage_by_account(report: AuditReport) -> dict[str, Any]:
    """Contract §4 ``coverage``: each account's CloudTrail coverage, as its root-activity finding found it."""
    found: dict[str, Any] = {}
    for account in report.accounts:
        for finding in account.findings:
            covered = finding.evidence.get("coverage") if finding.check_id == COVERAGE_CHECK else None
            if isinstance(covered, dict):
                found[account.account_id] = covered
    return found


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "check_id": finding.check_id,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "title": finding.title,
        "message": finding.message,
        "resource": finding.resource,
        "frameworks": {name: list(ids) for name, ids in finding.frameworks.items()},
        "evidence": dict(finding.evidence),
        "remediation": finding.remediation,
    }
