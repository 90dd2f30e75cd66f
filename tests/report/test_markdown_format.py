"""Markdown: a summary then a findings table that a CommonMark + tables renderer (markdown-it, which rich
ships) turns into exactly one table, whose cells show evidence as text: no HTML, link, emphasis or code."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from rootguard.model.activity import ActivityReport
from rootguard.model.findings import AuditReport, Status
from rootguard.report.markdown_report import escape, render_activity_markdown, render_markdown


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self.in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self.rows[-1].append("")
            self.in_cell = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.in_cell = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self.in_cell:
            self.rows[-1][-1] += data


def rendered(text: str) -> Tags:
    parser = Tags()
    parser.feed(MarkdownIt("commonmark").enable("table").render(text))
    return parser


def test_summary_comes_before_the_findings_and_fail_error_lead(demo_report: AuditReport) -> None:
    text = render_markdown(demo_report)
    assert text.index("- Findings:") < text.index("## Findings")
    table = [line for line in text.splitlines() if line.startswith("| ")][2:]
    statuses = [line.split("|")[1].strip().strip("*") for line in table]
    order = [Status.FAIL.value, Status.ERROR.value, Status.MANUAL.value, Status.PASS.value]
    assert [s for s in statuses if s in order] == sorted((s for s in statuses if s in order), key=order.index)


@pytest.mark.parametrize("name", ["demo_report", "hostile_report"])
def test_one_table_row_per_finding_and_every_cell_in_place(name: str, request: pytest.FixtureRequest) -> None:
    report: AuditReport = request.getfixturevalue(name)
    parsed = rendered(render_markdown(report))
    findings = sum(len(account.findings) for account in report.accounts)
    matrix = len(report.accounts) + 1 if report.organization is not None else 0
    assert len(parsed.rows) == findings + 1 + matrix
    widths = {len(row) for row in parsed.rows[matrix:]}
    assert len(widths) == 1


def test_hostile_text_renders_as_text(hostile_report: AuditReport) -> None:
    parsed = rendered(render_markdown(hostile_report))
    assert set(parsed.tags) <= {"h1", "h2", "ul", "li", "table", "thead", "tbody", "tr", "th", "td", "strong", "code"}
    assert parsed.tags.count("strong") == 7  # the FAIL and ERROR statuses, nothing from evidence
    shown = "".join(parsed.text)
    assert "<img src=x onerror=alert(1)>" in shown
    assert "pipe | and *stars* _under_ [link](http://x) `code` # hash" in shown
    assert "\x1b" not in shown and "\x07" not in shown and "\\x1b[2J" in shown


def test_the_organization_matrix_is_there_only_for_an_organization(
    demo_report: AuditReport, hostile_report: AuditReport
) -> None:
    assert "## Accounts" not in render_markdown(demo_report)
    matrix = render_markdown(hostile_report).split("## Accounts")[1].split("## Findings")[0]
    assert "210987654321 (management)" in matrix and "Root/Prod" in matrix


@pytest.mark.parametrize("text", ["a|b", "*x*", "<b>", "[a](b)", "`c`", "x\ny", "\\", "_u_", "a & b"])
def test_escape_keeps_the_text(text: str) -> None:
    parsed = rendered(f"| h |\n|---|\n| {escape(text)} |\n")
    assert parsed.rows[1] == [text.replace("\n", " ")]


@pytest.mark.parametrize("name", ["demo_activity", "hostile_activity"])
def test_activity_table_has_every_event(name: str, request: pytest.FixtureRequest) -> None:
    report: ActivityReport = request.getfixturevalue(name)
    parsed = rendered(render_activity_markdown(report))
    assert len(parsed.rows) == len(report.activity.events) + 1
    assert set(parsed.tags) <= {"h1", "h2", "ul", "li", "table", "thead", "tbody", "tr", "th", "td"}
    agents = [row[6] for row in parsed.rows[1:]]
    assert len(agents) == len(report.activity.events)
