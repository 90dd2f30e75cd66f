"""Statuses, severities, findings and the audit report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    PASS = "PASS"  # noqa: S105 - a status, not a password
    FAIL = "FAIL"
    MANUAL = "MANUAL"
    ERROR = "ERROR"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    SKIPPED = "SKIPPED"
    """Not run because the user chose so (``--no-alerting``, ``--no-cloudtrail``); never a failure (contract §3)."""


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


@dataclass(frozen=True)
class Finding:
    """One check's verdict on one account (contract §4)."""

    check_id: str
    status: Status
    severity: Severity
    title: str
    message: str
    resource: str
    frameworks: Mapping[str, tuple[str, ...]]
    evidence: Mapping[str, Any]
    remediation: str


@dataclass(frozen=True)
class AccountResult:
    account_id: str
    findings: tuple[Finding, ...]
    name: str | None = None
    """The account's name in its organization (``ListAccounts``); None outside an organization audit."""
    ou_path: str | None = None
    """Where the account sits, from the root: ``Root/Workloads/Prod``; None outside an organization audit."""
    state: str | None = None
    """``ACTIVE``, ``SUSPENDED``, ``PENDING_ACTIVATION``, ``PENDING_CLOSURE`` or ``CLOSED`` (organization audits)."""
    management: bool = False
    """The organization's management account: audited directly, outside AssumeRoot and SCPs."""


@dataclass(frozen=True)
class OrganizationInfo:
    """What an organization audit says about the organization as a whole (contract §4, ``organization``)."""

    organization_id: str
    management_account_id: str
    listed_accounts: int
    """Accounts ``ListAccounts`` returned; every one has a row or is named in ``excluded``."""
    excluded: Mapping[str, str] = field(default_factory=dict)
    """Account id → why it is not audited (``--exclude-accounts``, outside ``--ou``): never dropped silently."""


@dataclass(frozen=True)
class AuditReport:
    as_of: datetime
    accounts: tuple[AccountResult, ...]
    source: str
    tool_version: str
    notes: tuple[str, ...] = field(default=())
    """Bundle-level remarks (files not covered by checksums …), shown to the reader."""
    organization: OrganizationInfo | None = None
    """Set by an organization audit (``rootguard org audit``, or ``audit --evidence`` on an organization bundle)."""

    def count(self) -> dict[Status, int]:
        counts = dict.fromkeys(Status, 0)
        for account in self.accounts:
            for finding in account.findings:
                counts[finding.status] += 1
        return counts

    def exit_code(self, fail_on: Severity) -> int:
        """Contract §2: 1 on a FAIL at or above ``fail_on``, else 3 on any ERROR, else 0 (SKIPPED never counts)."""
        findings = [finding for account in self.accounts for finding in account.findings]
        if any(f.status is Status.FAIL and f.severity.rank >= fail_on.rank for f in findings):
            return 1
        if any(f.status is Status.ERROR for f in findings):
            return 3
        return 0
