"""SARIF 2.1.0 for GitHub code scanning and other SARIF readers.

One rule per check id (its title, its fix as help text, ``security-severity`` from the highest severity
the report gives it). A result for every FAIL (``kind`` fail, level by severity) and every ERROR (level
warning: the check could not be evaluated, which a reader must see too); PASS, MANUAL, NOT_APPLICABLE
and SKIPPED are counted in the run's properties, not raised as alerts. Code scanning shows a result
only with a physical location, and an AWS account is no file: each result points at the settings file
``rootguard.toml`` (where approvals and break-glass declarations live), names the account's root ARN
as its logical location, and carries ``partialFingerprints`` of account and check, so a re-run updates
the alert instead of opening a new one.
"""

from __future__ import annotations

import json
from typing import Any

from rootguard.model.findings import AuditReport, Finding, Severity, Status
from rootguard.model.timestamps import format_timestamp
from rootguard.report.format_common import SECURITY_SEVERITY, TOOL, cis_references, findings

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
ANCHOR = "rootguard.toml"
"""The repository file every result points at (GitHub needs one; the findings are about AWS accounts)."""
LEVELS = {Severity.LOW: "note", Severity.MEDIUM: "warning", Severity.HIGH: "error", Severity.CRITICAL: "error"}
RAISED = (Status.FAIL, Status.ERROR)


def render_sarif(report: AuditReport) -> str:
    return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"


def sarif_document(report: AuditReport) -> dict[str, Any]:
    rules: dict[str, Finding] = {}
    highest: dict[str, Severity] = {}
    for _, finding in findings(report):
        rules.setdefault(finding.check_id, finding)
        current = highest.get(finding.check_id)
        if current is None or finding.severity.rank > current.rank:
            highest[finding.check_id] = finding.severity
    index = {check_id: position for position, check_id in enumerate(rules)}
    counts = report.count()
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL,
                        "version": report.tool_version,
                        "rules": [_rule(finding, highest[check_id]) for check_id, finding in rules.items()],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    _result(account.account_id, finding, index[finding.check_id])
                    for account, finding in findings(report)
                    if finding.status in RAISED
                ],
                "properties": {
                    "as_of": format_timestamp(report.as_of),
                    "source": report.source,
                    "summary": {status.value: counts[status] for status in Status},
                },
            }
        ],
    }


def _rule(finding: Finding, severity: Severity) -> dict[str, Any]:
    references = cis_references(finding)
    help_text = f"{finding.title}. Fix: {finding.remediation}"
    if references:
        help_text += " References: " + "; ".join(references) + "."
    return {
        "id": finding.check_id,
        "name": "".join(part.capitalize() for part in finding.check_id.split("-")),
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": finding.title},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": {
            "security-severity": SECURITY_SEVERITY[severity],
            "tags": ["security", "aws", "root-user", *references],
        },
    }


def _result(account_id: str, finding: Finding, rule_index: int) -> dict[str, Any]:
    failed = finding.status is Status.FAIL
    text = finding.message if failed else f"Could not be evaluated: {finding.message}"
    return {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": LEVELS[finding.severity] if failed else "warning",
        "message": {"text": f"{text} (account {account_id}, {finding.resource})"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": ANCHOR, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [{"name": account_id, "fullyQualifiedName": finding.resource, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {"rootguard/v1": f"{account_id}:{finding.check_id}"},
        "properties": {"status": finding.status.value, "severity": finding.severity.value, "account": account_id},
    }
