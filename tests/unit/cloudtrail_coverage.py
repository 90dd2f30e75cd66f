"""CloudTrail evidence that covers a window, or fails to, in the shapes AWS writes it.

- Delivered log files are named ``AccountID_CloudTrail_RegionName_YYYYMMDDTHHmmZ_UniqueString.json.gz``,
  the stamp being when the file was delivered; "a log file delivered at a specific time can contain
  records written at any point before that time" ("CloudTrail log file name format",
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html).
  "CloudTrail publishes log files multiple times an hour, about every 5 minutes"
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html).
- Digest files go to ``AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/`` named
  ``<account>_CloudTrail-Digest_<region>_<trail>_<home region>_<end YYYYMMDDTHHMMSSZ>.json.gz``; each
  lists the log files delivered in its hour (``digestStartTime``..``digestEndTime``), names the
  previous digest (``previousDigestS3Object``, null in a starting digest), and one is delivered "even
  when there has been no API activity" ("CloudTrail digest file structure",
  https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html).
- LookupEvents looks up "events that occurred in a Region within the last 90 days"; "if the token does
  not appear, there are no more results to return" (NextToken,
  https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html). Live collection
  stores one answer per Region and question under ``lookup-events/<region>/<question>.json``.

Documents are JSON values (``.json`` names), so a builder's in-memory store and a written bundle read them alike.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from builders import ACCOUNT, AccountBuilder

TRAIL = "main-trail"
HOME = "us-east-1"
QUESTIONS = ("root", "console-login", "assume-root")


def log_name(delivered: datetime, region: str = HOME, account: str = ACCOUNT, unique: str = "") -> str:
    stamp = delivered.astimezone(UTC).strftime("%Y%m%dT%H%MZ")
    return f"{account}_CloudTrail_{region}_{stamp}_{unique or stamp[-5:-1] + 'EXAMPLE0000'}.json"


def log_key(delivered: datetime, region: str = HOME, account: str = ACCOUNT, unique: str = "") -> str:
    day = delivered.astimezone(UTC).strftime("%Y/%m/%d")
    return f"AWSLogs/{account}/CloudTrail/{region}/{day}/{log_name(delivered, region, account, unique)}"


def digest_name(end: datetime, region: str = HOME, account: str = ACCOUNT) -> str:
    stamp = end.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{account}_CloudTrail-Digest_{region}_{TRAIL}_{HOME}_{stamp}.json"


def digest_key(end: datetime, region: str = HOME, account: str = ACCOUNT) -> str:
    day = end.astimezone(UTC).strftime("%Y/%m/%d")
    return f"AWSLogs/{account}/CloudTrail-Digest/{region}/{day}/{digest_name(end, region, account)}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def deliver(
    builder: AccountBuilder,
    start: datetime,
    end: datetime,
    every: timedelta = timedelta(minutes=5),
    region: str = HOME,
    records: dict[datetime, list[dict[str, Any]]] | None = None,
) -> list[str]:
    """Log files delivered every ``every`` from ``start`` to ``end`` (inclusive); returns their keys."""
    keys = []
    moment = start
    while moment <= end:
        key = log_key(moment, region, builder.account)
        builder.cloudtrail_document(key, {"Records": (records or {}).get(moment, [])})
        keys.append(key)
        moment += every
    return keys


def digest_document(
    start: datetime,
    end: datetime,
    previous: str | None,
    logs: list[tuple[str, datetime, datetime]] = (),  # type: ignore[assignment]
    region: str = HOME,
    account: str = ACCOUNT,
) -> dict[str, Any]:
    """A digest as CloudTrail writes it (the signature fields are not read by rootguard)."""
    return {
        "awsAccountId": account,
        "digestStartTime": iso(start),
        "digestEndTime": iso(end),
        "digestS3Bucket": "trail-bucket",
        "digestS3Object": digest_key(end, region, account),
        "digestPublicKeyFingerprint": "31e8b5433410dfb61a9dc45cc65b22ff",
        "digestSignatureAlgorithm": "SHA256withRSA",
        "newestEventTime": iso(max(newest for _, _, newest in logs)) if logs else None,
        "oldestEventTime": iso(min(oldest for _, oldest, _ in logs)) if logs else None,
        "previousDigestS3Bucket": "trail-bucket" if previous else None,
        "previousDigestS3Object": previous,
        "previousDigestHashValue": "97fb791cf91ffc440d274f8190dbdd9aa09c34432aba82739df18b6d3c13df2d"
        if previous
        else None,
        "previousDigestHashAlgorithm": "SHA-256" if previous else None,
        "previousDigestSignature": "50887ccffad4c002b97caa37cc9dc626" if previous else None,
        "logFiles": [
            {
                "s3Bucket": "trail-bucket",
                "s3Object": key,
                "hashValue": "9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6",
                "hashAlgorithm": "SHA-256",
                "newestEventTime": iso(newest),
                "oldestEventTime": iso(oldest),
            }
            for key, oldest, newest in logs
        ],
    }


def digest_chain(
    builder: AccountBuilder,
    start: datetime,
    hours: int,
    region: str = HOME,
    logs: dict[int, list[tuple[str, datetime, datetime]]] | None = None,
    skip: tuple[int, ...] = (),
    starting: bool = True,
) -> list[str]:
    """Hourly digests from ``start``, each naming the one before (the first a starting digest unless
    ``starting`` is False); ``skip``: hours whose digest is not written (deleted). Returns their keys."""
    keys: list[str] = []
    previous: str | None = None if starting else digest_key(start, region, builder.account)
    for hour in range(hours):
        begin, end = start + timedelta(hours=hour), start + timedelta(hours=hour + 1)
        key = digest_key(end, region, builder.account)
        if hour not in skip:
            document = digest_document(begin, end, previous, (logs or {}).get(hour, []), region, builder.account)
            builder.cloudtrail_document(key, document)
        keys.append(key)
        previous = key
    return keys


def lookups(
    builder: AccountBuilder,
    regions: tuple[str, ...] = ("us-east-1", "eu-west-1"),
    *,
    records: dict[str, list[dict[str, Any]]] | None = None,
    next_token: tuple[str, str] | None = None,
    missing: tuple[str, str] | None = None,
) -> AccountBuilder:
    """What live collection stores: every question answered in every Region (by default the builder's
    enabled Regions, its Region folders). ``next_token``: the (Region, question) whose answer still has
    one; ``missing``: the (Region, question) left without an answer."""
    for region in regions:
        for question in QUESTIONS:
            if (region, question) == missing:
                continue
            found = (records or {}).get(f"{region}/{question}", [])
            answer: dict[str, Any] = {"Events": [lookup_event(item) for item in found]}
            if (region, question) == next_token:
                answer["NextToken"] = "kbOt5LlZe++mErCebpy2TgaMgmDvF1kYGFcH64JSjIbZFjsuvrSqg66b5YGssKutDYIyII4lrP4="
            builder.cloudtrail_document(f"lookup-events/{region}/{question}.json", answer)
    return builder


def lookup_event(item: dict[str, Any]) -> dict[str, Any]:
    import json

    return {
        "EventId": item["eventID"],
        "EventName": item["eventName"],
        "EventTime": item["eventTime"].replace("Z", "+00:00"),
        "EventSource": item["eventSource"],
        "Username": "root",
        "CloudTrailEvent": json.dumps(item),
    }


def covered(builder: AccountBuilder | None = None) -> AccountBuilder:
    """The builder's default CloudTrail evidence replaced by LookupEvents answers covering its window."""
    return lookups((builder or AccountBuilder()).no_cloudtrail())


def home_only(builder: AccountBuilder | None = None) -> AccountBuilder:
    """An account whose only enabled Region is us-east-1 (its other Region folders dropped), without
    CloudTrail evidence yet: every enabled Region must be covered by some evidence."""
    found = (builder or AccountBuilder()).no_cloudtrail()
    for path in [p for p in found.documents if p.split("/")[1] not in ("global", "cloudtrail-logs", HOME)]:
        found.without(path)
    return found
