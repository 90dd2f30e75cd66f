"""JUnit XML for CI systems (Jenkins, GitLab, Azure DevOps, CircleCI …): one test suite per account.

One test case per check: FAIL is a ``<failure>``, ERROR an ``<error>`` (the check could not be
evaluated), MANUAL, NOT_APPLICABLE and SKIPPED a ``<skipped>`` whose message says which and why; PASS
has no child. Each suite carries the ``tests``/``failures``/``errors``/``skipped`` counts CI systems
read. Follows the widely used ``junit-10.xsd`` (tests/schemas). XML 1.0 cannot carry most control
characters, so evidence text shows them as ``\\xNN``; ElementTree escapes ``<``, ``&`` and quotes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from rootguard.model.findings import AccountResult, AuditReport, Finding, Status
from rootguard.model.timestamps import format_timestamp
from rootguard.report.format_common import TOOL, cis_short, escape_controls, one_line

SKIPPED = (Status.MANUAL, Status.NOT_APPLICABLE, Status.SKIPPED)


def render_junit(report: AuditReport) -> str:
    timestamp = format_timestamp(report.as_of).removesuffix("Z")
    root = ET.Element("testsuites", {"name": TOOL})
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for account in report.accounts:
        suite = _suite(account, report, timestamp)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    root.attrib.update({key: str(value) for key, value in totals.items()})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(account: AccountResult, report: AuditReport, timestamp: str) -> ET.Element:
    statuses = [finding.status for finding in account.findings]
    label = account.account_id + (f" ({account.name})" if account.name else "")
    suite = ET.Element(
        "testsuite",
        {
            "name": one_line(f"{TOOL} {label}"),
            "tests": str(len(statuses)),
            "failures": str(statuses.count(Status.FAIL)),
            "errors": str(statuses.count(Status.ERROR)),
            "skipped": str(sum(statuses.count(status) for status in SKIPPED)),
            "timestamp": timestamp,
            "id": account.account_id,
        },
    )
    properties = ET.SubElement(suite, "properties")
    shown = {
        "account_id": account.account_id,
        "account_name": account.name,
        "ou_path": account.ou_path,
        "as_of": format_timestamp(report.as_of),
        "source": report.source,
        "rootguard_version": report.tool_version,
    }
    for name, value in shown.items():
        if value is not None:
            ET.SubElement(properties, "property", {"name": name, "value": one_line(value)})
    for finding in account.findings:
        suite.append(_case(account.account_id, finding))
    return suite


def _case(account_id: str, finding: Finding) -> ET.Element:
    case = ET.Element(
        "testcase",
        {"classname": f"{TOOL}.{account_id}", "name": one_line(f"{finding.check_id}: {finding.title}")},
    )
    message = one_line(finding.message)
    cis = cis_short(finding)
    details = "\n".join(
        [
            f"{finding.status.value} ({finding.severity.value}) {finding.resource}",
            escape_controls(finding.message),
            *([f"CIS: {cis}"] if cis else []),
            *([f"Fix: {escape_controls(finding.remediation)}"] if finding.status is Status.FAIL else []),
        ]
    )
    match finding.status:
        case Status.FAIL:
            child = ET.SubElement(case, "failure", {"message": message, "type": finding.severity.value})
            child.text = details
        case Status.ERROR:
            child = ET.SubElement(case, "error", {"message": message, "type": "ERROR"})
            child.text = details
        case Status.MANUAL | Status.NOT_APPLICABLE | Status.SKIPPED:
            ET.SubElement(case, "skipped", {"message": f"{finding.status.value}: {message}"})
        case Status.PASS:
            pass
    return case
