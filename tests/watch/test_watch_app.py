"""app/watch.py with a scripted queue: what is deleted, what is left, retries, Ctrl-C, the self-test's hops."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import watch_envelopes as w
from rootguard.app import watch
from rootguard.cli.main import main
from rootguard.collect.sqs import QueueMessage

FAILED = {"Error": {"Code": "AccessDenied", "Message": "not allowed", "Operation": "sqs:ReceiveMessage"}}


def message(body: str, index: int = 0, sent: datetime | None = None) -> QueueMessage:
    return QueueMessage(f"m{index}", f"r{index}", body, sent, 1)


class ScriptedQueue:
    """Answers each receive from a script: a list of messages, an error document, or an exception."""

    def __init__(self, *answers: Any) -> None:
        self.answers = list(answers)
        self.deleted: list[str] = []
        self.waits: list[int] = []

    def receive(self, *, wait_seconds: int = 20, batch: int = 10) -> Any:
        self.waits.append(wait_seconds)
        answer = self.answers.pop(0) if self.answers else KeyboardInterrupt()
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def delete(self, messages: list[QueueMessage]) -> list[str]:
        self.deleted += [m.message_id for m in messages]
        return []


def test_read_messages_are_deleted_malformed_ones_are_left() -> None:
    bodies = [json.dumps(w.failed_sign_in()), "garbage", json.dumps(w.sns_wrapped(w.root_api_call()))]
    queue = ScriptedQueue([message(body, i) for i, body in enumerate(bodies)])
    seen: list[Any] = []
    state = watch.watch(queue, watch.WatchOptions(), report=seen.append, sleep=lambda _: None, once=True)  # type: ignore[arg-type]
    assert queue.deleted == ["m0", "m2"]
    assert (state.alerts, state.rejected, state.deleted) == (2, 1, 2)
    assert [type(item.alert).__name__ if item.alert else "rejected" for item in seen] == ["Alert", "rejected", "Alert"]


def test_failed_polls_are_reported_and_retried_with_growing_pauses_until_interrupted() -> None:
    queue = ScriptedQueue(FAILED, FAILED, FAILED, [], FAILED)
    pauses: list[float] = []
    seen: list[Any] = []
    with pytest.raises(KeyboardInterrupt):
        watch.watch(queue, watch.WatchOptions(), report=seen.append, sleep=pauses.append)  # type: ignore[arg-type]
    assert pauses == [1.0, 2.0, 5.0, 1.0]
    assert all(isinstance(item, watch.PollFailure) for item in seen) and "AccessDenied" in seen[0].message


def test_an_assume_root_call_explains_a_later_message() -> None:
    queue = ScriptedQueue(
        [message(json.dumps(w.assume_root_call()), 0)], [message(json.dumps(w.assume_root_session_call()), 1)]
    )
    seen: list[Any] = []
    state = watch.WatchState()
    for _ in range(2):
        watch.poll_once(queue, watch.WatchOptions(), state, seen.append)  # type: ignore[arg-type]
    assert seen[1].alert.origin.known and "RootTaskOperator" in seen[1].alert.origin.caller_arn


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=250)
        return self.now


def test_self_test_reports_each_hop(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    sent: dict[str, Any] = {}

    def put_event(aws: Any, **entry: Any) -> str:
        sent.update(entry)
        return "event-1"

    monkeypatch.setattr(watch, "put_event", put_event)

    class Arrives(ScriptedQueue):
        def receive(self, *, wait_seconds: int = 20, batch: int = 10) -> Any:
            test = w.self_test(sent["detail"]["test_id"])
            return [message(json.dumps(test), 0, sent=clock.now - timedelta(milliseconds=100))]

    queue = Arrives()
    result = watch.self_test(
        watch.Connection(aws=None, queue=queue),  # type: ignore[arg-type]
        watch.WatchOptions(),
        bus="default",
        timeout=10,
        clock=clock,
        report=lambda _: None,
    )
    assert result.arrived and result.event_id == "event-1"
    assert sent["source"] == "rootguard.test" and "NOT root activity" in sent["detail"]["note"]
    assert [hop.name for hop in result.hops] == [
        "PutEvents accepted",
        "EventBridge -> SQS",
        "SQS -> rootguard",
        "total",
    ]
    assert all(hop.seconds is not None and hop.seconds >= 0 for hop in result.hops)
    assert queue.deleted == ["m0"]


def test_self_test_that_cannot_send_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    refused = {"Error": {"Code": "NotAuthorizedForSourceException", "Message": "Not authorized for the source."}}
    monkeypatch.setattr(watch, "put_event", lambda aws, **entry: refused)
    result = watch.self_test(
        watch.Connection(aws=None, queue=ScriptedQueue()),  # type: ignore[arg-type]
        watch.WatchOptions(),
        bus="default",
        timeout=5,
        clock=Clock(),
        report=lambda _: None,
    )
    assert not result.arrived and result.problem.startswith("NotAuthorizedForSourceException")


def test_ctrl_c_ends_the_watch_cleanly(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    queue = ScriptedQueue([message(json.dumps(w.failed_sign_in()))])  # then Ctrl-C
    monkeypatch.setattr(watch, "connect", lambda url, **_: watch.Connection(aws=None, queue=queue))  # type: ignore[arg-type]
    assert main(["watch", "--queue-url", "https://sqs.us-east-1.amazonaws.com/1/q"]) == 0
    out, err = capsys.readouterr()
    assert "sign-in-failure" in out
    assert "rootguard: watch stopped: 1 event(s), 0 set aside, 1 message(s) deleted" in err
    assert "Traceback" not in err
