"""The approvals file (contract §6)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from rootguard.errors import ApprovalsError
from rootguard.model.approvals import find_approval, parse_approvals

GOOD = """
[[approval]]
ticket = "CHG-1042"
start = "2026-11-02T09:00:00Z"
end = "2026-11-02T11:00:00+00:00"
accounts = ["123456789012"]
reason = "Close the legacy account"
approved_by = "security-oncall"

[[approval]]
ticket = "CHG-7"
start = 2026-11-03T10:00:00+01:00
end = 2026-11-03T12:00:00+01:00
reason = "MFA delete on the audit bucket"
approved_by = "ciso"
"""


def test_parses_strings_and_native_toml_datetimes() -> None:
    first, second = parse_approvals(GOOD, "a.toml")
    assert first.ticket == "CHG-1042"
    assert first.accounts == frozenset({"123456789012"})
    assert second.accounts is None
    assert second.start == datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


def test_windows_include_both_ends_and_respect_accounts() -> None:
    approvals = parse_approvals(GOOD, "a.toml")
    assert find_approval(approvals, "123456789012", datetime(2026, 11, 2, 9, 0, tzinfo=UTC)) is approvals[0]
    assert find_approval(approvals, "123456789012", datetime(2026, 11, 2, 11, 0, tzinfo=UTC)) is approvals[0]
    assert find_approval(approvals, "123456789012", datetime(2026, 11, 2, 11, 0, 1, tzinfo=UTC)) is None
    assert find_approval(approvals, "999999999999", datetime(2026, 11, 2, 10, 0, tzinfo=UTC)) is None
    assert find_approval(approvals, "999999999999", datetime(2026, 11, 3, 9, 30, tzinfo=UTC)) is approvals[1]


def test_empty_file_means_no_approvals() -> None:
    assert parse_approvals("", "a.toml") == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[approval]\n", "not valid TOML"),
        ("approval = 3", "use \\[\\[approval\\]\\]"),
        ('[[approval]]\nticket = "T"', "start is required"),
        ('[[approval]]\nticket = "T"\nstart = "2026-11-02T09:00:00"\nend = "2026-11-02T10:00:00Z"', "no time zone"),
        ('[[approval]]\nticket = "T"\nstart = "soon"\nend = "2026-11-02T10:00:00Z"', "not an ISO 8601"),
        (
            '[[approval]]\nticket = "T"\nstart = "2026-11-02T11:00:00Z"\nend = "2026-11-02T10:00:00Z"\n'
            'reason = "r"\napproved_by = "a"',
            "ends before it starts",
        ),
        (
            '[[approval]]\nticket = "T"\nstart = "2026-11-02T09:00:00Z"\nend = "2026-11-02T10:00:00Z"\n'
            'reason = "r"\napproved_by = "a"\naccounts = [123]',
            "12-digit",
        ),
        ('[[approval]]\nstart = "2026-11-02T09:00:00Z"\nend = "2026-11-02T10:00:00Z"', "ticket is required"),
    ],
)
def test_invalid_files_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ApprovalsError, match=message):
        parse_approvals(text, "a.toml")
