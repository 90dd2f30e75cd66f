"""The watcher's queue and the self-test event: SQS long polls, deletes, and one EventBridge ``PutEvents``.

Every request goes through the collector edge (``collect.aws.call``), so a refusal, a throttle or a
timeout is an error document the caller reports, never a traceback. IAM actions (not part of the
read-only policy ``rootguard permissions`` prints, since ``watch`` consumes its queue):
``sqs:ReceiveMessage``, ``sqs:DeleteMessage``, and ``events:PutEvents`` for ``watch --test``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rootguard.collect.aws import Aws, ErrorDocument, call, error_fields, failure_document
from rootguard.model.failures import classify

WAIT_SECONDS = 20
"""The longest long poll SQS allows (``WaitTimeSeconds``)."""
BATCH = 10
"""The most messages one ``ReceiveMessage`` returns."""
POLL_READ_TIMEOUT = WAIT_SECONDS + 10.0
"""A long poll holds the answer for up to 20 s: the client waits longer than that before giving up."""
WATCH_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "events:PutEvents")


@dataclass(frozen=True)
class QueueMessage:
    message_id: str
    receipt_handle: str
    body: str
    sent_at: datetime | None
    """``SentTimestamp``: when the message reached the queue."""
    receive_count: int


class Queue:
    """One SQS queue, by URL, in the Region its URL names (else the session's)."""

    def __init__(self, aws: Aws, url: str) -> None:
        self.url = url
        self.client = aws.sqs(_region_of(url), read_timeout=POLL_READ_TIMEOUT)

    def receive(self, *, wait_seconds: int = WAIT_SECONDS, batch: int = BATCH) -> list[QueueMessage] | ErrorDocument:
        answer = call(
            self.client.receive_message,
            regional=True,
            QueueUrl=self.url,
            MaxNumberOfMessages=batch,
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
        )
        if error_fields(answer) is not None:
            return dict(answer)
        return [_message(item) for item in answer.get("Messages", []) if isinstance(item, Mapping)]

    def delete(self, messages: Sequence[QueueMessage]) -> list[str] | ErrorDocument:
        """Delete ``messages``; the ids SQS did not delete (``Failed``), or the error document."""
        if not messages:
            return []
        entries = [{"Id": str(index), "ReceiptHandle": m.receipt_handle} for index, m in enumerate(messages)]
        answer = call(self.client.delete_message_batch, regional=True, QueueUrl=self.url, Entries=entries)
        if error_fields(answer) is not None:
            return dict(answer)
        failed = {str(item.get("Id")) for item in answer.get("Failed", []) if isinstance(item, Mapping)}
        return [messages[int(index)].message_id for index in sorted(failed) if index.isdigit()]


def put_event(
    aws: Aws, *, source: str, detail_type: str, detail: Mapping[str, Any], bus: str, region: str | None = None
) -> str | ErrorDocument:
    """Put one event on ``bus``; its event id, or the error document (a refused entry included)."""
    client = aws.events(region)
    entry = {"Source": source, "DetailType": detail_type, "Detail": json.dumps(dict(detail)), "EventBusName": bus}
    answer = call(client.put_events, regional=True, Entries=[entry])
    if error_fields(answer) is not None:
        return dict(answer)
    [result] = answer.get("Entries", [{}]) or [{}]
    if answer.get("FailedEntryCount") or "EventId" not in result:
        # A refused entry (NotAuthorizedForSourceException for an aws.* source) answers 200 with an error code.
        code = str(result.get("ErrorCode") or "PutEventsFailed")
        message = str(result.get("ErrorMessage") or code)
        return failure_document(
            code, message, classify(code), operation="events:PutEvents", region=client.meta.region_name
        )
    return str(result["EventId"])


def _message(item: Mapping[str, Any]) -> QueueMessage:
    attributes = item.get("Attributes") or {}
    sent = str(attributes.get("SentTimestamp") or "")
    count = str(attributes.get("ApproximateReceiveCount") or "0")
    return QueueMessage(
        message_id=str(item.get("MessageId") or ""),
        receipt_handle=str(item.get("ReceiptHandle") or ""),
        body=str(item.get("Body") or ""),
        sent_at=datetime.fromtimestamp(int(sent) / 1000, UTC) if sent.isdigit() else None,
        receive_count=int(count) if count.isdigit() else 0,
    )


def _region_of(url: str) -> str | None:
    # https://sqs.<region>.amazonaws.com/<account>/<name>; a local endpoint (moto) names none.
    host = url.split("://", 1)[-1].split("/", 1)[0]
    parts = host.split(".")
    return parts[1] if len(parts) >= 4 and parts[0] == "sqs" else None
