"""The Lambda entry point: ``rootguard.watch.handler.handler`` (contract §10).

EventBridge invokes it with one event (or SQS/SNS hand it a batch); each event is classified by
``analysis.watch_event`` and published to the SNS topic as one screen of text (e-mail, ``default``)
and an AWS Chatbot custom notification (``https``, which is how Chatbot subscribes).

Faults: a message that is not an event is logged and dropped (retrying cannot fix it); a publish
that fails raises, so Lambda retries the invocation and then hands it to the dead-letter queue. An
approvals document that cannot be read never makes use look approved: the alert goes out as not
approved and says why.

``sts:AssumeRoot`` calls the function sees are kept in memory while its container lives (sessions last
at most 15 minutes) to name the caller of the root sessions they open; a session whose call was not
seen says "unknown".
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from rootguard.analysis.watch_event import Alert, AlertKind, Rejected, classify_envelope, unwrap
from rootguard.analysis.watch_message import document, message, subject
from rootguard.errors import ApprovalsError
from rootguard.model.approvals import Approval, parse_approvals
from rootguard.watch.config import ApprovalsPlace, WatcherConfig, read_config

SEEN_LIMIT = 512
"""AssumeRoot calls remembered per container (the oldest go first)."""

Client = Callable[[str], Any]
"""Service name → a boto3 client (the Lambda runtime's boto3; injected in tests)."""

_seen: OrderedDict[str, Mapping[str, Any]] = OrderedDict()


def handler(event: Any, context: Any) -> dict[str, Any]:
    """Lambda's entry point."""
    return handle(event, read_config(os.environ), client=_boto3_client)


def handle(
    event: Any,
    config: WatcherConfig,
    *,
    client: Client,
    seen: OrderedDict[str, Mapping[str, Any]] = _seen,
) -> dict[str, Any]:
    """Classify and publish every event in ``event``; what happened, for the invocation's log and result."""
    published: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    approvals: tuple[Approval, ...] | None = None
    problems = list(config.problems)
    if not config.topic_arn:
        problems.append("ROOTGUARD_WATCH_TOPIC_ARN is not set: nothing can be published")
    for item in unwrap(event):
        if isinstance(item, Rejected):
            rejected.append({"reason": item.reason, "malformed": item.malformed})
            continue
        if approvals is None:
            approvals, problem = load_approvals(config, client)
            problems += [problem] if problem else []
        found = classify_envelope(
            item, approvals=approvals, assume_root_calls=list(seen.values()), account_names=config.account_names
        )
        if isinstance(found, Rejected):
            rejected.append({"reason": found.reason, "malformed": found.malformed})
            continue
        _remember(found, seen)
        if not config.topic_arn:
            raise RuntimeError("ROOTGUARD_WATCH_TOPIC_ARN is not set")
        client("sns").publish(**publish_request(found, config.topic_arn, problems))
        published.append(document(found))
    result = {"published": published, "rejected": rejected, "problems": problems}
    print(json.dumps({"rootguard": "watch", **result}, default=str))
    return result


def publish_request(alert: Alert, topic_arn: str, problems: Sequence[str] = ()) -> dict[str, Any]:
    """The ``sns:Publish`` parameters for one alert."""
    text = message(alert)
    if problems:
        text += "".join(f"\nWATCHER PROBLEM: {problem}" for problem in problems) + "\n"
    chatbot = {
        "version": "1.0",
        "source": "custom",
        "content": {"textType": "client-markdown", "title": subject(alert), "description": f"```\n{text}```"},
    }
    return {
        "TopicArn": topic_arn,
        "Subject": subject(alert),
        "MessageStructure": "json",
        "Message": json.dumps({"default": text, "email": text, "https": json.dumps(chatbot)}),
        "MessageAttributes": {
            "severity": {"DataType": "String", "StringValue": alert.severity.value},
            "kind": {"DataType": "String", "StringValue": alert.kind.value},
            "account_id": {"DataType": "String", "StringValue": alert.account_id or "unknown"},
        },
    }


def load_approvals(config: WatcherConfig, client: Client) -> tuple[tuple[Approval, ...], str]:
    """The approvals, or none and why: a document that cannot be read approves nothing."""
    source = config.approvals
    try:
        if source.place is ApprovalsPlace.NONE:
            return (), ""
        if source.place is ApprovalsPlace.FILE:
            body = Path(source.location).read_text(encoding="utf-8")
        elif source.place is ApprovalsPlace.S3:
            answer = client("s3").get_object(Bucket=source.bucket, Key=source.key)
            body = answer["Body"].read().decode("utf-8")
        else:
            answer = client("ssm").get_parameter(Name=source.location, WithDecryption=True)
            body = str(answer["Parameter"]["Value"])
        return parse_approvals(body, source.label), ""
    except ApprovalsError as error:
        return (), f"approvals not used ({error}); every event is treated as NOT approved"
    except Exception as error:  # any AWS or file failure: report it, never approve
        reason = f"{type(error).__name__}: {error}"
        return (), f"approvals from {source.label} could not be read ({reason}); treated as NOT approved"


def _remember(alert: Alert, seen: OrderedDict[str, Mapping[str, Any]]) -> None:
    if alert.kind is not AlertKind.ASSUME_ROOT or alert.grant is None:
        return
    seen[alert.grant.access_key_id] = alert.record
    seen.move_to_end(alert.grant.access_key_id)
    while len(seen) > SEEN_LIMIT:
        seen.popitem(last=False)


def _boto3_client(service: str) -> Any:
    import boto3  # noqa: PLC0415  # the Lambda runtime provides it; imported only when publishing

    make: Any = boto3.client  # typed per service literal; the service is a plain string here
    return make(service)
