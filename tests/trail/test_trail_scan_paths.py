"""Trees of files: what is read, what is skipped and reported, date pruning, worker independence."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from trail_records import delivered, digest, event_ids, gz, insight, json_lines, lookup, record, root

from rootguard.model.activity import TrailScan
from rootguard.trail import reader, reference_scan, scan, scan_paths

FIXTURES = Path(__file__).parents[1] / "fixtures" / "cloudtrail"
ORG_TRAIL = "AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail"


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_public_fixtures_give_the_documented_root_records() -> None:
    found = scan_paths([FIXTURES / "real", FIXTURES / "docs"])
    names = sorted({Path(r.source).name for r in found.root_records})
    assert names == [
        "awsdocs-aws-cloudtrail-user-guide__cloudtrail-event-reference-aws-console-sign-in-events__L286__Root__ConsoleLogin.json",
        "cloud-custodian__event-appmesh-create-virtualnode.json",
        "cloud-custodian__event-cloud-trail-create-bucket.json",
        "cloud-custodian__event-cloud-trail-run-instances.json",
    ]
    assert (found.files, len(found.root_records), found.skipped) == (9, 4, ())
    assert _same_hits(found, reference_scan([FIXTURES / "real", FIXTURES / "docs"]))


def _same_hits(fast: TrailScan, reference: TrailScan) -> bool:
    return (fast.files, fast.root_records, fast.skipped) == (reference.files, reference.root_records, reference.skipped)


def test_digest_files_are_read_for_time_and_insight_files_are_skipped_silently(tmp_path: Path) -> None:
    """Digests hold no records but say which hours were quiet (coverage): they are read, by folder, name
    or content. Insight files are not CloudTrail records of anyone's actions: skipped, not reported."""
    hit = root()
    write(
        tmp_path / ORG_TRAIL / "us-east-1/2026/11/02/a_CloudTrail_us-east-1_20261102T0915Z_x.json.gz",
        gz(delivered([hit])),
    )
    write(tmp_path / "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/02/d.json.gz", gz(digest()))
    write(
        tmp_path / "AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2026/11/02/i.json.gz", gz(delivered([insight()]))
    )
    write(tmp_path / "flat/123456789012_CloudTrail-Digest_us-east-1_t_20261102T0900Z.json.gz", gz(digest()))
    write(tmp_path / "flat/digest-by-content.json", digest())
    write(tmp_path / "flat/insights.json", delivered([insight()]))

    found = scan_paths([tmp_path])

    assert (event_ids(found), found.skipped, found.files) == ([hit["eventID"]], (), 5)
    assert len(found.reads.digests) == 3
    assert {d.start for d in found.reads.digests} == {datetime(2026, 11, 2, 8, tzinfo=UTC)}
    assert [(log.region, log.delivered) for log in found.reads.logs] == [
        ("us-east-1", datetime(2026, 11, 2, 9, 15, tzinfo=UTC))
    ]


def test_bad_files_are_reported_and_the_good_ones_still_read(tmp_path: Path) -> None:
    hits = [root(), root(), root()]
    good = [
        write(tmp_path / "a/good.json.gz", gz(delivered([record(), hits[0]]))),
        write(tmp_path / "b/lookup.json", lookup([hits[1]])),
        write(tmp_path / "z/events.jsonl", json_lines([hits[2]])),
    ]
    full = gz(delivered([record(), root()]))
    bad = {
        "a/corrupt.json.gz": (full[:20] + b"\xff" * 30 + full[50:], "corrupt gzip stream ("),
        "a/truncated.json.gz": (full[:-20], "truncated gzip stream"),
        "b/truncated.json": (delivered([record(), root()])[:-40], "truncated JSON ("),
        "b/garbage.json": (b"\x00\x01garbage", "not JSON ("),
        "b/shape.json": (json.dumps({"Items": [record()]}).encode(), "no CloudTrail records"),
    }
    for name, (data, _) in bad.items():
        write(tmp_path / name, data)
    missing = tmp_path / "not-there"

    found = scan_paths([tmp_path, missing])

    assert event_ids(found) == [h["eventID"] for h in hits]
    assert [r.source for r in found.root_records] == [str(p) for p in good]
    reasons = {s.path: s.reason for s in found.skipped}
    assert reasons.pop(str(missing)) == "no such file or directory"
    assert sorted(reasons) == sorted(str(tmp_path / name) for name in bad)
    for name, (_, reason) in bad.items():
        assert reasons[str(tmp_path / name)].startswith(reason), name
    assert found.files == len(good) + len(bad)


def test_an_unreadable_file_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = write(tmp_path / "locked.json", delivered([root()]))
    write(tmp_path / "open.json", delivered([root()]))

    def guarded_open(path: str, *args: Any, **kwargs: Any) -> Any:
        if path == str(locked):
            raise PermissionError(13, "Permission denied")
        return open(path, *args, **kwargs)  # noqa: PTH123

    os_open = os.open

    def guarded_os_open(path: str, *args: Any, **kwargs: Any) -> int:
        if path == str(locked):
            raise PermissionError(13, "Permission denied")
        return os_open(path, *args, **kwargs)

    monkeypatch.setattr(reader, "open", guarded_open, raising=False)  # tests run as root: chmod would not do
    monkeypatch.setattr(reader.os, "open", guarded_os_open)  # the reader's fast path opens with os.open
    found = scan_paths([tmp_path])
    assert [(s.path, s.reason) for s in found.skipped] == [(str(locked), "cannot read: Permission denied")]
    assert len(found.root_records) == 1


def test_hidden_files_in_trees_are_ignored_but_named_files_are_read(tmp_path: Path) -> None:
    hidden = write(tmp_path / ".DS_Store", b"\x00\x00\x00\x01Bud1")
    assert scan_paths([tmp_path]) == TrailScan(files=0, records=0, root_records=())
    assert scan_paths([hidden]).skipped[0].reason.startswith("not JSON")


def test_files_dated_clearly_outside_the_period_are_not_read(tmp_path: Path) -> None:
    by_day = {}
    for day in range(1, 6):
        hit = root()
        folder = tmp_path / ORG_TRAIL / f"us-east-1/2026/11/{day:02d}"
        write(folder / f"123456789012_CloudTrail_us-east-1_202611{day:02d}T0005Z_r.json.gz", gz(delivered([hit])))
        by_day[day] = hit["eventID"]
    late_name = root()
    write(tmp_path / "exports/123456789012_CloudTrail_us-east-1_20261110T0000Z_r.json.gz", gz(delivered([late_name])))
    folder_only = root()
    write(tmp_path / ORG_TRAIL / "eu-west-1/2026/11/05/renamed.json", delivered([folder_only]))
    undated = root()
    write(tmp_path / "exports/undated.json", delivered([undated]))
    since, until = datetime(2026, 11, 3, 6, tzinfo=UTC), datetime(2026, 11, 3, 18, tzinfo=UTC)

    found = scan_paths([tmp_path], since=since, until=until)

    assert sorted(event_ids(found)) == sorted([by_day[3], by_day[4], undated["eventID"]])
    everything = scan_paths([tmp_path])
    assert len(everything.root_records) == 8


def test_an_open_period_and_naive_times(tmp_path: Path) -> None:
    old, new = root(), root()
    write(tmp_path / "a_CloudTrail_r_20200101T0000Z_x.json", delivered([old]))
    write(tmp_path / "a_CloudTrail_r_20261101T0000Z_x.json", delivered([new]))
    assert event_ids(scan_paths([tmp_path], since=datetime(2026, 1, 1))) == [new["eventID"]]
    assert event_ids(scan_paths([tmp_path], until=datetime(2021, 1, 1, tzinfo=UTC))) == [old["eventID"]]


def corpus(tmp_path: Path, files: int = 40) -> Path:
    for n in range(files):
        records = [record() for _ in range(n % 7)] + ([root()] if n % 5 == 0 else [])
        data = delivered(records)
        write(tmp_path / f"d{n % 3}/f{n:03d}.json{'.gz' if n % 2 else ''}", gz(data) if n % 2 else data)
    write(tmp_path / "d0/broken.json.gz", gz(delivered([root()]))[:-9])
    return tmp_path


def test_results_do_not_depend_on_the_number_of_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus(tmp_path)
    monkeypatch.setattr(scan, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(scan, "CHUNK_MIN", 3)
    progress: list[tuple[int, int]] = []

    pools: list[int] = []
    real_run = scan._run
    monkeypatch.setattr(scan, "_run", lambda chunks, n: pools.append(n) or real_run(chunks, n))

    one = scan_paths([tmp_path], workers=1)
    two = scan_paths([tmp_path], workers=2, progress=lambda done, total: progress.append((done, total)))

    assert pools == [1, 2]
    assert one == two
    assert len(one.root_records) == 9 and len(one.skipped) == 1  # the cut file's whole record is kept
    assert len(progress) == 14 and progress[-1] == (41, 41)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)


def test_progress_in_process_reports_every_file(tmp_path: Path) -> None:
    corpus(tmp_path, files=5)
    calls: list[tuple[int, int]] = []
    scan_paths([tmp_path], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(n, 6) for n in range(1, 7)]


def test_a_symlink_loop_is_walked_once(tmp_path: Path) -> None:
    hit = root()
    write(tmp_path / "logs/a.json", delivered([hit]))
    (tmp_path / "logs/loop").symlink_to(tmp_path / "logs")
    assert event_ids(scan_paths([tmp_path])) == [hit["eventID"]]


def test_files_longer_than_the_first_read_are_read_whole(tmp_path: Path) -> None:
    """The reader's first read is ``reader.PROBE`` bytes; a longer file (plain, or gzip that does not
    compress) is read on to its end, and a root record at the very end is found."""
    hit = root()
    document = delivered([record() for _ in range(600)] + [hit])
    assert len(document) > reader.PROBE
    noise = os.urandom(reader.PROBE + 20000).hex()  # hex digits: no "Root", and about 2:1 in gzip
    padded = delivered([record(requestParameters={"blob": noise}), hit])
    assert len(gz(padded)) > reader.PROBE
    files = [("plain.json", document), ("doc.json.gz", gz(document)), ("padded.json.gz", gz(padded))]
    for name, data in files:
        path = write(tmp_path / name, data)
        found = scan_paths([path])
        assert event_ids(found) == [hit["eventID"]], name
        assert found.skipped == ()


def test_meanwhile_runs_once_while_the_scan_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(scan, "CHUNK_MIN", 2)
    for n in range(9):
        write(tmp_path / f"f{n}.json", delivered([record(), root()] if n == 4 else [record()]))
    calls: list[int] = []
    for workers in (1, 2):
        found = scan_paths([tmp_path], workers=workers, meanwhile=lambda: calls.append(1))
        assert len(found.root_records) == 1
    assert calls == [1, 1]
    assert len(scan_paths([tmp_path / "nothing-here"], meanwhile=lambda: calls.append(1)).skipped) == 1
    assert calls == [1, 1]  # nothing was read: nothing to overlap
