"""The shapes CloudTrail records arrive in (contract §5), and which records rootguard keeps.

A document is one JSON value, or JSON lines (one value per line). Each value is read as:

* ``{"Records": [record, …]}`` — a delivered log file;
* ``{"Events": [{"CloudTrailEvent": "<record as a JSON string>", …}]}`` — LookupEvents output;
* ``{"messageType": "DATA_MESSAGE", "logEvents": [{"message": "<record as a string>"}]}`` — a
  CloudWatch Logs subscription payload;
* ``{"detail-type": …, "detail": record}`` — an EventBridge event;
* a bare record, or a JSON array of any of the above;
* a digest file (``digestStartTime``/``logFiles``): it holds no records; what it says about time is
  kept (``trail.reads``), as is whether a LookupEvents answer still had pages.

Anything else is reported with a reason; it is never taken as "no records".
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rootguard.trail.outcome import FileResult, Record
from rootguard.trail.reads import raw_digest, raw_lookup

UNKNOWN_SHAPE = "no CloudTrail records: expected Records, Events, a record, an array or JSON lines"
TOO_DEEP = "JSON nested too deeply to read"
RECORD_KEYS = frozenset({"eventVersion", "eventTime", "eventSource", "eventName", "eventID", "userIdentity"})
STREAMED_KEYS = frozenset({"Records", "Events", "logEvents"})
"""Arrays whose elements ``trail.stream`` reads one at a time (each is a record, or carries one)."""
PAGE_KEYS = frozenset({"NextToken", "StartTime", "EndTime"})
"""Members of a LookupEvents answer that say whether it is whole and which period it covers."""
SHAPE_KEYS = (
    STREAMED_KEYS | {"messageType", "detail-type", "detail", "digestStartTime", "logFiles"} | RECORD_KEYS | PAGE_KEYS
)
"""Every key that decides what an object is (``object_kind``), or whether an answer is whole."""


@dataclass(slots=True)
class Streamed:
    """An array read one element at a time by ``trail.stream``: what its elements gave, held apart
    until the object around it shows which container it is (``Records`` wins over ``Events`` …).

    ``items`` are the elements themselves while they are few and small enough to keep, in case the
    object turns out to be a record with an array by that name; ``None`` once they are not.
    """

    result: FileResult
    items: list[Any] | None


def is_wanted(record: Record) -> bool:
    """A root record (after JSON decoding, so ``"\\u0052oot"`` is Root), or an ``sts:AssumeRoot`` call.

    Only the record's own ``userIdentity.type`` counts: a role named Root, "Root" in the request
    parameters or a nested copy of a userIdentity do not.
    """
    identity = record.get("userIdentity")
    if isinstance(identity, dict) and identity.get("type") == "Root":
        return True
    return record.get("eventName") == "AssumeRoot" and record.get("eventSource") == "sts.amazonaws.com"


def parse_document(data: bytes, result: FileResult) -> None:
    """Parse a whole decompressed document into ``result``; problems are recorded, never raised."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        result.problem(f"not JSON: invalid UTF-8 at byte {error.start}")
        return
    if not text.strip():
        result.problem("empty file")
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        if _json_lines(text, error):
            parse_lines(enumerate(text.split("\n"), start=1), result)
        else:
            result.problem(json_reason(error, text))
        return
    except RecursionError:
        result.problem(TOO_DEEP)
        return
    take_value(value, result, "")


def parse_lines(lines: Iterable[tuple[int, str]], result: FileResult) -> None:
    """JSON lines: each non-blank line is a value; a bad line is reported and the others still read."""
    for number, line in lines:
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            result.problem(f"invalid JSON at line {number} column {error.colno}: {error.msg}")
            continue
        except RecursionError:
            result.problem(f"line {number}: {TOO_DEEP}")
            continue
        take_value(value, result, f"line {number}: ")


def take_value(value: Any, result: FileResult, where: str) -> None:
    """One top-level value (or JSON line): an object, or an array of objects."""
    if isinstance(value, dict):
        take_object(value, result, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            take_item(item, index, result, where)
    else:
        result.problem(f"{where}{UNKNOWN_SHAPE}")


def take_item(item: Any, index: int, result: FileResult, where: str) -> None:
    """One element of a top-level array."""
    if isinstance(item, dict):
        take_object(item, result, f"{where}item {index}: ")
    else:
        result.problem(f"{where}item {index} is not a JSON object")


def json_reason(error: json.JSONDecodeError, text: str) -> str:
    reason = f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
    if error.pos <= len(text) - len(text.lstrip()):
        return f"not JSON ({reason})"
    # A string can only be unterminated at the end of the input (a raw line break is another error).
    cut = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string")
    return f"truncated JSON ({reason})" if cut else reason


def _json_lines(text: str, error: json.JSONDecodeError) -> bool:
    """JSON lines when a value is followed by more data, or the first line parses on its own."""
    if error.msg == "Extra data":
        return True
    first, newline, rest = text.lstrip().partition("\n")
    if not newline or not rest.strip():
        return False
    try:
        json.loads(first)
    except (json.JSONDecodeError, RecursionError):
        return False
    return True


def object_kind(value: Record) -> str:
    """Which shape an object is, by its keys alone: the container key that wins, or what it is."""
    if "Records" in value:
        return "Records"
    if "Events" in value:
        return "Events"
    if "logEvents" in value and "messageType" in value:
        return "logEvents"
    if "detail-type" in value and "detail" in value:
        return "eventbridge"
    if "digestStartTime" in value or "logFiles" in value:
        return "digest"
    return "record" if not RECORD_KEYS.isdisjoint(value) else "unknown"


def take_object(value: Record, result: FileResult, where: str) -> None:
    """One object: a container of records, an envelope around one, a digest, or a record.

    A ``Streamed`` value stands for an array ``trail.stream`` has already read element by element.
    """
    kind = object_kind(value)
    if kind == "Records":
        _take_records(value["Records"], result, f"{where}Records")
    elif kind == "Events":
        _take_lookup(value["Events"], result, f"{where}Events")
        result.lookup(raw_lookup(value))
    elif kind == "logEvents":
        _take_log_events(value, result, where)
    elif kind == "eventbridge":
        detail = value["detail"]
        if isinstance(detail, dict) and not RECORD_KEYS.isdisjoint(detail):
            _keep(detail, result)  # other EventBridge events are valid input without CloudTrail records
    elif kind == "record":
        _keep(value, result)
    elif kind == "unknown":
        result.problem(f"{where}{UNKNOWN_SHAPE}")
    else:  # a digest file: no records, but the hour it vouches for
        result.digest(raw_digest(value))


def _take_records(records: Any, result: FileResult, where: str) -> None:
    if isinstance(records, Streamed):
        result.absorb(records.result)
    elif not isinstance(records, list):
        result.problem(f"{where} is not an array")
    else:
        for index, record in enumerate(records):  # take_record_item, inlined: the hot loop of a parse
            if isinstance(record, dict):
                _keep(record, result)
            else:
                result.problem(f"{where}[{index}] is not a JSON object")


def take_record_item(record: Any, index: int, result: FileResult, where: str) -> None:
    """One element of a ``Records`` array (``where`` ends with ``Records``)."""
    if isinstance(record, dict):
        _keep(record, result)
    else:
        result.problem(f"{where}[{index}] is not a JSON object")


def _take_lookup(events: Any, result: FileResult, where: str) -> None:
    if isinstance(events, Streamed):
        result.absorb(events.result)
    elif not isinstance(events, list):
        result.problem(f"{where} is not an array")
    else:
        for index, event in enumerate(events):
            take_lookup_item(event, index, result, where)


def take_lookup_item(event: Any, index: int, result: FileResult, where: str) -> None:
    """One element of a LookupEvents ``Events`` array (``where`` ends with ``Events``)."""
    embedded = event.get("CloudTrailEvent") if isinstance(event, dict) else None
    if not isinstance(embedded, str):
        result.problem(f"{where}[{index}] has no CloudTrailEvent string")
        return
    _take_embedded(embedded, result, f"{where}[{index}].CloudTrailEvent")


def _take_log_events(payload: Record, result: FileResult, where: str) -> None:
    if payload.get("messageType") != "DATA_MESSAGE":
        return  # CONTROL_MESSAGE: CloudWatch Logs checking the destination, no log events
    events = payload["logEvents"]
    if isinstance(events, Streamed):
        result.absorb(events.result)
    elif not isinstance(events, list):
        result.problem(f"{where}logEvents is not an array")
    else:
        for index, event in enumerate(events):
            take_log_event(event, index, result, f"{where}logEvents")


def take_log_event(event: Any, index: int, result: FileResult, where: str) -> None:
    """One element of a CloudWatch Logs ``logEvents`` array (``where`` ends with ``logEvents``)."""
    message = event.get("message") if isinstance(event, dict) else None
    if not isinstance(message, str):
        result.problem(f"{where}[{index}] has no message string")
        return
    _take_embedded(message, result, f"{where}[{index}].message")


def _take_embedded(text: str, result: FileResult, where: str) -> None:
    """A record carried as a JSON string."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        result.problem(f"{where}: {json_reason(error, text)}")
        return
    except RecursionError:
        result.problem(f"{where}: {TOO_DEEP}")
        return
    if isinstance(value, dict):
        take_object(value, result, f"{where}: ")
    else:
        result.problem(f"{where}: {UNKNOWN_SHAPE}")


def _keep(record: Record, result: FileResult) -> None:
    result.records += 1
    if is_wanted(record):
        result.hits.append((result.records - 1, record))
