"""What reading one file yields, and how many of them add up to a ``TrailScan``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rootguard.model.activity import SkippedSource, TrailRecord, TrailScan

Record = dict[str, Any]
KEPT_PROBLEMS = 100
"""Problems kept word for word per input; past them only counted (only the first is reported)."""


@dataclass(slots=True)
class FileResult:
    """One input as it is being read: records counted, records kept, problems met.

    A file can be partly readable (JSON lines with one bad line): its good records are kept and
    the file is still reported, so nothing found is lost and nothing wrong is silent.
    """

    records: int = 0
    hits: list[tuple[int, Record]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    more_problems: int = 0
    """Problems past ``KEPT_PROBLEMS``: a file of a million bad lines is not held as a million reasons."""

    def problem(self, reason: str) -> None:
        if len(self.problems) < KEPT_PROBLEMS:
            self.problems.append(reason)
        else:
            self.more_problems += 1

    def absorb(self, other: FileResult, where: str = "") -> None:
        """Add what ``other`` read after what this one has, its problems prefixed with ``where``."""
        self.hits.extend((self.records + position, record) for position, record in other.hits)
        self.records += other.records
        for problem in other.problems:
            self.problem(where + problem)
        self.more_problems += other.more_problems

    def reason(self) -> str | None:
        if not self.problems:
            return None
        more = len(self.problems) - 1 + self.more_problems
        return self.problems[0] + (f" (and {more} more problem{'s' if more > 1 else ''})" if more else "")


@dataclass(slots=True)
class Tally:
    """Results of many files, in a shape cheap to send back from a worker process."""

    files: int = 0
    records: int = 0
    hits: list[tuple[str, int, Record]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def add(self, source: str, result: FileResult) -> None:
        self.files += 1
        self.records += result.records
        self.hits.extend((source, position, record) for position, record in result.hits)
        reason = result.reason()
        if reason is not None:
            self.skipped.append((source, reason))

    def absorb(self, other: Tally) -> None:
        self.files += other.files
        self.records += other.records
        self.hits.extend(other.hits)
        self.skipped.extend(other.skipped)

    def scan(self) -> TrailScan:
        """Sorted by source and position, so the result never depends on the order work finished in."""
        hits = sorted(self.hits, key=lambda hit: (hit[0], hit[1]))
        return TrailScan(
            files=self.files,
            records=self.records,
            root_records=tuple(TrailRecord(record, source) for source, _, record in hits),
            skipped=tuple(SkippedSource(path, reason) for path, reason in sorted(self.skipped)),
        )


def merge_scans(scans: Iterable[TrailScan]) -> TrailScan:
    """Several scans as one, sorted by source (a stable sort: each file keeps its records' order).

    The result is LookupEvents-only when every part is, and its earliest delivery is the earliest of
    the parts', so the coverage a check relies on survives merging.
    """
    parts = list(scans)
    found = [record for scan in parts for record in scan.root_records]
    skipped = [item for scan in parts for item in scan.skipped]
    deliveries = [scan.earliest_delivery for scan in parts if scan.earliest_delivery is not None]
    return TrailScan(
        files=sum(scan.files for scan in parts),
        records=sum(scan.records for scan in parts),
        root_records=tuple(sorted(found, key=lambda r: r.source)),
        skipped=tuple(sorted(skipped, key=lambda s: (s.path, s.reason))),
        lookup_only=bool(parts) and all(scan.lookup_only for scan in parts),
        earliest_delivery=min(deliveries, default=None),
    )
