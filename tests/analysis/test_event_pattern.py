"""The EventBridge pattern matcher: each content filter, as a table of pattern, event, expected."""

from __future__ import annotations

from typing import Any

import pytest

from rootguard.analysis.event_pattern import PatternUnsupported, matches, wildcard
from rootguard.analysis.root_event_samples import guardduty_root_finding, root_read_call, root_samples, root_sign_in

EVENT: dict[str, Any] = {
    "source": "aws.iam",
    "detail-type": "AWS API Call via CloudTrail",
    "region": "us-east-1",
    "detail": {
        "eventName": "CreateUser",
        "userIdentity": {"type": "Root", "arn": "arn:aws:iam::123456789012:root"},
        "readOnly": False,
        "severity": 2,
        "tags": ["prod", "eu"],
        "errorCode": None,
    },
}

TABLE: list[tuple[str, dict[str, Any], bool]] = [
    ("exact value", {"source": ["aws.iam"]}, True),
    ("one of several values", {"source": ["aws.s3", "aws.iam"]}, True),
    ("wrong value", {"source": ["aws.s3"]}, False),
    ("nested", {"detail": {"userIdentity": {"type": ["Root"]}}}, True),
    ("nested, wrong", {"detail": {"userIdentity": {"type": ["IAMUser"]}}}, False),
    ("case matters", {"detail": {"userIdentity": {"type": ["root"]}}}, False),
    ("equals-ignore-case", {"detail": {"userIdentity": {"type": [{"equals-ignore-case": "ROOT"}]}}}, True),
    ("prefix", {"detail": {"userIdentity": {"arn": [{"prefix": "arn:aws:iam::"}]}}}, True),
    ("prefix, wrong", {"detail": {"userIdentity": {"arn": [{"prefix": "arn:aws:sts::"}]}}}, False),
    ("prefix ignoring case", {"source": [{"prefix": {"equals-ignore-case": "AWS."}}]}, True),
    ("suffix", {"detail": {"userIdentity": {"arn": [{"suffix": ":root"}]}}}, True),
    ("wildcard", {"detail": {"userIdentity": {"arn": [{"wildcard": "arn:aws:iam::*:root"}]}}}, True),
    ("wildcard, wrong", {"detail": {"userIdentity": {"arn": [{"wildcard": "arn:aws:iam::*:user/*"}]}}}, False),
    ("anything-but a value", {"detail": {"userIdentity": {"type": [{"anything-but": "IAMUser"}]}}}, True),
    ("anything-but that value", {"detail": {"userIdentity": {"type": [{"anything-but": ["Root"]}]}}}, False),
    ("anything-but a prefix", {"source": [{"anything-but": {"prefix": "aws.s"}}]}, True),
    ("anything-but on an absent field", {"detail": {"invokedBy": [{"anything-but": "x"}]}}, False),
    ("exists true", {"detail": {"eventName": [{"exists": True}]}}, True),
    ("exists false on an absent field", {"detail": {"userIdentity": {"invokedBy": [{"exists": False}]}}}, True),
    ("exists false on a present field", {"detail": {"eventName": [{"exists": False}]}}, False),
    ("exists false under an absent parent", {"detail": {"nothing": {"here": [{"exists": False}]}}}, True),
    ("boolean", {"detail": {"readOnly": [False]}}, True),
    ("boolean is not a string", {"detail": {"readOnly": ["false"]}}, False),
    ("null", {"detail": {"errorCode": [None]}}, True),
    ("number", {"detail": {"severity": [2.0]}}, True),
    ("numeric range", {"detail": {"severity": [{"numeric": [">=", 1, "<", 4]}]}}, True),
    ("numeric range missed", {"detail": {"severity": [{"numeric": [">=", 4]}]}}, False),
    ("any array element", {"detail": {"tags": ["eu"]}}, True),
    ("$or, one branch", {"$or": [{"source": ["aws.s3"]}, {"detail": {"eventName": ["CreateUser"]}}]}, True),
    ("$or, no branch", {"$or": [{"source": ["aws.s3"]}, {"detail": {"eventName": ["DeleteUser"]}}]}, False),
    ("all fields must match", {"source": ["aws.iam"], "detail-type": ["AWS Console Sign In via CloudTrail"]}, False),
]


@pytest.mark.parametrize(("name", "pattern", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_matcher_table(name: str, pattern: dict[str, Any], expected: bool) -> None:
    assert matches(pattern, EVENT) is expected, name


@pytest.mark.parametrize(
    "pattern",
    [
        {},
        ["not", "an", "object"],
        {"source": "aws.iam"},
        {"source": []},
        {"source": [{"cidr": "10.0.0.0/8"}]},
        {"source": [{"prefix": "a", "suffix": "b"}]},
        {"detail": {"severity": [{"numeric": ["~", 1]}]}},
        {"$or": "nope"},
    ],
)
def test_patterns_it_cannot_read_raise(pattern: Any) -> None:
    with pytest.raises(PatternUnsupported):
        matches(pattern, EVENT)


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("a*c", "abc", True),
        ("a*c", "ac", True),
        ("a*c", "abd", False),
        ("*", "", True),
        ("a*b*c", "axxbyyc", True),
        ("a*a", "a", False),
        ("a\\*c", "a*c", True),
        ("a\\*c", "abc", False),
        ("a.c", "abc", False),  # a dot is a dot: nothing is a regex
    ],
)
def test_wildcard(pattern: str, text: str, expected: bool) -> None:
    assert wildcard(pattern, text) is expected


TEMPLATE_PATTERN = {
    "detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"],
    "detail": {"userIdentity": {"type": ["Root"]}},
}


def test_the_templates_pattern_matches_every_root_sample() -> None:
    for label, event in root_samples("123456789012", "eu-west-1"):
        assert matches(TEMPLATE_PATTERN, event), label
    assert matches(TEMPLATE_PATTERN, root_read_call("123456789012", "eu-west-1"))


def test_a_pattern_on_api_calls_only_misses_the_sign_in() -> None:
    pattern = {"detail-type": ["AWS API Call via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}
    assert not matches(pattern, root_sign_in("123456789012", "us-east-1"))


def test_a_guardduty_rule_on_high_severity_misses_the_root_finding() -> None:
    finding = guardduty_root_finding("123456789012", "us-east-1")
    assert matches({"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}, finding)
    assert not matches({"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 4]}]}}, finding)
