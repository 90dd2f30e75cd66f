"""Which time the CloudTrail evidence covers, per account and Region (contract §7 ``coverage``).

Pure: the reads, the period and the rules are all given. "No root activity" is only true over time
some evidence vouches for; everything else is listed as uncovered, with the reason, or as unread.

What vouches for time, per account and Region:

* **LookupEvents answers** (``lookup-events/<region>/<question>.json``): the period the questions
  asked, once every question (``LOOKUP_QUESTIONS``) was answered without a ``NextToken`` left. An
  answer that still carries one, a question or an enabled Region with no answer, is unread evidence.
* **Digest files**, where log file validation is on: each vouches for its hour
  (``digestStartTime``..``digestEndTime``, the log files delivered in it), an empty one for a quiet
  hour. CloudTrail delivers a digest every hour, even when nothing happened, and each names the one
  before it ("CloudTrail digest file structure"). So between two digests of a chain nothing is taken
  on trust: a missing digest hour is uncovered, and so is the time of a log file a digest lists that is
  not in the input or was not read whole. A starting digest (no previous digest) means validation was
  off before it: that time falls to the log files.
* **Delivered log files** (outside the digests' hours): the moments their names say they were
  delivered. CloudTrail delivers about every 5 minutes while there is activity, and nothing while a
  Region is quiet; without a digest, a quiet hour cannot be told from lost files. So deliveries at most
  ``QUIET_TOLERANCE`` apart (and the ends of the period within it of a delivery) are taken as one
  covered stretch; a longer gap is uncovered (unproven), never quiet. A damaged log file's time (from
  the delivery before it) is uncovered.

Gaps shorter than the tolerance at the ends of the period are accepted whatever the source: CloudTrail
delivers events minutes after they happen, so the last minutes before any as-of time are never in.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from operator import itemgetter

from rootguard.model.activity import (
    DELIVERY_CADENCE,
    LOOKUP_QUESTIONS,
    QUIET_TOLERANCE,
    Coverage,
    DeliveredLog,
    Digest,
    LookupAnswer,
    RegionCoverage,
    Span,
    TrailReads,
    Uncovered,
    Unread,
)
from rootguard.model.timestamps import format_timestamp, span

LOG_FILES, DIGESTS, LOOKUP = "log files", "digests", "LookupEvents"


def coverage(
    reads: TrailReads,
    *,
    since: datetime,
    until: datetime,
    account: str | None = None,
    lookup_period: Span | None = None,
    tolerance: timedelta = QUIET_TOLERANCE,
) -> Coverage:
    """The coverage of ``[since, until]`` by ``reads``.

    ``account``: only that account's Regions (and evidence that names no account). ``lookup_period``:
    the period LookupEvents answers asked when they do not store it (contract §5.2: the 90 days before
    collection); without one, such answers vouch for nothing.
    """
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("coverage() needs time-zone-aware since and until")
    groups: dict[tuple[str, str], _Group] = defaultdict(_Group)
    unread: list[Unread] = []
    for log in reads.logs:
        groups[log.account, log.region].logs.append(log)
    for digest in reads.digests:
        if digest.region:
            groups[digest.account, digest.region].digests.append(digest)
    for answer in reads.lookups:
        if answer.region:
            groups[answer.account, answer.region].lookups.append(answer)
        elif answer.more_pages and (account is None or answer.account in ("", account)):
            unread.append(Unread(answer.path, _NEXT_TOKEN))
    for pair in reads.regions:
        groups[pair].enabled = True
    for pair in reads.lookup_regions:
        groups[pair].expected = True
        groups[pair].folder = next(
            (_folder(_folder(a.path)[:-1]) for a in reads.lookups if a.account == pair[0] and a.region), ""
        )
    window = Span(since, until)
    regions = tuple(
        _Region(key, group, window, lookup_period=lookup_period, tolerance=tolerance).coverage()
        for key, group in sorted(groups.items())
        if account is None or key[0] in ("", account)
    )
    return Coverage(since=since, until=until, regions=regions, undated=reads.undated, unread=tuple(unread))


_START = "the start of the period"
_NO_TIMES = "a digest file without a readable digestStartTime and digestEndTime"
_NEXT_TOKEN = "the answer still carries a NextToken: its later pages were not read"  # noqa: S105 - not a secret


@dataclass
class _Group:
    logs: list[DeliveredLog] = field(default_factory=list)
    digests: list[Digest] = field(default_factory=list)
    lookups: list[LookupAnswer] = field(default_factory=list)
    expected: bool = False
    """An enabled Region LookupEvents had to answer for."""
    enabled: bool = False
    """A Region known to be enabled: with no evidence at all, it is uncovered."""
    folder: str = ""
    """Where the account's LookupEvents answers are (``…/lookup-events/``), to name a missing Region's."""


@dataclass(frozen=True)
class _Anchor:
    """Time some evidence vouches for (a run of deliveries, a digest's hour, a LookupEvents period)."""

    start: datetime
    end: datetime
    kind: str
    label: str
    """What starts it, for a reason that names what follows a gap."""
    last: str = ""
    """What ends it, for a reason that names what precedes a gap (``label`` when empty)."""


@dataclass(frozen=True)
class _Chained:
    """Time a digest chain claims but no digest in the input covers: never bridged."""

    start: datetime
    end: datetime
    reason: str
    at_start: bool = False
    """Before the first digest of the input: within the tolerance it is the period's edge."""


class _Region:
    def __init__(
        self, key: tuple[str, str], group: _Group, window: Span, *, lookup_period: Span | None, tolerance: timedelta
    ) -> None:
        (self.account, self.region), self.group = key, group
        self.window, self.lookup_period, self.tolerance = window, lookup_period, tolerance
        self.unread: list[Unread] = []
        self.holes: list[Uncovered] = []
        self.chained: list[_Chained] = []
        self.anchors: list[_Anchor] = []

    def coverage(self) -> RegionCoverage:
        group = self.group
        governed = self._digests(group.digests)
        self._logs(group.logs, governed + [Span(c.start, c.end) for c in self.chained])
        self._lookups(group.lookups, expected=group.expected)
        covered, uncovered = self._sweep()
        holes = [hole for hole in self.holes if _overlaps(hole, self.window)]
        covered = [item for item in _subtract(covered, holes) if item.start < item.end]
        uncovered.extend(
            Uncovered(max(h.start, self.window.start), min(h.end, self.window.end), h.reason) for h in holes
        )
        sources = [
            name
            for name, found in ((LOG_FILES, group.logs), (DIGESTS, group.digests), (LOOKUP, group.lookups))
            if found
        ]
        return RegionCoverage(
            account=self.account,
            region=self.region,
            sources=tuple(sources),
            covered=tuple(covered),
            uncovered=tuple(sorted(uncovered, key=lambda u: (u.start, u.end, u.reason))),
            unread=tuple(sorted(set(self.unread), key=lambda u: (u.path, u.reason))),
        )

    # Digest files

    def _digests(self, digests: Sequence[Digest]) -> list[Span]:
        """Anchors for the digests' hours, holes for the log files they list that were not read, and the
        time the chain claims without a digest (``chained``). Returns the digests' hours: there, and in the
        chained time, log files do not count (a digest, not a delivery, says what was delivered)."""
        links: list[Digest] = []
        for digest in digests:
            if digest.start is None or digest.end is None or digest.start > digest.end:
                self.unread.append(Unread(digest.path, _NO_TIMES))
            elif not digest.backfill:
                links.append(digest)
        links.sort(key=lambda d: (d.start, d.end, d.path))
        # By name, for the log files digests list (built only when there are digests: a Region of an
        # archive without them has a file every few minutes).
        present = {log.path.rpartition("/")[2]: log for log in self.group.logs} if digests else {}
        names = {digest.path.rpartition("/")[2] for digest in digests}
        for digest in digests:
            self._listed(digest, present)
        hours: list[Span] = []
        for index, link in enumerate(links):
            assert link.start is not None and link.end is not None
            hours.append(Span(link.start, link.end))
            self.anchors.append(_Anchor(link.start, link.end, DIGESTS, _name(link.path)))
            if link.previous is None:
                continue  # a starting digest: validation was off before it, the log files speak for that time
            earlier = [d.end for d in links[:index] if d.end is not None and d.end <= link.start]
            if link.previous not in names and (earlier or index):
                self.unread.append(
                    Unread(link.previous, f"the digest file before {_name(link.path)} in the chain is not in the input")
                )
            if earlier and max(earlier) < link.start:
                self.chained.append(
                    _Chained(
                        max(earlier),
                        link.start,
                        f"no digest file covers this time (the chain before {_name(link.path)})",
                    )
                )
            elif not earlier and link.start > self.window.start:
                self.chained.append(
                    _Chained(
                        self.window.start,
                        link.start,
                        f"the digest file before {_name(link.path)} ({link.previous}) is not in the input",
                        at_start=True,
                    )
                )
        return _union(hours)

    def _listed(self, digest: Digest, present: dict[str, DeliveredLog]) -> None:
        for listed in digest.logs:
            log = present.get(listed.name)
            if log is not None and log.whole:
                continue
            start = listed.oldest or digest.start
            end = listed.newest or digest.end
            if start is None or end is None:
                continue
            state = "is not in the input" if log is None else "could not be read whole"
            self.holes.append(
                Uncovered(
                    min(start, end), max(start, end), f"{listed.name}, listed by digest {_name(digest.path)}, {state}"
                )
            )

    # Delivered log files

    def _logs(self, logs: Sequence[DeliveredLog], excluded: list[Span]) -> None:
        """Deliveries outside ``excluded`` (digests' hours, time a chain claims) as runs of deliveries at most the
        tolerance apart (the sweep then bridges a run to other evidence and to the period's ends); a file not
        read whole leaves the time since the delivery before it as a hole. One pass, cheap per file: an
        archive has a file every few minutes per Region."""
        tolerance = self.tolerance
        spans = _union(excluded)
        starts = [item.start for item in spans]
        run: list[DeliveredLog] = []  # the first and the last delivery of the current run
        previous: datetime | None = None
        for log in sorted(logs, key=_DELIVERED):
            at = log.delivered
            if spans and _within(at, spans, starts):
                previous = at
                continue
            if not log.whole:
                start = previous if previous is not None and at - previous <= tolerance else at - DELIVERY_CADENCE
                self.holes.append(Uncovered(start, at, f"{_name(log.path)} could not be read whole"))
                previous = at
                continue
            if run and (at - run[-1].delivered > tolerance or (spans and _crosses(run[-1].delivered, at, starts))):
                self._run(run)
                run = []
            if not run:
                run = [log, log]
            run[-1] = log
            previous = at
        if run:
            self._run(run)

    def _run(self, run: list[DeliveredLog]) -> None:
        first, last = run[0], run[-1]
        self.anchors.append(_Anchor(first.delivered, last.delivered, LOG_FILES, _name(first.path), _name(last.path)))

    # LookupEvents

    def _lookups(self, answers: Sequence[LookupAnswer], *, expected: bool) -> None:
        if not answers:
            if expected:
                where = f"{self.group.folder}{self.region}/"
                self.unread.append(Unread(where, "no LookupEvents answer for this enabled Region"))
            return
        by_question: dict[str, list[LookupAnswer]] = defaultdict(list)
        for answer in answers:
            by_question[answer.question].append(answer)
        periods: list[Span] = []
        whole = True
        for question in LOOKUP_QUESTIONS:
            found = by_question.get(question, [])
            if not found:
                where = _folder(answers[0].path)
                self.unread.append(Unread(f"{where}{question}.json", f"no answer to the {question} question"))
                whole = False
            for answer in found:
                period = self._period(answer)
                if not answer.answered:
                    self.unread.append(Unread(answer.path, "the answer could not be read (see the skipped inputs)"))
                elif answer.more_pages:
                    self.unread.append(Unread(answer.path, _NEXT_TOKEN))
                elif period is None:
                    self.unread.append(Unread(answer.path, "the answer does not say which period it asked"))
                else:
                    periods.append(period)
                    continue
                whole = False
        if whole and periods:
            start, end = max(p.start for p in periods), min(p.end for p in periods)
            if start < end:
                self.anchors.append(_Anchor(start, end, LOOKUP, "LookupEvents"))

    def _period(self, answer: LookupAnswer) -> Span | None:
        if answer.start is not None and answer.end is not None:
            return Span(answer.start, answer.end)
        return self.lookup_period

    # Putting it together

    def _sweep(self) -> tuple[list[Span], list[Uncovered]]:
        """Walk the period: covered stretches, gaps bridged within the tolerance, the rest uncovered."""
        window, tolerance = self.window, self.tolerance
        covered: list[Span] = []
        uncovered: list[Uncovered] = []
        cursor, before = window.start, _START
        anchors = sorted(self.anchors, key=lambda a: (a.start, a.end))
        for anchor in [*anchors, _Anchor(window.end, window.end, "", "the end of the period")]:
            if anchor.end < window.start:
                continue
            start = min(max(anchor.start, window.start), window.end)
            if start > cursor:
                gap = Span(cursor, start)
                chained = [c for c in self.chained if c.start < gap.end and gap.start < c.end]
                bridge = gap.end - gap.start <= tolerance and all(c.at_start for c in chained)
                if bridge:
                    covered.append(gap)
                else:
                    uncovered.append(Uncovered(gap.start, gap.end, self._reason(gap, before, anchor, chained)))
            if anchor.kind:
                end = min(max(anchor.end, start), window.end)
                covered.append(Span(start, end))
                if end > cursor:
                    cursor, before = end, anchor.last or anchor.label
            if cursor >= window.end:
                break
        return _union(covered), uncovered

    def _reason(self, gap: Span, before: str, after: _Anchor, chained: list[_Chained]) -> str:
        if chained:
            return chained[0].reason
        if not self.anchors:
            if not (self.group.logs or self.group.digests or self.group.lookups or self.unread):
                return (
                    "no CloudTrail evidence for this enabled Region (no log file, digest file or LookupEvents "
                    "answer): root activity there cannot be ruled out"
                )
            return "nothing read covers this Region" + (" (see unread)" if self.unread else "")
        length = span(gap.end - gap.start)
        first, last = before == _START, after.kind == ""
        if first and last:
            return "nothing read covers any of the period in this Region"
        if last:
            return f"the evidence ends at {format_timestamp(gap.start)} ({before}), {length} before the period does"
        if first:
            return f"the evidence starts at {format_timestamp(gap.end)} ({after.label}), {length} after the period does"
        return (
            f"nothing was delivered for {length} (between {before} and {after.label}): without digest files a quiet "
            "Region cannot be told from missing log files"
        )


_DELIVERED = itemgetter(3, 0)
"""A delivered log file's delivery time, then its path."""


def _within(moment: datetime, spans: list[Span], starts: list[datetime]) -> bool:
    """Whether ``moment`` lies in one of ``spans`` (disjoint, sorted; ``starts`` their starts)."""
    index = bisect_right(starts, moment) - 1
    return index >= 0 and moment <= spans[index].end


def _crosses(after: datetime, before: datetime, starts: list[datetime]) -> bool:
    """Whether one of the spans starts strictly between two deliveries."""
    index = bisect_right(starts, after)
    return index < len(starts) and starts[index] < before


def _name(path: str) -> str:
    return path.rpartition("/")[2]


def _folder(path: str) -> str:
    return path.rpartition("/")[0] + "/"


def _overlaps(hole: Uncovered, window: Span) -> bool:
    return hole.start <= window.end and window.start <= hole.end


def _union(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for item in sorted(spans, key=lambda s: (s.start, s.end)):
        if merged and item.start <= merged[-1].end:
            if item.end > merged[-1].end:
                merged[-1] = Span(merged[-1].start, item.end)
        else:
            merged.append(item)
    return merged


def _subtract(spans: list[Span], holes: Sequence[Uncovered]) -> list[Span]:
    """``spans`` less the holes' time (a hole of one moment splits a span in two)."""
    result = spans
    for hole in holes:
        cut: list[Span] = []
        for item in result:
            if hole.end < item.start or item.end < hole.start:
                cut.append(item)
                continue
            if item.start < hole.start:
                cut.append(Span(item.start, hole.start))
            if hole.end < item.end:
                cut.append(Span(hole.end, item.end))
        result = cut
    return result
