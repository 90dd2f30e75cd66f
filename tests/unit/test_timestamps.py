"""format_timestamp writes what strftime wrote, on its fast path too (every year, offset and fraction)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from rootguard.model.timestamps import format_timestamp, parse_timestamp


def strftime_reference(value: datetime) -> str:
    utc = value.astimezone(UTC)
    if utc.microsecond:
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return utc.strftime("%Y-%m-%dT%H:%M:%SZ")


@given(
    st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)),
    st.integers(-14 * 60, 14 * 60),
    st.booleans(),
)
def test_format_timestamp_is_strftime(moment: datetime, offset_minutes: int, whole_second: bool) -> None:
    if whole_second:
        moment = moment.replace(microsecond=0)
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    assert format_timestamp(aware) == strftime_reference(aware)


def test_format_timestamp_examples() -> None:
    assert format_timestamp(datetime(2026, 11, 20, 12, tzinfo=UTC)) == "2026-11-20T12:00:00Z"
    assert format_timestamp(datetime(2026, 11, 20, 12, 0, 0, 5000, tzinfo=UTC)) == "2026-11-20T12:00:00.005000Z"
    assert format_timestamp(parse_timestamp("2026-11-20T13:30:00+01:30")) == "2026-11-20T12:00:00Z"
    assert format_timestamp(datetime(1000, 1, 1, tzinfo=UTC)) == "1000-01-01T00:00:00Z"
    assert format_timestamp(datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC)) == strftime_reference(
        datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC)
    )
