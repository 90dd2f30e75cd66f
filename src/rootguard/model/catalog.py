"""What ``rootguard checks`` lists about each check: metadata, the evidence it reads, the IAM actions it needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rootguard.model.findings import Severity


@dataclass(frozen=True)
class CheckEntry:
    check_id: str
    title: str
    severity: Severity
    frameworks: Mapping[str, tuple[str, ...]]
    """Framework id (``cis-aws-3.0.0`` …) → requirement ids; empty when no benchmark names the control."""
    evidence: tuple[str, ...]
    """Bundle files the check reads, relative to an account's folder (``global/iam/get-credential-report.json``)."""
    actions: tuple[str, ...]
    """IAM actions a live collection of that evidence calls, sorted (``sts:GetCallerIdentity`` needs none)."""
    skipped_by: tuple[str, ...] = ()
    """Options that leave this check SKIPPED (``--no-cloudtrail`` …), when it needs what they leave out."""
    scope: str = "account"
    """``account``: every audit runs it, on each account's folder; ``organization``: only organization audits
    (contract §5.7), and its ``evidence`` paths start at the bundle's top."""
