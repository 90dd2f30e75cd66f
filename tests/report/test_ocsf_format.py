"""OCSF: every audit finding is a Compliance Finding (2003) and every activity event a Detection Finding
(2004) that validates, with the cloud profile, against the JSON Schema ocsf-json-schema generates from the
OCSF 1.5.0 and 1.6.0 definitions it packages."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ocsf_json_schema import OcsfJsonSchemaEmbedded, get_ocsf_schema

from rootguard.model.activity import ActivityReport
from rootguard.model.findings import AuditReport, Status
from rootguard.report.ocsf import render_activity_ocsf, render_ocsf

VERSIONS = ("1.5.0", "1.6.0")


@cache
def validator(version: str, class_name: str) -> Draft202012Validator:
    schema = OcsfJsonSchemaEmbedded(get_ocsf_schema(version)).get_class_schema(class_name, profiles=["cloud"])
    return Draft202012Validator(schema)


def errors(version: str, class_name: str, document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator(version, class_name).iter_errors(document)]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ["demo_report", "hostile_report"])
def test_compliance_findings_validate(version: str, name: str, request: pytest.FixtureRequest) -> None:
    report: AuditReport = request.getfixturevalue(name)
    documents = json.loads(render_ocsf(report))
    assert len(documents) == sum(len(account.findings) for account in report.accounts)
    for document in documents:
        assert errors(version, "compliance_finding", document) == []


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("name", ["demo_activity", "hostile_activity"])
def test_detection_findings_validate(version: str, name: str, request: pytest.FixtureRequest) -> None:
    report: ActivityReport = request.getfixturevalue(name)
    documents = json.loads(render_activity_ocsf(report))
    assert [d["unmapped"]["rootguard"]["event_id"] for d in documents] == [e.event_id for e in report.activity.events]
    for document in documents:
        assert errors(version, "detection_finding", document) == []


def test_the_schema_is_not_vacuous(demo_report: AuditReport) -> None:
    document = json.loads(render_ocsf(demo_report))[0]
    del document["metadata"]["profiles"]
    assert errors("1.6.0", "compliance_finding", {**document, "cloud": {"account": {}}})
    assert errors("1.6.0", "compliance_finding", {**document, "severity_id": 42})
    assert errors("1.6.0", "compliance_finding", {k: v for k, v in document.items() if k != "compliance"})


def test_the_mapping(demo_report: AuditReport) -> None:
    documents = json.loads(render_ocsf(demo_report))
    findings = [(a, f) for a in demo_report.accounts for f in a.findings]
    statuses = {Status.PASS: 1, Status.FAIL: 3, Status.MANUAL: 2, Status.ERROR: 99}
    for document, (account, finding) in zip(documents, findings, strict=True):
        assert (document["class_uid"], document["type_uid"], document["category_uid"]) == (2003, 200301, 2)
        assert document["metadata"]["profiles"] == ["cloud"]
        assert document["cloud"]["account"] == {"uid": account.account_id, "type_id": 10, "type": "AWS Account"}
        assert document["finding_info"]["uid"] == f"rootguard/{account.account_id}/{finding.check_id}"
        assert document["compliance"]["status_id"] == statuses[finding.status]
        assert document["compliance"]["control"] == finding.check_id
        assert document["time"] == int(demo_report.as_of.timestamp() * 1000)
        if finding.status is Status.FAIL:
            assert document["severity_id"] == {"low": 2, "medium": 3, "high": 4, "critical": 5}[finding.severity.value]
        if "cis-aws-3.0.0" in finding.frameworks:
            requirement = f"CIS AWS Foundations Benchmark v3.0.0 {finding.frameworks['cis-aws-3.0.0'][0]}"
            assert requirement in document["compliance"]["requirements"]


def test_human_root_activity_is_high(demo_activity: ActivityReport) -> None:
    documents = json.loads(render_activity_ocsf(demo_activity))
    weights = {(d["unmapped"]["rootguard"]["category"], d["severity_id"]) for d in documents}
    assert ("sign-in", 4) in weights or ("avoidable", 4) in weights
    assert all(d["class_uid"] == 2004 and d["cloud"]["region"] for d in documents)
