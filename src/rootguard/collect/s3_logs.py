"""CloudTrail archives in S3: list only the period's day folders, fetch objects concurrently, scan each.

A trail delivers to ``AWSLogs/[o-…/]<account>/CloudTrail/<region>/YYYY/MM/DD/``, and its digest files
(log file integrity validation) to ``…/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/``. The accounts,
Regions and the optional organization level are discovered by listing with ``Delimiter="/"``; the day
folders are computed from the period (widened by a day each side) and listed in full, the digest day
folders of the same Regions and days too. A prefix that does not follow the layout is listed whole.
Insight objects are skipped. What each object says about time (its name's delivery stamp, a digest's
hour) is kept through the merge, so the scan's coverage is proven as for local files.

Each object is one GET (objects are small; a core scans tens of thousands a second), so the
work waits on the network: a thread pool shares one client with a connection pool as large.
A refused or failed LIST or GET is reported as a skipped source with the AWS error code, never
taken as "no root activity"; expired or missing credentials stop the scan with a clear error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import closing
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from rootguard.collect.aws import Aws, ErrorDocument, call, paginate
from rootguard.errors import UsageError
from rootguard.model.activity import SkippedSource, TrailScan
from rootguard.trail import merge_scans, scan_bytes
from rootguard.trail.paths import DIGEST_FOLDER, Period, is_insight_name

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_s3.type_defs import GetObjectOutputTypeDef

REQUIRED_ACTIONS = ("s3:ListBucket", "s3:GetObject")
"""``s3:ListBucket`` allows ListObjectsV2."""

MAX_WORKERS = 64
ORG = re.compile(r"o-[a-z0-9]{10,32}")
ACCOUNT = re.compile(r"\d{12}")
Progress = Callable[[int, int], None]


def parse_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` → (bucket, prefix)."""
    if not uri.startswith("s3://") or not uri[5:].split("/", 1)[0]:
        raise UsageError(f"not an S3 location: {uri!r}; expected s3://bucket/prefix")
    bucket, _, prefix = uri[5:].partition("/")
    return bucket, prefix


def scan_s3(
    uri: str,
    *,
    since: datetime,
    until: datetime,
    aws: Aws,
    max_workers: int = MAX_WORKERS,
    progress: Progress | None = None,
) -> TrailScan:
    """Every root record and AssumeRoot call in the CloudTrail objects under ``uri`` for the period."""
    bucket, prefix = parse_uri(uri)
    client = aws.s3(max_pool_connections=max_workers)
    lister = Lister(client, bucket)
    period = Period.around(since, until)
    with ThreadPoolExecutor(max_workers, thread_name_prefix="rootguard-s3") as pool:
        days = layout_days(lister, pool, prefix, period.days())
        folders = [prefix] if days is None else days
        keys = [key for listed in pool.map(lister.objects, folders) for key in listed if not period.excludes(key)]
        found = _fetch_all(pool, lambda key: _fetch(client, bucket, key), keys, max_workers * 4, progress)
    found = merge_scans([found, TrailScan(files=0, records=0, root_records=(), skipped=tuple(lister.skipped))])
    if not keys and not lister.skipped:
        none = SkippedSource(uri, "no CloudTrail objects found under this prefix for the period")
        return TrailScan(found.files, found.records, found.root_records, (none,), reads=found.reads)
    return found


class Lister:
    """ListObjectsV2 with pagination; a failed listing is recorded in ``skipped`` and yields None."""

    def __init__(self, client: S3Client, bucket: str) -> None:
        self.client, self.bucket = client, bucket
        self.skipped: list[SkippedSource] = []

    def children(self, prefix: str) -> list[str] | None:
        """The folders directly under ``prefix`` (full prefixes ending in ``/``)."""
        listed = self._listing(prefix, Delimiter="/")
        return None if listed is None else [c["Prefix"] for c in listed.get("CommonPrefixes", [])]

    def objects(self, prefix: str) -> list[str]:
        """Every key under ``prefix``, less folder markers and Insights (digests are read: coverage)."""
        listed = self._listing(prefix)
        keys = (o["Key"] for o in (listed or {}).get("Contents", []))
        return [key for key in keys if not key.endswith("/") and not is_insight_name(key)]

    def _listing(self, prefix: str, **extra: Any) -> dict[str, Any] | None:
        listed = paginate(self.client.get_paginator("list_objects_v2"), Bucket=self.bucket, Prefix=prefix, **extra)
        if "Error" in listed:
            self.skipped.append(SkippedSource(f"s3://{self.bucket}/{prefix}", _reason("ListObjectsV2", listed)))
            return None
        return dict(listed)


def layout_days(lister: Lister, pool: ThreadPoolExecutor, prefix: str, days: list[date]) -> list[str] | None:
    """The day folders to list under ``prefix`` (each Region's log and digest folders), or None when it
    does not follow the delivery layout."""
    located = _locate(lister, prefix)
    if located is None or isinstance(located, list):
        return located
    base, rest = located
    parents = [base]
    org_given = bool(rest) and ORG.fullmatch(rest[0]) is not None
    if org_given:
        parents = [f"{base}{rest.pop(0)}/"]
    if rest:
        if ACCOUNT.fullmatch(rest[0]) is None:
            return None
        accounts = [f"{parents[0]}{rest.pop(0)}/"]
    else:
        accounts = _accounts(lister, pool, parents, orgs_allowed=not org_given)
    if rest and rest.pop(0) != "CloudTrail":
        return None
    trails = [f"{account}CloudTrail/" for account in accounts]
    regions = [f"{trails[0]}{rest.pop(0)}/"] if rest else _children(lister, pool, trails)
    if len(rest) > 3 or not all(part.isdigit() for part in rest):
        return None
    wanted = [day for day in days if _day_path(day).split("/")[: len(rest)] == rest]
    folders = [folder for region in regions for folder in (region, _digest_folder(region))]
    return [f"{folder}{_day_path(day)}/" for folder in folders for day in wanted]


def _digest_folder(region: str) -> str:
    """``…/<account>/CloudTrail/<region>/`` → ``…/<account>/CloudTrail-Digest/<region>/``."""
    trail, _, name = region.rstrip("/").rpartition("/")
    return f"{trail.rpartition('/')[0]}/{DIGEST_FOLDER}/{name}/" if "/" in trail else f"{DIGEST_FOLDER}/{name}/"


def _locate(lister: Lister, prefix: str) -> tuple[str, list[str]] | list[str] | None:
    """(``…/AWSLogs/``, the path segments given after it); [] when listing failed; None: not the layout."""
    parts = [part for part in prefix.split("/") if part]
    if "AWSLogs" in parts:
        at = parts.index("AWSLogs")
        return "".join(f"{part}/" for part in parts[: at + 1]), parts[at + 1 :]
    folder = "".join(f"{part}/" for part in parts)
    children = lister.children(folder)
    if children is None:
        return []
    return (f"{folder}AWSLogs/", []) if f"{folder}AWSLogs/" in children else None


def _accounts(lister: Lister, pool: ThreadPoolExecutor, parents: list[str], *, orgs_allowed: bool) -> list[str]:
    accounts: list[str] = []
    orgs: list[str] = []
    for folder in _children(lister, pool, parents):
        name = folder.rstrip("/").rpartition("/")[2]
        if ACCOUNT.fullmatch(name):
            accounts.append(folder)
        elif orgs_allowed and ORG.fullmatch(name):
            orgs.append(folder)
    if orgs:
        accounts += _accounts(lister, pool, orgs, orgs_allowed=False)
    return accounts


def _children(lister: Lister, pool: ThreadPoolExecutor, parents: list[str]) -> list[str]:
    return [child for listed in pool.map(lister.children, parents) for child in listed or []]


def _day_path(day: date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"


def _fetch(client: S3Client, bucket: str, key: str) -> TrailScan:
    name = f"s3://{bucket}/{key}"
    answer = call(client.get_object, read=_body, Bucket=bucket, Key=key)
    if isinstance(answer, dict):
        return TrailScan(
            files=1, records=0, root_records=(), skipped=(SkippedSource(name, _reason("GetObject", answer)),)
        )
    return scan_bytes(name, answer)


def _body(answer: GetObjectOutputTypeDef) -> bytes:
    """The object's bytes, read inside the call: a read that fails is the GET's failure."""
    with closing(answer["Body"]) as body:
        return body.read()


def _reason(operation: str, failed: ErrorDocument) -> str:
    """The skipped source's reason (credential failures stop the whole scan instead)."""
    code, message = failed["Error"]["Code"], failed["Error"]["Message"]
    return f"{operation} failed: {code}" + (f" ({message})" if message else "")


def _fetch_all(
    pool: ThreadPoolExecutor, fetch: Callable[[str], TrailScan], keys: list[str], window: int, progress: Progress | None
) -> TrailScan:
    """Fetch and scan every key with at most ``window`` requests queued, merged as they finish (each
    object's reads kept: the delivery stamps and digests coverage is proven from)."""
    scans: list[TrailScan] = []
    for done, scan in enumerate(_bounded(pool, fetch, keys, window), start=1):
        scans.append(scan)
        if progress is not None:
            progress(done, len(keys))
    return merge_scans(scans)


def _bounded(
    pool: ThreadPoolExecutor, fetch: Callable[[str], TrailScan], keys: Iterable[str], window: int
) -> Iterator[TrailScan]:
    pending: set[Future[TrailScan]] = set()
    for key in keys:
        if len(pending) >= window:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            yield from (future.result() for future in done)
        pending.add(pool.submit(fetch, key))
    while pending:
        done, pending = wait(pending, return_when=FIRST_COMPLETED)
        yield from (future.result() for future in done)
