"""The paths from a root use to a person, in every enabled Region (contract §5).

CIS 4.3's chain (a logging multi-Region trail → CloudWatch Logs → a metric filter → an alarm with
actions → an SNS topic with a subscriber) and the other alerting paths (EventBridge rules and their
targets, GuardDuty detectors, the AWS Config root rules), and whether rootguard's deployed watcher is
failing (``collect/watcher_health``). Each answer is stored exactly as
``aws <service> <operation> --output json`` prints it (``rootguard.collect.aws.call``/``paginate``).

Collection runs in two rounds. First every Region on its own (what is listed there); then what those
listings name: each trail's status and event selectors once, in its home Region (describe-trails
repeats multi-Region and organization trails in every Region), and the subscriptions of every SNS
topic an alarm or a rule notifies, in the topic's Region. Every call is Region-level evidence
(``regional=True``): a refused or failed call, or a Region whose endpoint is out of reach, becomes
its error document and the rest goes on; dead credentials stop the run.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from rootguard.collect.aws import Aws, ErrorDocument, call, paginate, restated
from rootguard.collect.cloudtrail import RegionListing, enabled_regions
from rootguard.collect.watcher_health import watcher_documents
from rootguard.model.operations import (
    ALARMS,
    CONFIG_COMPLIANCE,
    CONFIG_RULES,
    DESCRIBE_TRAILS,
    EVENT_RULES,
    EVENT_SELECTORS,
    GUARDDUTY_DETECTOR,
    GUARDDUTY_DETECTORS,
    LIST_FUNCTIONS,
    METRIC_FILTERS,
    RULE_TARGETS,
    TOPIC_SUBSCRIPTIONS,
    TRAIL_STATUS,
    Operation,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail.client import CloudTrailClient
    from mypy_boto3_cloudwatch.client import CloudWatchClient
    from mypy_boto3_config.client import ConfigServiceClient
    from mypy_boto3_ec2.client import EC2Client
    from mypy_boto3_events.client import EventBridgeClient
    from mypy_boto3_guardduty.client import GuardDutyClient
    from mypy_boto3_lambda.client import LambdaClient
    from mypy_boto3_logs.client import CloudWatchLogsClient
    from mypy_boto3_sns.client import SNSClient
    from mypy_boto3_sqs.client import SQSClient

Progress = Callable[[str], None]

REGION_OPERATIONS = (
    DESCRIBE_TRAILS,
    METRIC_FILTERS,
    ALARMS,
    EVENT_RULES,
    GUARDDUTY_DETECTORS,
    CONFIG_RULES,
    CONFIG_COMPLIANCE,
    LIST_FUNCTIONS,
)
"""One file per Region each; the other alerting operations hang off what these list."""

MAX_WORKERS = 16
POOL_CONNECTIONS = 2 * MAX_WORKERS
"""Clients are shared by the threads of a round: room for each of them to hold a connection."""


@dataclass(frozen=True)
class Trail:
    """A trail as describe-trails lists it: fetched once, in its home Region, by ARN."""

    name: str
    arn: str
    home_region: str


@dataclass(frozen=True)
class Topic:
    """An SNS topic an alarm or a rule notifies: stored under its own Region, by name."""

    arn: str
    region: str
    account_id: str
    name: str


Client = TypeVar("Client")


class Clients:
    """One client per service and Region, made under a lock: boto3 sessions are not thread-safe."""

    def __init__(self, aws: Aws) -> None:
        self._aws = aws
        self._made: dict[tuple[str, str], object] = {}
        self._lock = threading.Lock()

    def _get(self, service: str, region: str, make: Callable[..., Client]) -> Client:
        with self._lock:
            key = (service, region)
            if key not in self._made:
                self._made[key] = make(region, max_pool_connections=POOL_CONNECTIONS)
            return cast("Client", self._made[key])

    def cloudtrail(self, region: str) -> CloudTrailClient:
        return self._get("cloudtrail", region, self._aws.cloudtrail)

    def cloudwatch(self, region: str) -> CloudWatchClient:
        return self._get("cloudwatch", region, self._aws.cloudwatch)

    def config(self, region: str) -> ConfigServiceClient:
        return self._get("config", region, self._aws.config)

    def ec2(self, region: str) -> EC2Client:
        return self._get("ec2", region, self._aws.ec2)

    def events(self, region: str) -> EventBridgeClient:
        return self._get("events", region, self._aws.events)

    def guardduty(self, region: str) -> GuardDutyClient:
        return self._get("guardduty", region, self._aws.guardduty)

    def lambda_(self, region: str) -> LambdaClient:
        return self._get("lambda", region, self._aws.lambda_)

    def logs(self, region: str) -> CloudWatchLogsClient:
        return self._get("logs", region, self._aws.logs)

    def sns(self, region: str) -> SNSClient:
        return self._get("sns", region, self._aws.sns)

    def sqs(self, region: str) -> SQSClient:
        return self._get("sqs", region, self._sqs)

    def _sqs(self, region: str, *, max_pool_connections: int) -> SQSClient:
        return cast("SQSClient", self._aws.client("sqs", region, max_pool_connections=max_pool_connections))


def region_documents(clients: Clients, account_id: str, region: str) -> dict[str, Any]:
    """What one Region lists, plus the per-resource files that belong to that Region's listings."""
    cloudtrail = clients.cloudtrail(region)
    events = clients.events(region)
    guardduty = clients.guardduty(region)
    config = clients.config(region)
    found: dict[Operation, Any] = {
        DESCRIBE_TRAILS: call(cloudtrail.describe_trails, regional=True),
        METRIC_FILTERS: paginate(clients.logs(region).get_paginator("describe_metric_filters"), regional=True),
        ALARMS: paginate(clients.cloudwatch(region).get_paginator("describe_alarms"), regional=True),
        EVENT_RULES: paginate(events.get_paginator("list_rules"), regional=True),
        GUARDDUTY_DETECTORS: paginate(guardduty.get_paginator("list_detectors"), regional=True),
        CONFIG_RULES: paginate(config.get_paginator("describe_config_rules"), regional=True),
        CONFIG_COMPLIANCE: paginate(config.get_paginator("describe_compliance_by_config_rule"), regional=True),
    }
    documents = {operation.path(account_id, region): document for operation, document in found.items()}
    for rule in _names(found[EVENT_RULES], "Rules", "Name"):
        documents[RULE_TARGETS.path(account_id, region, rule)] = paginate(
            events.get_paginator("list_targets_by_rule"), regional=True, Rule=rule
        )
    for detector in _strings(found[GUARDDUTY_DETECTORS], "DetectorIds"):
        documents[GUARDDUTY_DETECTOR.path(account_id, region, detector)] = call(
            guardduty.get_detector, regional=True, DetectorId=detector
        )
    documents.update(
        watcher_documents(clients.lambda_(region), clients.cloudwatch(region), clients.sqs, account_id, region)
    )
    return documents


def trails_named(documents: dict[str, Any], account_id: str, regions: Iterable[str]) -> list[Trail]:
    """Every trail the Regions list, once: a shadow trail is the same ARN seen from another Region."""
    trails: dict[str, Trail] = {}
    for region in regions:
        listed = documents.get(DESCRIBE_TRAILS.path(account_id, region))
        for item in _items(listed, "trailList"):
            arn, name = item.get("TrailARN"), item.get("Name")
            if isinstance(arn, str) and isinstance(name, str) and arn not in trails:
                home = item.get("HomeRegion")
                trails[arn] = Trail(name, arn, home if isinstance(home, str) and home else region)
    return sorted(trails.values(), key=lambda trail: (trail.home_region, trail.name, trail.arn))


def topics_named(documents: dict[str, Any], account_id: str, regions: Iterable[str]) -> list[Topic]:
    """The SNS topics that alarm actions and rule targets name, one per file name.

    Two topics with one name and Region (one in another account) would share a file: the account's
    own topic wins, so what the chain most likely relies on is what is stored.
    """
    arns: set[str] = set()
    for region in regions:
        for alarm in _items(documents.get(ALARMS.path(account_id, region)), "MetricAlarms", "CompositeAlarms"):
            for key in ("AlarmActions", "OKActions", "InsufficientDataActions"):
                arns.update(value for value in alarm.get(key) or () if isinstance(value, str))
        targets = _folder(RULE_TARGETS, account_id, region)
        for path, document in documents.items():
            if path.startswith(targets):
                arns.update(str(target.get("Arn")) for target in _items(document, "Targets"))
    chosen: dict[tuple[str, str], Topic] = {}
    for arn in sorted(arns):
        topic = _topic(arn)
        if topic is None:
            continue
        place = (topic.region, topic.name)
        if place not in chosen or (chosen[place].account_id != account_id and topic.account_id == account_id):
            chosen[place] = topic
    return sorted(chosen.values(), key=lambda topic: (topic.region, topic.name))


def _topic(arn: str) -> Topic | None:
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns" or not parts[3] or not parts[5]:
        return None
    return Topic(arn=arn, region=parts[3], account_id=parts[4], name=parts[5])


def collect_alerting(
    aws: Aws,
    account_id: str,
    *,
    regions: RegionListing | None = None,
    progress: Progress = lambda _: None,
    max_workers: int = MAX_WORKERS,
) -> dict[str, Any]:
    """Bundle path → document for every alerting operation in every enabled Region.

    ``regions``: the listing already made (``enabled_regions``), else it is made here.
    """
    clients = Clients(aws)
    listing = regions if regions is not None else enabled_regions(clients.ec2(aws.region), aws.region)
    if listing.error is not None:
        return unlisted_regions(account_id, aws.region, listing.error)
    enabled = listing.regions
    documents: dict[str, Any] = {}
    lock = threading.Lock()
    workers = max(1, max_workers)

    def each_region(region: str) -> None:
        if aws.out_of_time():  # no clients to make, nothing to ask: the time is up
            found = {
                operation.path(account_id, region): aws.not_attempted(operation.actions[0], region)
                for operation in REGION_OPERATIONS
            }
        else:
            found = region_documents(clients, account_id, region)
        with lock:
            documents.update(found)
            progress(f"Reading the alerting paths: {region} done ({_done(documents, account_id, enabled)})")

    with ThreadPoolExecutor(max_workers=min(workers, len(enabled) or 1)) as pool:
        list(pool.map(each_region, enabled))

    trails = trails_named(documents, account_id, enabled)
    topics = topics_named(documents, account_id, enabled)
    progress(f"Reading the status of {len(trails)} trail(s) and the subscribers of {len(topics)} SNS topic(s)")

    def each_trail(trail: Trail) -> dict[str, Any]:
        client = clients.cloudtrail(trail.home_region)
        return {
            TRAIL_STATUS.path(account_id, trail.home_region, trail.name): call(
                client.get_trail_status, regional=True, Name=trail.arn
            ),
            EVENT_SELECTORS.path(account_id, trail.home_region, trail.name): call(
                client.get_event_selectors, regional=True, TrailName=trail.arn
            ),
        }

    def each_topic(topic: Topic) -> dict[str, Any]:
        client = clients.sns(topic.region)
        return {
            TOPIC_SUBSCRIPTIONS.path(account_id, topic.region, topic.name): paginate(
                client.get_paginator("list_subscriptions_by_topic"), regional=True, TopicArn=topic.arn
            )
        }

    with ThreadPoolExecutor(max_workers=workers) as pool:
        statuses, subscribers = pool.map(each_trail, trails), pool.map(each_topic, topics)  # both queued at once
        for found in [*statuses, *subscribers]:
            documents.update(found)
    return dict(sorted(documents.items()))


def unlisted_regions(account_id: str, region: str, refusal: ErrorDocument) -> dict[str, Any]:
    """The Regions could not be listed: every Region-level file of the session's Region says why.

    Storing nothing would let a bundle look like an account without trails or alarms; an error in
    the files the checks read makes them ERROR and name ec2:DescribeRegions.
    """
    error = refusal.get("Error", {})
    message = f"the enabled Regions could not be listed (ec2:DescribeRegions): {error.get('Message', '')}"
    return {operation.path(account_id, region): restated(refusal, message) for operation in REGION_OPERATIONS}


def _folder(operation: Operation, account_id: str, region: str) -> str:
    """Where a per-resource operation's files sit: ``<account>/<region>/<service>/<operation>/``."""
    return operation.path(account_id, region).removesuffix(".json") + "/"


def _done(documents: dict[str, Any], account_id: str, regions: Sequence[str]) -> str:
    done = sum(1 for region in regions if DESCRIBE_TRAILS.path(account_id, region) in documents)
    return f"{done}/{len(regions)} Regions"


def _items(document: Any, *keys: str) -> list[dict[str, Any]]:
    """The dict entries under ``keys`` of a stored answer; nothing for an error document."""
    if not isinstance(document, dict):
        return []
    found: list[dict[str, Any]] = []
    for key in keys:
        values = document.get(key)
        if isinstance(values, list):
            found.extend(value for value in values if isinstance(value, dict))
    return found


def _names(document: Any, key: str, field: str) -> list[str]:
    return sorted({str(item[field]) for item in _items(document, key) if isinstance(item.get(field), str)})


def _strings(document: Any, key: str) -> list[str]:
    values = document.get(key) if isinstance(document, dict) else None
    return sorted({value for value in values or () if isinstance(value, str)})
