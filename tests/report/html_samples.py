"""The demo's audit and activity reports for the HTML tests, and hostile variants of them.

The hostile strings stand where attacker-controlled text reaches a report: a role or user name in a
message and in evidence, a user agent, an account name, an OU path, an evidence key.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from rootguard.app import activity, audit, demo
from rootguard.config.layer import Layer
from rootguard.config.settings import Settings, load_settings
from rootguard.model.activity import ActivityReport
from rootguard.model.findings import AuditReport, OrganizationInfo

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</pre></td><script>window.pwned=1</script>"
HOSTILE_ATTRIBUTE = '" onmouseover="window.pwned=2" x="'
HOSTILE_ALL = (HOSTILE, HOSTILE_SCRIPT, HOSTILE_ATTRIBUTE)


@cache
def demo_audit() -> AuditReport:
    return audit.audit_bundle(demo.demo_bundle(), _settings(), source="demo")


@cache
def demo_activity() -> ActivityReport:
    return activity.from_bundle(demo.demo_bundle(), _settings(), as_of=None, since_days=None)


def _settings() -> Settings:
    return load_settings(Layer(), explicit=None, env={}, cwd=Path("/nonexistent"), demo=demo.demo_files())


def hostile_audit() -> AuditReport:
    """The demo audit with hostile names in the first account's first finding, its name and a note."""
    report = demo_audit()
    first = report.accounts[0]
    finding = first.findings[0]
    evidence = {
        **finding.evidence,
        "role_name": HOSTILE,
        "user_agent": HOSTILE,
        HOSTILE_SCRIPT: [HOSTILE_ATTRIBUTE, {"name": HOSTILE}],
    }
    hostile = replace(finding, message=f"{finding.message} Role {HOSTILE} {HOSTILE_ATTRIBUTE}", evidence=evidence)
    account = replace(first, findings=(hostile, *first.findings[1:]), name=HOSTILE, ou_path=HOSTILE_SCRIPT)
    return replace(report, accounts=(account, *report.accounts[1:]), notes=(*report.notes, HOSTILE))


def organization_audit() -> AuditReport:
    """The demo audit as an organization audit: names, OU paths, a management account, one exclusion."""
    report = demo_audit()
    management, member = report.accounts[0], report.accounts[1]
    accounts = (
        replace(management, name="prod", ou_path="Root", state="ACTIVE", management=True),
        replace(member, name="sandbox", ou_path="Root/Sandbox", state="ACTIVE"),
    )
    organization = OrganizationInfo(
        organization_id="o-demo12345",
        management_account_id=management.account_id,
        listed_accounts=3,
        excluded={"333333333333": "--exclude-accounts"},
    )
    return replace(report, accounts=accounts, organization=organization)


def hostile_activity() -> ActivityReport:
    """The demo activity with a hostile user agent, source IP and event name on its first event."""
    report = demo_activity()
    events = report.activity.events
    first = replace(events[0], user_agent=HOSTILE, source_ip=HOSTILE_ATTRIBUTE, event_name=HOSTILE_SCRIPT)
    return replace(report, activity=replace(report.activity, events=(first, *events[1:])))
