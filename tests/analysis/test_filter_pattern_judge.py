"""Judgement against the CIS 4.3 root-usage filter: the cases peers' regexes get wrong (prowler.md §1.6)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from rootguard.analysis import filter_pattern_search
from rootguard.analysis.filter_pattern import (
    CIS_ROOT_USAGE,
    CIS_ROOT_USAGE_PATTERN,
    ErrorKind,
    TooComplex,
    describe,
    evaluate,
    judge,
    misses_console_actions,
    old_console_action,
    parse,
    witness,
)

CIS = CIS_ROOT_USAGE_PATTERN
SECURITY_HUB = '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}'
TYPE = '$.userIdentity.type = "Root"'
INVOKED = "$.userIdentity.invokedBy NOT EXISTS"
EVENT = '$.eventType != "AwsServiceEvent"'

SIGNIN = '$.userIdentity.invokedBy = "signin.amazonaws.com"'
UNQUOTED = "$.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent"


def braces(*clauses: str) -> str:
    return "{ " + " && ".join(clauses) + " }"


# (case, pattern, catches_all_cis, noisy)
CASES: list[tuple[str, str, bool, bool]] = [
    ("the CIS text", CIS, True, False),
    ("Security Hub's no-space variant", SECURITY_HUB, True, False),
    ("clauses reordered", braces(EVENT, TYPE, INVOKED), True, False),
    ("unquoted Root", "{ " + UNQUOTED + " }", True, False),
    ("redundant parentheses", f"{{ (({TYPE}) && ({INVOKED})) && ({EVENT}) }}", True, False),
    ("duplicated clause", braces(TYPE, INVOKED, TYPE, EVENT), True, False),
    ("keywords in lower case", braces(TYPE, "$.userIdentity.invokedBy not exists", EVENT), True, False),
    ("one clause a line", "{\n  " + "\n  && ".join((TYPE, INVOKED, EVENT)) + "\n}", True, False),
    ("redundant disjunct", braces(f"({TYPE} || {TYPE})", INVOKED, EVENT), True, False),
    ("absorbed disjunct", braces(TYPE, INVOKED, EVENT + " || " + TYPE, INVOKED, EVENT, "$.eventName = X"), True, False),
    ("only the Root clause (complete but noisy)", braces(TYPE), True, True),
    ("Root prefix wildcard", "{ " + UNQUOTED.replace("Root", "Root*") + " }", True, True),
    ("also counts old console actions", braces(TYPE, f"({INVOKED} || {SIGNIN})", EVENT), True, True),
    ("extra sourceIPAddress clause", braces(TYPE, INVOKED, EVENT, '$.sourceIPAddress = "1.2.3.4"'), False, False),
    ("RootUser", braces(TYPE.replace("Root", "RootUser"), INVOKED, EVENT), False, True),
    ("lower-case root value", braces(TYPE.replace("Root", "root"), INVOKED, EVENT), False, True),
    ("|| where && was meant", f"{{ {TYPE} || {INVOKED} && {EVENT} }}", True, True),
    ("precedence changed by parentheses", f"{{ ({TYPE} || {INVOKED}) && {EVENT} }}", True, True),
    ("all ||", f"{{ {TYPE} || {INVOKED} || {EVENT} }}", True, True),
    ("ConsoleLogin only", '{ $.eventName = "ConsoleLogin" }', False, True),
    ("invokedBy required, not forbidden", braces(TYPE, "$.userIdentity.invokedBy EXISTS", EVENT), False, True),
    ("eventType = instead of !=", braces(TYPE, INVOKED, EVENT.replace("!=", "=")), False, True),
    ("eventType NOT EXISTS", braces(TYPE, INVOKED, "$.eventType NOT EXISTS"), False, True),
    ("invokedBy IS NULL, not NOT EXISTS", braces(TYPE, "$.userIdentity.invokedBy IS NULL", EVENT), False, True),
    ("contradiction", braces(TYPE, '$.userIdentity.type = "IAMUser"'), False, False),
]


@pytest.mark.parametrize(("case", "pattern", "catches_all", "noisy"), CASES)
def test_judgement(case: str, pattern: str, catches_all: bool, noisy: bool) -> None:
    judgement = judge(pattern)
    assert judgement.parses and judgement.decided, case
    assert judgement.catches_all_cis is catches_all, case
    assert judgement.noisy is noisy, case
    assert judgement.equivalent is (catches_all and not noisy), case
    assert bool(judgement.narrower) is not catches_all
    assert bool(judgement.noise) is noisy


@pytest.mark.parametrize(("case", "pattern", "catches_all", "noisy"), CASES)
def test_every_counterexample_is_a_real_record(case: str, pattern: str, catches_all: bool, noisy: bool) -> None:
    judgement = judge(pattern)
    tree = parse(pattern)
    for explanation in judgement.narrower:
        record = _example(explanation)
        assert evaluate(CIS_ROOT_USAGE, record) and not evaluate(tree, record), (case, explanation)
    for explanation in judgement.noise:
        record = _example(explanation)
        assert evaluate(tree, record) and not evaluate(CIS_ROOT_USAGE, record), (case, explanation)


def _example(explanation: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(explanation.split("e.g. ", 1)[1])
    return loaded


def test_narrower_names_the_clause_that_narrows() -> None:
    judgement = judge(f'{{ {TYPE} && {INVOKED} && {EVENT} && $.sourceIPAddress = "1.2.3.4" }}')
    assert len(judgement.narrower) == 1
    assert judgement.narrower[0].startswith('`$.sourceIPAddress = "1.2.3.4"` rejects')


def test_noise_is_explained_per_cis_clause_with_a_root_example() -> None:
    judgement = judge(f"{{ {TYPE} }}")
    assert len(judgement.noise) == 2
    service, service_event = judgement.noise
    assert "invokedBy set" in service and "AwsServiceEvent records" in service_event
    assert _example(service)["userIdentity"]["type"] == "Root"  # a root action, not any service-invoked one


def test_console_login_filter_misses_and_overreaches() -> None:
    judgement = judge('{ $.eventName = "ConsoleLogin" }')
    assert len(judgement.narrower) == 1
    assert len(judgement.noise) == 3
    assert "identities other than the root user" in judgement.noise[0]


UNJUDGEABLE: list[tuple[str, ErrorKind]] = [
    ('"Root"', ErrorKind.NOT_JSON),
    ("[version, account, eventName = ConsoleLogin]", ErrorKind.NOT_JSON),
    ("{ $.userIdentity.type = %Ro+t% }", ErrorKind.UNSUPPORTED),
    ('{ $.userIdentity.type = "Root" && }', ErrorKind.SYNTAX),
]


@pytest.mark.parametrize(("pattern", "kind"), UNJUDGEABLE)
def test_patterns_that_cannot_be_judged_say_why(pattern: str, kind: ErrorKind) -> None:
    judgement = judge(pattern)
    assert not judgement.parses and not judgement.decided
    assert judgement.error_kind is kind
    assert judgement.error and judgement.error_position is not None
    assert not judgement.catches_all_cis and not judgement.equivalent
    assert describe(judgement).startswith("cannot be judged: ")


@pytest.mark.parametrize("pattern", ["", "   ", "\n"])
def test_an_empty_pattern_matches_every_event_root_use_included(pattern: str) -> None:
    """CloudWatch Logs matches every log event with an empty pattern
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html)."""
    judgement = judge(pattern)
    assert judgement.parses and judgement.decided and judgement.matches_everything
    assert judgement.catches_all_cis and judgement.noisy and not judgement.equivalent
    assert judgement.expr is not None and evaluate(judgement.expr, old_console_action())
    assert evaluate(judgement.expr, {})
    assert not judgement.misses_console_actions
    assert "matches every log event" in describe(judgement)


def test_the_cis_filter_itself_misses_old_console_actions() -> None:
    record = old_console_action()
    assert record["userIdentity"]["invokedBy"] == "signin.amazonaws.com"
    assert misses_console_actions(CIS_ROOT_USAGE)
    assert judge(CIS).misses_console_actions
    assert not misses_console_actions(parse(f"{{ {TYPE} }}"))
    assert not judge(braces(TYPE, f"({INVOKED} || {SIGNIN})")).misses_console_actions
    assert old_console_action() is not old_console_action()  # callers may mutate their copy


DESCRIBE_CASES: list[tuple[str, str]] = [
    (SECURITY_HUB, "equivalent to the CIS filter"),
    (f"{{ {TYPE} }}", "catches every record the CIS filter catches, and more (also matches"),
    ('{ $.eventName = "ConsoleLogin" }', "misses records the CIS filter catches (`$.eventName"),
]


@pytest.mark.parametrize(("pattern", "words"), DESCRIBE_CASES)
def test_describe(pattern: str, words: str) -> None:
    text = describe(judge(pattern))
    assert words in text
    assert text.startswith("{ ")  # the canonical rendering, whatever the spacing of the input


def test_a_search_that_runs_out_of_budget_is_reported_undecided(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filter_pattern_search, "SEARCH_BUDGET", 3)
    judgement = judge(CIS)
    assert judgement.parses and not judgement.decided
    assert judgement.error and "too many" in judgement.error
    assert describe(judgement).startswith("not decided: ")
    monkeypatch.setattr(filter_pattern_search, "SEARCH_BUDGET", 1)
    with pytest.raises(TooComplex):
        witness([CIS_ROOT_USAGE], [parse(f"{{ {TYPE} }}")])


WITNESS_CASES: list[tuple[str, str, bool]] = [
    # nested selectors must agree: a parent cannot be a string while a child exists
    ("{ $.a = x && $.a.b EXISTS }", "{ $.c EXISTS }", False),
    ("{ $.a EXISTS && $.a.b NOT EXISTS }", "{ $.a IS NULL }", True),
    ("{ $.a NOT EXISTS && $.a.b EXISTS }", "{ $.c EXISTS }", False),
    # arrays: an element past index 0 means index 0 exists too
    ("{ $.l[1] = x && $.l[0] NOT EXISTS }", "{ $.c EXISTS }", False),
    ("{ $.l[1] = x && $.l[0] IS NULL }", "{ $.c EXISTS }", True),
    ("{ $.l[0] = x && $.l.k EXISTS }", "{ $.c EXISTS }", False),
    ("{ $.m[0][1] > 3 && $.m[1] EXISTS }", "{ $.m[0][1] >= 4 }", True),
    # numeric intervals and string wildcards
    ("{ $.n > 1 && $.n < 2 }", "{ $.n = 1.5 }", True),
    ("{ $.n >= 1 && $.n <= 1 }", "{ $.n = 1 }", False),
    ("{ $.s = Ro* && $.s = *ot }", '{ $.s = "Root" }', True),
    ("{ $.s = Ro* && $.s = *ot }", "{ $.s = *oo* }", True),
    ('{ $.s = "Root" }', "{ $.s = *oo* }", False),
    ("{ $.s = *abc* && $.s = *bcd* }", "{ $.s = *abcd* }", True),
    ("{ $.s = *oo* }", "{ $.s = Roo* || $.s = *oo }", True),  # needs "oox": the core with text after it
    ("{ $.s = *oo* }", "{ $.s = Roo* || $.s = *oo || $.s = oo* }", True),  # needs "xoox"
    ("{ $.s != *oo* && $.s != Roo* }", "{ $.s = *oo || $.s = x* }", True),
]


@pytest.mark.parametrize(("matching", "not_matching", "exists"), WITNESS_CASES)
def test_witness(matching: str, not_matching: str, exists: bool) -> None:
    record = witness([parse(matching)], [parse(not_matching)])
    assert (record is not None) is exists
    if record is not None:
        assert evaluate(parse(matching), record) and not evaluate(parse(not_matching), record)
