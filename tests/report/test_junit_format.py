"""JUnit XML: valid against junit-10.xsd (tests/schemas, validated with xmlschema) and read back by junitparser
with the counts and outcomes the report has."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from junitparser import Error, Failure, JUnitXml, Skipped

from rootguard.model.findings import AuditReport, Status
from rootguard.report.junit import render_junit

XSD = Path(__file__).parent.parent / "schemas" / "junit-10.xsd"


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(XSD)


@pytest.mark.parametrize("name", ["demo_report", "hostile_report"])
def test_valid_against_junit_10_xsd(name: str, request: pytest.FixtureRequest, schema: xmlschema.XMLSchema) -> None:
    errors = list(schema.iter_errors(render_junit(request.getfixturevalue(name))))
    assert errors == []


def test_the_xsd_is_not_vacuous(demo_report: AuditReport, schema: xmlschema.XMLSchema) -> None:
    broken = (
        render_junit(demo_report).replace(' failures="', ' fails="', 1).replace("<testsuite ", "<testsuite x='1' ", 1)
    )
    assert not schema.is_valid(broken)


@pytest.mark.parametrize("name", ["demo_report", "hostile_report"])
def test_junitparser_reads_the_outcomes_back(name: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    report: AuditReport = request.getfixturevalue(name)
    path = tmp_path / "report.junit.xml"
    path.write_text(render_junit(report), encoding="utf-8")
    suites = list(JUnitXml.fromfile(str(path)))
    assert [suite.name.split()[1] for suite in suites] == [account.account_id for account in report.accounts]
    kinds = {Status.FAIL: Failure, Status.ERROR: Error}
    for suite, account in zip(suites, report.accounts, strict=True):
        statuses = [finding.status for finding in account.findings]
        assert suite.tests == len(statuses)
        assert suite.failures == statuses.count(Status.FAIL)
        assert suite.errors == statuses.count(Status.ERROR)
        skipped = sum(statuses.count(s) for s in (Status.MANUAL, Status.NOT_APPLICABLE, Status.SKIPPED))
        assert suite.skipped == skipped
        for case, finding in zip(suite, account.findings, strict=True):
            assert case.name.startswith(f"{finding.check_id}: ")
            results = list(case.result)
            if finding.status is Status.PASS:
                assert results == [] and case.is_passed
            elif finding.status in kinds:
                assert len(results) == 1 and isinstance(results[0], kinds[finding.status])
            else:
                assert isinstance(results[0], Skipped) and results[0].message.startswith(finding.status.value)


def test_the_totals_add_up(demo_report: AuditReport) -> None:
    root = ET.fromstring(render_junit(demo_report))
    counts = demo_report.count()
    assert root.get("tests") == str(sum(counts.values()))
    assert root.get("failures") == str(counts[Status.FAIL]) and root.get("errors") == str(counts[Status.ERROR])


def test_hostile_text_is_escaped_and_control_characters_shown(hostile_report: AuditReport) -> None:
    text = render_junit(hostile_report)
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "\x1b" not in text and "\x00" not in text and "\\x1b[2J" in text
    root = ET.fromstring(text)
    messages = [node.get("message") for node in root.iter("failure")]
    assert "<img src=x onerror=alert(1)>" in messages
