"""Which files to read: a cheap walk of the given trees, without Insights or other periods.

CloudTrail delivers to ``AWSLogs/[o-…/]<account>/CloudTrail/<region>/YYYY/MM/DD/`` in files named
``<account>_CloudTrail_<region>_<YYYYMMDDTHHMMZ>_<random>.json.gz``, and, with log file validation,
an hourly digest file to ``…/CloudTrail-Digest/<region>/YYYY/MM/DD/`` named
``<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<YYYYMMDDTHHMMSSZ>[_backfill].json.gz``.
Digests are read (they say which hours were quiet and which log files were delivered); Insight files
are not. A file whose folder or name date lies clearly outside the period (more than a day, since
logs arrive up to ~15 minutes late) is not read; a file without a recognisable date always is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from rootguard.model.activity import SkippedSource

MARGIN = timedelta(days=1)
SKIPPED_FOLDERS = frozenset({"CloudTrail-Digest", "CloudTrail-Insight"})
SKIPPED_NAME_PARTS = ("_CloudTrail-Digest_", "_CloudTrail-Insight_")
"""What ``is_skipped_name`` skips (S3 listings still skip digests; the local walk reads them)."""
DIGEST_FOLDER = "CloudTrail-Digest"
DIGEST_NAME_PART = "_CloudTrail-Digest_"
INSIGHT_FOLDERS = frozenset({"CloudTrail-Insight"})
INSIGHT_NAME_PART = "_CloudTrail-Insight_"
_FOLDER_DATE = re.compile(r"(?:^|/)CloudTrail(?:-Digest)?/[^/]+/(\d{4})/(\d{2})/(\d{2})(?:/|$)")
_NAME_STAMP = re.compile(r"_(\d{8}T\d{4}Z)_")


@dataclass(frozen=True)
class Period:
    """The period asked for, widened by ``MARGIN``; either end may be open."""

    start: datetime | None
    end: datetime | None

    @classmethod
    def around(cls, since: datetime | None, until: datetime | None) -> Period:
        return cls(_utc(since) - MARGIN if since else None, _utc(until) + MARGIN if until else None)

    @property
    def is_open(self) -> bool:
        return self.start is None and self.end is None

    def excludes(self, path: str) -> bool:
        """Whether ``path`` (a file path or an S3 key) is dated clearly outside the period."""
        if self.start is None and self.end is None:
            return False
        stamp = _name_stamp(path.rpartition("/")[2])
        if stamp is not None:
            return self.outside(stamp, stamp)
        day = _folder_day(path)
        return day is not None and self.outside(day, day + timedelta(days=1))

    def days(self) -> list[date]:
        """Every UTC day the (widened) period touches; both ends must be set."""
        if self.start is None or self.end is None:
            raise ValueError("an open period has no list of days")
        first, last = self.start.date(), self.end.date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]

    def covers(self, first: datetime, last: datetime) -> bool:
        """Whether ``[first, last]`` lies wholly inside the period: nothing in it needs checking."""
        return (self.start is None or first >= self.start) and (self.end is None or last <= self.end)

    def outside(self, first: datetime, last: datetime) -> bool:
        return (self.start is not None and last < self.start) or (self.end is not None and first > self.end)


UNKNOWN_SIZE = -1


class Input(NamedTuple):
    """A file to read. A named tuple: one is made per file in the (serial) walk and sent to a worker."""

    path: str
    size: int
    """Bytes on disk, or ``UNKNOWN_SIZE``: a stat per file in the (serial) walk costs more than it saves."""


def is_skipped_name(path: str) -> bool:
    """Digest and Insight files, by folder or name (a file path or an S3 key)."""
    if "CloudTrail-" not in path:
        return False  # the common case, decided without splitting the path
    parts = path.split("/")
    return any(p in SKIPPED_FOLDERS for p in parts[:-1]) or any(s in parts[-1] for s in SKIPPED_NAME_PARTS)


def is_insight_name(path: str) -> bool:
    """Insight files, by folder or name: never read (they hold no root records)."""
    if "CloudTrail-" not in path:
        return False
    parts = path.split("/")
    return any(p in INSIGHT_FOLDERS for p in parts[:-1]) or INSIGHT_NAME_PART in parts[-1]


def is_digest_name(path: str) -> bool:
    """A digest file, by folder or name."""
    if "CloudTrail-Digest" not in path:
        return False
    parts = path.split("/")
    return DIGEST_FOLDER in parts[:-1] or DIGEST_NAME_PART in parts[-1]


def delivered_name(name: str) -> tuple[str, str, str] | None:
    """``(account, region, stamp)`` of a file named as CloudTrail names log files, else None.

    ``stamp`` is the ``YYYYMMDDTHHmmZ`` text (see ``stamp_time``). Cheap: it runs once per file read.
    """
    parts = name.split("_", 4)
    if len(parts) == 5 and parts[1] == "CloudTrail":
        stamp = parts[3]
        if len(stamp) == 14 and stamp[8] == "T" and stamp[13] == "Z" and stamp[:8].isdigit():
            return parts[0], parts[2], stamp
    return None


def stamp_time(stamp: str) -> datetime | None:
    """The moment a ``YYYYMMDDTHHmmZ`` stamp names, or None when it names none."""
    try:
        return datetime(
            int(stamp[0:4]), int(stamp[4:6]), int(stamp[6:8]), int(stamp[9:11]), int(stamp[11:13]), tzinfo=UTC
        )
    except ValueError:
        return None


_DIGEST_NAME = re.compile(r"^(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_.*_(\d{8}T\d{6}Z)(_backfill)?\.json(?:\.gz)?$")


def digest_name(name: str) -> tuple[str, str, datetime | None, bool] | None:
    """``(account, region, end, backfill)`` of a file named as CloudTrail names digest files, else None."""
    match = _DIGEST_NAME.match(name)
    if match is None:
        return None
    try:
        end: datetime | None = datetime.strptime(match[3], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        end = None
    return match[1], match[2], end, match[4] is not None


def base_name(path: str) -> str:
    """The last part of a path, S3 key or ``s3://`` address."""
    return _slashed(path).rpartition("/")[2]


def walk(paths: Sequence[Path], period: Period) -> tuple[list[Input], list[SkippedSource]]:
    """Every file to read under ``paths`` (sorted), and the paths that could not be listed."""
    skipped: list[SkippedSource] = []
    inputs = sorted(iter_inputs(paths, period, skipped), key=lambda i: i.path)
    return inputs, skipped


def iter_inputs(paths: Sequence[Path], period: Period, skipped: list[SkippedSource]) -> Iterator[Input]:
    """The files to read, folder by folder as they are listed (unsorted), so reading can start at once.

    Paths that cannot be listed are appended to ``skipped`` as the walk meets them.
    """
    seen: set[tuple[int, int]] = set()
    for top in paths:
        name = os.fspath(top)
        try:
            info = top.stat()
        except OSError as error:
            skipped.append(SkippedSource(name, _os_reason(error)))
            continue
        if top.is_dir():
            yield from _walk_tree(name, period, skipped, seen)
        elif not is_insight_name(_slashed(name)) and not period.excludes(_slashed(name)):
            yield Input(name, info.st_size)


def _walk_tree(root: str, period: Period, skipped: list[SkippedSource], seen: set[tuple[int, int]]) -> Iterator[Input]:
    # Each folder carries whether its date is known to lie inside the period, so files in a dated
    # day folder are not checked one by one, and a day folder outside the period is never listed.
    stack = [(root, period.is_open)]
    while stack:
        folder, inside = stack.pop()
        found: list[Input] = []
        try:
            info = Path(folder).stat()
            if (info.st_dev, info.st_ino) in seen:
                continue  # a symlink loop, or the same tree given twice
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(folder) as entries:
                for entry in entries:
                    _visit(entry, period, inside, stack, found)
        except OSError as error:
            skipped.append(SkippedSource(folder, f"cannot list folder: {_os_reason(error)}"))
        yield from found


def _visit(
    entry: os.DirEntry[str], period: Period, inside: bool, stack: list[tuple[str, bool]], inputs: list[Input]
) -> None:
    if entry.name.startswith("."):
        return  # .DS_Store, editor and VCS files: never CloudTrail output
    if entry.is_dir():
        if entry.name in INSIGHT_FOLDERS:
            return
        if not inside:
            day = _folder_day(_slashed(entry.path))
            if day is not None:
                if period.outside(day, day + timedelta(days=1)):
                    return
                inside = period.covers(day, day + timedelta(days=1))
        stack.append((entry.path, inside))
        return
    path = _slashed(entry.path)
    if entry.is_file() and not is_insight_name(path) and (inside or not period.excludes(path)):
        inputs.append(Input(entry.path, UNKNOWN_SIZE))  # the reader sizes it with fstat, in the worker


def delivery_stamp(name: str) -> datetime | None:
    """The delivery time in a CloudTrail log file name, if it has one."""
    return _name_stamp(name)


def _name_stamp(name: str) -> datetime | None:
    match = _NAME_STAMP.search(name)
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%dT%H%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def _folder_day(path: str) -> datetime | None:
    match = _FOLDER_DATE.search(path)
    if match is None:
        return None
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
    except ValueError:
        return None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _slashed(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


def _os_reason(error: OSError) -> str:
    return "no such file or directory" if isinstance(error, FileNotFoundError) else str(error.strerror or error)
