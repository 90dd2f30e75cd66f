"""Root events from the CloudTrail LookupEvents API, in every enabled Region.

LookupEvents takes one attribute per query, keeps 90 days of management events and allows two
requests per second per account and Region. Reading everything would take hours in a busy account,
so rootguard asks three narrow questions per Region: events whose user name is ``root`` (how
CloudTrail event history names the root user), every ``ConsoleLogin`` (failed root sign-ins do not
always carry the name) and every ``AssumeRoot`` call (to recognise centralized-root sessions).
The pages are stored exactly as ``aws cloudtrail lookup-events --output json`` prints them, one
file per Region and question, so an offline audit reads the same records.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import botocore.exceptions

from rootguard.collect.aws import Aws, cli_shape, error_code, error_message, fatal
from rootguard.collect.iam import caller_identity
from rootguard.errors import CredentialsError
from rootguard.evidence.cloudtrail import lookup_path
from rootguard.evidence.store import error_document
from rootguard.model.activity import LOOKUP_EVENTS_REACH

REQUIRED_ACTIONS = ("ec2:DescribeRegions", "cloudtrail:LookupEvents")

QUESTIONS: tuple[tuple[str, str, str], ...] = (
    ("root", "Username", "root"),
    ("console-login", "EventName", "ConsoleLogin"),
    ("assume-root", "EventName", "AssumeRoot"),
)
RATE_PER_SECOND = 2.0
MAX_PAGES = 2000
"""A guard against an endless NextToken loop: 100,000 events per question and Region."""

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


def enabled_regions(ec2: Any) -> list[str] | dict[str, Any]:
    """The Regions enabled for the account, or the error document when that cannot be listed."""
    try:
        answer = ec2.describe_regions(AllRegions=False)
    except botocore.exceptions.ClientError as error:
        raised = fatal(error)
        if raised is not error:
            raise raised from None
        return error_document(error_code(error), error_message(error))
    except botocore.exceptions.BotoCoreError as error:
        return _unanswered(error)
    return sorted(
        region["RegionName"]
        for region in answer.get("Regions", [])
        if region.get("OptInStatus", "opt-in-not-required") != "not-opted-in"
    )


def _unanswered(error: botocore.exceptions.BotoCoreError) -> dict[str, Any]:
    """A call that got no answer: credentials that cannot be refreshed stop the run; anything else
    (a timeout, one Region's endpoint out of reach) is stored, and root-activity reports it."""
    raised = fatal(error)
    if isinstance(raised, CredentialsError):
        raise raised from None
    return error_document(type(error).__name__, str(error))


def lookup_region(
    client: Any, question: tuple[str, str, str], since: datetime, until: datetime, limiter: RateLimiter
) -> dict[str, Any]:
    """Every page of one question in one Region, merged as the AWS CLI merges them."""
    _, key, value = question
    events: list[Any] = []
    token: str | None = None
    for _ in range(MAX_PAGES):
        limiter.acquire()
        request: dict[str, Any] = {
            "LookupAttributes": [{"AttributeKey": key, "AttributeValue": value}],
            "StartTime": since,
            "EndTime": until,
            "MaxResults": 50,
        }
        if token:
            request["NextToken"] = token
        try:
            page = client.lookup_events(**request)
        except botocore.exceptions.ClientError as error:
            raised = fatal(error)
            if raised is not error:
                raise raised from None
            return error_document(error_code(error), error_message(error))
        except botocore.exceptions.BotoCoreError as error:
            return _unanswered(error)
        events.extend(cli_shape(page.get("Events", [])))
        token = page.get("NextToken")
        if not token:
            return {"Events": events}
    return error_document("TooManyPages", f"stopped after {MAX_PAGES} pages; narrow --since")


def lookup_root_events(
    aws: Aws,
    *,
    since: datetime,
    until: datetime,
    regions: list[str] | None = None,
    progress: Progress | None = None,
    max_workers: int = 32,
) -> dict[str, Any]:
    """``{"<region>/<question>": document}`` for every enabled Region; ``{"regions": error}`` if unlisted.

    Regions run in parallel (each has its own request budget); a Region's questions run in turn.
    """
    if regions is None:
        listed = enabled_regions(aws.client("ec2"))
        if isinstance(listed, dict):
            return {"regions": listed}
        regions = listed
    total = len(regions) * len(QUESTIONS)
    results: dict[str, Any] = {}
    lock = threading.Lock()

    def run(region: str) -> None:
        client = aws.client("cloudtrail", region=region)
        limiter = RateLimiter(RATE_PER_SECOND)
        for question in QUESTIONS:
            document = lookup_region(client, question, since, until, limiter)
            with lock:
                results[f"{region}/{question[0]}"] = document
                if progress is not None:
                    progress(len(results), total)

    with ThreadPoolExecutor(max_workers=max(1, min(max_workers, len(regions)))) as pool:
        list(pool.map(run, regions))
    return dict(sorted(results.items()))


LOOKBACK = LOOKUP_EVENTS_REACH
"""LookupEvents keeps 90 days; a live collection takes all of it so offline audits can use any window."""


def lookup_documents(
    aws: Aws, *, since: datetime, until: datetime, progress: Progress | None = None
) -> tuple[str, dict[str, Any]]:
    """The account id and its LookupEvents documents keyed by bundle path."""
    identity = caller_identity(aws.client("sts"))
    account_id = str(identity.get("Account"))
    return account_id, bundle_documents(
        account_id, lookup_root_events(aws, since=since, until=until, progress=progress)
    )


def bundle_documents(account_id: str, results: dict[str, Any]) -> dict[str, Any]:
    return {lookup_path(account_id, name): document for name, document in results.items()}
