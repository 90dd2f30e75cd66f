"""The HTML reports in a real browser: Debian's Chromium, driven by Playwright.

Each page is served from 127.0.0.1 and loaded once per test. The tests assert what only a browser
computes (the script's row count, computed styles, layout boxes), so they cannot pass on a page no
browser loaded. Without Chromium or Playwright they are skipped with the reason, unless
ROOTGUARD_REQUIRE_BROWSER=1 (set by .ci/run), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from html_samples import HOSTILE, HOSTILE_ALL, demo_audit, hostile_activity, hostile_audit, organization_audit

from rootguard.model.findings import Status
from rootguard.report.html import render_activity_html, render_html

pytestmark = pytest.mark.browser

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGE = "/report.html"


def chromium() -> str:
    """The Chromium to drive: $ROOTGUARD_CHROMIUM, else Debian's /usr/bin/chromium, else one on PATH."""
    explicit = os.environ.get("ROOTGUARD_CHROMIUM")
    if explicit:
        return explicit
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    return shutil.which("chromium") or shutil.which("chromium-browser") or ""


def _unavailable(reason: str) -> None:
    if os.environ.get("ROOTGUARD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"ROOTGUARD_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    executable = chromium()
    if not executable or not os.access(executable, os.X_OK):
        _unavailable(
            f"no Chromium to run ({executable or 'none at /usr/bin/chromium or on PATH'}): "
            "apt-get install chromium, or set ROOTGUARD_CHROMIUM to a Chromium binary"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield launched
        launched.close()


class _Server(ThreadingHTTPServer):
    document: bytes
    seen: list[str]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.seen.append(self.path)
        found = self.path == PAGE
        body = self.server.document if found else b"not found"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8" if found else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Loaded:
    """A page as the browser loaded it, with everything it tried to do besides showing itself."""

    page: Any
    url: str
    server: _Server
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_quiet(self) -> None:
        """No console error, no script error, no dialog, and no request but the page itself."""
        assert self.console == []
        assert self.errors == []
        assert self.dialogs == []
        assert self.requests == [self.url]
        assert self.server.seen == [PAGE]


@pytest.fixture
def load(browser: Any) -> Iterator[Any]:
    servers: list[_Server] = []

    def open_page(document: str) -> Loaded:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.document, server.seen = document.encode("utf-8"), []
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        page = browser.new_page()
        loaded = Loaded(page, f"http://127.0.0.1:{server.server_address[1]}{PAGE}", server)
        page.on("request", lambda request: loaded.requests.append(request.url))
        page.on("console", lambda message: loaded.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: loaded.errors.append(str(error)))
        page.on("dialog", lambda dialog: (loaded.dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(loaded.url, wait_until="load")
        page.wait_for_timeout(200)  # a late script error or a deferred load would show up here
        return loaded

    yield open_page
    for server in servers:
        server.shutdown()
        server.server_close()


def visible_statuses(page: Any) -> list[str]:
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('#findings tbody tr'))
            .filter((row) => getComputedStyle(row).display !== 'none' && row.getClientRects().length > 0)
            .map((row) => row.dataset.status)"""
    )


def test_the_audit_page_loads_quietly_and_its_script_runs(load: Any) -> None:
    loaded = load(render_html(demo_audit()))
    page = loaded.page
    total = sum(demo_audit().count().values())
    assert page.text_content("#shown-count") == f"Showing {total} of {total} findings"
    assert page.is_visible("#filter-controls")
    # The stylesheet applied (its CSP hash matched): a FAIL badge has its colours.
    badge = page.locator("#findings .badge.st-FAIL").first
    assert badge.evaluate("(e) => getComputedStyle(e).backgroundColor") == "rgb(253, 226, 228)"
    loaded.assert_quiet()


def test_the_status_filter_hides_rows(load: Any) -> None:
    loaded = load(render_html(demo_audit()))
    page = loaded.page
    counts = demo_audit().count()
    total = sum(counts.values())
    assert len(visible_statuses(page)) == total
    page.get_by_label("PASS (17)").uncheck()
    shown = visible_statuses(page)
    assert "PASS" not in shown
    assert len(shown) == total - counts[Status.PASS]
    assert page.text_content("#shown-count") == f"Showing {len(shown)} of {total} findings"
    assert not page.locator('#findings tr[data-status="PASS"]').first.is_visible()
    page.get_by_label("FAIL (14)").uncheck()
    assert set(visible_statuses(page)) == {"ERROR", "MANUAL"}
    page.get_by_label("PASS (17)").check()
    assert set(visible_statuses(page)) == {"ERROR", "MANUAL", "PASS"}
    loaded.assert_quiet()


def test_sorting_reorders_rows(load: Any) -> None:
    loaded = load(render_html(demo_audit()))
    page = loaded.page
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}

    def severities() -> list[int]:
        return [
            rank[s]
            for s in page.eval_on_selector_all("#findings tbody tr td.sev", "(c) => c.map((e) => e.textContent)")
        ]

    def statuses() -> list[str]:
        return page.eval_on_selector_all("#findings tbody tr", "(rows) => rows.map((r) => r.dataset.status)")

    assert statuses()[0] == "FAIL"
    page.get_by_role("button", name="Severity").click()
    assert severities() == sorted(severities())
    assert page.get_attribute("#findings th:nth-child(2)", "aria-sort") == "ascending"
    page.get_by_role("button", name="Severity").click()
    assert severities() == sorted(severities(), reverse=True)
    assert page.get_attribute("#findings th:nth-child(2)", "aria-sort") == "descending"
    page.get_by_role("button", name="Status").click()
    assert statuses()[0] == "FAIL"
    page.get_by_role("button", name="Status").click()
    assert statuses()[0] == "PASS"
    checks = page.eval_on_selector_all("#findings tbody tr", "(rows) => rows.map((r) => r.dataset.sortCheck)")
    page.get_by_role("button", name="Check").click()
    assert page.eval_on_selector_all("#findings tbody tr", "(rows) => rows.map((r) => r.dataset.sortCheck)") == sorted(
        checks
    )
    loaded.assert_quiet()


def test_hostile_evidence_is_text_in_the_browser(load: Any) -> None:
    loaded = load(render_html(hostile_audit()))
    page = loaded.page
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    assert page.evaluate("typeof window.pwned") == "undefined"
    names = "Array.from(document.querySelectorAll('*')).flatMap((e) => e.getAttributeNames())"
    assert [name for name in page.evaluate(names) if name.startswith("on")] == []
    account = hostile_audit().accounts[0]
    row = page.locator(f'#findings tr[data-sort-account="{account.account_id}"]').filter(
        has=page.locator("dt", has_text="role_name")
    )
    assert row.count() == 1
    row.locator("summary").click()
    evidence = row.locator("dl.evidence")
    assert evidence.is_visible()
    assert HOSTILE in evidence.inner_text()
    body = page.inner_text("body")
    for hostile in HOSTILE_ALL:
        assert hostile in body
    page.hover("#findings tbody tr >> nth=0")  # an injected onmouseover would fire here
    page.wait_for_timeout(100)
    assert page.evaluate("typeof window.pwned") == "undefined"
    loaded.assert_quiet()


def test_the_activity_timeline_draws_in_the_browser(load: Any) -> None:
    loaded = load(render_activity_html(hostile_activity()))
    page = loaded.page
    boxes = page.eval_on_selector_all(
        "svg rect.bar",
        "(rects) => rects.map((r) => { const b = r.getBoundingClientRect(); return [b.width, b.height]; })",
    )
    assert boxes
    assert all(width > 0 and height > 0 for width, height in boxes)
    fill = page.locator("svg rect.cat-sign-in").first.evaluate("(e) => getComputedStyle(e).fill")
    assert fill == "rgb(213, 94, 0)"
    assert page.locator("svg path.failure-mark").count() >= 1
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    agents = page.locator("td.agent").all_inner_texts()
    assert HOSTILE in agents
    loaded.assert_quiet()


def test_the_organization_matrix_links_to_findings(load: Any) -> None:
    loaded = load(render_html(organization_audit()))
    page = loaded.page
    assert page.locator("table.matrix").is_visible()
    page.locator("table.matrix td.cell a").first.click()
    target = page.evaluate("location.hash")
    assert target.startswith("#finding-")
    assert page.locator(target).is_visible()
    loaded.assert_quiet()


def test_printing_opens_every_finding(load: Any) -> None:
    loaded = load(render_html(demo_audit()))
    page = loaded.page
    page.emulate_media(media="print")
    assert not page.is_visible("#filter-controls")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate("Array.from(document.querySelectorAll('details')).every((d) => d.open)")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.evaluate("Array.from(document.querySelectorAll('details')).every((d) => !d.open)")
    loaded.assert_quiet()
