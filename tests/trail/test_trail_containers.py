"""Every container of contract §5, what counts as root, and what is reported as unreadable."""

from __future__ import annotations

import json

import pytest
from trail_records import (
    assume_root,
    decoys,
    delivered,
    digest,
    event_ids,
    eventbridge,
    gz,
    insight,
    json_lines,
    log_events,
    lookup,
    record,
    root,
)

from rootguard.trail import scan_bytes


def test_delivered_log_file_plain_and_gzip() -> None:
    hit = root(event_name="ConsoleLogin", event_source="signin.amazonaws.com")
    data = delivered([record(), hit, record()])

    for blob in (data, gz(data)):
        scan = scan_bytes("AWSLogs/x.json.gz", blob)
        assert (scan.files, scan.records, event_ids(scan), scan.skipped) == (1, 3, [hit["eventID"]], ())
        assert scan.root_records[0].source == "AWSLogs/x.json.gz"
        assert scan.root_records[0].record == hit


def test_gzip_is_recognised_by_its_magic_bytes_not_its_name() -> None:
    hit = root()
    assert event_ids(scan_bytes("looks-plain.json", gz(delivered([hit])))) == [hit["eventID"]]
    assert event_ids(scan_bytes("looks-gzipped.json.gz", delivered([hit]))) == [hit["eventID"]]


def test_bare_record_array_and_json_lines() -> None:
    one, two = root(), root()
    assert event_ids(scan_bytes("bare.json", json.dumps(one, indent=2).encode())) == [one["eventID"]]
    assert event_ids(scan_bytes("array.json", json.dumps([record(), one, two]).encode())) == [
        one["eventID"],
        two["eventID"],
    ]
    lines = b"\n" + json_lines([record(), one]) + b"\n\n" + json_lines([two]) + b"   \n"
    scan = scan_bytes("events.jsonl", lines)
    assert (scan.records, event_ids(scan), scan.skipped) == (3, [one["eventID"], two["eventID"]], ())


def test_eventbridge_envelopes_alone_in_arrays_and_in_json_lines() -> None:
    one, two, three = root(), root(), root()
    assert event_ids(scan_bytes("eb.json", json.dumps(eventbridge(one)).encode())) == [one["eventID"]]
    array = json.dumps([eventbridge(record()), eventbridge(two)]).encode()
    assert event_ids(scan_bytes("eb-array.json", array)) == [two["eventID"]]
    assert event_ids(scan_bytes("eb.jsonl", json_lines([eventbridge(three), eventbridge(record())]))) == [
        three["eventID"]
    ]


def test_eventbridge_event_that_is_not_from_cloudtrail_is_valid_but_holds_no_record() -> None:
    state_change = {"detail-type": "EC2 Instance State-change Notification", "detail": {"state": "running"}}
    scan = scan_bytes("eb.json", json.dumps(state_change).encode())
    assert (scan.records, scan.root_records, scan.skipped) == (0, (), ())


def test_lookup_events_output_reads_the_record_inside_the_string() -> None:
    hit = root(event_name="ConsoleLogin")
    scan = scan_bytes("lookup.json", lookup([record("AssumedRole"), hit]))
    assert (scan.records, event_ids(scan), scan.skipped) == (2, [hit["eventID"]], ())
    assert scan.root_records[0].record == hit


def test_cloudwatch_logs_subscription_payload() -> None:
    hit = root()
    scan = scan_bytes("cwl.json", gz(log_events([record(), hit])))
    assert (scan.records, event_ids(scan)) == (2, [hit["eventID"]])
    control = {"messageType": "CONTROL_MESSAGE", "logEvents": [{"message": "CWL CONTROL MESSAGE: Checking health"}]}
    assert scan_bytes("control.json", json.dumps(control).encode()).skipped == ()


def test_escaped_root_is_root() -> None:
    hit = root()
    text = json.dumps({"Records": [hit]}).replace('"type": "Root"', '"type": "\\u0052\\u006F\\u006ft"')
    assert "Root" not in text.replace("arn:aws:iam::123456789012:root", "")
    scan = scan_bytes("escaped.json", text.replace("root", "\\u0072oot").encode())
    assert event_ids(scan) == [hit["eventID"]]


def test_assume_root_calls_are_kept_whoever_makes_them() -> None:
    calls = [assume_root("AssumedRole"), assume_root("IAMUser")]
    assert event_ids(scan_bytes("sts.json", delivered([record(), *calls]))) == [c["eventID"] for c in calls]


@pytest.mark.parametrize("decoy", decoys(), ids=lambda d: json.dumps(d.get("userIdentity", {}))[:60])
def test_decoys_are_not_root(decoy: dict[str, object]) -> None:
    for blob in (delivered([decoy]), lookup([decoy]) if "userIdentity" in decoy else delivered([decoy])):
        scan = scan_bytes("decoy.json", blob)
        assert (scan.root_records, scan.skipped) == ((), ())


def test_lookup_events_whose_strings_mention_root_are_not_root() -> None:
    escaped = record(requestParameters={"document": json.dumps({"Records": [root()]})})
    scan = scan_bytes("lookup.json", lookup([escaped, *[d for d in decoys() if "userIdentity" in d]]))
    assert scan.root_records == () and scan.skipped == ()


def test_digest_files_and_insight_records_are_read_silently() -> None:
    assert scan_bytes("digest.json", gz(digest())).skipped == ()
    scan = scan_bytes("insight.json", delivered([insight()]))
    assert (scan.root_records, scan.skipped) == ((), ())


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (b"", "empty file"),
        (b"  \n", "empty file"),
        (b"hello, world", "not JSON (invalid JSON at line 1 column 1: Expecting value)"),
        (
            b'{"Records": [{"eventName": "x"}',
            "truncated JSON (invalid JSON at line 1 column 32: Expecting ',' delimiter)",
        ),
        (
            b'[\n  {"eventName": "x"},\n    {"eventName" "x"}]',
            "invalid JSON at line 3 column 18: Expecting ':' delimiter",
        ),
        (b'{"foo": 1}', "no CloudTrail records: expected Records, Events, a record, an array or JSON lines"),
        (b"42", "no CloudTrail records: expected Records, Events, a record, an array or JSON lines"),
        (b'{"Records": {"eventName": "x"}}', "Records is not an array"),
        (b'{"Records": [1, {"eventName": "Root"}]}', "Records[0] is not a JSON object"),
        (b"[1, 2]", "item 0 is not a JSON object (and 1 more problem)"),
        (b'{"Events": [{"EventId": "x"}]}', "Events[0] has no CloudTrailEvent string"),
        (
            b'{"Events": [{"CloudTrailEvent": "{oops"}]}',
            "Events[0].CloudTrailEvent: invalid JSON at line 1 column 2: "
            "Expecting property name enclosed in double quotes",
        ),
        (b"\xff\xfe{\x00}\x00", "not JSON: invalid UTF-8 at byte 0"),
        (b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply to read"),
    ],
)
def test_unreadable_documents_are_reported_with_a_reason(blob: bytes, reason: str) -> None:
    for data in (blob, gz(blob)):
        scan = scan_bytes("bad.json", data)
        assert scan.files == 1
        assert [(s.path, s.reason) for s in scan.skipped] == [("bad.json", reason)]


def test_a_bad_json_line_is_reported_and_the_other_lines_are_still_read() -> None:
    one, two = root(), root()
    lines = json_lines([one]) + b'{"eventName": "x", oops}\n' + json_lines([{"foo": 1}, two])
    scan = scan_bytes("partial.jsonl", lines)
    assert event_ids(scan) == [one["eventID"], two["eventID"]]
    assert [s.reason for s in scan.skipped] == [
        "invalid JSON at line 2 column 20: Expecting property name enclosed in double quotes (and 1 more problem)"
    ]


def test_utf8_byte_order_mark_is_accepted() -> None:
    hit = root()
    assert event_ids(scan_bytes("bom.json", b"\xef\xbb\xbf" + delivered([hit]))) == [hit["eventID"]]


def test_delivered_files_that_cannot_hold_root_are_checked_at_both_ends_only() -> None:
    """The trade-off of not parsing: a cut plain file is caught, a corrupt middle only on a hit."""
    good = delivered([record(), record()], indent=2)
    assert scan_bytes("cut.json", good[:-3]).skipped != ()
    assert scan_bytes("cut.json", good[: good.rindex(b"]")]).skipped != ()  # ends with a record's }
    corrupt_middle = good.replace(b'"eventName":', b'"eventName"', 1)
    assert scan_bytes("corrupt.json", corrupt_middle).skipped == ()
    corrupt_hit = delivered([record(), root()], indent=2).replace(b'"eventName":', b'"eventName"', 1)
    assert [s.reason for s in scan_bytes("corrupt.json", corrupt_hit).skipped] == [
        "invalid JSON at line 14 column 19: Expecting ':' delimiter"
    ]
