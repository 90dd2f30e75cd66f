"""AWS Security Finding Format (ASFF) for Security Hub's ``BatchImportFindings``.

One finding per account and check, ``Id`` ``rootguard/<account>/<check>`` so that a re-run updates the
finding Security Hub holds instead of adding one, ``ProductArn`` the account's own default integration
(``arn:<partition>:securityhub:<region>:<account>:product/<account>/default``), which is the only
product an account may import its own findings under. What AWS documents beyond the API model is kept
here: ``Title`` at most 256 characters and ``Description`` at most 1024 (cut with an ellipsis),
``Recommendation.Text`` at most 512, ``Severity.Label`` and ``Compliance.Status`` from their enums,
ISO 8601 times. Security Hub takes at most 100 findings per call (``BATCH_LIMIT``).
"""

from __future__ import annotations

import json
from typing import Any

from rootguard.model.findings import AccountResult, AuditReport, Finding, Status
from rootguard.model.timestamps import format_timestamp
from rootguard.report.format_common import TOOL, cis_references, finding_id, findings, truncate

SCHEMA_VERSION = "2018-10-08"
BATCH_LIMIT = 100
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 1024
RECOMMENDATION_LIMIT = 512
PRODUCT_FIELD_LIMIT = 2048
SEVERITY_LABELS = ("INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL")
COMPLIANCE = {
    Status.PASS: "PASSED",
    Status.FAIL: "FAILED",
    Status.MANUAL: "WARNING",
    Status.ERROR: "NOT_AVAILABLE",
    Status.NOT_APPLICABLE: "NOT_AVAILABLE",
    Status.SKIPPED: "NOT_AVAILABLE",
}
"""AWS: WARNING "some information is missing" (a person must attest); NOT_AVAILABLE "the check could not be
performed" (an API error, not applicable, or not run)."""
WEIGHED = (Status.FAIL, Status.ERROR, Status.MANUAL)
"""Statuses whose Severity.Label is the check's severity; the others are INFORMATIONAL (nothing to act on)."""
CIS_TYPE = "Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark"
BEST_PRACTICE_TYPE = "Software and Configuration Checks/AWS Security Best Practices"


def render_asff(report: AuditReport, *, region: str = "us-east-1") -> str:
    return json.dumps(asff_findings(report, region=region), indent=2, ensure_ascii=False) + "\n"


def asff_findings(report: AuditReport, *, region: str = "us-east-1") -> list[dict[str, Any]]:
    return [asff_finding(account, finding, report, region) for account, finding in findings(report)]


def partition(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def product_arn(account_id: str, region: str) -> str:
    """The account's default integration: the product an account imports its own findings under."""
    return f"arn:{partition(region)}:securityhub:{region}:{account_id}:product/{account_id}/default"


def asff_finding(account: AccountResult, finding: Finding, report: AuditReport, region: str) -> dict[str, Any]:
    when = format_timestamp(report.as_of)
    references = cis_references(finding)
    label = finding.severity.value.upper() if finding.status in WEIGHED else "INFORMATIONAL"
    fields = {
        "rootguard/CheckId": finding.check_id,
        "rootguard/Status": finding.status.value,
        "rootguard/Source": truncate(report.source, PRODUCT_FIELD_LIMIT),
        "rootguard/Resource": truncate(finding.resource, PRODUCT_FIELD_LIMIT),
        "ProviderName": TOOL,
        "ProviderVersion": report.tool_version,
    }
    if account.name:
        fields["rootguard/AccountName"] = truncate(account.name, PRODUCT_FIELD_LIMIT)
    if account.ou_path:
        fields["rootguard/OuPath"] = truncate(account.ou_path, PRODUCT_FIELD_LIMIT)
    compliance: dict[str, Any] = {"Status": COMPLIANCE[finding.status]}
    if references:
        compliance["RelatedRequirements"] = references[:32]
    document: dict[str, Any] = {
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(account.account_id, finding.check_id),
        "ProductArn": product_arn(account.account_id, region),
        "ProductName": TOOL,
        "CompanyName": TOOL,
        "GeneratorId": f"{TOOL}/{finding.check_id}",
        "AwsAccountId": account.account_id,
        "Region": region,
        "Types": [CIS_TYPE if references else BEST_PRACTICE_TYPE],
        "CreatedAt": when,
        "UpdatedAt": when,
        "Severity": {"Label": label, "Original": finding.severity.value},
        "Title": truncate(finding.title, TITLE_LIMIT),
        "Description": truncate(finding.message, DESCRIPTION_LIMIT) or finding.title,
        "ProductFields": fields,
        "Resources": [
            {
                "Type": "AwsAccount",
                "Id": f"AWS::::Account:{account.account_id}",
                "Partition": partition(region),
                "Region": region,
            }
        ],
        "Compliance": compliance,
        "RecordState": "ACTIVE",
    }
    if finding.remediation:
        document["Remediation"] = {"Recommendation": {"Text": truncate(finding.remediation, RECOMMENDATION_LIMIT)}}
    return document
