"""The piece-by-piece reader (``trail.stream``): the same answers as the whole-text reader, and
records over the cap skipped and reported without the rest of the file being lost.

The property tests read generated documents (every container, spelling and kind of record of
``test_trail_equivalence``, plus non-ASCII text, byte order marks and every kind of damage) in
random small pieces and compare everything with ``containers.parse_document``: records, root
records and their order, and each problem's exact text (json's message, line and column).
"""

from __future__ import annotations

import codecs
import gzip
import json
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_trail_equivalence import CONTAINERS, KINDS, make_record, render
from trail_records import delivered, event_ids, eventbridge, gz, json_lines, log_events, lookup, record, root

from rootguard.trail import decompress, reader, scan_bytes, scan_paths, stream
from rootguard.trail.containers import parse_document
from rootguard.trail.outcome import FileResult
from rootguard.trail.salvage import readable_prefix, salvage_lines

try:
    from isal import isal_zlib  # ~40x faster than zlib at writing the large test files
except ImportError:  # pragma: no cover - isal is a dependency; zlib is the fallback
    isal_zlib = None

NO_CAP = 1 << 40


def pieces(data: bytes, sizes: list[int]) -> stream.Chunks:
    """``data`` in pieces of the given sizes (cycled), opened afresh each time."""

    def chunks() -> Iterator[bytes]:
        start, turn = 0, 0
        while start < len(data):
            size = sizes[turn % len(sizes)]
            yield data[start : start + size]
            start += size
            turn += 1

    return chunks


def whole(data: bytes) -> FileResult:
    result = FileResult()
    parse_document(data, result)
    return result


def streamed(data: bytes, sizes: list[int] | None = None, cap: int = NO_CAP) -> FileResult:
    result = FileResult()
    stream.read_document(pieces(data, sizes or [7, 1, 64, 3, 1000]), result, cap=cap)
    return result


# What the whole-text reader says, the piece-by-piece reader says too


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=0, max_size=4))
    records = [make_record(kind, f"r{n}") for n, kind in enumerate(kinds)]
    container = draw(st.sampled_from(CONTAINERS))
    seed = draw(st.integers(0, 2**32 - 1))
    if draw(st.booleans()):
        escapes = st.tuples(st.sampled_from([0.0, 0.3]), st.sampled_from([None, "R", "\\"]))
        text = render(container, records, seed, draw(escapes), draw(escapes))
    else:  # non-ASCII as itself, and any indentation
        for item in records:
            item["userAgent"] = draw(st.text(max_size=8))
        indent = draw(st.sampled_from([None, 0, 2]))
        text = _plain(container, records, indent)
    data = text.encode()
    if draw(st.booleans()):
        data = codecs.BOM_UTF8 + data
    return draw(damaged(data))


def _plain(container: str, records: list[dict[str, Any]], indent: int | None) -> str:
    def dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, indent=indent)

    if container.endswith("lines"):
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"
    if container == "delivered":
        return dumps({"Records": records})
    if container == "lookup":
        return dumps({"Events": [{"CloudTrailEvent": json.dumps(r, ensure_ascii=False)} for r in records]})
    if container == "cwl":
        messages = [{"message": json.dumps(r, ensure_ascii=False)} for r in records]
        return dumps({"messageType": "DATA_MESSAGE", "logEvents": messages})
    return dumps(records[0] if len(records) == 1 else records)


NOISE = [
    "",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    '"',
    "\\",
    " ",
    "\n",
    "\x0c",
    "x",
    "1",
    "-",
    "tru",
    "\\u00",
    "\u00e9",
    "\ufeff",
]


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    damage = draw(st.sampled_from([None, None, "cut", "replace", "insert", "extra", "pretty-extra", "bad-utf8"]))
    at = draw(st.integers(0, len(data)))
    if damage == "cut":
        return data[:at]
    if damage in ("replace", "insert"):
        noise = draw(st.sampled_from(NOISE)).encode()
        return data[:at] + noise + data[at + (damage == "replace") :]
    if damage == "extra":
        return data + draw(
            st.sampled_from([b"\n{}", b" 1", b"\n\n\x0c\n", b"\n[1, {}]\n", b"\n" + delivered([root()])])
        )
    if damage == "pretty-extra":
        return json.dumps({"Records": [root()]}, indent=2).encode() + b"\n" + data
    if damage == "bad-utf8":
        return data[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80"])) + data[at:]
    return data


@settings(max_examples=400, deadline=None)
@given(data=documents(), sizes=st.lists(st.integers(1, 300), min_size=1, max_size=5))
def test_read_in_pieces_equals_read_whole(data: bytes, sizes: list[int]) -> None:
    assert streamed(data, sizes) == whole(data)


@st.composite
def with_large_records(draw: st.DrawFn) -> bytes:
    """Documents of every container whose records are sometimes large (strings of quotes,
    backslashes, brackets, non-ASCII), sometimes cut short."""
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=6))
    records = [make_record(kind, f"r{n}") for n, kind in enumerate(kinds)]
    for item in records:
        if draw(st.integers(0, 3)) == 0:
            item["requestParameters"] = {"blob": draw(st.sampled_from(["A", NASTY, "é"])) * draw(st.integers(0, 2000))}
    container = draw(st.sampled_from(CONTAINERS))
    if draw(st.booleans()):
        text = render(container, records, draw(st.integers(0, 2**32 - 1)), (0.3, None), (0.0, None))
    else:
        text = _plain(container, records, draw(st.sampled_from([None, 2])))
    data = text.encode()
    return data[: draw(st.integers(0, len(data)))] if draw(st.integers(0, 4)) == 0 else data


@settings(max_examples=300, deadline=None)
@given(
    data=with_large_records(),
    sizes=st.lists(st.integers(1, 300), min_size=1, max_size=4),
    other_sizes=st.lists(st.integers(1, 5000), min_size=1, max_size=3),
    cap=st.sampled_from([100, 600, 1500, 4000]),
)
def test_with_a_cap_the_answer_does_not_depend_on_the_pieces(
    data: bytes, sizes: list[int], other_sizes: list[int], cap: int
) -> None:
    """Where the pieces end never changes the answer; with nothing over the cap it is the whole
    reader's; with something over it, every root record found is one the whole reader finds."""
    capped = streamed(data, sizes, cap=cap)
    assert streamed(data, other_sizes, cap=cap) == capped
    full = whole(data)
    if not any("a record of" in p or "ends inside a value" in p for p in capped.problems):
        assert capped == full
    else:
        remaining = iter(event_ids_of(full))
        assert all(found in remaining for found in event_ids_of(capped))


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"  \n",
        b"\x0c \x0c",
        b"\xef\xbb\xbf",
        b"hello, world",
        b'{"Records": [{"eventName": "x"}',
        b'[\n  {"eventName": "x"},\n    {"eventName" "x"}]',
        b'{"foo": 1}',
        b"42",
        b'"Root"',
        b'{"Records": {"eventName": "x"}}',
        b'{"Records": [1, {"eventName": "Root"}]}',
        b"[1, 2]",
        b"[1, 2,]",
        b'{"a": 1,}',
        b"[]",
        b"{}",
        b'{"Events": [{"EventId": "x"}]}',
        b'{"Events": [{"CloudTrailEvent": "{oops"}]}',
        b"\xff\xfe{\x00}\x00",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": 1} {"b": 2}',
        b'{\n"eventVersion": "1"\n}\n{"eventVersion": "2"}',
        b'{"eventVersion": "1"}\n\x0c\n',
        b'{"eventVersion": "1"}\n\n   \n',
        b'  {"eventVersion": "1", "userIdentity": {"type": "Root"}}  \n\t{"eventVersion": "2"}\r\n',
        b'{"messageType": "CONTROL_MESSAGE", "logEvents": [{"message": "health"}]}',
        b'{"logEvents": [1, 2], "eventName": "x"}',
        b'{"detail-type": "x", "detail": {"eventName": "AssumeRoot", "eventSource": "sts.amazonaws.com"}}',
        b'{"Records": [], "Records": [{"userIdentity": {"type": "Root"}}]}',
        b'{"Records": [{"userIdentity": {"type": "Root"}}], "Records": 5}',
        b'["\\u0052oot", {"eventName": "x"}, 1.5e3, -0, null, true]',
        b'{"eventName": "x", "n": 12345678901234567890123}',
        b'{"eventName": "caf\xc3\xa9", "x": "\\ud83d\\ude00"}\n{"eventName" "\xc3\xa9"}\n',
    ],
)
def test_edge_documents_read_in_pieces_equal_read_whole(blob: bytes) -> None:
    for sizes in ([1], [2], [3, 5], [4096]):
        assert streamed(blob, sizes) == whole(blob), sizes


def test_every_split_of_a_document_gives_the_same_answer() -> None:
    text = delivered([record(), root(), record(requestParameters={"s": 'a "quoted" ]} {[ \\ "'})], indent=1)
    expected = whole(text)
    assert event_ids_of(expected) != []
    for size in range(1, 80):
        assert streamed(text, [size]) == expected, size


def event_ids_of(result: FileResult) -> list[str]:
    return [hit["eventID"] for _, hit in result.hits]


# Records over the cap

CAP = 2000


def big(size: int, *, fill: str = "A") -> dict[str, Any]:
    """A root record of at least ``size`` bytes."""
    return root(requestParameters={"blob": (fill * (size // len(fill) + 1))[:size]})


NASTY = '\\"]}{["\\\\\\" \\u0022 ]]]}}}'  # brackets and escaped quotes and backslashes: all inside a string


def located(text: bytes, value: dict[str, Any], **dumps: Any) -> tuple[int, int]:
    """Byte offset and size of ``value`` as json.dumps writes it inside ``text``."""
    encoded = json.dumps(value, **dumps).encode()
    return text.index(encoded), len(encoded)


def skipped_record(prefix: str, offset: int, size: int, cap: int = CAP) -> str:
    return prefix + stream.Oversized(offset, size, cap).describe()


@pytest.mark.parametrize("position", ["first", "middle", "last"])
@pytest.mark.parametrize("fill", ["A", NASTY, "é"])
def test_a_record_over_the_cap_in_records_is_skipped_and_the_others_read(position: str, fill: str) -> None:
    before, after, huge = root(), root(), big(5 * CAP, fill=fill)
    records = {"first": [huge, before, after], "middle": [before, huge, after], "last": [before, after, huge]}[position]
    text = json.dumps({"Records": records}, ensure_ascii=False).encode()
    offset, size = located(text, huge, ensure_ascii=False)
    for sizes in ([1000], [97], [CAP * 3]):
        result = streamed(text, sizes, cap=CAP)
        assert event_ids_of(result) == [before["eventID"], after["eventID"]]
        assert result.records == 2
        assert result.problems == [skipped_record(f"Records[{records.index(huge)}]: ", offset, size)]


@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_record_over_the_cap_in_json_lines_is_skipped_and_the_others_read(position: int) -> None:
    lines = [root(), root(), root()]
    huge = lines[position] = big(5 * CAP, fill=NASTY)
    text = json_lines(lines)
    offset, size = located(text, huge)
    wanted = [r["eventID"] for r in lines if r is not huge]
    for sizes in ([1000], [33], [CAP * 4]):
        result = streamed(text, sizes, cap=CAP)
        assert event_ids_of(result) == wanted
        assert result.problems == [skipped_record(f"line {position + 1}: ", offset, size)]


def test_other_containers_skip_only_the_record_over_the_cap() -> None:
    one, two, huge = root(), root(), big(5 * CAP)
    cases = {
        "array": (json.dumps([one, huge, two]).encode(), "item 1: "),
        "lookup": (lookup([one, huge, two]), "Events[1]: "),
        "cwl": (log_events([one, huge, two]), "logEvents[1]: "),
        "eventbridge-array": (json.dumps([eventbridge(one), eventbridge(huge), eventbridge(two)]).encode(), "item 1: "),
    }
    for name, (text, where) in cases.items():
        result = streamed(text, [500], cap=CAP)
        assert event_ids_of(result) == [one["eventID"], two["eventID"]], name
        [problem] = result.problems
        assert problem.startswith(f"{where}a record of "), name
    alone = streamed(json.dumps(huge).encode(), [500], cap=CAP)
    assert (alone.hits, [p[:13] for p in alone.problems]) == ([], ["a record of 1"])
    envelope = streamed(json.dumps(eventbridge(huge)).encode(), [500], cap=CAP)
    assert (envelope.hits, [p[:21] for p in envelope.problems]) == ([], ["detail: a record of 1"])


def test_large_members_around_records_are_ignored_as_the_whole_reader_does() -> None:
    hit = root()
    text = json.dumps({"junk": "x" * 5 * CAP, "Records": [hit], "more": ["y" * CAP] * 5}).encode()
    assert streamed(text, [300], cap=CAP) == whole(text)
    assert event_ids_of(streamed(text, [300], cap=CAP)) == [hit["eventID"]]
    long_key = json.dumps({"k" * 5 * CAP: 1, "Records": [hit]}).encode()
    assert event_ids_of(streamed(long_key, [300], cap=CAP)) == [hit["eventID"]]


def test_a_record_just_under_the_cap_is_read_and_one_just_over_is_not() -> None:
    for extra, read in ((0, True), (1, False)):
        hit = big(0)
        size = len(json.dumps(hit).encode())
        hit = big(CAP - size + extra)
        assert len(json.dumps(hit).encode()) == CAP + extra
        result = streamed(delivered([hit]), [100], cap=CAP)
        assert (event_ids_of(result) == [hit["eventID"]]) is read


def test_a_document_cut_inside_a_record_over_the_cap_is_truncated_json() -> None:
    text = delivered([root(), big(5 * CAP)])[: 4 * CAP]
    result = streamed(text, [300], cap=CAP)
    assert result.hits == []
    [problem] = result.problems
    assert problem.startswith("truncated JSON (it ends inside a value of more than ")
    assert whole(text).problems[0].startswith("truncated JSON (")


def test_invalid_json_inside_the_first_bytes_of_a_large_record_is_still_an_error() -> None:
    text = delivered([root(), big(5 * CAP)]).replace(b'"eventSource":', b'"eventSource"', 2)
    assert streamed(text, [300], cap=CAP) == whole(text)


def test_held_and_streamed_files_give_the_same_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A file with a record over the cap: read whole in memory, streamed from disk, from S3 bytes."""
    monkeypatch.setattr(stream, "MAX_RECORD", CAP)
    before, after, huge = root(), root(), big(50 * CAP)
    data = gz(delivered([before, huge, after]))
    held = scan_bytes("x.json.gz", data)
    monkeypatch.setattr(decompress, "LARGE", 1)
    monkeypatch.setattr(reader, "CHUNK", 500)
    assert scan_bytes("x.json.gz", data) == held
    assert event_ids(held) == [before["eventID"], after["eventID"]]
    [skipped] = held.skipped
    assert skipped.reason.startswith("Records[1]: a record of ")
    assert "Fix: " in skipped.reason


def test_a_gzip_bomb_that_lies_about_its_size_is_streamed_not_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """ISIZE is the size mod 4 GiB of the last member: a small last member hides a large first one."""
    monkeypatch.setattr(decompress, "LARGE", 50_000)
    hit = root()
    data = gz(delivered([hit]) + b" " * 200_000) + gz(b"\n")
    assert not decompress.is_large(len(data), data[-4:])
    assert decompress.gunzip_within(data, decompress.LARGE) is None
    assert decompress._stdlib_within(data, decompress.LARGE) is None
    assert decompress._stdlib_within(data, 10**6) == decompress.gunzip_within(data, 10**6) == gzip.decompress(data)
    assert event_ids(scan_bytes("bomb.json.gz", data)) == [hit["eventID"]]


# Damaged gzip after a record over the cap


@pytest.mark.parametrize("stream_it", [False, True])
def test_damaged_gzip_after_a_record_over_the_cap_keeps_the_complete_lines(
    stream_it: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream, "MAX_RECORD", CAP)
    if stream_it:
        monkeypatch.setattr(decompress, "LARGE", 1)
        monkeypatch.setattr(reader, "CHUNK", 700)
    first, huge, third = root(), big(30 * CAP), root()
    text = json_lines([first, huge, third] + [record() for _ in range(200)])
    data = gz(text)
    scan = scan_bytes("cut.jsonl.gz", data[: len(data) - 100])
    assert event_ids(scan) == [first["eventID"], third["eventID"]]
    [skipped] = scan.skipped
    assert skipped.reason.startswith("truncated gzip stream (and 1 more problem)")
    result = FileResult()
    salvage_lines(data[: len(data) - 100], result)
    assert result.problems[0].startswith("line 2: a record of ")


def test_salvage_of_a_document_with_a_huge_first_line_offers_nothing_unless_it_is_a_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stream, "MAX_RECORD", CAP)
    hit = root()
    not_a_value = b'{"Records": [' + b'"x", ' * CAP + b"\n" + json_lines([hit])
    result = FileResult()
    salvage_lines(gz(not_a_value)[:-30], result)
    assert result == FileResult()
    a_value = json.dumps(big(3 * CAP)).encode() + b"\n" + json_lines([hit, record()])
    result = FileResult()
    salvage_lines(gz(a_value)[:-30], result)
    assert event_ids_of(result) == [hit["eventID"]]


def test_salvage_reads_the_readable_part_piece_by_piece() -> None:
    data = gz(json_lines([record() for _ in range(3000)]))
    assert readable_prefix(data) == gzip.decompress(data)
    assert readable_prefix(data[:-20]) == gzip.decompress(data)[: len(readable_prefix(data[:-20]))]
    assert readable_prefix(data + data) == gzip.decompress(data) * 2


def test_a_million_problems_are_counted_not_kept() -> None:
    text = b'{"Records": [' + b"1, " * 1_000_000 + json.dumps(root()).encode() + b"]}"
    result = streamed(text, [65536])
    assert result == whole(text)
    assert (len(result.problems), result.more_problems, len(result.hits)) == (100, 999_900, 1)
    assert result.reason() == "Records[0] is not a JSON object (and 999999 more problems)"


# Invalid UTF-8 anywhere: nothing is read, as with the whole text


def test_invalid_utf8_after_records_drops_them_as_the_whole_reader_does() -> None:
    hit = root()
    text = json_lines([hit] * 50) + b"\xff\n"
    assert streamed(text, [64]) == whole(text)
    assert streamed(text, [64]).problems == ["not JSON: invalid UTF-8 at byte " + str(len(text) - 2)]


# The skipper alone: where a value ends, whatever it holds, fed in any pieces

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(alphabet='ab"\\]}[{ é\n/'),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(alphabet='k"\\}'), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=json_values, cut=st.lists(st.integers(1, 40), min_size=1, max_size=4), ascii_only=st.booleans())
def test_the_skipper_finds_where_any_value_ends(value: Any, cut: list[int], ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    after = text + (" ]" if text[0] in '"[{' else ",")
    skipper = stream._Skipper(after[0])
    start, turn, end = 0, 0, None
    while end is None and start < len(after):
        piece = after[start : start + cut[turn % len(cut)]]
        found = skipper.scan(piece, 0)
        end = None if found is None else start + found
        start += len(piece)
        turn += 1
    assert end == len(text)


def test_the_skipper_follows_runs_of_backslashes_across_pieces() -> None:
    for run in range(7):
        for size in range(1, 12):
            text = json.dumps("\\" * run + '"' + "\\" * run) + "]"
            skipper = stream._Skipper('"')
            ends = [skipper.scan(text[i : i + size], 0) for i in range(0, len(text), size)]
            found = next(i * size + e for i, e in enumerate(ends) if e is not None)
            assert found == len(text) - 1, (run, size)


# Memory: what is held while a large record goes by


def write_huge_gzip(path: Path, size: int, *, lines: bool = False) -> tuple[list[str], int]:
    """A .json.gz with root records around one root record holding a ``size``-byte string; written
    piece by piece (compressed 1 MiB at a time), never held. Returns the eventIDs of the others and
    the size of the large record in bytes."""
    compressor: Any = (isal_zlib or zlib).compressobj(1 if isal_zlib else 6, zlib.DEFLATED, 31)
    before, huge, after = root(), root(), root()
    head = json.dumps(huge)[:-1] + ', "additionalEventData": {"blob": "'
    separator, start, end = ("\n", "", "\n") if lines else (", ", '{"Records": [', "]}")
    block = b"A" * (1 << 20)
    with path.open("wb") as file:
        file.write(compressor.compress((start + json.dumps(record()) + separator).encode()))
        file.write(compressor.compress((json.dumps(before) + separator + head).encode()))
        for _ in range(size // len(block)):
            file.write(compressor.compress(block))
        file.write(compressor.compress(block[: size % len(block)]))
        file.write(compressor.compress(('"}}' + separator + json.dumps(after) + end).encode()))
        file.write(compressor.flush())
    return [before["eventID"], after["eventID"]], len(head) + size + len('"}}')


@pytest.mark.parametrize("lines", [False, True])
def test_a_large_record_is_skipped_with_little_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: bool
) -> None:
    """The fast variant of the slow test: a 20 MiB record with the cap at 64 KiB and 1 MiB held at
    most. Python's allocations (tracemalloc) peak at about 2.3 MB, most of it isal's read buffers;
    holding the record would take several times its size."""
    monkeypatch.setattr(stream, "MAX_RECORD", 64 * 1024)
    monkeypatch.setattr(decompress, "LARGE", 1024 * 1024)
    path = tmp_path / "huge.json.gz"
    wanted, size = write_huge_gzip(path, 20 * 1024 * 1024, lines=lines)
    tracemalloc.start()
    try:
        scan = scan_paths([path])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert event_ids(scan) == wanted
    [skipped] = scan.skipped
    assert skipped.reason.startswith(f"{'line 3' if lines else 'Records[2]'}: a record of {size:,} bytes at byte ")
    assert peak < 4 * 1024 * 1024, f"{peak:,} bytes allocated at the peak"


def test_a_json_lines_record_over_the_cap_that_never_ends_is_named_as_a_record() -> None:
    """Found by hypothesis: a JSON-lines file whose last record passes the cap and is cut off inside a
    string. The capped reader stops at the cap; its problem names the record, as the other cut records are."""
    line = b'{"eventID": "r0", "userIdentity": {"type": "Root"}, "eventTime": "2026-11-02T09:15:00Z"}\n'
    data = line + b'{"eventID": "r1", "requestParameters": {"blob": "' + b"x" * 900
    capped = streamed(data, [1], cap=600)
    assert streamed(data, [5000], cap=600) == capped
    assert any("a record of more than" in problem and "600-byte limit" in problem for problem in capped.problems)
    assert event_ids_of(capped) == ["r0"] == event_ids_of(whole(data))
