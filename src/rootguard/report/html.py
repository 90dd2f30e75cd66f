"""The self-contained HTML reports: one file, no network access, readable without its script.

The page carries its CSS and its small script inline and a Content-Security-Policy that allows
exactly those two (by their SHA-256 hashes) and nothing else: no fetch, no image, no font, no frame,
no inline event handler. Every string from the report reaches the page through Jinja2 with
autoescaping on, and only as element text or a quoted attribute value; evidence is never placed in
a script, a style, a URL or an event handler.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from rootguard.model.activity import ActivityEvent, ActivityReport, Category, Coverage, coverage_document
from rootguard.model.findings import AuditReport, Status
from rootguard.model.timestamps import format_timestamp
from rootguard.report import html_timeline
from rootguard.report.console import visible
from rootguard.report.coverage import coverage_line
from rootguard.report.html_view import as_json, audit_view, short_status

ASSETS = "html_templates"
MFA = {True: "yes", False: "NO", None: "unknown"}


@dataclass(frozen=True)
class Assets:
    css: Markup
    script: Markup
    policy: str


def render_html(report: AuditReport) -> str:
    return (
        _environment()
        .get_template("audit.html.j2")
        .render(view=audit_view(report), assets=_assets(), title=_title(report), Status=Status)
    )


@dataclass(frozen=True)
class AccountActivity:
    account_id: str
    anchor: str
    events: tuple[ActivityEvent, ...]
    chart: html_timeline.Chart


def render_activity_html(report: ActivityReport) -> str:
    by_account: dict[str, list[ActivityEvent]] = defaultdict(list)
    for event in report.activity.events:
        by_account[event.account_id].append(event)
    scale = html_timeline.busiest_day(by_account.values())
    accounts = tuple(
        AccountActivity(
            account_id=account,
            anchor=f"account-{index}",
            events=tuple(events),
            chart=html_timeline.chart(events, report.since, report.as_of, scale),
        )
        for index, (account, events) in enumerate(sorted(by_account.items()), start=1)
    )
    covered = report.coverage or Coverage(since=report.since, until=report.as_of, regions=())
    return (
        _environment()
        .get_template("activity.html.j2")
        .render(
            report=report,
            accounts=accounts,
            categories=html_timeline.CATEGORY_ORDER,
            by_category=Counter(event.category for event in report.activity.events),
            coverage=coverage_line(coverage_document(covered)),
            coverage_complete=covered.complete,
            assets=_assets(),
            title=_activity_title(report),
            MFA=MFA,
            Category=Category,
        )
    )


def _activity_title(report: ActivityReport) -> str:
    accounts = sorted({event.account_id or "(unknown)" for event in report.activity.events})
    shown = ", ".join(accounts[:3]) + (f" and {len(accounts) - 3} more" if len(accounts) > 3 else "")
    return f"rootguard root activity · {shown}" if shown else "rootguard root activity"


def _title(report: AuditReport) -> str:
    if report.organization is not None:
        return f"rootguard audit · organization {report.organization.organization_id}"
    ids = ", ".join(account.account_id for account in report.accounts[:3])
    more = f" and {len(report.accounts) - 3} more" if len(report.accounts) > 3 else ""
    return f"rootguard audit · {ids}{more}" if ids else "rootguard audit"


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("rootguard.report", ASSETS),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["visible"] = visible
    environment.filters["timestamp"] = format_timestamp
    environment.filters["short_status"] = short_status
    environment.filters["as_json"] = as_json
    return environment


@cache
def _assets() -> Assets:
    folder = resources.files("rootguard.report") / ASSETS
    css = (folder / "report.css").read_text(encoding="utf-8")
    script = (folder / "report.js").read_text(encoding="utf-8")
    policy = "; ".join(
        (
            "default-src 'none'",
            f"style-src {_hash(css)}",
            f"script-src {_hash(script)}",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    # Our own package files, not report data: inserted as they are, and allowed by their hashes.
    return Assets(css=Markup(css), script=Markup(script), policy=policy)  # noqa: S704


def _hash(text: str) -> str:
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"
