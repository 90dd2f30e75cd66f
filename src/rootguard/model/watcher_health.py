"""The deployed root watcher (``rootguard remediate --watch``) and whether it is failing, from AWS CLI JSON.

The watcher is the Lambda function whose handler is rootguard's (``WATCHER_HANDLER``): both templates
set it, whatever the stack or name prefix, and ``list-functions`` prints it without a tag lookup.
Its health is the ``AWS/Lambda`` ``Errors`` metric (``get-metric-statistics``, Sum) and the depth of
the dead-letter queue its ``DeadLetterConfig`` names (``get-queue-attributes``,
ApproximateNumberOfMessages: the messages available to receive, what the CloudWatch metric
ApproximateNumberOfMessagesVisible counts). Field meanings: FunctionConfiguration
(https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html), Datapoint
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Datapoint.html),
GetQueueAttributes (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rootguard.model.aws_json import items, number, optional_text, text
from rootguard.model.gaps import Gap, MalformedEvidence
from rootguard.model.timestamps import parse_timestamp

WATCHER_HANDLER = "rootguard.watch.handler.handler"
"""The handler both watcher templates give the function: how rootguard finds its watcher."""
DEPTH_ATTRIBUTE = "ApproximateNumberOfMessages"
LISTED_FIELDS = ("FunctionName", "FunctionArn", "Handler", "DeadLetterConfig")
"""What the collector keeps of a watcher function's configuration; the rest (its environment
variables among them) is never stored."""


@dataclass(frozen=True)
class WatcherFunction:
    name: str
    arn: str
    dead_letter_arn: str | None
    """``DeadLetterConfig.TargetArn``: the SQS queue (or SNS topic) failed invocations land in; None: none set."""

    @property
    def dead_letter_queue(self) -> tuple[str, str, str] | None:
        """(Region, account, queue name) of an SQS dead-letter target, else None."""
        parts = (self.dead_letter_arn or "").split(":")
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[5]:
            return None
        return parts[3], parts[4], parts[5]


@dataclass(frozen=True)
class Datapoint:
    timestamp: datetime
    total: float


@dataclass(frozen=True)
class RegionWatchers:
    """One Region: the watcher functions listed there, their error counts and their queues' depths."""

    region: str
    functions: tuple[WatcherFunction, ...] | Gap
    errors: Mapping[str, tuple[Datapoint, ...] | Gap] = field(default_factory=dict)
    """Function name → its ``Errors`` Sum datapoints."""
    dead_letters: Mapping[str, int | Gap] = field(default_factory=dict)
    """Dead-letter queue name → messages visible."""


def watcher_listing(document: Any) -> dict[str, Any]:
    """The ``list-functions`` answer reduced to rootguard's watchers and ``LISTED_FIELDS`` (same shape)."""
    functions = document.get("Functions") if isinstance(document, dict) else None
    kept = [
        {key: item[key] for key in LISTED_FIELDS if key in item}
        for item in functions or ()
        if isinstance(item, dict) and item.get("Handler") == WATCHER_HANDLER
    ]
    return {"Functions": kept}


def watchers_from_document(document: Any) -> tuple[WatcherFunction, ...]:
    """From ``aws lambda list-functions --output json``: the functions running rootguard's handler."""
    found = []
    for index, item in enumerate(items(document, "Functions")):
        where = f"Functions[{index}]"
        if optional_text(item, "Handler", where) != WATCHER_HANDLER:
            continue
        dead_letter = item.get("DeadLetterConfig") or {}
        if not isinstance(dead_letter, dict):
            raise MalformedEvidence(f"{where}.DeadLetterConfig is not an object")
        found.append(
            WatcherFunction(
                name=text(item, "FunctionName", where),
                arn=text(item, "FunctionArn", where),
                dead_letter_arn=optional_text(dead_letter, "TargetArn", f"{where}.DeadLetterConfig") or None,
            )
        )
    return tuple(sorted(found, key=lambda function: function.name))


def error_datapoints_from_document(document: Any) -> tuple[Datapoint, ...]:
    """From ``aws cloudwatch get-metric-statistics … --statistics Sum --output json``."""
    if isinstance(document, dict) and document.get("Label") not in (None, "Errors"):
        raise MalformedEvidence(f"Label is {document.get('Label')!r}, not the Errors metric")
    found = []
    for index, item in enumerate(items(document, "Datapoints")):
        where = f"Datapoints[{index}]"
        total = number(item, "Sum", where)
        if total is None:
            raise MalformedEvidence(f"{where}.Sum is missing: ask for --statistics Sum")
        try:
            moment = parse_timestamp(text(item, "Timestamp", where))
        except ValueError as error:
            raise MalformedEvidence(f"{where}.Timestamp: {error}") from None
        found.append(Datapoint(moment, total))
    return tuple(sorted(found, key=lambda point: point.timestamp))


def queue_depth_from_document(document: Any) -> int:
    """From ``aws sqs get-queue-attributes --attribute-names ApproximateNumberOfMessages --output json``."""
    attributes = document.get("Attributes") if isinstance(document, dict) else None
    value = attributes.get(DEPTH_ATTRIBUTE) if isinstance(attributes, dict) else None
    if not isinstance(value, str) or not value.isdigit():
        raise MalformedEvidence(f"Attributes.{DEPTH_ATTRIBUTE} is missing or not a whole number")
    return int(value)
