"""The HTML reports, read back with html.parser: self-contained, escaped, complete."""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace

import pytest
from html_parse import parse
from html_samples import (
    HOSTILE,
    HOSTILE_ALL,
    demo_activity,
    demo_audit,
    hostile_activity,
    hostile_audit,
    organization_audit,
)

from rootguard.model.activity import Activity, ActivityReport, Category, TrailScan
from rootguard.model.findings import Status
from rootguard.report.html import render_activity_html, render_html
from rootguard.report.html_view import STATUS_ORDER

URL_ATTRIBUTES = ("src", "href", "action", "formaction", "srcset", "poster", "data", "xlink:href", "background")
EMBEDDING = ("img", "link", "iframe", "frame", "object", "embed", "base", "form", "audio", "video", "source", "image")
SVG_NAMESPACE = "http://www.w3.org/2000/svg"


def pages() -> dict[str, str]:
    return {
        "demo audit": render_html(demo_audit()),
        "hostile audit": render_html(hostile_audit()),
        "organization audit": render_html(organization_audit()),
        "demo activity": render_activity_html(demo_activity()),
        "hostile activity": render_activity_html(hostile_activity()),
    }


@pytest.fixture(scope="module")
def rendered() -> dict[str, str]:
    return pages()


@pytest.mark.parametrize("name", sorted(pages()))
def test_nothing_is_loaded_from_anywhere(rendered: dict[str, str], name: str) -> None:
    page = parse(rendered[name])
    for element in page.elements:
        assert element.tag not in EMBEDDING, element
        for attribute in URL_ATTRIBUTES:
            value = element.attrs.get(attribute)
            assert value is None or value.startswith("#"), (element.tag, attribute, value)
    scripts = page.find("script")
    assert len(scripts) == 1
    assert "src" not in scripts[0].attrs
    code = "".join(page.scripts + page.styles)
    assert "url(" not in code
    assert "@import" not in code
    assert not re.search(r"\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|import\()", "".join(page.scripts))
    # The one absolute URL a page may hold is the SVG namespace, which names and loads nothing.
    assert set(re.findall(r"[a-z]+://[^\s\"'<>]*", rendered[name])) <= {SVG_NAMESPACE}


@pytest.mark.parametrize("name", sorted(pages()))
def test_the_policy_allows_only_the_pages_own_style_and_script(rendered: dict[str, str], name: str) -> None:
    page = parse(rendered[name])
    metas = page.find("meta", **{"http-equiv": "Content-Security-Policy"})
    assert len(metas) == 1
    policy = dict(part.strip().split(" ", 1) for part in metas[0].attrs["content"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == _hash("".join(page.scripts))
    assert policy["style-src"] == _hash("".join(page.styles))
    assert policy["img-src"] == "data:"
    assert policy["base-uri"] == "'none'"
    # The policy comes before the code it governs.
    tags = [e.tag for e in page.elements]
    assert tags.index("meta") < tags.index("style") < tags.index("script")


def _hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("name", ["hostile audit", "hostile activity"])
def test_hostile_strings_are_text(rendered: dict[str, str], name: str) -> None:
    document = rendered[name]
    page = parse(document)
    for hostile in HOSTILE_ALL:
        assert hostile in page.text, hostile
        assert hostile not in document  # never raw in the markup
    assert not page.find("img")
    assert len(page.find("script")) == 1
    for element in page.elements:
        assert not [a for a in element.attrs if a.startswith("on")], element
    assert "pwned" not in "".join(page.scripts)


def test_every_finding_is_a_row_with_its_evidence_and_fix(rendered: dict[str, str]) -> None:
    report = demo_audit()
    page = parse(rendered["demo audit"])
    rows = [e for e in page.find("tr") if "data-status" in e.attrs]
    findings = [(a.account_id, f) for a in report.accounts for f in a.findings]
    assert len(rows) == len(findings) == sum(report.count().values())
    assert sorted((r.attrs["data-sort-account"], r.attrs["data-sort-check"]) for r in rows) == sorted(
        (account, f.check_id) for account, f in findings
    )
    assert len(page.find("details")) == len(findings)
    for _, finding in findings:
        assert finding.message in page.text
        if finding.status in (Status.FAIL, Status.MANUAL):
            assert finding.remediation in page.text
    evidence_keys = {key for _, f in findings for key in f.evidence}
    assert evidence_keys <= set(page.texts)


def test_fail_and_error_come_first(rendered: dict[str, str]) -> None:
    page = parse(rendered["demo audit"])
    statuses = [Status(e.attrs["data-status"]) for e in page.find("tr") if "data-status" in e.attrs]
    assert statuses == sorted(statuses, key=STATUS_ORDER.index)
    assert statuses[0] is Status.FAIL
    assert Status.ERROR in statuses[: demo_audit().count()[Status.FAIL] + 1]


def test_summary_counts_every_status(rendered: dict[str, str]) -> None:
    page = parse(rendered["demo audit"])
    counts = demo_audit().count()
    for status in Status:
        card = [e for e in page.with_class("status-card") if f"st-{status.value}" in e.attrs["class"]]
        assert len(card) == 1
    text = " ".join(page.text.split())
    assert all(f"{counts[s]} {s.value}" in text for s in Status)
    assert "2026-11-20T12:00:00Z" in text
    assert "CloudTrail coverage" in text


def test_the_matrix_is_there_only_for_an_organization(rendered: dict[str, str]) -> None:
    assert not parse(rendered["demo audit"]).with_class("matrix")
    page = parse(rendered["organization audit"])
    assert len(page.with_class("matrix")) == 1
    report = organization_audit()
    checks = {f.check_id for a in report.accounts for f in a.findings}
    cells = page.with_class("cell")
    assert len(cells) == len(report.accounts) * len(checks)
    links = {e.attrs["href"] for e in page.find("a") if e.attrs.get("href", "").startswith("#finding-")}
    rows = {"#" + e.attrs["id"] for e in page.find("tr") if "data-status" in e.attrs}
    assert links == rows
    text = page.text
    for expected in ("o-demo12345", "Root/Sandbox", "sandbox", "management", "333333333333", "--exclude-accounts"):
        assert expected in text


def test_an_empty_audit_renders() -> None:
    report = replace(demo_audit(), accounts=())
    page = parse(render_html(report))
    assert "No findings." in page.text
    assert not [e for e in page.find("tr") if "data-status" in e.attrs]


def test_control_characters_are_shown_not_sent() -> None:
    report = hostile_audit()
    account = report.accounts[0]
    finding = replace(account.findings[0], message="bell\x07 escape\x1b[31m nul\x00 csi\x9b31m")
    report = replace(report, accounts=(replace(account, findings=(finding,)),))
    document = render_html(report)
    for control in ("\x1b", "\x07", "\x00", "\x9b"):
        assert control not in document
    assert "escape\\x1b[31m" in parse(document).text


def test_the_activity_timeline_is_svg_with_a_table_fallback(rendered: dict[str, str]) -> None:
    report = demo_activity()
    page = parse(rendered["demo activity"])
    accounts = {e.account_id for e in report.activity.events}
    assert len(page.find("svg")) == len(accounts) == 2
    assert all(svg.attrs.get("role") == "img" for svg in page.find("svg"))
    drawn = {c for e in page.find("rect") for c in e.attrs["class"].split() if c.startswith("cat-")}
    assert drawn == {f"cat-{e.category.value}" for e in report.activity.events}
    failure_days = {e.event_time.date() for e in report.activity.events if e.category is Category.SIGN_IN_FAILURE}
    assert len(page.with_class("failure-mark")) == len(failure_days) >= 1
    # The fallback table counts every event once.
    assert len(page.with_class("days")) == 2
    for event in report.activity.events:
        assert event.user_agent in page.text
    assert str(len(report.activity.events)) in page.text


def test_an_activity_report_without_events_says_so() -> None:
    base = demo_activity()
    empty = ActivityReport(
        as_of=base.as_of,
        since=base.since,
        scan=TrailScan(files=0, records=0, root_records=()),
        activity=Activity(since=base.since, until=base.as_of, events=(), sessions=()),
    )
    page = parse(render_activity_html(empty))
    assert "No root activity in this period." in page.text
    assert not page.find("svg")
    assert "none" in page.text


def test_hostile_names_in_the_organization_matrix_are_text() -> None:
    report = organization_audit()
    first = replace(report.accounts[0], name=HOSTILE, ou_path=HOSTILE, state=HOSTILE)
    page = parse(render_html(replace(report, accounts=(first, *report.accounts[1:]))))
    assert not page.find("img")
    assert page.text.count(HOSTILE) >= 3
