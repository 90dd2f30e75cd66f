"""What an input says about the time it covers: digest files, LookupEvents answers, log file names.

Coverage (``rootguard.analysis.coverage``) is built from what was read, never from the records' own
times (the fast path does not parse most files). The readers note, per input:

* a delivered log file's name: ``<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>…``, the
  moment it was delivered (``trail.paths.delivered_name``);
* a digest file (``digestStartTime``, ``digestEndTime``, ``previousDigestS3Object``, ``logFiles``):
  the hour it vouches for, the digest before it in the chain, and the log files delivered in it
  ("CloudTrail digest file structure",
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html);
* a LookupEvents answer (``{"Events": …}``): whether it still carries a ``NextToken`` (pages not read:
  "If the token does not appear, there are no more results to return", LookupEvents,
  https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html), and the
  period asked when the answer stores it (``StartTime``/``EndTime``).

The raw shapes are tuples of text, cheap to send back from a worker process; ``reads_of`` turns them
into the model's ``TrailReads`` once, in the parent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple

from rootguard.model.activity import DeliveredLog, Digest, ListedLog, LookupAnswer, TrailReads
from rootguard.model.timestamps import parse_timestamp
from rootguard.trail.paths import DIGEST_FOLDER, base_name, digest_name, stamp_time


class RawDigest(NamedTuple):
    start: str | None
    end: str | None
    previous: str | None
    """``previousDigestS3Object`` (``None`` in a starting digest)."""
    own: str | None
    """``digestS3Object``."""
    account: str | None
    logs: tuple[tuple[str, str | None, str | None], ...]
    """``logFiles``: (``s3Object``, ``oldestEventTime``, ``newestEventTime``)."""


class RawLookup(NamedTuple):
    more_pages: bool
    start: str | None
    end: str | None


def raw_digest(value: Mapping[str, Any]) -> RawDigest:
    """The fields of a digest object coverage needs (anything malformed becomes ``None``)."""
    listed = value.get("logFiles")
    logs = tuple(
        (item["s3Object"], _text(item.get("oldestEventTime")), _text(item.get("newestEventTime")))
        for item in (listed if isinstance(listed, list) else ())
        if isinstance(item, dict) and isinstance(item.get("s3Object"), str)
    )
    return RawDigest(
        _text(value.get("digestStartTime")),
        _text(value.get("digestEndTime")),
        _text(value.get("previousDigestS3Object")),
        _text(value.get("digestS3Object")),
        _text(value.get("awsAccountId")),
        logs,
    )


def raw_lookup(value: Mapping[str, Any]) -> RawLookup:
    """Whether a LookupEvents answer still has pages, and the period it says it asked."""
    token = value.get("NextToken")
    return RawLookup(token is not None and token != "", _text(value.get("StartTime")), _text(value.get("EndTime")))


RawLog = tuple[str, str, str, str, bool]
"""A delivered log file read: (path, account, Region, ``YYYYMMDDTHHmmZ`` stamp, read whole)."""


class Deliveries:
    """Delivered log files as the model's ``DeliveredLog``, kept by account and Region as they are added.

    A scan adds each task's files as they come back, while the workers still read, so only the order
    is left for the end: one sort per Region of files already grouped, under half the cost of one
    sort of them all. Files whose stamp names no moment are only counted (``undated``).
    """

    __slots__ = ("_moments", "_regions", "undated")

    def __init__(self) -> None:
        self._regions: dict[tuple[str, str], list[DeliveredLog]] = {}
        self._moments: dict[str, datetime | None] = {}  # files of many Regions and accounts share minutes
        self.undated = 0

    def add(self, logs: Iterable[RawLog]) -> None:
        moments, regions = self._moments, self._regions
        for path, account, region, stamp, whole in logs:
            moment = moments[stamp] if stamp in moments else moments.setdefault(stamp, stamp_time(stamp))
            if moment is None:
                self.undated += whole
                continue
            found = regions.get((account, region))
            if found is None:
                found = regions[account, region] = []
            found.append(DeliveredLog(path, account, region, moment, whole))

    def ordered(self) -> tuple[DeliveredLog, ...]:
        """By account, Region, delivery time and path."""
        ordered: list[DeliveredLog] = []
        for key in sorted(self._regions):
            ordered.extend(sorted(self._regions[key], key=_delivery_order))
        return tuple(ordered)


def reads_of(
    logs: Iterable[RawLog] | Deliveries,
    digests: Iterable[tuple[str, RawDigest]],
    lookups: Iterable[tuple[str, RawLookup]],
    undated: int,
) -> TrailReads:
    if not isinstance(logs, Deliveries):
        found = Deliveries()
        found.add(logs)
        logs = found
    return TrailReads(
        logs=logs.ordered(),
        digests=tuple(sorted((digest_of(path, raw) for path, raw in digests), key=_digest_order)),
        lookups=tuple(
            LookupAnswer(path, start=_time(raw.start), end=_time(raw.end), more_pages=raw.more_pages)
            for path, raw in sorted(lookups)
        ),
        undated=undated + logs.undated,
    )


def digest_of(path: str, raw: RawDigest) -> Digest:
    """The model's digest; account and Region from the file name, else from the digest's own fields."""
    named = digest_name(base_name(path)) or digest_name(base_name(raw.own or ""))
    account, region, backfill = "", "", False
    if named is not None:
        account, region, _, backfill = named
    else:
        account = raw.account or ""
        parts = (raw.own or "").split("/")
        if DIGEST_FOLDER in parts[:-2]:
            region = parts[parts.index(DIGEST_FOLDER) + 1]
    return Digest(
        path=path,
        account=account,
        region=region,
        start=_time(raw.start),
        end=_time(raw.end),
        previous=base_name(raw.previous) if raw.previous else None,
        logs=tuple(ListedLog(base_name(name), _time(oldest), _time(newest)) for name, oldest, newest in raw.logs),
        backfill=backfill,
    )


_delivery_order = itemgetter(3, 0)
"""Delivery time, path (within an account and Region)."""


def _digest_order(digest: Digest) -> tuple[str, str, bool, datetime | str, str]:
    return (digest.account, digest.region, digest.start is None, digest.start or "", digest.path)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return parse_timestamp(text)
    except ValueError:
        return None
