"""analysis.coverage: which time, per account and Region, the reads vouch for.

Each rule is tested both ways (uncovered / still covered). The AWS behaviour behind them:
- log files: published "about every 5 minutes"; none while a Region is quiet; the name's stamp is the
  delivery time ("CloudTrail log file name format",
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html;
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html);
- digests: hourly, delivered even for an hour without activity (``logFiles: []``), listing the log files
  delivered between ``digestStartTime`` and ``digestEndTime``, naming ``previousDigestS3Object`` (null in a
  starting digest after validation was off); ``_backfill`` digests add late log files
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html);
- LookupEvents: per Region, 90 days, a ``NextToken`` means more results
  (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rootguard.analysis.coverage import coverage
from rootguard.model.activity import (
    LOOKUP_QUESTIONS,
    Coverage,
    DeliveredLog,
    Digest,
    ListedLog,
    LookupAnswer,
    Span,
    TrailReads,
)

ACCOUNT, OTHER = "111122223333", "444455556666"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
M = timedelta(minutes=1)
H = timedelta(hours=1)


def log(at: datetime, region: str = "us-east-1", account: str = ACCOUNT, *, whole: bool = True) -> DeliveredLog:
    return DeliveredLog(f"logs/{log_name(at, region, account)}", account, region, at, whole)


def log_name(at: datetime, region: str = "us-east-1", account: str = ACCOUNT) -> str:
    return f"{account}_CloudTrail_{region}_{at:%Y%m%dT%H%MZ}_UNIQUE{at:%H%M}.json.gz"


def every(start: datetime, end: datetime, step: timedelta = 5 * M, **kwargs: object) -> list[DeliveredLog]:
    found, at = [], start
    while at <= end:
        found.append(log(at, **kwargs))  # type: ignore[arg-type]
        at += step
    return found


def digest_path(end: datetime, region: str = "us-east-1") -> str:
    return f"d/{ACCOUNT}_CloudTrail-Digest_{region}_trail_us-east-1_{end:%Y%m%dT%H%M%SZ}.json.gz"


def chain(start: datetime, hours: int, *, starting: bool = True, skip: tuple[int, ...] = ()) -> list[Digest]:
    found: list[Digest] = []
    previous = None if starting else digest_path(start).rpartition("/")[2]
    for hour in range(hours):
        begin, end = start + hour * H, start + (hour + 1) * H
        path = digest_path(end)
        if hour not in skip:
            found.append(Digest(path, ACCOUNT, "us-east-1", begin, end, previous))
        previous = path.rpartition("/")[2]
    return found


def answers(region: str = "us-east-1", account: str = ACCOUNT, **changes: object) -> list[LookupAnswer]:
    base = f"{account}/cloudtrail-logs/lookup-events/{region}/"
    return [LookupAnswer(f"{base}{q}.json", account, region, q, **changes) for q in LOOKUP_QUESTIONS]  # type: ignore[arg-type]


def cover(reads: TrailReads, since: datetime = T0, until: datetime = T1, **kwargs: object) -> Coverage:
    return coverage(reads, since=since, until=until, **kwargs)  # type: ignore[arg-type]


def gaps(found: Coverage) -> list[tuple[datetime, datetime]]:
    return [(gap.start, gap.end) for region in found.regions for gap in region.uncovered]


# Delivered log files --------------------------------------------------------------------------------


def test_deliveries_within_the_tolerance_cover_the_period_end_to_end() -> None:
    found = cover(TrailReads(logs=tuple(every(T0 + 30 * M, T1 - 30 * M))))
    assert found.complete
    assert [(s.start, s.end) for s in found.regions[0].covered] == [(T0, T1)]


@pytest.mark.parametrize(("gap", "complete"), [(60 * M, True), (61 * M, False)])
def test_a_gap_between_deliveries_longer_than_an_hour_is_uncovered(gap: timedelta, complete: bool) -> None:
    logs = every(T0, T0 + 10 * H) + every(T0 + 10 * H + gap, T1)
    found = cover(TrailReads(logs=tuple(logs)))
    assert found.complete is complete
    if not complete:
        assert gaps(found) == [(T0 + 10 * H, T0 + 10 * H + gap)]


@pytest.mark.parametrize(("start", "complete"), [(T0 + 60 * M, True), (T0 + 61 * M, False)])
def test_evidence_that_starts_late(start: datetime, complete: bool) -> None:
    found = cover(TrailReads(logs=tuple(every(start, T1))))
    assert found.complete is complete
    if not complete:
        assert gaps(found) == [(T0, start)]
        assert found.regions[0].uncovered[0].reason.startswith("the evidence starts at")


@pytest.mark.parametrize(("end", "complete"), [(T1 - 60 * M, True), (T1 - 61 * M, False)])
def test_evidence_that_ends_early(end: datetime, complete: bool) -> None:
    found = cover(TrailReads(logs=tuple(every(T0, end))))
    assert found.complete is complete


def test_a_lone_delivery_covers_nothing_of_a_long_period() -> None:
    found = cover(TrailReads(logs=(log(T0 + 12 * H),)))
    assert not found.complete
    assert found.regions[0].covered == ()
    assert gaps(found) == [(T0, T0 + 12 * H), (T0 + 12 * H, T1)]


def test_each_region_is_judged_on_its_own() -> None:
    logs = [*every(T0, T1), log(T0 + 12 * H, region="eu-west-1")]
    found = cover(TrailReads(logs=tuple(logs)))
    assert {r.region: r.complete for r in found.regions} == {"us-east-1": True, "eu-west-1": False}
    assert not found.complete


def test_a_damaged_log_file_leaves_its_time_uncovered() -> None:
    logs = every(T0, T1)
    logs[100] = log(logs[100].delivered, whole=False)
    found = cover(TrailReads(logs=tuple(logs)))
    assert gaps(found) == [(logs[99].delivered, logs[100].delivered)]
    assert found.regions[0].uncovered[0].reason.endswith("could not be read whole")


def test_inputs_without_a_date_cover_nothing() -> None:
    found = cover(TrailReads(undated=3))
    assert (found.complete, found.regions, found.undated) == (False, (), 3)


def test_an_account_filter_keeps_that_account_and_unnamed_evidence() -> None:
    logs = every(T0, T1) + every(T0, T1, account=OTHER)
    assert [r.account for r in cover(TrailReads(logs=tuple(logs)), account=OTHER).regions] == [OTHER]
    assert len(cover(TrailReads(logs=tuple(logs))).regions) == 2


# Digest files ----------------------------------------------------------------------------------------


def test_empty_digests_prove_quiet_hours() -> None:
    found = cover(TrailReads(digests=tuple(chain(T0, 24))))
    assert found.complete
    assert found.regions[0].sources == ("digests",)


def test_a_missing_digest_is_uncovered_although_shorter_than_the_tolerance() -> None:
    found = cover(TrailReads(digests=tuple(chain(T0, 24, skip=(5,)))))
    assert gaps(found) == [(T0 + 5 * H, T0 + 6 * H)]
    [missing] = found.regions[0].unread
    assert missing.path == digest_path(T0 + 6 * H).rpartition("/")[2]


def test_log_files_do_not_fill_a_missing_digest_hour() -> None:
    reads = TrailReads(digests=tuple(chain(T0, 24, skip=(5,))), logs=tuple(every(T0, T1)))
    assert gaps(cover(reads)) == [(T0 + 5 * H, T0 + 6 * H)]


@pytest.mark.parametrize("present", [True, False])
def test_a_listed_log_file_must_be_present(present: bool) -> None:
    delivered = T0 + 3 * H + 5 * M
    digests = chain(T0, 24)
    digests[3] = Digest(
        digests[3].path,
        ACCOUNT,
        "us-east-1",
        T0 + 3 * H,
        T0 + 4 * H,
        digests[3].previous,
        (ListedLog(log_name(delivered), delivered - 4 * M, delivered - M),),
    )
    logs = (log(delivered),) if present else ()
    found = cover(TrailReads(digests=tuple(digests), logs=logs))
    assert found.complete is present
    if not present:
        assert gaps(found) == [(delivered - 4 * M, delivered - M)]


def test_a_listed_log_file_read_only_in_part_is_uncovered() -> None:
    delivered = T0 + 3 * H + 5 * M
    digests = chain(T0, 24)
    listed = (ListedLog(log_name(delivered), delivered - 4 * M, delivered - M),)
    digests[3] = Digest(digests[3].path, ACCOUNT, "us-east-1", T0 + 3 * H, T0 + 4 * H, digests[3].previous, listed)
    found = cover(TrailReads(digests=tuple(digests), logs=(log(delivered, whole=False),)))
    assert gaps(found) == [(delivered - 4 * M, delivered - M)]


def test_a_backfill_digest_is_no_link_of_the_chain() -> None:
    """A _backfill digest adds log files to an hour; it does not stand in for that hour's missing digest."""
    digests = chain(T0, 24, skip=(5,))
    backfill = Digest("d/x_backfill.json.gz", ACCOUNT, "us-east-1", T0 + 5 * H, T0 + 6 * H, None, backfill=True)
    assert gaps(cover(TrailReads(digests=(*digests, backfill)))) == [(T0 + 5 * H, T0 + 6 * H)]


def test_a_starting_digest_hands_the_time_before_it_to_the_log_files() -> None:
    digests = chain(T0, 8) + chain(T0 + 12 * H, 12)  # validation off from 08:00 to 12:00
    assert gaps(cover(TrailReads(digests=tuple(digests)))) == [(T0 + 8 * H, T0 + 12 * H)]
    logs = every(T0 + 8 * H, T0 + 12 * H, step=30 * M)
    assert cover(TrailReads(digests=tuple(digests), logs=tuple(logs))).complete


def test_the_chain_before_the_first_digest_read() -> None:
    """Its predecessor ends within the tolerance of the start: the period's edge. Further in: uncovered."""
    assert cover(TrailReads(digests=tuple(chain(T0 + 2 * M, 24, starting=False)))).complete
    late = cover(TrailReads(digests=tuple(chain(T0 + 3 * H, 21, starting=False)), logs=tuple(every(T0, T0 + 3 * H))))
    assert gaps(late) == [(T0, T0 + 3 * H)]
    assert late.regions[0].uncovered[0].reason.endswith("is not in the input")


def test_a_digest_without_times_is_unread() -> None:
    broken = Digest("d/broken.json.gz", ACCOUNT, "us-east-1", None, None, None)
    found = cover(TrailReads(digests=(*chain(T0, 24), broken)))
    assert not found.complete
    assert [u.path for u in found.regions[0].unread] == ["d/broken.json.gz"]


def test_after_the_last_digest_the_log_files_speak() -> None:
    digests = chain(T0, 20)
    assert not cover(TrailReads(digests=tuple(digests))).complete
    assert cover(TrailReads(digests=tuple(digests), logs=tuple(every(T0 + 20 * H, T1, step=20 * M)))).complete


# LookupEvents ---------------------------------------------------------------------------------------------


ASKED = Span(T1 - timedelta(days=90), T1)


def test_every_question_answered_covers_the_period_asked() -> None:
    found = cover(TrailReads(lookups=tuple(answers())), lookup_period=ASKED)
    assert found.complete
    assert found.regions[0].sources == ("LookupEvents",)


def test_an_answer_without_a_period_vouches_for_nothing() -> None:
    found = cover(TrailReads(lookups=tuple(answers())))
    assert not found.complete
    assert {u.reason for u in found.regions[0].unread} == {"the answer does not say which period it asked"}


def test_an_answer_that_stores_its_period_uses_it() -> None:
    stored = answers(start=T0 + 2 * H, end=T1)
    found = cover(TrailReads(lookups=tuple(stored)), lookup_period=ASKED)
    assert gaps(found) == [(T0, T0 + 2 * H)]


@pytest.mark.parametrize(
    "change",
    [{"more_pages": True}, {"answered": False}],
    ids=["next-token", "unreadable"],
)
def test_one_unread_answer_uncovers_its_region(change: dict[str, bool]) -> None:
    found_answers = answers()
    found_answers[1] = LookupAnswer(**{**vars_of(found_answers[1]), **change})
    found = cover(TrailReads(lookups=tuple(found_answers)), lookup_period=ASKED)
    assert not found.complete
    assert gaps(found) == [(T0, T1)]
    assert [u.path for u in found.regions[0].unread] == [found_answers[1].path]


def vars_of(answer: LookupAnswer) -> dict[str, object]:
    return {name: getattr(answer, name) for name in LookupAnswer.__slots__}


def test_a_missing_question_uncovers_its_region() -> None:
    found = cover(TrailReads(lookups=tuple(answers()[:2])), lookup_period=ASKED)
    assert [u.reason for u in found.regions[0].unread] == ["no answer to the assume-root question"]


def test_an_enabled_region_without_an_answer_is_unread() -> None:
    reads = TrailReads(lookups=tuple(answers()), lookup_regions=((ACCOUNT, "us-east-1"), (ACCOUNT, "eu-west-1")))
    found = cover(reads, lookup_period=ASKED)
    assert {r.region: r.complete for r in found.regions} == {"eu-west-1": False, "us-east-1": True}
    [missing] = [u for r in found.regions for u in r.unread]
    assert missing.path == f"{ACCOUNT}/cloudtrail-logs/lookup-events/eu-west-1/"


def test_an_enabled_region_needs_some_evidence() -> None:
    reads = TrailReads(logs=tuple(every(T0, T1)), regions=((ACCOUNT, "us-east-1"), (ACCOUNT, "eu-west-1")))
    found = cover(reads)
    assert {r.region: r.complete for r in found.regions} == {"eu-west-1": False, "us-east-1": True}
    assert found.regions[0].uncovered[0].reason.startswith("no CloudTrail evidence for this enabled Region")
    both = TrailReads(logs=(*every(T0, T1), *every(T0, T1, region="eu-west-1")), regions=reads.regions)
    assert cover(both).complete


def test_a_next_token_outside_the_layout_is_unread_evidence() -> None:
    found = cover(
        TrailReads(logs=tuple(every(T0, T1)), lookups=(LookupAnswer("export.json", more_pages=True),)),
    )
    assert [u.path for u in found.unread] == ["export.json"]
    assert not found.complete


def test_lookup_events_cover_what_the_log_files_leave() -> None:
    reads = TrailReads(logs=(log(T0 + 12 * H),), lookups=tuple(answers()))
    assert cover(reads, lookup_period=ASKED).complete
