"""``rootguard watch``: read the watcher's SQS queue, classify each event, say what it means.

Each received message is unwrapped (SNS notification, EventBridge event) and classified by
``analysis.watch_event``. A message is deleted only when every part of it was read: a malformed one is
reported every time it is received and left for the queue's redrive policy (its dead-letter queue),
never deleted unread. A failed poll is reported and retried after a pause; it never ends the watch
(with ``once`` it decides the exit code).

``self_test`` proves the path: it puts a labelled ``rootguard.test`` event on the bus and waits for it
at the queue, timing each hop. The app never reads the clock or sleeps by itself: the command line
passes both.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rootguard.analysis.watch_event import (
    TEST_DETAIL_TYPE,
    TEST_SOURCE,
    Alert,
    AlertKind,
    Rejected,
    classify_envelope,
    unwrap,
)
from rootguard.analysis.watch_message import document, row
from rootguard.collect.aws import Aws, ErrorDocument
from rootguard.collect.sqs import Queue, QueueMessage, put_event
from rootguard.model.approvals import Approval
from rootguard.model.timestamps import format_timestamp

SEEN_LIMIT = 512
RETRY_PAUSES = (1.0, 2.0, 5.0, 10.0, 30.0)
"""Seconds to wait after consecutive failed polls (the last one repeats)."""


@dataclass(frozen=True)
class Received:
    """One part of a received message: an alert, or why there is none."""

    message: QueueMessage
    alert: Alert | None = None
    rejected: Rejected | None = None


@dataclass(frozen=True)
class PollFailure:
    document: ErrorDocument

    @property
    def message(self) -> str:
        error = self.document.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', '')}".rstrip(": ")


Report = Callable[[Received | PollFailure], None]


@dataclass
class WatchState:
    """What one watch run carries from poll to poll."""

    seen: OrderedDict[str, Mapping[str, Any]] = field(default_factory=OrderedDict)
    """``AssumeRoot`` calls seen, by the key they returned."""
    alerts: int = 0
    rejected: int = 0
    deleted: int = 0
    failed_polls: int = 0


@dataclass(frozen=True)
class WatchOptions:
    approvals: Sequence[Approval] = ()
    account_names: Mapping[str, str] = field(default_factory=dict)
    wait_seconds: int = 20


__all__ = ["document", "row"]  # the command line renders alerts through the app (it may not import analysis)


@dataclass(frozen=True)
class Connection:
    aws: Aws
    queue: Queue


def connect(url: str, *, profile: str | None = None, region: str | None = None) -> Connection:
    aws = Aws(profile=profile, region=region)
    return Connection(aws, Queue(aws, url))


def poll_once(queue: Queue, options: WatchOptions, state: WatchState, report: Report) -> bool:
    """One long poll: report and delete what was read. False when the poll itself failed."""
    received = queue.receive(wait_seconds=options.wait_seconds)
    if not isinstance(received, list):
        state.failed_polls += 1
        report(PollFailure(received))
        return False
    handled = [message for message in received if _read(message, options, state, report)]
    if handled:
        failed = queue.delete(handled)
        if isinstance(failed, list):
            state.deleted += len(handled) - len(failed)
        else:
            report(PollFailure(failed))  # not deleted: they come back and are reported again
    return True


def watch(
    queue: Queue,
    options: WatchOptions,
    *,
    report: Report,
    sleep: Callable[[float], None],
    once: bool = False,
    state: WatchState | None = None,
) -> WatchState:
    """Poll until interrupted (``KeyboardInterrupt`` goes to the caller), or once."""
    state = state or WatchState()
    failures = 0
    while True:
        ok = poll_once(queue, options, state, report)
        if once:
            return state
        failures = 0 if ok else failures + 1
        if failures:
            sleep(RETRY_PAUSES[min(failures, len(RETRY_PAUSES)) - 1])


def _read(message: QueueMessage, options: WatchOptions, state: WatchState, report: Report) -> bool:
    """Report every part of ``message``; True when all of them could be read (so it may be deleted)."""
    readable = True
    for part in unwrap(message.body):
        found = (
            part
            if isinstance(part, Rejected)
            else classify_envelope(
                part,
                approvals=options.approvals,
                assume_root_calls=list(state.seen.values()),
                account_names=options.account_names,
            )
        )
        if isinstance(found, Rejected):
            state.rejected += 1
            readable = readable and not found.malformed
            report(Received(message, rejected=found))
            continue
        _remember(found, state.seen)
        state.alerts += 1
        report(Received(message, alert=found))
    return readable


def _remember(alert: Alert, seen: OrderedDict[str, Mapping[str, Any]]) -> None:
    if alert.kind is AlertKind.ASSUME_ROOT and alert.grant is not None:
        seen[alert.grant.access_key_id] = alert.record
        seen.move_to_end(alert.grant.access_key_id)
        while len(seen) > SEEN_LIMIT:
            seen.popitem(last=False)


# --- the self-test ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hop:
    name: str
    seconds: float | None
    """``None`` when the hop's end was not observed."""


@dataclass(frozen=True)
class SelfTest:
    test_id: str
    event_id: str
    arrived: bool
    hops: tuple[Hop, ...]
    problem: str = ""
    """Why the test could not be run or did not finish (a refused PutEvents, a failed poll, a timeout)."""


def self_test(
    connection: Connection,
    options: WatchOptions,
    *,
    bus: str,
    timeout: float,
    clock: Callable[[], datetime],
    report: Report,
    state: WatchState | None = None,
) -> SelfTest:
    """Put a ``rootguard.test`` event on ``bus`` and wait up to ``timeout`` seconds for it on ``queue``.

    Hops: ``PutEvents`` (sent → accepted), ``EventBridge → SQS`` (accepted → the message's
    ``SentTimestamp``, so it includes SNS when the queue is subscribed to the topic; the two clocks are
    AWS's and this machine's), ``SQS → rootguard`` (``SentTimestamp`` → received here). Other messages
    that arrive meanwhile are handled as ``watch`` handles them.
    """
    aws, queue = connection.aws, connection.queue
    state = state or WatchState()
    test_id = f"rg-test-{uuid.uuid4().hex[:12]}"
    started = clock()
    detail = {
        "test_id": test_id,
        "sent_at": format_timestamp(started),
        "note": "synthetic event sent by `rootguard watch --test`; NOT root activity",
    }
    event_id = put_event(aws, source=TEST_SOURCE, detail_type=TEST_DETAIL_TYPE, detail=detail, bus=bus)
    accepted = clock()
    put_hop = Hop("PutEvents accepted", (accepted - started).total_seconds())
    if not isinstance(event_id, str):
        return SelfTest(test_id, "", False, (put_hop,), problem=PollFailure(event_id).message)
    arrival: list[tuple[QueueMessage, datetime]] = []

    def spot(item: Received | PollFailure) -> None:
        if isinstance(item, Received) and item.alert is not None and item.alert.test_id == test_id:
            arrival.append((item.message, clock()))
        report(item)

    while not arrival and (clock() - started).total_seconds() < timeout:
        if not poll_once(queue, _short_polls(options, started, clock, timeout), state, spot):
            return SelfTest(test_id, event_id, False, (put_hop,), problem="the queue could not be read")
    if not arrival:
        return SelfTest(test_id, event_id, False, (put_hop,), problem=f"not seen on the queue within {timeout:g} s")
    message, seen_at = arrival[0]
    queued = message.sent_at
    hops = (
        put_hop,
        Hop("EventBridge -> SQS", (queued - accepted).total_seconds() if queued else None),
        Hop("SQS -> rootguard", (seen_at - queued).total_seconds() if queued else None),
        Hop("total", (seen_at - started).total_seconds()),
    )
    return SelfTest(test_id, event_id, True, hops)


def _short_polls(
    options: WatchOptions, started: datetime, clock: Callable[[], datetime], timeout: float
) -> WatchOptions:
    left = int(max(1.0, timeout - (clock() - started).total_seconds()))
    return WatchOptions(options.approvals, options.account_names, wait_seconds=min(options.wait_seconds, left))


def hops_text(result: SelfTest) -> Iterable[str]:
    for hop in result.hops:
        if hop.seconds is None:
            shown = "not observed"
        elif hop.seconds < -0.005:  # SentTimestamp is AWS's clock, the others this machine's
            shown = f"{hop.seconds:.2f} s (this machine's clock and AWS's differ)"
        else:
            shown = f"{max(hop.seconds, 0.0):.2f} s"
        yield f"  {hop.name:<20} {shown}"
