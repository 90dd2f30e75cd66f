"""iam-user-mfa (1.10), iam-unused-credentials (1.12), iam-key-rotation (1.14) from the report's user rows."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import timedelta

import pytest

from builders import AS_OF, DENIED, AccountBuilder, ago, context, iso, root_cells, user_cells
from rootguard.checks.user_credentials import iam_key_rotation, iam_unused_credentials
from rootguard.checks.user_mfa import iam_user_mfa
from rootguard.model.findings import Status
from rootguard.model.operations import CREDENTIAL_REPORT
from rootguard.model.thresholds import Thresholds

NO_KEYS = {
    "access_key_1_active": "false",
    "access_key_1_last_rotated": "N/A",
    "access_key_2_active": "false",
    "access_key_2_last_rotated": "N/A",
}


def console(name: str, **cells: str) -> dict[str, str]:
    """A console user, password set a year ago and used yesterday, MFA on, no keys."""
    base = {
        "password_enabled": "true",
        "password_last_used": ago(days=1),
        "password_last_changed": ago(days=365),
        "mfa_active": "true",
    }
    return user_cells(name, **(NO_KEYS | base | cells))


def machine(name: str, rotated: str, used: str = "N/A", **cells: str) -> dict[str, str]:
    """A user without a password (as AWS writes it) and one active access key."""
    base = {
        "password_enabled": "false",
        "password_last_used": "N/A",
        "password_last_changed": "N/A",
        "mfa_active": "false",
        "access_key_1_active": "true",
        "access_key_1_last_rotated": rotated,
        "access_key_1_last_used_date": used,
    }
    return user_cells(name, **(NO_KEYS | base | cells))


def account(*users: dict[str, str]) -> AccountBuilder:
    return AccountBuilder().rows([root_cells(mfa_active="false"), *users])


# iam-user-mfa ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("users", "status", "phrase"),
    [
        ([], Status.PASS, "No IAM user has a console password (0 IAM user(s))"),
        ([console("alice")], Status.PASS, "All 1 IAM user(s) with a console password have MFA"),
        # No password: MFA does not matter (moto's quirks: password_last_used=not_supported).
        ([machine("ci", ago(days=3), password_last_used="not_supported")], Status.PASS, "No IAM user has"),
        ([console("alice"), console("bob", mfa_active="false")], Status.FAIL, "1 of 2 IAM user(s)"),
        ([console("bob", mfa_active="FALSE")], Status.FAIL, "'bob'"),
        ([console("eve", mfa_active="maybe")], Status.ERROR, "user 'eve': mfa_active is unreadable value 'maybe'"),
        ([console("eve", password_enabled="N/A")], Status.ERROR, "user 'eve': password_enabled is N/A"),
    ],
)
def test_user_mfa(users: list[dict[str, str]], status: Status, phrase: str) -> None:
    outcome = iam_user_mfa.evaluate(account(*users).evidence(), context())
    assert outcome.status is status, outcome.message
    assert phrase in outcome.message


def test_root_without_mfa_is_not_a_user_finding() -> None:
    outcome = iam_user_mfa.evaluate(account().evidence(), context())
    assert outcome.status is Status.PASS


def test_user_mfa_fail_still_names_what_it_could_not_judge() -> None:
    evidence = account(console("bob", mfa_active="false"), console("eve", mfa_active="??")).evidence()
    outcome = iam_user_mfa.evaluate(evidence, context())
    assert outcome.status is Status.FAIL
    assert "user 'eve': mfa_active is unreadable value '??'" in outcome.message
    assert outcome.evidence["users_without_mfa"] == ["bob"]


def test_user_names_are_data() -> None:
    evidence = account(console("x\x1b[31mred", mfa_active="false")).evidence()
    outcome = iam_user_mfa.evaluate(evidence, context())
    assert "'x\\x1b[31mred'" in outcome.message


ALL_THREE = (iam_user_mfa, iam_unused_credentials, iam_key_rotation)


@pytest.mark.parametrize("spec", ALL_THREE, ids=lambda s: s.check_id)
@pytest.mark.parametrize(
    ("document", "phrase"),
    [
        (None, "was not collected"),
        (DENIED, "AccessDenied"),
        ({"Content": "bm90IGEgcmVwb3J0"}, "not a credential report"),
        ({"Content": 7}, "Content field"),
    ],
    ids=["absent", "denied", "garbage-csv", "malformed-json"],
)
def test_report_problems_are_errors(spec, document: object, phrase: str) -> None:  # type: ignore[no-untyped-def]
    builder = AccountBuilder()
    if document is None:
        builder.without(CREDENTIAL_REPORT.path(builder.account))
    else:
        builder.report(document)
    outcome = spec.evaluate(builder.evidence(), context())
    assert outcome.status is Status.ERROR, outcome.message
    assert "Fix:" in outcome.message


@pytest.mark.parametrize("spec", ALL_THREE, ids=lambda s: s.check_id)
def test_an_unparsed_line_is_never_a_pass(spec) -> None:  # type: ignore[no-untyped-def]
    builder = AccountBuilder().rows([root_cells(), console("alice")])
    document = builder.documents[CREDENTIAL_REPORT.path(builder.account)]

    text = base64.b64decode(document["Content"]).decode() + "mallory,only,three\n"
    builder.report(document | {"Content": text})
    outcome = spec.evaluate(builder.evidence(), context())
    assert outcome.status is Status.ERROR, outcome.message
    assert "unparsed line 4: 3 cells where the header has 22" in outcome.message


# iam-unused-credentials ------------------------------------------------------------------------------

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def moment(delta: timedelta) -> str:
    return iso(AS_OF - delta)


@pytest.mark.parametrize(
    ("user", "status"),
    [
        # Password last used 45 days ago to the second: "45 days or greater" fails; a second less passes.
        (console("a", password_last_used=moment(45 * DAY)), Status.FAIL),
        (console("a", password_last_used=moment(45 * DAY - SECOND)), Status.PASS),
        # Never used: counts from when the password was set …
        (console("a", password_last_used="no_information", password_last_changed=moment(45 * DAY)), Status.FAIL),
        (console("a", password_last_used="N/A", password_last_changed=moment(44 * DAY)), Status.PASS),
        # … else from the user's creation.
        (
            console(
                "a",
                password_last_used="N/A",
                password_last_changed="N/A",
                user_creation_time=moment(45 * DAY),
            ),
            Status.FAIL,
        ),
        # A password reset after its last use is a new password: it counts from the reset.
        (console("a", password_last_used=moment(300 * DAY), password_last_changed=moment(2 * DAY)), Status.PASS),
        # Keys: the last use, or the creation (last_rotated) when never used.
        (machine("k", rotated=moment(400 * DAY), used=moment(45 * DAY)), Status.FAIL),
        (machine("k", rotated=moment(400 * DAY), used=moment(45 * DAY - SECOND)), Status.PASS),
        (machine("k", rotated=moment(45 * DAY)), Status.FAIL),
        (machine("k", rotated=moment(45 * DAY - SECOND)), Status.PASS),
        # An inactive key and a user without password count for nothing.
        (machine("k", rotated=moment(900 * DAY), access_key_1_active="false"), Status.PASS),
    ],
)
def test_unused_credentials_edges(user: dict[str, str], status: Status) -> None:
    outcome = iam_unused_credentials.evaluate(account(user).evidence(), context())
    assert outcome.status is status, outcome.message


def test_unused_threshold_comes_from_the_context() -> None:
    evidence = account(machine("k", rotated=moment(400 * DAY), used=moment(20 * DAY))).evidence()
    assert iam_unused_credentials.evaluate(evidence, context()).status is Status.PASS
    strict = replace(context(), thresholds=Thresholds(unused_credentials_days=20))
    outcome = iam_unused_credentials.evaluate(evidence, strict)
    assert outcome.status is Status.FAIL
    assert "unused for 20 days or more" in outcome.message
    assert outcome.evidence["unused"] == [
        {"user": "k", "credential": "access key 1", "since": "2026-10-31T12:00:00Z", "basis": "last used", "days": 20}
    ]


def test_unused_as_of_comes_from_the_context_not_the_clock() -> None:
    evidence = account(machine("k", rotated=moment(10 * DAY))).evidence()
    later = replace(context(), as_of=AS_OF + 35 * DAY)
    assert iam_unused_credentials.evaluate(evidence, context()).status is Status.PASS
    assert iam_unused_credentials.evaluate(evidence, later).status is Status.FAIL


def test_unused_message_names_user_credential_and_basis() -> None:
    evidence = account(
        machine("old-ci", rotated=moment(400 * DAY)),
        console("carol", password_last_used=moment(100 * DAY)),
    ).evidence()
    outcome = iam_unused_credentials.evaluate(evidence, context())
    assert outcome.status is Status.FAIL
    assert "'old-ci' access key 1 (never used; created 2025-10-16T12:00:00Z, 400 days)" in outcome.message
    assert "'carol' password (last used 2026-08-12T12:00:00Z, 100 days)" in outcome.message


@pytest.mark.parametrize(
    ("user", "phrase"),
    [
        (console("a", password_last_used="not_supported"), "user 'a': password_last_used is not_supported"),
        (console("a", password_last_used="yesterday"), "password_last_used is unreadable value 'yesterday'"),
        (machine("k", rotated="N/A"), "user 'k': access_key_1_last_rotated is N/A"),
        (machine("k", rotated=moment(DAY), used="soon"), "access_key_1_last_used_date is unreadable value 'soon'"),
        (machine("k", rotated=moment(DAY), access_key_1_active="perhaps"), "access_key_1_active is unreadable"),
    ],
)
def test_unused_unknown_cells_are_errors(user: dict[str, str], phrase: str) -> None:
    outcome = iam_unused_credentials.evaluate(account(user).evidence(), context())
    assert outcome.status is Status.ERROR, outcome.message
    assert phrase in outcome.message
    assert "Fix:" in outcome.message


def test_unused_fail_wins_over_unknown_cells() -> None:
    evidence = account(machine("k", rotated=moment(99 * DAY)), console("a", password_last_used="junk")).evidence()
    outcome = iam_unused_credentials.evaluate(evidence, context())
    assert outcome.status is Status.FAIL
    assert "Not judged:" in outcome.message


def test_unused_last_use_after_as_of_is_an_error() -> None:
    evidence = account(machine("k", rotated=moment(400 * DAY), used=moment(DAY))).evidence()
    outcome = iam_unused_credentials.evaluate(evidence, replace(context(), as_of=AS_OF - 10 * DAY))
    assert outcome.status is Status.ERROR
    assert "after the as-of time" in outcome.message


# iam-key-rotation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("users", "status"),
    [
        ([], Status.PASS),
        ([console("alice")], Status.PASS),
        # "rotated every 90 days or less": exactly 90 days passes, a second more fails.
        ([machine("k", rotated=moment(90 * DAY), used=moment(DAY))], Status.PASS),
        ([machine("k", rotated=moment(90 * DAY + SECOND), used=moment(DAY))], Status.FAIL),
        ([machine("k", rotated=moment(900 * DAY), access_key_1_active="false")], Status.PASS),
        # Key 2 counts too.
        (
            [
                machine(
                    "k",
                    rotated=moment(DAY),
                    access_key_2_active="true",
                    access_key_2_last_rotated=moment(200 * DAY),
                )
            ],
            Status.FAIL,
        ),
        ([machine("k", rotated="not_supported")], Status.ERROR),
        ([machine("k", rotated="2026-13-45")], Status.ERROR),
    ],
)
def test_key_rotation(users: list[dict[str, str]], status: Status) -> None:
    outcome = iam_key_rotation.evaluate(account(*users).evidence(), context())
    assert outcome.status is status, outcome.message


def test_key_rotation_threshold_and_message() -> None:
    evidence = account(machine("deploy", rotated=moment(40 * DAY), used=moment(DAY))).evidence()
    assert iam_key_rotation.evaluate(evidence, context()).status is Status.PASS
    outcome = iam_key_rotation.evaluate(evidence, replace(context(), thresholds=Thresholds(key_rotation_days=30)))
    assert outcome.status is Status.FAIL
    assert outcome.message.startswith("1 active IAM user access key(s) older than 30 days: 'deploy' access key 1")
    assert outcome.evidence["overdue"][0]["days"] == 40


def test_long_lists_are_capped_in_the_message_but_complete_in_the_evidence() -> None:
    users = [console(f"user{n:02}", mfa_active="false") for n in range(12)]
    outcome = iam_user_mfa.evaluate(account(*users).evidence(), context())
    assert "'user09' and 2 more (see evidence)" in outcome.message
    assert "user10" not in outcome.message
    assert len(outcome.evidence["users_without_mfa"]) == 12
