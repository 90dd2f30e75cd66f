"""collect/sqs.py under moto: long polls, deletes, the self-test event, and failures as error documents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from rootguard.collect.aws import Aws, error_fields
from rootguard.collect.sqs import WATCH_ACTIONS, Queue, put_event


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


def test_receive_then_delete_only_what_is_asked(moto: Any) -> None:
    url = moto.create_queue(QueueName="watch")["QueueUrl"]
    for body in ("one", "two"):
        moto.send_message(QueueUrl=url, MessageBody=body)
    calls: list[str] = []
    queue = Queue(Aws(region="us-east-1", recorder=calls.append), url)
    received = queue.receive(wait_seconds=0)
    assert isinstance(received, list) and sorted(m.body for m in received) == ["one", "two"]
    assert all(m.sent_at is not None and m.receive_count == 1 for m in received)
    kept = next(m for m in received if m.body == "two")
    assert queue.delete([m for m in received if m is not kept]) == []
    attributes = moto.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert attributes["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "1"
    # SQS authorises a batch call with its single action's permission (DeleteMessageBatch: sqs:DeleteMessage).
    assert calls == ["sqs:ReceiveMessage", "sqs:DeleteMessageBatch"]
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage"} <= set(WATCH_ACTIONS)


def test_a_missing_queue_is_an_error_document_not_an_exception(moto: Any) -> None:
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/no-such-queue"
    found = Queue(Aws(region="us-east-1"), url).receive(wait_seconds=0)
    fields = error_fields(found)
    assert fields is not None and fields["Operation"] == "sqs:ReceiveMessage"


def test_put_event_returns_its_id_and_reaches_a_rule_target(moto: Any) -> None:
    url = moto.create_queue(QueueName="target")["QueueUrl"]
    arn = moto.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events = boto3.client("events", region_name="us-east-1")
    events.put_rule(Name="self-test", EventPattern=json.dumps({"source": ["rootguard.test"]}))
    events.put_targets(Rule="self-test", Targets=[{"Id": "q", "Arn": arn}])
    calls: list[str] = []
    aws = Aws(region="us-east-1", recorder=calls.append)
    event_id = put_event(aws, source="rootguard.test", detail_type="t", detail={"test_id": "x"}, bus="default")
    assert isinstance(event_id, str) and event_id
    [message] = moto.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(message["Body"])["detail"] == {"test_id": "x"}
    assert calls == ["events:PutEvents"]


def test_put_event_on_a_missing_bus_is_an_error_document(moto: Any) -> None:
    found = put_event(Aws(region="us-east-1"), source="rootguard.test", detail_type="t", detail={}, bus="nope")
    assert not isinstance(found, str) and error_fields(found) is not None
