"""ASFF: valid input for Security Hub's BatchImportFindings as botocore's own service model says (required
fields and types), plus what AWS documents beyond the model: at most 100 findings per call, Title at most 256
and Description at most 1024 characters, the enums, ISO 8601 times, stable ids and the default product ARN."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import botocore.session
import pytest
from botocore.validate import ParamValidator

from rootguard.model.findings import AuditReport, Status
from rootguard.report.asff import BATCH_LIMIT, render_asff

SEVERITY_LABELS = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"}
COMPLIANCE_STATUSES = {"PASSED", "WARNING", "FAILED", "NOT_AVAILABLE"}
RECORD_STATES = {"ACTIVE", "ARCHIVED"}
TYPE = re.compile(r"[^/]+(/[^/]+){0,2}")
"""namespace/category/classifier ("Types" in the ASFF reference)."""
ISO_8601 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


@pytest.fixture(scope="module")
def input_shape() -> Any:
    model = botocore.session.get_session().get_service_model("securityhub")
    return model.operation_model("BatchImportFindings").input_shape


def model_problems(findings: list[dict[str, Any]], input_shape: Any) -> str:
    report = ParamValidator().validate({"Findings": findings}, input_shape)
    return report.generate_report() if report.has_errors() else ""


def documented_problems(finding: dict[str, Any]) -> list[str]:
    """What the AWS Security Hub user guide says beyond the API model (asff-required-attributes, the
    partner guide's mapping guidelines)."""
    problems = []
    if finding["SchemaVersion"] != "2018-10-08":
        problems.append("SchemaVersion")
    if len(finding["Title"]) > 256 or len(finding["Description"]) > 1024:
        problems.append("Title or Description too long")
    if len(finding.get("Remediation", {}).get("Recommendation", {}).get("Text", "")) > 512:
        problems.append("Recommendation.Text too long")
    if finding["Severity"]["Label"] not in SEVERITY_LABELS:
        problems.append("Severity.Label")
    if finding["Compliance"]["Status"] not in COMPLIANCE_STATUSES or finding["RecordState"] not in RECORD_STATES:
        problems.append("enum")
    if not finding["Types"] or not all(TYPE.fullmatch(t) for t in finding["Types"]):
        problems.append("Types")
    for key in ("CreatedAt", "UpdatedAt"):
        try:
            datetime.fromisoformat(finding[key])
        except ValueError:
            problems.append(key)
        if not ISO_8601.fullmatch(finding[key]):
            problems.append(key)
    if len(finding["Id"]) > 512 or len(finding["ProductFields"]) > 50:
        problems.append("Id or ProductFields")
    if any(len(k) > 128 or len(v) > 2048 for k, v in finding["ProductFields"].items()):
        problems.append("ProductFields entry")
    if not re.fullmatch(r"\d{12}", finding["AwsAccountId"]):
        problems.append("AwsAccountId")
    return problems


def findings_of(report: AuditReport, **options: str) -> list[dict[str, Any]]:
    loaded = json.loads(render_asff(report, **options))
    assert isinstance(loaded, list)
    return loaded


@pytest.mark.parametrize("name", ["demo_report", "hostile_report"])
def test_valid_for_batch_import_findings(name: str, request: pytest.FixtureRequest, input_shape: Any) -> None:
    findings = findings_of(request.getfixturevalue(name))
    for start in range(0, len(findings), BATCH_LIMIT):
        assert model_problems(findings[start : start + BATCH_LIMIT], input_shape) == ""
    assert [problem for finding in findings for problem in documented_problems(finding)] == []


def test_the_model_is_not_vacuous(demo_report: AuditReport, input_shape: Any) -> None:
    finding = findings_of(demo_report)[0]
    assert model_problems([{**finding, "Types": "x"}], input_shape)
    assert model_problems([{k: v for k, v in finding.items() if k != "GeneratorId"}], input_shape)
    # botocore checks a list's minimum length only: the 100-finding limit is ours to keep (the model says it)
    assert input_shape.members["Findings"].metadata["max"] == BATCH_LIMIT
    assert documented_problems({**finding, "Title": "x" * 257}) and documented_problems({**finding, "CreatedAt": "x"})


def test_ids_and_product_arn(demo_report: AuditReport) -> None:
    findings = findings_of(demo_report, region="eu-west-1")
    expected = [(a.account_id, f.check_id) for a in demo_report.accounts for f in a.findings]
    assert [f["Id"] for f in findings] == [f"rootguard/{account}/{check}" for account, check in expected]
    for finding in findings:
        account = finding["AwsAccountId"]
        assert finding["ProductArn"] == f"arn:aws:securityhub:eu-west-1:{account}:product/{account}/default"
        assert finding["Resources"] == [
            {"Type": "AwsAccount", "Id": f"AWS::::Account:{account}", "Partition": "aws", "Region": "eu-west-1"}
        ]
        assert finding["CreatedAt"] == finding["UpdatedAt"] == "2026-11-20T12:00:00Z"
    assert findings_of(demo_report, region="eu-west-1") == findings, "a re-run sends the same findings"
    gov = findings_of(demo_report, region="us-gov-west-1")[0]["ProductArn"]
    assert gov.startswith("arn:aws-us-gov:securityhub:us-gov-west-1:")


def test_statuses_and_severities(demo_report: AuditReport) -> None:
    findings = findings_of(demo_report)
    pairs = [(a, f) for a in demo_report.accounts for f in a.findings]
    expected = {Status.PASS: "PASSED", Status.FAIL: "FAILED", Status.MANUAL: "WARNING", Status.ERROR: "NOT_AVAILABLE"}
    for document, (_, finding) in zip(findings, pairs, strict=True):
        assert document["Compliance"]["Status"] == expected[finding.status]
        label = finding.severity.value.upper() if finding.status is not Status.PASS else "INFORMATIONAL"
        assert document["Severity"]["Label"] == label
        assert document["ProductFields"]["rootguard/Status"] == finding.status.value
    mfa = next(f for f in findings if f["GeneratorId"] == "rootguard/root-mfa")
    assert mfa["Compliance"]["RelatedRequirements"][0] == "CIS AWS Foundations Benchmark v3.0.0/1.5"


def test_long_text_is_cut_with_an_ellipsis(hostile_report: AuditReport) -> None:
    long_one = next(f for f in findings_of(hostile_report) if f["Id"].endswith("/check-long"))
    assert len(long_one["Title"]) == 256 and long_one["Title"].endswith("…")
    assert len(long_one["Description"]) == 1024 and long_one["Description"].endswith("…")
