"""Reports every format test renders: the demo (two accounts, every status the demo has), an organization
report with every status and hostile strings everywhere evidence text can go, and their activity reports."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from builders import AS_OF
from rootguard.app import activity, audit, demo
from rootguard.config.layer import Layer
from rootguard.config.settings import Settings, load_settings
from rootguard.model.activity import (
    Activity,
    ActivityEvent,
    ActivityReport,
    ActivitySession,
    Category,
    Coverage,
    SkippedSource,
    TrailScan,
)
from rootguard.model.findings import AccountResult, AuditReport, Finding, OrganizationInfo, Severity, Status

HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\tTAB",
    "\rCR",
    "pipe | and *stars* _under_ [link](http://x) `code` # hash",
    "ctl \x1b[2J\x1b]0;pwned\x07 \x00 \x9b31m \x0b\x0c end",
    "line\nbreak\r\nand more",
    "quote \" and ' and & and ]]> and é ✓",
)
LONG_TITLE = "T" * 300
LONG_MESSAGE = "M" * 2000


def demo_settings() -> Settings:
    return load_settings(Layer(), explicit=None, env={}, cwd=Path("/nonexistent"), demo=demo.demo_files())


@pytest.fixture(scope="session")
def demo_report() -> AuditReport:
    return audit.audit_bundle(demo.demo_bundle(), demo_settings(), source="demo")


@pytest.fixture(scope="session")
def demo_activity() -> ActivityReport:
    return activity.from_bundle(demo.demo_bundle(), demo_settings(), as_of=None, since_days=None)


def hostile_finding(check_id: str, status: Status, text: str, severity: Severity = Severity.HIGH) -> Finding:
    return Finding(
        check_id=check_id,
        status=status,
        severity=severity,
        title=f"{check_id} title {text}",
        message=text,
        resource="arn:aws:iam::123456789012:root",
        frameworks={"cis-aws-3.0.0": ("1.7",), "cis-aws-5.0.0": ("1.6",), "cis-aws-6.0.0": ("2.6",)},
        evidence={"user_agent": text, "nested": {"role": text}},
        remediation=text,
    )


def build_hostile_report() -> AuditReport:
    statuses = list(Status)
    first = tuple(
        hostile_finding(f"check-{index}", statuses[index % len(statuses)], text, list(Severity)[index % 4])
        for index, text in enumerate(HOSTILE)
    )
    long_one = replace(hostile_finding("check-long", Status.FAIL, "x"), title=LONG_TITLE, message=LONG_MESSAGE)
    second = tuple(
        hostile_finding(f"check-{index}", status, HOSTILE[0], Severity.CRITICAL) for index, status in enumerate(Status)
    )
    accounts = (
        AccountResult(
            "123456789012", (*first, long_one), name=HOSTILE[0], ou_path=f"Root/{HOSTILE[1]}", state="ACTIVE"
        ),
        AccountResult("210987654321", second, name=HOSTILE[7], ou_path="Root/Prod", state="ACTIVE", management=True),
    )
    return AuditReport(
        as_of=AS_OF,
        accounts=accounts,
        source=f"bundle {HOSTILE[8]}",
        tool_version="0.1.0",
        notes=(HOSTILE[0], HOSTILE[9]),
        organization=OrganizationInfo(
            organization_id="o-abc123defg",
            management_account_id="210987654321",
            listed_accounts=3,
            excluded={"333333333333": f"--exclude-accounts {HOSTILE[0]}"},
        ),
    )


@pytest.fixture(scope="session")
def hostile_report() -> AuditReport:
    return build_hostile_report()


def hostile_event(index: int, text: str) -> ActivityEvent:
    categories = list(Category)
    return ActivityEvent(
        event_id=f"event-{index}",
        event_time=AS_OF - timedelta(days=index + 1),
        account_id="123456789012",
        region="eu-west-1",
        event_source="iam.amazonaws.com",
        event_name=f"CreateRole{index}",
        source_ip="192.0.2.1",
        user_agent=text,
        mfa=None if index % 3 == 0 else bool(index % 2),
        category=categories[index % len(categories)],
        root_only_task=text if categories[index % len(categories)] is Category.ROOT_ONLY_TASK else None,
        approval=None,
        session_id=f"session-{text}",
        access_key_id=None,
        error_code=text if index % 4 == 0 else None,
        flags=(),
        source=f"logs/{text}.json.gz",
    )


@pytest.fixture(scope="session")
def hostile_activity() -> ActivityReport:
    events = tuple(hostile_event(index, text) for index, text in enumerate(HOSTILE))
    session = ActivitySession(
        session_id="s",
        kind="console",
        start=events[-1].event_time,
        end=events[0].event_time,
        events=len(events),
        source_ips=("192.0.2.1",),
        user_agents=HOSTILE,
        regions=("eu-west-1",),
        mfa=None,
        categories=tuple(Category),
        account_id="123456789012",
    )
    since = AS_OF - timedelta(days=90)
    return ActivityReport(
        as_of=AS_OF,
        since=since,
        scan=TrailScan(files=3, records=40, root_records=(), skipped=(SkippedSource(f"bad {HOSTILE[0]}", HOSTILE[8]),)),
        activity=Activity(since=since, until=AS_OF, events=events, sessions=(session,)),
        coverage=Coverage(since=since, until=AS_OF, regions=()),
    )
