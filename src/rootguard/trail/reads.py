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


def reads_of(
    logs: Iterable[tuple[str, str, str, str, bool]],
    digests: Iterable[tuple[str, RawDigest]],
    lookups: Iterable[tuple[str, RawLookup]],
    undated: int,
) -> TrailReads:
    delivered = []
    moments: dict[str, datetime | None] = {}  # files of many Regions and accounts share delivery minutes
    for path, account, region, stamp, whole in logs:
        moment = moments[stamp] if stamp in moments else moments.setdefault(stamp, stamp_time(stamp))
        if moment is None:
            undated += whole
        else:
            delivered.append(DeliveredLog(path, account, region, moment, whole))
    delivered.sort(key=_log_order)
    return TrailReads(
        logs=tuple(delivered),
        digests=tuple(sorted((digest_of(path, raw) for path, raw in digests), key=_digest_order)),
        lookups=tuple(
            LookupAnswer(path, start=_time(raw.start), end=_time(raw.end), more_pages=raw.more_pages)
            for path, raw in sorted(lookups)
        ),
        undated=undated,
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


_log_order = itemgetter(1, 2, 3, 0)
"""Account, Region, delivery time, path."""


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
