"""The root-activity timeline of the HTML report: events by day, drawn as inline SVG, plus its table.

Geometry only: one stacked bar per day (a segment per category, in a fixed order), a mark above the
days with failed sign-ins, a tick every week. Every account's chart shares one vertical scale so
they can be compared. The template draws it; the same counts feed the table fallback, so what a
screen reader or a printout gets is what the chart shows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rootguard.model.activity import ActivityEvent, Category

CATEGORY_ORDER = (
    Category.SIGN_IN,
    Category.SIGN_IN_FAILURE,
    Category.AVOIDABLE,
    Category.ROOT_ONLY_TASK,
    Category.ASSUMED_ROOT,
    Category.SERVICE_INVOKED,
)
"""Bottom to top in a bar, left to right in the legend and the table."""
WIDTH = 960
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 22, 26
PLOT_HEIGHT = 110
MIN_SEGMENT = 2.0
"""A day with one event among hundreds still shows."""
MAX_TICKS = 14


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    category: Category
    label: str


@dataclass(frozen=True)
class Mark:
    """A failed sign-in day: a cross above its bar."""

    x: float
    y: float
    size: float
    label: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class DayCounts:
    day: date
    counts: tuple[int, ...]
    """One count per category of ``CATEGORY_ORDER``."""
    failures: int

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    baseline: float
    top: float
    scale_max: int
    segments: tuple[Segment, ...]
    marks: tuple[Mark, ...]
    ticks: tuple[Tick, ...]
    days: tuple[DayCounts, ...]
    """Only the days with events (the table fallback)."""
    outside: int
    """Events outside the period (not drawn; listed in the events table)."""


def day_counts(events: Iterable[ActivityEvent]) -> dict[date, Counter[Category]]:
    by_day: dict[date, Counter[Category]] = defaultdict(Counter)
    for event in events:
        by_day[event.event_time.date()][event.category] += 1
    return by_day


def busiest_day(accounts: Iterable[Iterable[ActivityEvent]]) -> int:
    """The most events any account had in one day: the shared vertical scale."""
    return max((sum(c.values()) for events in accounts for c in day_counts(events).values()), default=0)


def chart(events: Iterable[ActivityEvent], since: datetime, until: datetime, scale_max: int) -> Chart:
    first, last = since.date(), until.date()
    span = (last - first).days + 1
    by_day = day_counts(events)
    drawn = {day: counts for day, counts in by_day.items() if first <= day <= last}
    step = (WIDTH - LEFT - RIGHT) / span
    baseline = float(TOP + PLOT_HEIGHT)
    per_event = PLOT_HEIGHT / max(scale_max, 1)
    segments: list[Segment] = []
    marks: list[Mark] = []
    rows: list[DayCounts] = []
    for day in sorted(drawn):
        counts = drawn[day]
        x = LEFT + (day - first).days * step
        bar, top = _bar(day, counts, x, max(step * 0.8, 1.0), baseline=baseline, per_event=per_event)
        segments.extend(bar)
        failures = counts[Category.SIGN_IN_FAILURE]
        if failures:
            size = min(max(step * 0.8, 6.0), 10.0)
            label = f"{day.isoformat()}: {failures} failed sign-in(s)"
            marks.append(Mark(_r(x + step * 0.4), _r(top - size), _r(size / 2), label))
        rows.append(DayCounts(day, tuple(counts[c] for c in CATEGORY_ORDER), failures))
    return Chart(
        width=WIDTH,
        height=TOP + PLOT_HEIGHT + BOTTOM,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        baseline=baseline,
        top=TOP,
        scale_max=scale_max,
        segments=tuple(segments),
        marks=tuple(marks),
        ticks=_ticks(first, span, step),
        days=tuple(rows),
        outside=sum(sum(c.values()) for day, c in by_day.items() if day not in drawn),
    )


def _bar(
    day: date, counts: Counter[Category], x: float, width: float, *, baseline: float, per_event: float
) -> tuple[list[Segment], float]:
    """One day's stacked segments, bottom up, and the y of the bar's top."""
    segments = []
    y = baseline
    for category in CATEGORY_ORDER:
        if counts[category]:
            height = max(counts[category] * per_event, MIN_SEGMENT)
            y -= height
            label = f"{day.isoformat()}: {counts[category]} {category.value}"
            segments.append(Segment(_r(x), _r(y), _r(width), _r(height), category, label))
    return segments, y


def _ticks(first: date, span: int, step: float) -> tuple[Tick, ...]:
    every = 7 if span <= 7 * MAX_TICKS else -(-span // MAX_TICKS)
    every = 1 if span <= MAX_TICKS else every
    return tuple(
        Tick(_r(LEFT + offset * step + step / 2), (first + timedelta(days=offset)).strftime("%m-%d"))
        for offset in range(0, span, every)
    )


def _r(value: float) -> float:
    return round(value, 2)
