"""The classifier on public records: AWS documentation examples, real captures, detection-rule tests.

Files and licences: ``tests/fixtures/cloudtrail-public/SOURCES.md``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from public_records import FIXTURES, load, panther_rule_tests

from rootguard.analysis import Flag, analyze
from rootguard.model.activity import Activity, Category, TrailRecord

C = Category
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
SIGN_IN_DOC = "docs/awsdocs-aws-cloudtrail-user-guide__cloudtrail-event-reference-aws-console-sign-in-events__"
MFA_TASK = "Manage the root user's MFA devices"


def analyse(items: list[dict[str, Any]], source: str = "fixture") -> Activity:
    return analyze([TrailRecord(r, source) for r in items], approvals=(), since=EVER[0], until=EVER[1])


# file → [(eventName, category, root_only_task, mfa, account)]
ROOT_FILES: list[tuple[str, list[tuple[str, Category, str | None, bool | None, str]]]] = [
    (
        "real/cloud-custodian__event-appmesh-create-virtualnode.json",
        [("CreateVirtualNode", C.AVOIDABLE, None, True, "659775036450")],
    ),
    (
        "real/cloud-custodian__event-cloud-trail-create-bucket.json",  # EventBridge envelope, no recipientAccountId
        [("CreateBucket", C.AVOIDABLE, None, False, "619193117841")],
    ),
    (
        "real/cloud-custodian__event-cloud-trail-run-instances.json",
        [("RunInstances", C.SERVICE_INVOKED, None, None, "619193117841")],
    ),
    ("real/usiem-aws__console_login_success_root.json", [("ConsoleLogin", C.SIGN_IN, None, True, "811596193553")]),
    (f"{SIGN_IN_DOC}L215__Root__ConsoleLogin.json", [("ConsoleLogin", C.SIGN_IN, None, False, "111122223333")]),
    (f"{SIGN_IN_DOC}L250__Root__ConsoleLogin.json", [("ConsoleLogin", C.SIGN_IN, None, True, "111122223333")]),
    (f"{SIGN_IN_DOC}L286__Root__ConsoleLogin.json", [("ConsoleLogin", C.SIGN_IN_FAILURE, None, False, "111122223333")]),
    (
        f"{SIGN_IN_DOC}L322__Root__EnableMFADevice.json",
        [("EnableMFADevice", C.ROOT_ONLY_TASK, MFA_TASK, False, "111122223333")],
    ),
    (
        f"{SIGN_IN_DOC}L363__Root__PasswordUpdated.json",
        [("PasswordUpdated", C.ROOT_ONLY_TASK, "Change the root user password", None, "111122223333")],
    ),
    (
        "docs/awsdocs-amazon-cloudwatch-events-user-guide__EventTypes__L2020__Root__ConsoleLogin.json",
        [("ConsoleLogin", C.SIGN_IN, None, False, "123456789012")],
    ),
    (
        "docs/awsdocs-amazon-cloudwatch-events-user-guide__EventTypes__L3127__Root__CreateBucket.json",
        [("CreateBucket", C.AVOIDABLE, None, False, "123456789012")],
    ),
    (
        "docs/awsdocs-amazon-cloudwatch-events-user-guide__logging_cw_api_calls_cwe__L49__Root__PutRule.json",
        [("PutRule", C.AVOIDABLE, None, False, "123456789012")],
    ),
    (
        "docs/awsdocs-amazon-ec2-user-guide__monitor-with-cloudtrail__L32__Root__TerminateInstances.json",
        [("TerminateInstances", C.AVOIDABLE, None, None, "123456789012")],
    ),
]

NON_ROOT_FILES = [
    "real/cloud-custodian__event-cloud-trail-run-instance-creator.json",  # IAM user, invokedBy signin.amazonaws.com
    "real/usiem-aws__console_login_failed.json",  # IAM user, userName HIDDEN_DUE_TO_SECURITY_REASONS
    "real/stratus-red-team__aws.defense-evasion.cloudtrail-stop.json",  # anonymised, region eu-west-2r
    "real/trailscraper__111111111111_CloudTrail_eu-central-1_20171211T1505Z_A6kvhMoVeCsc7v8U.json.gz",
    "docs/aws-cli__lookup-events-output.json",  # AssumedRole ConsoleLogin in a LookupEvents page
    "docs/awsdocs-aws-cloudtrail-user-guide__non-api-aws-service-events__L7__NoType__RotateKey.json",
    f"{SIGN_IN_DOC}L28__IAMUser__ConsoleLogin.json",
]


@pytest.mark.parametrize(("name", "expected"), ROOT_FILES, ids=[f for f, _ in ROOT_FILES])
def test_public_root_records(name: str, expected: list[tuple[str, Category, str | None, bool | None, str]]) -> None:
    activity = analyse(load(FIXTURES / name), name)
    got = [(e.event_name, e.category, e.root_only_task, e.mfa, e.account_id) for e in activity.events]
    assert got == expected


@pytest.mark.parametrize("name", NON_ROOT_FILES)
def test_public_non_root_records_yield_nothing(name: str) -> None:
    items = load(FIXTURES / name)
    assert items
    activity = analyse(items)
    assert activity.events == () and activity.undated_records == 0


def test_every_public_file_is_covered_by_a_table() -> None:
    listed = {f for f, _ in ROOT_FILES} | set(NON_ROOT_FILES)
    listed |= {
        "synthetic/panther-analysis__root-rule-tests.jsonl",
        "synthetic/panther-analysis__test_scenarios__compromised-root-creds__attacker_cloudtrail.yml",
        "synthetic/panther-analysis__test_scenarios__compromised-root-creds__victim_cloudtrail.yml",
        # the same AWS example as the CloudWatch Events one, published three times
        "docs/awsdocs-amazon-cloudwatch-user-guide__logging_cw_api_calls__L88__Root__PutRule.json",
        "docs/awsdocs-amazon-eventbridge-user-guide__eb-logging-monitoring__L54__Root__PutRule.json",
    }
    on_disk = {
        p.relative_to(FIXTURES).as_posix()
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.parent.name in {"real", "docs", "synthetic"}
    }
    assert on_disk == listed


def test_the_same_aws_example_published_three_times_is_one_event() -> None:
    names = [
        "docs/awsdocs-amazon-cloudwatch-events-user-guide__logging_cw_api_calls_cwe__L49__Root__PutRule.json",
        "docs/awsdocs-amazon-cloudwatch-user-guide__logging_cw_api_calls__L88__Root__PutRule.json",
        "docs/awsdocs-amazon-eventbridge-user-guide__eb-logging-monitoring__L54__Root__PutRule.json",
    ]
    found = [TrailRecord(r, name) for name in names for r in load(FIXTURES / name)]
    (event,) = analyze(found, approvals=(), since=EVER[0], until=EVER[1]).events
    assert event.source == min(names)
    # AKIA key with a console user agent (an AWS documentation inconsistency): the key decides.
    assert Flag.ROOT_ACCESS_KEY in event.flags and Flag.CONSOLE not in event.flags


def test_the_real_2024_console_call_is_a_console_session() -> None:
    (event,) = analyse(load(FIXTURES / "real/cloud-custodian__event-appmesh-create-virtualnode.json")).events
    assert event.flags == (Flag.CONSOLE,)
    assert event.access_key_id == "ASIAZTHNIDQRCD53GXGD"


# (rule_id, test_name) → category; None = skipped for an unreadable eventTime
PANTHER: dict[tuple[str, str], Category | None] = {
    ("AWS.Console.RootLogin", "Successful Root Login"): C.SIGN_IN,
    ("AWS.Console.RootLoginFailed", "Failed Root Login"): C.SIGN_IN_FAILURE,
    ("AWS.Console.RootLoginFailed", "Successful Login"): C.SIGN_IN,
    # invokedBy signin.amazonaws.com: a person at the console, not a service
    ("AWS.CloudTrail.RootAccessKeyCreated", "Root Access Key Created"): C.ROOT_ONLY_TASK,
    ("AWS.CloudTrail.RootAccessKeyCreated", "Root Created Access Key For User"): C.AVOIDABLE,
    ("AWS.Root.Activity", "Root Activity - CreateServiceLinkedRole"): C.AVOIDABLE,
    ("AWS.Root.Activity", "Root Activity"): C.ROOT_ONLY_TASK,  # PutBucketVersioning with MfaDelete
    ("AWS.Root.Activity", "Root User Failed Activity"): None,  # eventTime "redacted"
    ("AWS.Root.Activity", "Successful Root Login"): C.SIGN_IN,
    ("AWS.Root.Activity", "Root Read-Only Enumeration"): C.AVOIDABLE,
    ("AWS.CloudTrail.RootPasswordChanged", "Root Password Changed"): C.ROOT_ONLY_TASK,
    ("AWS.CloudTrail.RootPasswordChanged", "Root Password Change Failed"): C.ROOT_ONLY_TASK,
    ("AWS.Console.LoginWithoutMFA", "No MFA Login - Root User"): C.SIGN_IN,
    ("AWS.CloudTrail.PasswordSpraying", "Failed Console Login - Root User"): None,  # no eventTime
}


def test_panther_rule_tests_one_by_one() -> None:
    tests = panther_rule_tests()
    got: dict[tuple[str, str], Category | None] = {}
    for test in tests:
        activity = analyse([test["log"]])
        if not test["is_root"]:
            assert activity.events == () and activity.undated_records == 0, test["test_name"]
            continue
        key = (test["rule_id"], test["test_name"])
        got[key] = activity.events[0].category if activity.events else None
        assert len(activity.events) + activity.undated_records == 1, key
    assert got == PANTHER


def test_panther_password_change_failure_is_flagged() -> None:
    (test,) = [t for t in panther_rule_tests() if t["test_name"] == "Root Password Change Failed"]
    (event,) = analyse([test["log"]]).events
    assert Flag.FAILED in event.flags and event.error_code == "Failure"


def test_compromised_root_scenario() -> None:
    name = "synthetic/panther-analysis__test_scenarios__compromised-root-creds__attacker_cloudtrail.yml"
    activity = analyse(load(FIXTURES / name), name)
    rows = [(e.event_name, e.category, Flag.SECURITY_SERVICE_CHANGE in e.flags) for e in activity.events]
    assert rows == [
        ("ConsoleLogin", C.SIGN_IN_FAILURE, False),
        ("ConsoleLogin", C.SIGN_IN_FAILURE, False),
        ("ConsoleLogin", C.SIGN_IN_FAILURE, False),
        ("ConsoleLogin", C.SIGN_IN, False),
        ("StopLogging", C.AVOIDABLE, True),
        ("CreateAccessKey", C.ROOT_ONLY_TASK, False),  # root's own key, from the console
        ("CreateUser", C.AVOIDABLE, False),
        ("AttachUserPolicy", C.AVOIDABLE, False),  # policy edits are not root-only
        ("AttachUserPolicy", C.AVOIDABLE, False),
        ("CreateAccessKey", C.AVOIDABLE, False),  # a key for the new IAM user
        ("AttachUserPolicy", C.AVOIDABLE, False),
    ]
    login = next(e for e in activity.events if e.category is C.SIGN_IN)
    after = [e for e in activity.events if e.event_time > login.event_time]
    assert {e.session_id for e in after} == {login.session_id}  # key-less console actions join the sign-in
    assert next(s for s in activity.sessions if s.session_id == login.session_id).events == 8


def test_victim_scenario_billing_console_event() -> None:
    name = "synthetic/panther-analysis__test_scenarios__compromised-root-creds__victim_cloudtrail.yml"
    activity = analyse(load(FIXTURES / name), name)
    contact = next(e for e in activity.events if e.event_name == "SetContactAddress")
    login = max((e for e in activity.events if e.event_time < contact.event_time), key=lambda e: e.event_time)
    assert contact.category is C.AVOIDABLE
    assert contact.session_id == login.session_id
