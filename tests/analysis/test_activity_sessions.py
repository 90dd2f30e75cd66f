"""Sessions: grouping, deterministic ids, MFA aggregation and the per-session summaries."""

from __future__ import annotations

import random
import re
from datetime import timedelta
from typing import Any

import pytest
from trail_builders import (
    ACCOUNT,
    MEMBER,
    ROOT_KEY,
    api_call,
    assume_root,
    at,
    records,
    root_identity,
    run,
    sign_in,
)

from rootguard.analysis import analyze
from rootguard.analysis.sessions import aggregate_mfa
from rootguard.model.activity import Activity, ActivitySession, Category

ID = re.compile(
    r"^(console|access-key|assumed-root|service|sign-in-failure)-(\d{12}|unknown)-\d{8}T\d{6}Z-[0-9a-f]{10}$"
)


def by_event(activity: Activity) -> dict[str, ActivitySession]:
    sessions = {s.session_id: s for s in activity.sessions}
    return {e.event_id: sessions[e.session_id] for e in activity.events}


def check_invariants(activity: Activity) -> None:
    ids = [s.session_id for s in activity.sessions]
    assert len(ids) == len(set(ids))
    assert all(ID.match(i) for i in ids), ids
    assert {e.session_id for e in activity.events} == set(ids)
    assert sum(s.events for s in activity.sessions) == len(activity.events)
    assert [s.start for s in activity.sessions] == sorted(s.start for s in activity.sessions)
    for session in activity.sessions:
        members = [e for e in activity.events if e.session_id == session.session_id]
        assert session.start == min(e.event_time for e in members)
        assert session.end == max(e.event_time for e in members)
        assert {e.account_id for e in members} == {session.account_id}


def console_day() -> list[dict[str, Any]]:
    """Two sign-ins from two places, each followed by console work; a key user; a failed guesser."""
    office, home = "198.51.100.7", "203.0.113.50"
    return [
        sign_in(when=at(-0.5), ip=office, name="CheckMfa", event_id="mfa-step"),
        sign_in(when=at(0), ip=office, event_id="login-office"),
        api_call(
            "CreateUser", when=at(2), ip=office, identity=root_identity(key="ASIAOFFICE0000000001"), event_id="office-1"
        ),
        sign_in(when=at(10), ip=home, event_id="login-home", mfa_used="No"),
        api_call(
            "ListUsers",
            when=at(11),
            ip=home,
            identity=root_identity(key="ASIAHOME000000000001", mfa="false"),
            event_id="home-1",
        ),
        api_call(
            "DeleteUser",
            when=at(20),
            ip=office,
            identity=root_identity(key="ASIAOFFICE0000000001"),
            event_id="office-2",
        ),
        sign_in(when=at(30), ip=office, name="PasswordUpdated", mfa_used=None, event_id="password"),
        api_call(
            "DescribeInstances",
            when=at(5),
            console=False,
            identity=root_identity(key=ROOT_KEY, mfa=None),
            event_id="key-1",
        ),
        api_call(
            "RunInstances", when=at(50), console=False, identity=root_identity(key=ROOT_KEY, mfa=None), event_id="key-2"
        ),
        sign_in(when=at(40), ip="192.0.2.66", success=False, event_id="fail-1"),
        sign_in(when=at(41), ip="192.0.2.66", success=False, event_id="fail-2"),
    ]


def test_a_day_of_root_use_falls_into_the_expected_sessions() -> None:
    activity = run(*console_day())
    check_invariants(activity)
    session = by_event(activity)
    assert session["office-1"] is session["login-office"] is session["office-2"] is session["mfa-step"]
    assert session["password"] is session["login-office"]  # key-less, same IP, after the office sign-in
    assert session["home-1"] is session["login-home"] is not session["login-office"]
    assert session["key-1"] is session["key-2"]
    assert session["fail-1"] is session["fail-2"]
    kinds = {e: s.kind for e, s in session.items()}
    assert (
        kinds["login-office"] == "console" and kinds["key-1"] == "access-key" and kinds["fail-1"] == "sign-in-failure"
    )
    assert len(activity.sessions) == 4


def test_session_ids_do_not_depend_on_record_order() -> None:
    items = console_day()
    first = run(*items)
    for seed in range(5):
        shuffled = items[:]
        random.Random(seed).shuffle(shuffled)
        again = run(*shuffled)
        assert again.sessions == first.sessions
        assert again.events == first.events


def test_session_id_names_kind_account_and_first_event() -> None:
    activity = run(sign_in(when=at(0)), api_call(when=at(3)))
    (session,) = activity.sessions
    assert session.session_id.startswith(f"console-{ACCOUNT}-20261102T090000Z-")
    assert ROOT_KEY not in "".join(s.session_id for s in run(*console_day()).sessions)


def test_console_work_more_than_12_hours_after_sign_in_is_its_own_session() -> None:
    activity = run(sign_in(when=at(0), event_id="login"), api_call(when=at(hours=13), event_id="late"))
    check_invariants(activity)
    session = by_event(activity)
    assert session["late"] is not session["login"]
    assert session["late"].kind == "console"  # sessionCredentialFromConsole says so


def test_a_temporary_key_nothing_explains_is_an_access_key_session() -> None:
    # e.g. root GetSessionToken credentials used from the CLI
    item = api_call(identity=root_identity(key="ASIASESSIONTOKEN0001"), console=False, agent="aws-cli/2.22")
    (session,) = run(item).sessions
    assert session.kind == "access-key"


def test_console_work_joins_a_sign_in_of_its_own_account_only() -> None:
    login = sign_in(when=at(0), account=ACCOUNT, event_id="login")
    other = api_call(when=at(1), account=MEMBER, identity=root_identity(MEMBER), event_id="other")
    session = by_event(run(login, other))
    assert session["other"] is not session["login"]


def test_a_sign_in_step_joins_the_sign_in_just_after_it_but_not_one_much_later() -> None:
    early = sign_in(when=at(-10), name="CheckMfa", event_id="early")
    near = sign_in(when=at(-1), name="CheckMfa", event_id="near")
    login = sign_in(when=at(0), event_id="login")
    session = by_event(run(early, near, login))
    assert session["near"] is session["login"]
    assert session["early"] is not session["login"]


def test_assume_root_sessions_are_grouped_by_key() -> None:
    first, second = "ASIAASSUMEDROOTAAAA1", "ASIAASSUMEDROOTBBBB2"
    items = [
        assume_root(first, when=at(0)),
        assume_root(second, when=at(20), policy="IAMDeleteRootUserCredentials"),
        api_call(
            "GetBucketPolicy", "s3.amazonaws.com", when=at(1), identity=root_identity(MEMBER, key=first), event_id="a1"
        ),
        api_call(
            "DeleteBucketPolicy",
            "s3.amazonaws.com",
            when=at(2),
            identity=root_identity(MEMBER, key=first),
            event_id="a2",
        ),
        api_call("DeleteLoginProfile", when=at(21), identity=root_identity(MEMBER, key=second), event_id="b1"),
    ]
    activity = run(*items)
    check_invariants(activity)
    session = by_event(activity)
    assert session["a1"] is session["a2"] is not session["b1"]
    assert {s.kind for s in activity.sessions} == {"assumed-root"}
    assert session["a2"].categories == (Category.ASSUMED_ROOT,)


def test_failed_sign_ins_are_grouped_by_account_ip_and_day() -> None:
    items = [
        sign_in(when=at(0), ip="192.0.2.1", success=False, event_id="a"),
        sign_in(when=at(hours=5), ip="192.0.2.1", success=False, event_id="b"),
        sign_in(when=at(1), ip="192.0.2.2", success=False, event_id="c"),
        sign_in(when=at(days=1), ip="192.0.2.1", success=False, event_id="d"),
        sign_in(when=at(2), ip="192.0.2.1", success=False, account=MEMBER, event_id="e"),
    ]
    activity = run(*items)
    check_invariants(activity)
    session = by_event(activity)
    assert session["a"] is session["b"]
    assert len({id(s) for s in session.values()}) == 4


def test_service_activity_is_grouped_by_service_and_day() -> None:
    def svc(invoked_by: str, when: timedelta, event_id: str) -> dict[str, Any]:
        identity = root_identity(key=None, mfa=None, invokedBy=invoked_by)
        return api_call("RunInstances", when=at() + when, identity=identity, console=False, event_id=event_id)

    items = [
        svc("autoscaling.amazonaws.com", timedelta(0), "a"),
        svc("autoscaling.amazonaws.com", timedelta(hours=3), "b"),
        svc("glue.amazonaws.com", timedelta(hours=1), "c"),
        svc("autoscaling.amazonaws.com", timedelta(days=2), "d"),
    ]
    activity = run(*items)
    check_invariants(activity)
    session = by_event(activity)
    assert session["a"] is session["b"]
    assert len(activity.sessions) == 3
    assert {s.kind for s in activity.sessions} == {"service"}


def test_session_summaries() -> None:
    items = [
        sign_in(when=at(0), mfa_used="Yes", event_id="login"),
        api_call("CreateUser", when=at(1), region="eu-west-1", agent="agent-b", event_id="x"),
        api_call("CreateAccessKey", when=at(2), region="eu-west-2r", agent="agent-a", ip="", event_id="y"),
    ]
    (session,) = run(*items).sessions
    assert session.events == 3
    assert session.source_ips == ("198.51.100.7",)
    assert session.regions == ("eu-west-1", "eu-west-2r", "us-east-1")
    assert set(session.user_agents) == {"agent-a", "agent-b", items[0]["userAgent"]}
    assert list(session.user_agents) == sorted(session.user_agents)
    assert session.categories == (Category.SIGN_IN, Category.ROOT_ONLY_TASK, Category.AVOIDABLE)
    assert session.mfa is True
    assert session.account_id == ACCOUNT


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([True, True], True),
        ([True, None], True),
        ([True, False, None], False),
        ([False], False),
        ([None, None], None),
        ([], None),
    ],
)
def test_mfa_aggregation(values: list[bool | None], expected: bool | None) -> None:
    assert aggregate_mfa(values) is expected


def test_a_session_without_mfa_anywhere_says_false() -> None:
    items = [sign_in(when=at(0), mfa_used="No"), api_call(when=at(1), identity=root_identity(mfa="true"))]
    (session,) = run(*items).sessions
    assert session.mfa is False


def test_the_source_name_does_not_change_the_grouping() -> None:
    items = console_day()
    archive = analyze(records(*items, source="s3://trail/x.json.gz"), approvals=(), since=at(days=-1), until=at(days=1))
    lookup = analyze(records(*items, source="lookup-events"), approvals=(), since=at(days=-1), until=at(days=1))
    assert [s.session_id for s in archive.sessions] == [s.session_id for s in lookup.sessions]
