"""Parsing the IAM credential report: 22 columns, sentinels kept distinct, nothing guessed."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from builders import report_csv, root_cells, user_cells
from rootguard.model.credential_report import (
    COLUMNS,
    Sentinel,
    Unreadable,
    from_document,
    parse_csv,
    parse_date,
    parse_flag,
)
from rootguard.model.gaps import MalformedEvidence


def test_there_are_22_documented_columns() -> None:
    assert len(COLUMNS) == 22
    assert COLUMNS[4] == "password_last_used"
    assert COLUMNS[10] == "access_key_1_last_used_date"
    assert COLUMNS[15] == "access_key_2_last_used_date"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("TRUE", True),
        ("True", True),
        ("false", False),
        ("FALSE", False),
        ("not_supported", Sentinel.NOT_SUPPORTED),
        ("N/A", Sentinel.NOT_APPLICABLE),
        ("yes", Unreadable("yes")),
        ("", Unreadable("")),
    ],
)
def test_flags(text: str, expected: object) -> None:
    assert parse_flag(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-17T08:14:52+00:00", datetime(2026, 11, 17, 8, 14, 52, tzinfo=UTC)),
        ("2026-11-17T08:14:52Z", datetime(2026, 11, 17, 8, 14, 52, tzinfo=UTC)),
        ("2026-11-17T10:14:52+02:00", datetime(2026, 11, 17, 8, 14, 52, tzinfo=UTC)),
        ("2026-11-17T03:14:52-05:00", datetime(2026, 11, 17, 8, 14, 52, tzinfo=UTC)),
        ("2026-11-17T08:14:52.123+00:00", datetime(2026, 11, 17, 8, 14, 52, 123000, tzinfo=UTC)),
        ("N/A", Sentinel.NOT_APPLICABLE),
        ("no_information", Sentinel.NO_INFORMATION),
        ("not_supported", Sentinel.NOT_SUPPORTED),
        ("NO_INFORMATION", Sentinel.NO_INFORMATION),
        ("yesterday", Unreadable("yesterday")),
        ("2026-13-45T99:00:00+00:00", Unreadable("2026-13-45T99:00:00+00:00")),
    ],
)
def test_dates_and_sentinels_are_distinct_states(text: str, expected: object) -> None:
    assert parse_date(text) == expected


def test_sentinels_are_never_dates() -> None:
    for sentinel in Sentinel:
        assert not isinstance(parse_date(sentinel.value), datetime)


def test_parses_root_and_users_by_header_name() -> None:
    rows, problems = parse_csv(report_csv([root_cells(), user_cells("alice")]))
    assert problems == ()
    assert [r.user for r in rows] == ["<root_account>", "alice"]
    root = rows[0]
    assert root.is_root
    assert root.password_enabled is Sentinel.NOT_SUPPORTED
    assert root.mfa_active is True
    assert [k.number for k in root.access_keys] == [1, 2]
    assert [c.number for c in root.certificates] == [1, 2]
    assert root.raw["arn"] == "arn:aws:iam::123456789012:root"


def test_column_order_does_not_matter() -> None:
    cells = root_cells(password_last_used="2026-11-01T00:00:00+00:00")
    columns = list(reversed(COLUMNS))
    text = ",".join(columns) + "\n" + ",".join(cells[c] for c in columns) + "\n"
    rows, _ = parse_csv(text)
    assert rows[0].password_last_used == datetime(2026, 11, 1, tzinfo=UTC)


def test_extra_columns_are_tolerated() -> None:
    cells = root_cells()
    text = ",".join([*COLUMNS, "future_column"]) + "\n" + ",".join([*(cells[c] for c in COLUMNS), "x"]) + "\n"
    rows, problems = parse_csv(text)
    assert rows[0].is_root and problems == ()


def test_a_short_line_is_reported_and_the_rest_still_parsed() -> None:
    text = report_csv([root_cells(), user_cells("alice")]) + "bob,arn:aws:iam::123456789012:user/bob,true\n"
    rows, problems = parse_csv(text)
    assert [r.user for r in rows] == ["<root_account>", "alice"]
    assert problems == ("line 4: 3 cells where the header has 22",)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "this is not,a credential report\n1,2\n",
        "\x00\x01\x02 garbage",
        "user,arn\n<root_account>,arn:aws:iam::123456789012:root\n",
    ],
)
def test_garbage_csv_is_malformed(text: str) -> None:
    with pytest.raises(MalformedEvidence):
        parse_csv(text)


def test_document_with_base64_content_and_generated_time() -> None:
    content = base64.b64encode(report_csv([root_cells()]).encode()).decode()
    report = from_document(
        {"Content": content, "ReportFormat": "text/csv", "GeneratedTime": "2026-11-20T11:58:07+00:00"}
    )
    assert report.generated_time == datetime(2026, 11, 20, 11, 58, 7, tzinfo=UTC)
    assert report.root is not None


def test_document_with_plain_csv_content_is_accepted() -> None:
    report = from_document({"Content": report_csv([root_cells()])})
    assert report.root is not None
    assert report.generated_time is None


def test_byte_order_mark_is_ignored() -> None:
    content = base64.b64encode(("\ufeff" + report_csv([root_cells()])).encode()).decode()
    assert from_document({"Content": content}).root is not None


@pytest.mark.parametrize(
    "document",
    [
        [],
        {},
        {"Content": 42},
        {"Content": "!!!not base64!!!"},
        {"Content": base64.b64encode(b"\xff\xfe\xfa").decode()},
        {"Content": base64.b64encode(b"hello,world\n1,2\n").decode()},
        {"Content": base64.b64encode(report_csv([root_cells()]).encode()).decode(), "GeneratedTime": "soon"},
    ],
)
def test_malformed_documents(document: object) -> None:
    with pytest.raises(MalformedEvidence):
        from_document(document)
