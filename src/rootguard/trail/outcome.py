"""What reading one file yields, and how many of them add up to a ``TrailScan``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from rootguard.model.activity import SkippedSource, TrailRecord, TrailScan, merge_reads
from rootguard.trail.paths import delivered_name
from rootguard.trail.reads import Deliveries, RawDigest, RawLookup, reads_of

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
    digests: list[RawDigest] | None = None
    """Digest files met (``digestStartTime``/``logFiles``): what coverage needs of each."""
    lookups: list[RawLookup] | None = None
    """LookupEvents answers met (``{"Events": …}``): whether each still had pages, and its period."""

    def digest(self, found: RawDigest) -> None:
        if self.digests is None:
            self.digests = []
        self.digests.append(found)

    def lookup(self, found: RawLookup) -> None:
        if self.lookups is None:
            self.lookups = []
        self.lookups.append(found)

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
        for digest in other.digests or ():
            self.digest(digest)
        for lookup in other.lookups or ():
            self.lookup(lookup)

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
    logs: list[tuple[str, str, str, str, bool]] = field(default_factory=list)
    """Delivered log files: (path, account, region, ``YYYYMMDDTHHmmZ`` stamp, read whole)."""
    digests: list[tuple[str, RawDigest]] = field(default_factory=list)
    lookups: list[tuple[str, RawLookup]] = field(default_factory=list)
    undated: int = 0
    """Inputs read whole that say nothing about the time they cover."""

    def add(self, source: str, result: FileResult) -> None:
        self.files += 1
        self.records += result.records
        self.hits.extend((source, position, record) for position, record in result.hits)
        reason = result.reason()
        if reason is not None:
            self.skipped.append((source, reason))
        # What the input says about time: its name's delivery stamp (no record is parsed for it), the
        # digests and LookupEvents answers it holds. A few string operations per file.
        named = delivered_name(source[source.rfind("/") + 1 :])
        if named is not None:
            self.logs.append((source, *named, reason is None))
        elif result.digests is None and result.lookups is None:
            self.undated += reason is None
        if result.digests is not None:
            self.digests.extend((source, digest) for digest in result.digests)
        if result.lookups is not None:
            self.lookups.extend((source, lookup) for lookup in result.lookups)

    def absorb(self, other: Tally, deliveries: Deliveries | None = None) -> None:
        """Add ``other``; its log files to ``deliveries`` when given (then pass it to ``scan``)."""
        self.files += other.files
        self.records += other.records
        self.hits.extend(other.hits)
        self.skipped.extend(other.skipped)
        if deliveries is None:
            self.logs.extend(other.logs)
        else:
            deliveries.add(other.logs)
        self.digests.extend(other.digests)
        self.lookups.extend(other.lookups)
        self.undated += other.undated

    def scan(self, deliveries: Deliveries | None = None) -> TrailScan:
        """Sorted by source and position, so the result never depends on the order work finished in.

        ``deliveries``: the log files of the tallies absorbed with it.
        """
        hits = sorted(self.hits, key=lambda hit: (hit[0], hit[1]))
        if deliveries is not None:
            deliveries.add(self.logs)
            self.logs = []
        return TrailScan(
            files=self.files,
            records=self.records,
            root_records=tuple(TrailRecord(record, source) for source, _, record in hits),
            skipped=tuple(SkippedSource(path, reason) for path, reason in sorted(self.skipped)),
            reads=reads_of(self.logs if deliveries is None else deliveries, self.digests, self.lookups, self.undated),
        )


def merge_scans(scans: Iterable[TrailScan]) -> TrailScan:
    """Several scans as one, sorted by source (a stable sort: each file keeps its records' order).

    The result is LookupEvents-only when every part is, its earliest delivery is the earliest of the
    parts', and its reads are all of theirs, so the coverage a check relies on survives merging.
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
        reads=merge_reads(scan.reads for scan in parts),
    )
