"""The fast path finds exactly what the plain reference finds, on generated adversarial corpora.

Files mix every container, record kinds (root, AssumeRoot, decoys, ordinary) and spellings:
random whitespace and indentation, shuffled keys, ``\\u`` escapes of any character (keys too,
and twice over inside LookupEvents/CloudWatch strings), gzip with one or two members, plain
text; some files are damaged. Run in memory and streamed in tiny chunks.
"""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trail_records import assume_root, decoys, eventbridge, record, root
from trail_spelling import Speller

from rootguard.model.activity import TrailScan
from rootguard.trail import decompress, reader, reference_scan, scan_bytes, scan_paths

KINDS = ("root", "assume-root", "ordinary", "typeless", *(f"decoy-{n}" for n in range(len(decoys()))))
CONTAINERS = ("delivered", "bare", "array", "lines", "eventbridge-array", "eventbridge-lines", "lookup", "cwl")


def make_record(kind: str, ident: str) -> dict[str, Any]:
    if kind == "root":
        made = root()
    elif kind == "assume-root":
        made = assume_root()
    elif kind == "typeless":
        made = record(None)
    elif kind.startswith("decoy-"):
        made = decoys()[int(kind[6:])]
    else:
        made = record()
    return made | {"eventID": ident}


@st.composite
def files(draw: st.DrawFn, index: int) -> tuple[str, bytes, set[str]]:
    """(name, bytes, eventIDs that must be found) for one generated file."""
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=5))
    records = [make_record(kind, f"f{index}-r{n}") for n, kind in enumerate(kinds)]
    container = draw(st.sampled_from(CONTAINERS))
    seed = draw(st.integers(0, 2**32 - 1))
    escapes = st.tuples(st.sampled_from([0.0, 0.02, 0.3, 1.0]), st.sampled_from([None, None, "R", "Rot", "\\", "\\u"]))
    text = render(container, records, seed, draw(escapes), draw(escapes)).encode()
    packing = draw(st.sampled_from(["plain", "gzip", "two-members"]))
    data = pack(text, packing, draw(st.integers(0, len(text))))
    damage = draw(st.sampled_from([None, None, None, None, "cut", "garbage"]))
    wanted = {r["eventID"] for r, k in zip(records, kinds, strict=True) if k in ("root", "assume-root")}
    if damage is not None:
        data = hurt(data, text, packing, damage, draw(st.integers(1, 400)))
        wanted = set()  # what survives damage is whatever the reference also finds
    suffix = ".json.gz" if packing != "plain" else ".json"
    return f"f{index:02d}{suffix}", data, wanted


Escapes = tuple[float, str | None]


def render(container: str, records: list[dict[str, Any]], seed: int, outer: Escapes, inner: Escapes) -> str:
    """``outer`` escapes apply to the document, ``inner`` ones to records carried inside strings."""
    speller = Speller(seed, outer[0], chars=outer[1], one_line=container.endswith("lines"))
    if container == "delivered":
        return speller.dumps({"Records": records})
    if container == "bare" and len(records) == 1:
        return speller.dumps(records[0])
    if container in ("array", "bare"):
        return speller.dumps(records)
    if container == "lines":
        return "\n".join(speller.dumps(r) for r in records) + "\n"
    if container == "eventbridge-array":
        return speller.dumps([eventbridge(r) for r in records])
    if container == "eventbridge-lines":
        return "\n\n".join(speller.dumps(eventbridge(r)) for r in records)
    carried = Speller(seed + 1, inner[0], chars=inner[1])  # a record as a string, escaped again by `speller`
    if container == "lookup":
        events = [{"EventId": r["eventID"], "CloudTrailEvent": carried.dumps(r)} for r in records]
        return speller.dumps({"Events": events})
    messages = [{"id": "1", "message": carried.dumps(r)} for r in records]
    return speller.dumps({"messageType": "DATA_MESSAGE", "logEvents": messages})


def pack(text: bytes, packing: str, split: int) -> bytes:
    if packing == "plain":
        return text
    if packing == "gzip":
        return gzip.compress(text, mtime=0)
    return gzip.compress(text[:split], mtime=0) + gzip.compress(text[split:], mtime=0)


def hurt(data: bytes, text: bytes, packing: str, damage: str, amount: int) -> bytes:
    if damage == "garbage":
        return b"\x00garbage\xff" + data[:amount]
    if packing != "plain":
        return data[: max(2, len(data) - 1 - amount % 16)]  # a cut inside the last member's trailer or data
    return text[: max(0, len(text) - amount)].rstrip(b" \t\r\n]}")  # never ends like a whole document


def category(reason: str) -> str:
    """The kind of problem, without details that legitimately differ between readers (isal vs zlib …)."""
    return reason.split(" (", maxsplit=1)[0].split(":", maxsplit=1)[0]


def same(fast: TrailScan, reference: TrailScan) -> None:
    assert fast.files == reference.files
    assert fast.root_records == reference.root_records
    assert [(s.path, category(s.reason)) for s in fast.skipped] == [
        (s.path, category(s.reason)) for s in reference.skipped
    ]


@contextmanager
def streaming(on: bool) -> Iterator[None]:
    """Make every gzip input "large" and chunks 64 bytes, so the streaming reader does the work."""
    saved = decompress.LARGE, reader.CHUNK
    if on:
        decompress.LARGE, reader.CHUNK = 1, 64
    try:
        yield
    finally:
        decompress.LARGE, reader.CHUNK = saved


@settings(max_examples=150, deadline=None)
@given(corpus=st.integers(1, 6).flatmap(lambda n: st.tuples(*(files(i) for i in range(n)))), stream=st.booleans())
def test_fast_path_equals_reference(corpus: tuple[tuple[str, bytes, set[str]], ...], stream: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root_folder = Path(folder)
        for name, data, _ in corpus:
            (root_folder / name).write_bytes(data)
        reference = reference_scan([root_folder])
        with streaming(stream):
            fast = scan_paths([root_folder])
            blobs = [scan_bytes(str(root_folder / name), data) for name, data, _ in corpus]
    same(fast, reference)
    for blob, (name, _, _) in zip(blobs, corpus, strict=True):
        alone = [r for r in reference.root_records if r.source == str(root_folder / name)]
        assert list(blob.root_records) == alone
    found = {r.record["eventID"] for r in fast.root_records}
    assert set().union(*(wanted for _, _, wanted in corpus)) <= found


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("container", ["lookup", "cwl"])
def test_doubly_escaped_root_inside_a_string_is_found(container: str, stream: bool) -> None:
    """``\\u005cu0052oot``: an escaped backslash before an escaped R, one string inside another."""
    hit = root() | {"eventID": "deep"}
    text = render(container, [hit], 7, outer=(1.0, "\\"), inner=(1.0, "R")).encode()
    assert b"Root" not in text and b"\\u005cu0052oot" in text.lower()
    assert not any(escape in text.lower() for escape in (b"\\u0052", b"\\u006f", b"\\u0074"))
    with streaming(stream):
        scan = scan_bytes("deep.json.gz", gzip.compress(text))
    assert [r.record for r in scan.root_records] == [hit]
