"""Root events from the CloudTrail LookupEvents API, in every enabled Region.

LookupEvents takes one attribute per query, keeps 90 days of management events and allows two
requests per second per account and Region. Reading everything would take hours in a busy account,
so rootguard asks three narrow questions per Region: events whose user name is ``root`` (how
CloudTrail event history names the root user), every ``ConsoleLogin`` (failed root sign-ins do not
always carry the name) and every ``AssumeRoot`` call (to recognise centralized-root sessions).
The pages are stored as ``aws cloudtrail lookup-events --output json`` prints them, one file per
Region and question, so an offline audit reads the same records; each answer also stores the period
it asked (``StartTime``, ``EndTime``), and ``regions.json`` the Regions that were asked (as ``aws ec2
describe-regions`` prints them) or why they could not be listed, so coverage is proven from what was
asked rather than assumed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rootguard.collect.aws import Aws, ErrorDocument, PageLimit, call, paginate
from rootguard.collect.iam import caller_identity
from rootguard.collect.regions import same_partition
from rootguard.evidence.cloudtrail import lookup_path
from rootguard.model.activity import LOOKUP_EVENTS_REACH
from rootguard.model.timestamps import format_timestamp

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail.client import CloudTrailClient
    from mypy_boto3_ec2.client import EC2Client

REQUIRED_ACTIONS = ("ec2:DescribeRegions", "cloudtrail:LookupEvents")

QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("root", "Username", "root"),
    ("console-login", "EventName", "ConsoleLogin"),
    ("assume-root", "EventName", "AssumeRoot"),
)
RATE_PER_SECOND = 2.0
MAX_PAGES = 2000
"""A guard against an endless run of NextTokens (botocore stops a repeated one): 100,000 events per question
and Region."""

Progress = Callable[[int, int], None]


class RateLimiter:
    """A token bucket: LookupEvents allows two requests per second per Region."""

    def __init__(
        self, rate: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self._rate, self._clock, self._sleep = rate, clock, sleep
        self._tokens = rate
        self._last = clock()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            self._tokens = min(self._rate, self._tokens + (now - self._last) * self._rate)
            self._last = now
            wait = 0.0 if self._tokens >= 1 else (1 - self._tokens) / self._rate
            self._tokens -= 1
        if wait > 0:
            self._sleep(wait)


@dataclass(frozen=True)
class RegionListing:
    """The Regions enabled for the account (sorted), or why they could not be listed (``ec2:DescribeRegions``).

    Exactly one of the two says something: when ``error`` is the stored error document, ``regions`` is empty.
    ``described``: the ``describe-regions`` entries of those Regions, as the CLI prints them (empty when the
    listing was made otherwise, e.g. from ``--regions``).
    """

    regions: tuple[str, ...] = ()
    error: ErrorDocument | None = None
    described: tuple[dict[str, Any], ...] = field(default=(), compare=False)

    def document(self) -> dict[str, Any]:
        """What ``regions.json`` stores: the error document, else ``describe-regions`` output of the Regions
        asked (an entry made of the name alone for a Region the listing has no entry for)."""
        if self.error is not None:
            return self.error
        entries = {str(entry.get("RegionName")): entry for entry in self.described}
        return {"Regions": [entries.get(name, {"RegionName": name}) for name in self.regions]}


def enabled_regions(ec2: EC2Client, home: str | None = None) -> RegionListing:
    """The Regions enabled for the account; a refused or unanswered listing is its error document.

    ``home``: the session's Region; Regions of another partition are left out (an account lives in one).
    """
    answer = call(ec2.describe_regions, regional=True, AllRegions=False)
    if "Error" in answer:
        return RegionListing(error=answer)
    enabled = {
        str(region["RegionName"]): region
        for region in answer.get("Regions", [])
        if isinstance(region, dict)
        and isinstance(region.get("RegionName"), str)
        and region.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
    }
    names = sorted(enabled)
    kept = same_partition(names, home) if home else tuple(names)
    return RegionListing(kept, described=tuple(enabled[name] for name in kept))


def lookup_region(
    client: CloudTrailClient, question: tuple[str, str, str], since: datetime, until: datetime, limiter: RateLimiter
) -> Any:
    """Every page of one question in one Region, merged as the AWS CLI merges them, with the period asked
    (``StartTime``, ``EndTime``: ISO 8601 UTC); a failed call is its error document alone."""
    _, key, value = question
    answer = paginate(
        client.get_paginator("lookup_events"),
        regional=True,
        lists=("Events",),
        pace=limiter.acquire,
        limit=PageLimit(MAX_PAGES, "narrow --since"),
        LookupAttributes=[{"AttributeKey": key, "AttributeValue": value}],
        StartTime=since,
        EndTime=until,
        MaxResults=50,
    )
    if not isinstance(answer, dict) or "Error" in answer:
        return answer
    return {**answer, "StartTime": format_timestamp(since), "EndTime": format_timestamp(until)}


def lookup_root_events(
    aws: Aws,
    *,
    since: datetime,
    until: datetime,
    regions: RegionListing | None = None,
    progress: Progress | None = None,
    max_workers: int = 32,
) -> dict[str, Any]:
    """``{"<region>/<question>": document}`` for every enabled Region, and ``"regions"``: the Regions asked
    (``describe-regions`` output), or only ``{"regions": error}`` when they could not be listed.

    ``regions``: the listing already made (``enabled_regions``), else it is made here. Regions run in
    parallel (each has its own request budget); a Region's questions run in turn.
    """
    listing = regions if regions is not None else enabled_regions(aws.ec2(), aws.region)
    if listing.error is not None:
        return {"regions": listing.error}
    total = len(listing.regions) * len(QUESTIONS)
    results: dict[str, Any] = {}
    lock = threading.Lock()

    def run(region: str) -> None:
        client = None if aws.out_of_time() else aws.cloudtrail(region)
        limiter = RateLimiter(RATE_PER_SECOND)
        for question in QUESTIONS:
            if client is None or aws.out_of_time():
                document = aws.not_attempted("cloudtrail:LookupEvents", region)
            else:
                document = lookup_region(client, question, since, until, limiter)
            with lock:
                results[f"{region}/{question[0]}"] = document
                if progress is not None:
                    progress(len(results), total)

    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(listing.regions)))) as pool:
        list(pool.map(run, listing.regions))
    results["regions"] = listing.document()
    return dict(sorted(results.items()))


LOOKBACK = LOOKUP_EVENTS_REACH
"""LookupEvents keeps 90 days; a live collection takes all of it so offline audits can use any window."""


def lookup_documents(
    aws: Aws, *, since: datetime, until: datetime, progress: Progress | None = None
) -> tuple[str, dict[str, Any]]:
    """The account id and its LookupEvents documents keyed by bundle path."""
    identity = caller_identity(aws.sts())
    account_id = str(identity.get("Account"))
    return account_id, bundle_documents(
        account_id, lookup_root_events(aws, since=since, until=until, progress=progress)
    )


def bundle_documents(account_id: str, results: dict[str, Any]) -> dict[str, Any]:
    return {lookup_path(account_id, name): document for name, document in results.items()}
