"""``analyze``: the period, unreadable times, duplicates, approvals and ordering."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from trail_builders import ACCOUNT, MEMBER, T0, api_call, assume_root, at, records, root_identity, run, sign_in

from rootguard.analysis import analyze
from rootguard.model.activity import TrailRecord
from rootguard.model.approvals import Approval


def approval(ticket: str, start: datetime, end: datetime, accounts: set[str] | None = None) -> Approval:
    return Approval(
        ticket=ticket,
        start=start,
        end=end,
        accounts=frozenset(accounts) if accounts is not None else None,
        reason="break-glass",
        approved_by="security-oncall",
    )


def test_the_period_includes_both_ends() -> None:
    items = [api_call(when=at(m), event_id=f"e{m}") for m in (-1, 0, 30, 60, 61)]
    activity = run(*items, since=at(0), until=at(60))
    assert [e.event_id for e in activity.events] == ["e0", "e30", "e60"]
    assert (activity.since, activity.until) == (at(0), at(60))


def test_times_with_offsets_are_compared_in_utc() -> None:
    item = api_call(eventTime="2026-11-02T10:30:00+01:00")
    (event,) = run(item, since=at(29), until=at(31)).events
    assert event.event_time == at(30)


@pytest.mark.parametrize("bad", [None, "", "redacted", "2026-13-45T99:00:00Z", 1700000000, {"t": 1}])
def test_root_records_without_a_readable_time_are_skipped_and_counted(bad: object) -> None:
    item = api_call()
    if bad is None:
        del item["eventTime"]
    else:
        item["eventTime"] = bad
    activity = run(item, api_call(when=at(1)))
    assert len(activity.events) == 1
    assert activity.undated_records == 1


def test_undated_non_root_records_are_not_counted() -> None:
    other = api_call(identity={"type": "IAMUser", "arn": "arn:aws:iam::1:user/a"}, eventTime="garbage")
    assert run(other).undated_records == 0


def test_the_same_record_from_two_sources_is_kept_once() -> None:
    item = api_call(event_id="2f1c0d9e-aaaa-bbbb-cccc-000000000001")
    found = [TrailRecord(item, "lookup-events:us-east-1"), TrailRecord(dict(item), "s3://trail/AWSLogs/x.json.gz")]
    for order in (found, found[::-1]):
        (event,) = analyze(order, approvals=(), since=at(-1), until=at(1)).events
        assert event.source == "lookup-events:us-east-1"  # the lowest name wins, whatever the order


def test_records_that_only_share_a_reused_event_id_are_not_merged() -> None:
    # Hand-made data (Panther tests) reuses eventID "1" for different records.
    first = api_call("CreateUser", when=at(0), event_id="1")
    second = api_call("DeleteUser", when=at(5), event_id="1")
    assert len(run(first, second).events) == 2


def test_approvals_mark_events_inside_their_window_for_their_accounts() -> None:
    window = approval("CHG-1", at(0), at(60), {ACCOUNT})
    everywhere = approval("CHG-2", at(120), at(180))
    items = [
        api_call(when=at(-1), event_id="before"),
        api_call(when=at(0), event_id="start"),
        api_call(when=at(30), event_id="inside"),
        api_call(when=at(60), event_id="end"),
        api_call(when=at(61), event_id="after"),
        api_call(when=at(30), account=MEMBER, identity=root_identity(MEMBER), event_id="other-account"),
        api_call(when=at(150), account=MEMBER, identity=root_identity(MEMBER), event_id="all-accounts"),
    ]
    activity = run(*items, approvals=[window, everywhere])
    tickets = {e.event_id: (e.approval.ticket if e.approval else None) for e in activity.events}
    assert tickets == {
        "before": None,
        "start": "CHG-1",
        "inside": "CHG-1",
        "end": "CHG-1",
        "after": None,
        "other-account": None,
        "all-accounts": "CHG-2",
    }


def test_events_are_sorted_by_time_then_event_id() -> None:
    items = [
        api_call(when=at(5), event_id="b"),
        api_call(when=at(0), event_id="z"),
        api_call(when=at(5), event_id="a"),
    ]
    assert [e.event_id for e in run(*items).events] == ["z", "a", "b"]


def test_an_assume_root_call_before_the_period_still_explains_the_session() -> None:
    key = "ASIAASSUMEDROOT00002"
    call = assume_root(key, when=at(-1))
    member = api_call("DeleteBucketPolicy", "s3.amazonaws.com", when=at(2), identity=root_identity(MEMBER, key=key))
    (event,) = run(call, member, since=at(0), until=at(10)).events
    assert event.category.value == "assumed-root"


def test_inputs_that_are_not_records_are_ignored() -> None:
    found = [TrailRecord("not a mapping", "x"), TrailRecord([], "y"), *records(sign_in())]  # type: ignore[arg-type]
    assert len(analyze(found, approvals=(), since=T0 - timedelta(1), until=T0 + timedelta(1)).events) == 1


def test_the_period_must_be_time_zone_aware() -> None:
    with pytest.raises(ValueError, match="time-zone-aware"):
        analyze([], approvals=(), since=datetime(2026, 1, 1), until=T0)


def test_records_may_be_a_one_shot_iterator() -> None:
    key = "ASIAASSUMEDROOT00003"
    stream = iter(records(assume_root(key), api_call(identity=root_identity(MEMBER, key=key))))
    (event,) = analyze(stream, approvals=(), since=at(-1), until=at(1)).events
    assert event.category.value == "assumed-root"
