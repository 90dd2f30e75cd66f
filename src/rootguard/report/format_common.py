"""What the machine formats share: finding ids, CIS references, severity scores and safe text.

Every format renders the one report model; nothing here judges. The ids are stable (account and check
id), so a re-run updates what a consumer already holds (Security Hub, GitHub code scanning) instead of
adding a copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rootguard.model.findings import AccountResult, AuditReport, Finding, Severity

TOOL = "rootguard"

CIS_BENCHMARKS = (
    ("cis-aws-3.0.0", "CIS AWS Foundations Benchmark v3.0.0"),
    ("cis-aws-5.0.0", "CIS AWS Foundations Benchmark v5.0.0"),
    ("cis-aws-6.0.0", "CIS AWS Foundations Benchmark v6.0.0"),
)
"""The framework ids checks use (``checks.registry.CIS_3`` …), in column order, with their published names."""

SECURITY_SEVERITY = {
    Severity.LOW: "2.0",
    Severity.MEDIUM: "5.0",
    Severity.HIGH: "7.5",
    Severity.CRITICAL: "9.5",
}
"""GitHub code scanning's bands: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""Characters XML 1.0 cannot carry and terminals act on (tab, LF and CR are kept)."""
_BREAKS = re.compile(r"\r\n|[\r\n\t]")


def finding_id(account_id: str, check_id: str) -> str:
    """``rootguard/<account>/<check>``: the same on every run for the same account and check."""
    return f"{TOOL}/{account_id}/{check_id}"


def findings(report: AuditReport) -> Iterator[tuple[AccountResult, Finding]]:
    """Every finding with its account, in the report's order (accounts, then the checks' order)."""
    for account in report.accounts:
        for finding in account.findings:
            yield account, finding


def cis_references(finding: Finding) -> list[str]:
    """``CIS AWS Foundations Benchmark v3.0.0/1.7`` for each CIS version that names the check."""
    return [f"{name}/{item}" for key, name in CIS_BENCHMARKS for item in finding.frameworks.get(key, ())]


def cis_short(finding: Finding) -> str:
    """``1.7 (v3) · 1.6 (v5) · 2.6 (v6)``, or empty when no CIS version names the check."""
    parts = []
    for key, _ in CIS_BENCHMARKS:
        version = key.removeprefix("cis-aws-").split(".")[0]
        parts += [f"{item} (v{version})" for item in finding.frameworks.get(key, ())]
    return " · ".join(parts)


def escape_controls(text: str) -> str:
    """Control characters as ``\\xNN`` text: kept visible, never acted on, always valid XML 1.0."""
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", text)


def one_line(text: str) -> str:
    """Line breaks and tabs as spaces, then control characters escaped (table cells, attributes)."""
    return escape_controls(_BREAKS.sub(" ", text))


def truncate(text: str, limit: int) -> str:
    """At most ``limit`` characters; a cut ends with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
