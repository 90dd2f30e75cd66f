"""What the readers note about time (``TrailScan.reads``): delivered file names, digests, LookupEvents
pages; and a damaged gzip's complete records, member by member and record by record.

AWS's shapes: log file names ``AccountID_CloudTrail_RegionName_YYYYMMDDTHHmmZ_UniqueString.json.gz``
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html); digest
files under ``CloudTrail-Digest/<region>/``, named ``…_CloudTrail-Digest_<region>_<trail>_<home>_<end>.json.gz``
with ``digestStartTime``, ``digestEndTime``, ``previousDigestS3Object`` and ``logFiles``
(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html);
LookupEvents' ``NextToken`` ("if the token does not appear, there are no more results to return",
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from trail_records import delivered, event_ids, gz, json_lines, lookup, record, root

from rootguard.model.activity import ListedLog
from rootguard.trail import decompress, reader, scan_bytes, scan_paths, stream
from rootguard.trail.paths import delivered_name, digest_name

ACCOUNT = "123456789012"
DIGEST = f"{ACCOUNT}_CloudTrail-Digest_us-east-2_main-trail_us-east-1_20261102T090131Z.json.gz"


def digest_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "awsAccountId": ACCOUNT,
        "digestStartTime": "2026-11-02T08:01:31Z",
        "digestEndTime": "2026-11-02T09:01:31Z",
        "digestS3Bucket": "trail-bucket",
        "digestS3Object": f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-2/2026/11/02/{DIGEST}",
        "newestEventTime": "2026-11-02T08:52:27Z",
        "oldestEventTime": "2026-11-02T08:42:27Z",
        "previousDigestS3Bucket": "trail-bucket",
        "previousDigestS3Object": f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-2/2026/11/02/"
        f"{ACCOUNT}_CloudTrail-Digest_us-east-2_main-trail_us-east-1_20261102T080131Z.json.gz",
        "logFiles": [
            {
                "s3Bucket": "trail-bucket",
                "s3Object": f"AWSLogs/{ACCOUNT}/CloudTrail/us-east-2/2026/11/02/"
                f"{ACCOUNT}_CloudTrail_us-east-2_20261102T0845Z_9nYN7gp2eWAJHIfT.json.gz",
                "hashValue": "9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6",
                "hashAlgorithm": "SHA-256",
                "newestEventTime": "2026-11-02T08:52:27Z",
                "oldestEventTime": "2026-11-02T08:42:27Z",
            }
        ],
    }
    return document | changes


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# Names ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            f"{ACCOUNT}_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
            (ACCOUNT, "us-east-2", "20150801T0210Z"),
        ),
        (f"{ACCOUNT}_CloudTrail_eu-west-1_20261102T0915Z_x.json", (ACCOUNT, "eu-west-1", "20261102T0915Z")),
        (f"{ACCOUNT}_CloudTrail-Digest_us-east-1_t_us-east-1_20261102T090000Z.json.gz", None),
        (f"{ACCOUNT}_CloudTrail-Insight_us-east-1_20261102T0915Z_x.json.gz", None),
        ("trail.json", None),
        (f"{ACCOUNT}_CloudTrail_us-east-1_2026-11-02_x.json.gz", None),
    ],
)
def test_delivered_names(name: str, expected: tuple[str, str, str] | None) -> None:
    assert delivered_name(name) == expected


def test_digest_names() -> None:
    assert digest_name(DIGEST) == (ACCOUNT, "us-east-2", at("2026-11-02T09:01:31Z"), False)
    assert digest_name(DIGEST.replace(".json.gz", "_backfill.json.gz")) == (
        ACCOUNT,
        "us-east-2",
        at("2026-11-02T09:01:31Z"),
        True,
    )
    assert digest_name("digest.json") is None


# Delivered log files ----------------------------------------------------------------------------------


def test_a_delivered_file_is_noted_by_its_name_without_parsing_it(tmp_path: Path) -> None:
    name = f"{ACCOUNT}_CloudTrail_us-east-2_20261102T0845Z_9nYN7gp2eWAJHIfT.json.gz"
    path = tmp_path / "AWSLogs" / ACCOUNT / "CloudTrail/us-east-2/2026/11/02" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(gz(delivered([record()])))
    found = scan_paths([tmp_path])
    assert found.records == 0, "a file that cannot hold root is not parsed"
    [log] = found.reads.logs
    assert (log.account, log.region, log.delivered, log.whole) == (
        ACCOUNT,
        "us-east-2",
        at("2026-11-02T08:45:00Z"),
        True,
    )
    assert found.reads.undated == 0


def test_a_file_that_could_not_be_read_whole_is_noted_as_such() -> None:
    name = f"s3://bucket/AWSLogs/{ACCOUNT}_CloudTrail_us-east-2_20261102T0845Z_x.json.gz"
    [log] = scan_bytes(name, gz(delivered([record()]))[:-10]).reads.logs
    assert log.whole is False


def test_files_without_a_delivery_stamp_are_counted_as_undated() -> None:
    found = scan_bytes("export.json", delivered([record()]))
    assert (found.reads.logs, found.reads.undated) == ((), 1)


# Digest files ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("compressed", [True, False])
def test_a_digest_is_read_for_its_hour_chain_and_log_files(compressed: bool) -> None:
    data = json.dumps(digest_document()).encode()
    found = scan_bytes(
        f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-2/2026/11/02/{DIGEST}", gz(data) if compressed else data
    )
    assert (found.files, found.records, found.skipped) == (1, 0, ())
    [digest] = found.reads.digests
    assert (digest.account, digest.region, digest.backfill) == (ACCOUNT, "us-east-2", False)
    assert (digest.start, digest.end) == (at("2026-11-02T08:01:31Z"), at("2026-11-02T09:01:31Z"))
    assert digest.previous == f"{ACCOUNT}_CloudTrail-Digest_us-east-2_main-trail_us-east-1_20261102T080131Z.json.gz"
    assert digest.logs == (
        ListedLog(
            f"{ACCOUNT}_CloudTrail_us-east-2_20261102T0845Z_9nYN7gp2eWAJHIfT.json.gz",
            at("2026-11-02T08:42:27Z"),
            at("2026-11-02T08:52:27Z"),
        ),
    )


def test_a_starting_digest_has_no_previous_and_an_empty_one_no_log_files() -> None:
    starting = digest_document(previousDigestS3Object=None, previousDigestS3Bucket=None, logFiles=[])
    [digest] = scan_bytes("renamed-digest.json", json.dumps(starting).encode()).reads.digests
    assert (digest.previous, digest.logs) == (None, ())
    assert (digest.account, digest.region) == (ACCOUNT, "us-east-2"), "from digestS3Object when the name says nothing"


def test_a_digest_too_large_to_hold_whole_is_reported_not_half_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "MAX_RECORD", 2048)
    monkeypatch.setattr(decompress, "LARGE", 1)
    many = digest_document(logFiles=digest_document()["logFiles"] * 40)
    found = scan_bytes(DIGEST, gz(json.dumps(many).encode()))
    assert found.reads.digests == ()
    [skipped] = found.skipped
    assert "over the 2 KiB limit" in skipped.reason


def test_the_walk_reads_digests_and_prunes_their_day_folders_outside_the_period(tmp_path: Path) -> None:
    for day in ("2026/11/02", "2026/06/02"):
        path = tmp_path / f"AWSLogs/{ACCOUNT}/CloudTrail-Digest/us-east-2/{day}/{DIGEST}"
        path.parent.mkdir(parents=True)
        path.write_bytes(gz(json.dumps(digest_document()).encode()))
    insight = tmp_path / f"AWSLogs/{ACCOUNT}/CloudTrail-Insight/us-east-2/2026/11/02/x.json.gz"
    insight.parent.mkdir(parents=True)
    insight.write_bytes(gz(delivered([root()])))
    found = scan_paths([tmp_path], since=at("2026-11-01T00:00:00Z"), until=at("2026-11-03T00:00:00Z"))
    assert (found.files, len(found.reads.digests), found.root_records) == (1, 1, ())


# LookupEvents pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("large", [False, True], ids=["whole", "streamed"])
def test_an_answer_that_still_has_pages_is_noted(large: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if large:
        monkeypatch.setattr(decompress, "LARGE", 1)
        monkeypatch.setattr(stream, "MAX_RECORD", 4096)
        monkeypatch.setattr(reader, "CHUNK", 100)
    answer = json.loads(lookup([root()] + [record() for _ in range(30)]))
    paged = gz(json.dumps(answer | {"NextToken": "token"}).encode())
    done = gz(json.dumps(answer).encode())
    [more] = scan_bytes("paged.json.gz", paged).reads.lookups
    [whole] = scan_bytes("done.json.gz", done).reads.lookups
    assert (more.more_pages, whole.more_pages) == (True, False)
    assert event_ids(scan_bytes("paged.json.gz", paged)) == event_ids(scan_bytes("done.json.gz", done))


def test_an_answer_that_stores_its_period_keeps_it() -> None:
    answer = json.loads(lookup([]))
    stored = answer | {"StartTime": "2026-08-22T12:00:00Z", "EndTime": "2026-11-20T12:00:00Z"}
    [found] = scan_bytes("a.json", json.dumps(stored).encode()).reads.lookups
    assert (found.start, found.end) == (at("2026-08-22T12:00:00Z"), at("2026-11-20T12:00:00Z"))


# Damaged gzip: every complete record before the damage --------------------------------------------------


def stream_small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(decompress, "LARGE", 4096)
    monkeypatch.setattr(reader, "CHUNK", 100)


@pytest.mark.parametrize("streamed", [False, True], ids=["whole", "streamed"])
def test_a_damaged_later_member_keeps_the_earlier_members_records(
    streamed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two delivered documents concatenated as gzip members (no newline between), the second cut short:
    the first member's records all count, and the second's read whole before the cut."""
    if streamed:
        stream_small(monkeypatch)
    first, second, lost = root(), root(), root()
    member_two = gz(delivered([second] + [record() for _ in range(60)] + [lost]))
    data = gz(delivered([first, record()])) + member_two[: len(member_two) // 2]
    found = scan_bytes("two.json.gz", data)
    assert event_ids(found) == [first["eventID"], second["eventID"]]
    assert [s.reason for s in found.skipped] == ["truncated gzip stream"]


@pytest.mark.parametrize(
    "shape",
    [
        delivered,
        lambda items: delivered(items, indent=2),
        lambda items: json.dumps(items).encode(),
        lookup,
    ],
    ids=["records", "pretty", "array", "lookup"],
)
def test_a_cut_document_keeps_its_whole_records(shape: Any) -> None:
    hit, cut_off = root(), root()
    data = gz(shape([hit] + [record() for _ in range(80)] + [cut_off]))
    found = scan_bytes("cut.json.gz", data[: len(data) * 2 // 3])
    assert event_ids(found) == [hit["eventID"]]
    assert 0 < found.records < 82


def test_salvage_is_the_same_however_the_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = gz(delivered([root()] + [record() for _ in range(80)] + [root()]))
    cut = data[: len(data) * 2 // 3]
    (tmp_path / "cut.json.gz").write_bytes(cut)
    held = scan_bytes("cut.json.gz", cut)
    stream_small(monkeypatch)
    walked = scan_paths([tmp_path])
    assert (event_ids(walked), walked.records) == (event_ids(held), held.records)


def test_json_lines_keep_reading_past_a_bad_line() -> None:
    """Line by line, as before: a bad line in the middle is reported and the lines after it still read."""
    first, second = root(), root()
    text = json_lines([first]) + b"{not json\n" + json_lines([second] + [record() for _ in range(60)])
    data = gz(text)
    found = scan_bytes("lines.jsonl.gz", data[:-30])
    assert event_ids(found) == [first["eventID"], second["eventID"]]
