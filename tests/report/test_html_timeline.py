"""The timeline's geometry: one stacked bar per day, a shared scale, marks on failed sign-in days."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from html_samples import demo_activity

from rootguard.model.activity import ActivityEvent, Category
from rootguard.report import html_timeline
from rootguard.report.html_timeline import CATEGORY_ORDER, LEFT, MAX_TICKS, PLOT_HEIGHT, TOP, WIDTH, chart

SINCE = datetime(2026, 11, 1, 12, tzinfo=UTC)
UNTIL = datetime(2026, 11, 30, 12, tzinfo=UTC)


def event(day: int, category: Category, hour: int = 10) -> ActivityEvent:
    return replace(
        demo_activity().activity.events[0], event_time=datetime(2026, 11, day, hour, tzinfo=UTC), category=category
    )


def test_a_day_is_one_bar_stacked_in_category_order() -> None:
    events = [event(5, Category.SERVICE_INVOKED), event(5, Category.SIGN_IN), event(5, Category.SIGN_IN, 23)]
    drawn = chart(events, SINCE, UNTIL, scale_max=3)
    assert [s.category for s in drawn.segments] == [Category.SIGN_IN, Category.SERVICE_INVOKED]
    sign_in, service = drawn.segments
    assert sign_in.x == service.x == round(LEFT + 4 * (WIDTH - LEFT - html_timeline.RIGHT) / 30, 2)
    assert sign_in.y + sign_in.height == pytest.approx(
        TOP + PLOT_HEIGHT, abs=0.02
    )  # the first segment stands on the axis
    assert service.y + service.height == pytest.approx(sign_in.y, abs=0.02)
    assert sign_in.height == pytest.approx(2 * service.height, abs=0.02)
    assert service.y == TOP  # the busiest day reaches the top
    assert "2026-11-05: 2 sign-in" in sign_in.label
    assert drawn.days[0].counts == tuple(
        2 if c is Category.SIGN_IN else int(c is Category.SERVICE_INVOKED) for c in CATEGORY_ORDER
    )
    assert not drawn.marks


def test_failed_sign_in_days_are_marked_above_their_bar() -> None:
    events = [event(9, Category.SIGN_IN_FAILURE), event(9, Category.SIGN_IN_FAILURE, 11), event(10, Category.SIGN_IN)]
    drawn = chart(events, SINCE, UNTIL, scale_max=4)
    assert len(drawn.marks) == 1
    (mark,) = drawn.marks
    (bar,) = [s for s in drawn.segments if s.category is Category.SIGN_IN_FAILURE]
    assert mark.y + mark.size < bar.y
    assert bar.x < mark.x < bar.x + bar.width
    assert "2 failed sign-in(s)" in mark.label
    assert [d.failures for d in drawn.days] == [2, 0]


def test_the_scale_is_shared_and_a_single_event_still_shows() -> None:
    drawn = chart([event(7, Category.AVOIDABLE)], SINCE, UNTIL, scale_max=500)
    (segment,) = drawn.segments
    assert segment.height == html_timeline.MIN_SEGMENT
    assert drawn.scale_max == 500
    busiest = html_timeline.busiest_day([[event(7, Category.AVOIDABLE)], [event(8, Category.SIGN_IN)] * 3])
    assert busiest == 3


def test_events_outside_the_period_are_counted_not_drawn() -> None:
    early = replace(event(5, Category.SIGN_IN), event_time=SINCE - timedelta(days=3))
    drawn = chart([early, event(6, Category.SIGN_IN)], SINCE, UNTIL, scale_max=1)
    assert drawn.outside == 1
    assert len(drawn.segments) == 1
    assert [d.total for d in drawn.days] == [1]


def test_ticks_stay_few_over_long_periods() -> None:
    for days in (1, 10, 30, 90, 400):
        drawn = chart([], UNTIL - timedelta(days=days), UNTIL, scale_max=0)
        assert 1 <= len(drawn.ticks) <= MAX_TICKS + 1
        assert all(LEFT <= t.x <= WIDTH for t in drawn.ticks)
    assert chart([], SINCE, UNTIL, scale_max=0).ticks[0].label == "11-01"
