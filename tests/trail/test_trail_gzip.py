"""Gzip read whole (every member), bad gzip reported, large inputs streamed, stdlib fallback."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from trail_records import delivered, event_ids, gz, json_lines, record, root

from rootguard.trail import decompress, reader, scan_bytes, scan_paths


def multi_member() -> tuple[bytes, str]:
    """Two gzip members, the root record in the second (as `cat a.gz b.gz` makes)."""
    hit = root()
    first = gz(json_lines([record() for _ in range(50)]))
    second = gz(json_lines([record(), hit]))
    return first + second, hit["eventID"]


def test_every_gzip_member_is_read() -> None:
    data, wanted = multi_member()
    scan = scan_bytes("multi.jsonl.gz", data)
    assert (scan.records, event_ids(scan), scan.skipped) == (52, [wanted], ())


def test_zlib_wbits_31_would_have_missed_the_second_member() -> None:
    """Why rootguard never uses it: it returns the first member only, with no error."""
    data, _ = multi_member()
    first_only = zlib.decompress(data, 31)
    assert b"Root" not in first_only
    assert b"Root" in gzip.decompress(data)
    assert len(first_only) < len(decompress.gunzip(data)) == len(decompress.gunzip_stdlib(data))


def test_truncated_and_corrupt_gzip_are_reported() -> None:
    data = gz(delivered([record(), root()]))
    corrupt = data[:20] + bytes(b ^ 0xFF for b in data[20:40]) + data[40:]
    bad_crc = data[:-8] + b"\0\0\0\0" + data[-4:]
    assert [s.reason for s in scan_bytes("t.gz", data[:-12]).skipped] == ["truncated gzip stream"]
    assert [s.reason for s in scan_bytes("h.gz", data[:2]).skipped] == ["truncated gzip stream"]
    assert scan_bytes("c.gz", corrupt).skipped[0].reason.startswith("corrupt gzip stream (")
    assert scan_bytes("crc.gz", bad_crc).skipped[0].reason.startswith("corrupt gzip stream (CRC check failed")


@pytest.fixture
def tiny_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make "large" mean 4 KiB and chunks 100 bytes, so the streaming path runs on small test data."""
    monkeypatch.setattr(decompress, "LARGE", 4096)
    monkeypatch.setattr(reader, "CHUNK", 100)


@pytest.mark.usefixtures("tiny_large")
def test_large_inputs_are_streamed_with_the_same_results(tmp_path: Path) -> None:
    hits = [root(), root()]
    lines = json_lines([record() for _ in range(40)] + [hits[0]] + [record() for _ in range(40)] + [hits[1]])
    document = delivered([record() for _ in range(40)] + hits, indent=1)
    quiet = delivered([record() for _ in range(80)])
    for name, data in [("l.jsonl", lines), ("d.json", document)]:
        assert len(data) > decompress.LARGE
        for blob in (data, gz(data)):
            (tmp_path / name).write_bytes(blob)
            from_file = scan_paths([tmp_path / name])
            assert event_ids(from_file) == [h["eventID"] for h in hits], name
            assert from_file.skipped == ()
            assert event_ids(scan_bytes(name, blob)) == [h["eventID"] for h in hits]
    (tmp_path / "q.json").write_bytes(quiet)
    assert scan_paths([tmp_path / "q.json"]) == scan_bytes(str(tmp_path / "q.json"), quiet)


@pytest.mark.usefixtures("tiny_large")
def test_a_match_across_a_chunk_boundary_is_found() -> None:
    for cut in range(90, 100):
        hit = root()
        body = delivered([hit]).replace(b'"Root"', b'"\\u0052oot"')
        padded = b" " * (cut - body.index(b"\\u0052")) + body
        document = padded + b" " * 5000
        assert event_ids(scan_bytes("x.json", gz(document))) == [hit["eventID"]], cut


@pytest.mark.usefixtures("tiny_large")
def test_streamed_json_lines_keep_the_records_before_a_truncation() -> None:
    hit = root()
    data = gz(json_lines([record() for _ in range(30)] + [hit] + [record() for _ in range(30)]))
    scan = scan_bytes("cut.jsonl.gz", data[:-40])
    assert event_ids(scan) == [hit["eventID"]]
    assert [s.reason for s in scan.skipped] == ["truncated gzip stream"]


@pytest.mark.usefixtures("tiny_large")
def test_streamed_inputs_that_look_cut_are_parsed_for_the_reason(tmp_path: Path) -> None:
    data = delivered([record() for _ in range(60)])[:-30]
    (tmp_path / "cut.json").write_bytes(data)
    [skipped] = scan_paths([tmp_path / "cut.json"]).skipped
    assert skipped.reason.startswith("truncated JSON")


def test_a_small_gzip_whose_trailer_announces_a_large_output_is_streamed() -> None:
    hit = root()
    bomb = gz(delivered([hit]) + b" " * (decompress.LARGE + 1))
    assert decompress.is_large(len(bomb), bomb[-4:])
    assert event_ids(scan_bytes("big.json.gz", bomb)) == [hit["eventID"]]


def test_without_isal_the_standard_library_gives_the_same_results(tmp_path: Path) -> None:
    data, wanted = multi_member()
    (tmp_path / "multi.jsonl.gz").write_bytes(data)
    code = (
        "import sys; sys.modules['isal'] = None\n"
        "from pathlib import Path\n"
        "from rootguard.trail import decompress, scan_paths\n"
        "scan = scan_paths([Path(sys.argv[1])])\n"
        "print(decompress.BACKEND, [r.record['eventID'] for r in scan.root_records])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")}
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, env=env, check=True
    )
    assert out.stdout.split(maxsplit=1) == ["gzip", json.dumps([wanted]).replace('"', "'") + "\n"]


@pytest.mark.parametrize("stream", [False, True])
def test_a_cut_gzip_of_json_lines_keeps_its_complete_lines_however_it_is_read(
    stream: bool, request: pytest.FixtureRequest
) -> None:
    """The same damaged file gives the same records read whole or streamed (trail.salvage)."""
    if stream:
        request.getfixturevalue("tiny_large")
    hit = root()
    data = gz(json_lines([record() for _ in range(30)] + [hit] + [record() for _ in range(30)]))
    scan = scan_bytes("cut.jsonl.gz", data[: len(data) * 3 // 4])
    assert event_ids(scan) == [hit["eventID"]]
    assert [s.reason for s in scan.skipped] == ["truncated gzip stream"]


def test_a_cut_gzip_document_keeps_its_complete_records_and_is_reported() -> None:
    """A delivered file cut short: the records read whole before the cut are kept (salvage per record);
    the one cut in half is not. Still reported: never taken as complete."""
    hit, cut_off = root(), root()
    data = gz(delivered([hit] + [record() for _ in range(40)] + [cut_off]))
    scan = scan_bytes("cut.json.gz", data[:-40])
    assert event_ids(scan) == [hit["eventID"]]
    assert [s.reason for s in scan.skipped] == ["truncated gzip stream"]


def test_a_corrupt_member_ends_the_salvage_at_the_member_before_it() -> None:
    first, second = root(), root()
    good = gz(json_lines([first]))
    bad = bytearray(gz(json_lines([record() for _ in range(50)] + [second])))
    bad[len(bad) // 2] ^= 0xFF
    scan = scan_bytes("multi.jsonl.gz", good + bytes(bad))
    assert first["eventID"] in event_ids(scan)
    assert len(scan.skipped) == 1
