"""Evaluation: CloudWatch semantics on JSON records, including the documented examples."""

from __future__ import annotations

from typing import Any

import pytest

from rootguard.analysis.filter_pattern import MISSING, evaluate, matches_records, parse, resolve

# The example event of the CloudWatch Logs User Guide ("Matching terms in JSON log events").
GUIDE_EVENT: dict[str, Any] = {
    "eventType": "UpdateTrail",
    "sourceIPAddress": "111.111.111.111",
    "arrayKey": ["value", "another value"],
    "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}],
    "SomeObject": None,
    "ThisFlag": True,
}

GUIDE_COMPOUND: dict[str, Any] = {
    "user": {"id": 1, "email": "John.Stiles@example.com"},
    "users": [{"id": 2, "email": "John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}],
    "actions": ["GET", "PUT", "DELETE"],
    "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
}

GUIDE_CASES: list[tuple[str, dict[str, Any], bool]] = [
    ('{ $.eventType = "UpdateTrail" }', GUIDE_EVENT, True),
    ("{ $.sourceIPAddress != 123.123.* }", GUIDE_EVENT, True),
    ('{ $.arrayKey[0] = "value" }', GUIDE_EVENT, True),
    ("{ $.objectList[1].id = 2 }", GUIDE_EVENT, True),
    ("{ $.SomeObject IS NULL }", GUIDE_EVENT, True),
    ("{ $.SomeOtherObject NOT EXISTS }", GUIDE_EVENT, True),
    ("{ $.ThisFlag IS TRUE }", GUIDE_EVENT, True),
    ('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', GUIDE_COMPOUND, True),
    ('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', GUIDE_COMPOUND, False),
    (
        '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }',
        GUIDE_COMPOUND,
        True,
    ),
    (
        '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }',
        GUIDE_COMPOUND,
        False,
    ),
    ("{ $.users = 1 }", {"users": [1, 2, 3]}, False),  # selectors on arrays fail for = …
    ("{ $.users != 1 }", {"users": [1, 2, 3]}, False),  # … and for != too
]

# (pattern, value of $.v — MISSING for absent, expected)
VALUE_CASES: list[tuple[str, Any, bool]] = [
    # exact strings are case-sensitive
    ('{ $.v = "Root" }', "Root", True),
    ('{ $.v = "Root" }', "root", False),
    ('{ $.v = "Root" }', "RootUser", False),
    ("{ $.v = Root }", "Root", True),
    # wildcards at either end; an inner * is literal (the guide: Ev*ent only matches "Ev*ent")
    ("{ $.v = *Event }", "PutEvent", True),
    ("{ $.v = *Event }", "EventId", False),
    ("{ $.v = Event* }", "EventName", True),
    ("{ $.v = Event* }", "PutEvent", False),
    ("{ $.v = *vent* }", "PutEvents", True),
    ('{ $.v = "Ev*ent" }', "Ev*ent", True),
    ('{ $.v = "Ev*ent" }', "Event", False),
    ('{ $.v = "Ev*ent" }', "Evxxent", False),
    ("{ $.v != 123.123.* }", "123.123.4.5", False),
    ("{ $.v != 123.123.* }", "10.0.0.1", True),
    ("{ $.v = * }", "anything", True),
    ("{ $.v = * }", "", True),
    ("{ $.v = * }", 50, True),
    ("{ $.v = * }", None, False),
    ("{ $.v = * }", MISSING, False),
    ("{ $.v != * }", "anything", False),
    # comparisons on absent, null, booleans, objects and arrays never match, != included
    ('{ $.v != "AwsServiceEvent" }', MISSING, False),
    ('{ $.v != "AwsServiceEvent" }', None, False),
    ('{ $.v != "AwsServiceEvent" }', True, False),
    ('{ $.v != "AwsServiceEvent" }', {"nested": 1}, False),
    ('{ $.v != "AwsServiceEvent" }', ["AwsApiCall"], False),
    ('{ $.v != "AwsServiceEvent" }', "AwsApiCall", True),
    ('{ $.v != "AwsServiceEvent" }', "AwsServiceEvent", False),
    ("{ $.v = true }", True, False),
    ("{ $.v = true }", "true", True),
    # numbers
    ("{ $.v = 400 }", 400, True),
    ("{ $.v = 400 }", 400.0, True),
    ("{ $.v = 4e2 }", 400, True),
    ("{ $.v = 400 }", 401, False),
    ("{ $.v != 500 }", 400, True),
    ("{ $.v != 500 }", 500, False),
    ("{ $.v > +1000 }", 1001, True),
    ("{ $.v > 1000 }", 1000, False),
    ("{ $.v >= 1000 }", 1000, True),
    ("{ $.v < 10e-3 }", 0.001, True),
    ("{ $.v < 10e-3 }", 0.01, False),
    ("{ $.v <= 55.5 }", 55.5, True),
    ("{ $.v <= 55.5 }", 55.51, False),
    ("{ $.v < -1 }", -2, True),
    ("{ $.v > 0 }", "5", False),  # ordering needs a JSON number
    ("{ $.v > 0 }", True, False),  # booleans are not numbers
    ("{ $.v > 0 }", float("nan"), False),
    ("{ $.v = 0 }", float("inf"), False),
    # a numeric literal matches a string by its text (account ids are strings in CloudTrail)
    ("{ $.v = 123456789012 }", "123456789012", True),
    ("{ $.v = 400 }", "400.0", False),
    ('{ $.v = "400" }', 400, True),
    ("{ $.v = 4* }", 404, True),
    # keyword tests
    ("{ $.v IS NULL }", None, True),
    ("{ $.v IS NULL }", MISSING, False),
    ("{ $.v IS NULL }", "", False),
    ("{ $.v NOT NULL }", "", True),
    ("{ $.v NOT NULL }", None, False),
    ("{ $.v NOT NULL }", MISSING, False),
    ("{ $.v EXISTS }", None, True),
    ("{ $.v EXISTS }", {}, True),
    ("{ $.v EXISTS }", MISSING, False),
    ("{ $.v NOT EXISTS }", MISSING, True),
    ("{ $.v NOT EXISTS }", None, False),
    ("{ $.v IS TRUE }", True, True),
    ("{ $.v IS TRUE }", "true", False),
    ("{ $.v IS TRUE }", 1, False),
    ("{ $.v IS FALSE }", False, True),
    ("{ $.v IS FALSE }", 0, False),
    ("{ $.v IS FALSE }", MISSING, False),
]


@pytest.mark.parametrize(("pattern", "record", "expected"), GUIDE_CASES)
def test_the_guide_examples(pattern: str, record: dict[str, Any], expected: bool) -> None:
    assert evaluate(parse(pattern), record) is expected


@pytest.mark.parametrize(("pattern", "value", "expected"), VALUE_CASES)
def test_values(pattern: str, value: Any, expected: bool) -> None:
    record = {} if value is MISSING else {"v": value}
    assert evaluate(parse(pattern), record) is expected


RESOLVE_CASES: list[tuple[tuple[str | int, ...], Any]] = [
    (("user", "id"), 1),
    (("users", 1, "email"), "Jane.Doe@example.com"),
    (("users", 2, "email"), MISSING),  # index past the end
    (("user", 0), MISSING),  # index into an object
    (("actions", "x"), MISSING),  # name into an array
    (("actions", 0, 0), MISSING),  # index into a string
    (("coordinates", 2, 0), 7),
    (("nothing", "below"), MISSING),
]


@pytest.mark.parametrize(("selector", "expected"), RESOLVE_CASES)
def test_resolve(selector: tuple[str | int, ...], expected: Any) -> None:
    assert resolve(GUIDE_COMPOUND, selector) == expected


def test_matches_records_keeps_order() -> None:
    tree = parse('{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS }')
    records = [
        {"userIdentity": {"type": "Root"}},
        {"userIdentity": {"type": "Root", "invokedBy": "signin.amazonaws.com"}},
        {"userIdentity": {"type": "IAMUser"}},
        {},
    ]
    assert matches_records(tree, records) == [True, False, False, False]
    assert matches_records(tree, []) == []
