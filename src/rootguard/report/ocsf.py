"""OCSF 1.6 findings (JSON arrays) for SIEMs, data lakes and the OCSF-native AWS Security Hub.

Audit findings are Compliance Findings (class 2003): one per account and check, ``finding_info.uid``
the stable ``rootguard/<account>/<check>``, ``compliance`` with the CIS standards and requirements and
the status. Root activity events are Detection Findings (class 2004), one per event. Both carry the
``cloud`` profile (``metadata.profiles``, ``cloud.provider``/``account``/``region``): OCSF allows a
resource's ``region`` only with it. IAM is a global service, so posture findings name the Region
``global``; activity findings name the event's Region.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from rootguard.model.activity import ActivityEvent, ActivityReport, event_severity
from rootguard.model.findings import AccountResult, AuditReport, Finding, Severity, Status
from rootguard.model.timestamps import format_timestamp
from rootguard.report.format_common import CIS_BENCHMARKS, TOOL, finding_id, findings

OCSF_VERSION = "1.6.0"
FINDINGS_CATEGORY = 2
COMPLIANCE_FINDING = 2003
DETECTION_FINDING = 2004
CREATE = 1
"""``activity_id`` Create: a finding rootguard reports (OCSF's finding activities: 1 Create, 2 Update, 3 Close)."""
AWS_ACCOUNT = 10
"""``account.type_id`` AWS Account."""
GLOBAL_REGION = "global"
SEVERITY_IDS = {Severity.LOW: 2, Severity.MEDIUM: 3, Severity.HIGH: 4, Severity.CRITICAL: 5}
INFORMATIONAL = 1
COMPLIANCE_STATUS = {
    Status.PASS: (1, "Pass"),
    Status.FAIL: (3, "Fail"),
    Status.MANUAL: (2, "Warning"),
    Status.ERROR: (99, "Error"),
    Status.NOT_APPLICABLE: (99, "Not Applicable"),
    Status.SKIPPED: (99, "Skipped"),
}
"""OCSF compliance ``status_id`` (0 Unknown, 1 Pass, 2 Warning: "did not yield a result due to missing
information", 3 Fail, 99 Other with ``status`` naming it). MANUAL needs a person's information: Warning."""


def render_ocsf(report: AuditReport) -> str:
    documents = [compliance_finding(account, finding, report) for account, finding in findings(report)]
    return json.dumps(documents, indent=2, ensure_ascii=False) + "\n"


def render_activity_ocsf(report: ActivityReport) -> str:
    documents = [detection_finding(event, report) for event in report.activity.events]
    return json.dumps(documents, indent=2, ensure_ascii=False) + "\n"


def compliance_finding(account: AccountResult, finding: Finding, report: AuditReport) -> dict[str, Any]:
    status_id, status = COMPLIANCE_STATUS[finding.status]
    standards = [name for key, name in CIS_BENCHMARKS if finding.frameworks.get(key)]
    requirements = [f"{name} {item}" for key, name in CIS_BENCHMARKS for item in finding.frameworks.get(key, ())]
    severity_id = SEVERITY_IDS[finding.severity] if finding.status is Status.FAIL else INFORMATIONAL
    compliance: dict[str, Any] = {
        "control": finding.check_id,
        "status_id": status_id,
        "status": status,
        "status_detail": finding.message,
        "standards": standards or [TOOL],
    }
    if requirements:
        compliance["requirements"] = requirements
    document = {
        **_header(COMPLIANCE_FINDING, report.as_of, report.tool_version, severity_id),
        "cloud": _cloud(account.account_id, GLOBAL_REGION, account.name),
        "finding_info": {
            "uid": finding_id(account.account_id, finding.check_id),
            "title": finding.title,
            "desc": finding.message,
            "types": ["Software and Configuration Checks"],
        },
        "compliance": compliance,
        "status_id": 1,
        "message": finding.message,
        "resources": [{"uid": finding.resource, "type": "AwsAccount", "region": GLOBAL_REGION}],
        "remediation": {"desc": finding.remediation},
        "unmapped": {
            "rootguard": {
                "status": finding.status.value,
                "severity": finding.severity.value,
                "evidence": dict(finding.evidence),
                "source": report.source,
                **({"ou_path": account.ou_path} if account.ou_path else {}),
            }
        },
    }
    if finding.status is not Status.FAIL:
        document["unmapped"]["rootguard"]["severity_if_failed"] = finding.severity.value
    return document


def detection_finding(event: ActivityEvent, report: ActivityReport) -> dict[str, Any]:
    severity = event_severity(event)
    title = f"Root {event.event_name} ({event.category.value})"
    return {
        **_header(DETECTION_FINDING, event.event_time, None, SEVERITY_IDS[severity] if severity else INFORMATIONAL),
        "cloud": _cloud(event.account_id, event.region, None),
        "finding_info": {
            "uid": f"{TOOL}/{event.account_id}/activity/{event.event_id}",
            "title": title,
            "desc": f"{event.event_source} {event.event_name} as root from {event.source_ip}",
            "types": [event.category.value],
            "first_seen_time": _millis(event.event_time),
            "last_seen_time": _millis(event.event_time),
        },
        "status_id": 1,
        "message": title,
        "resources": [{"uid": f"{event.account_id}", "type": "AwsAccount", "region": event.region}],
        "unmapped": {
            "rootguard": {
                "event_id": event.event_id,
                "event_time": format_timestamp(event.event_time),
                "event_source": event.event_source,
                "event_name": event.event_name,
                "category": event.category.value,
                "root_only_task": event.root_only_task,
                "source_ip": event.source_ip,
                "user_agent": event.user_agent,
                "mfa": event.mfa,
                "error_code": event.error_code,
                "session_id": event.session_id,
                "access_key_id": event.access_key_id,
                "flags": list(event.flags),
                "approval": None if event.approval is None else event.approval.ticket,
                "source": event.source,
                "as_of": format_timestamp(report.as_of),
            }
        },
    }


def _header(class_uid: int, time: datetime, version: str | None, severity_id: int) -> dict[str, Any]:
    product: dict[str, Any] = {"name": TOOL, "vendor_name": TOOL}
    if version is not None:
        product["version"] = version
    return {
        "activity_id": CREATE,
        "category_uid": FINDINGS_CATEGORY,
        "class_uid": class_uid,
        "type_uid": class_uid * 100 + CREATE,
        "severity_id": severity_id,
        "time": _millis(time),
        "metadata": {"version": OCSF_VERSION, "product": product, "profiles": ["cloud"]},
    }


def _cloud(account_id: str, region: str, name: str | None) -> dict[str, Any]:
    account: dict[str, Any] = {"uid": account_id, "type_id": AWS_ACCOUNT, "type": "AWS Account"}
    if name:
        account["name"] = name
    return {"provider": "AWS", "region": region, "account": account}


def _millis(moment: datetime) -> int:
    """OCSF ``timestamp_t``: milliseconds since the Unix epoch."""
    return int(moment.timestamp() * 1000)
