"""Reading one input on the fast path: decompress, pre-filter, and parse only what may hold root.

Delivered log files that fail the pre-filter are not parsed (their records are not counted); other
shapes are rare exports and are parsed in full, so an unknown shape is always reported. Inputs
that may decompress to more than ``LARGE`` bytes are streamed in ``CHUNK`` pieces with a small
overlap; on a hit they are parsed (JSON lines line by line, anything else whole).
"""

from __future__ import annotations

import io
import itertools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from rootguard.trail import decompress
from rootguard.trail.containers import parse_document, parse_lines
from rootguard.trail.decompress import DECOMPRESS_ERRORS, MAGIC, error_reason, gunzip, is_gzip, is_large, open_gunzip
from rootguard.trail.outcome import FileResult
from rootguard.trail.prefilter import EDGE, OVERLAP, delivered_form, looks_complete, may_hold_root
from rootguard.trail.salvage import salvage_lines

CHUNK = 256 * 1024
Opener = Callable[[], IO[bytes]]


def read_file(path: str, size: int) -> FileResult:
    """Read one file; ``size`` (from the directory walk) decides whether to stream it."""
    result = FileResult()
    try:
        with open(path, "rb", buffering=0) as file:  # noqa: PTH123 - a Path costs ~7 µs a file here
            if size < 0:
                size = os.fstat(file.fileno()).st_size
            if is_large(size):
                gzipped = file.read(2) == MAGIC
                if gzipped or size > decompress.LARGE:
                    _stream(_file_opener(path, gzipped=gzipped), result, lambda: Path(path).read_bytes())
                    return result
                file.seek(0)
            data = file.readall()
    except OSError as error:
        result.problem(error_reason(error))
        return result
    read_data(data, result)
    return result


def read_data(data: bytes, result: FileResult) -> None:
    """One input held in memory (a small file, or an S3 object), gzip or not."""
    if is_gzip(data):
        if is_large(len(data), data[-4:]):
            _stream(lambda: open_gunzip(io.BytesIO(data)), result, lambda: data)
            return
        try:
            data = gunzip(data)
        except DECOMPRESS_ERRORS as error:
            result.problem(error_reason(error))
            salvage_lines(data, result)
            return
    if may_hold_root(data) or not delivered_form(data[:EDGE], data[-EDGE:]):
        parse_document(data, result)


def _file_opener(path: str, *, gzipped: bool) -> Opener:
    def opener() -> IO[bytes]:
        return open_gunzip(path) if gzipped else Path(path).open("rb")

    return opener


def _stream(opener: Opener, result: FileResult, raw: Callable[[], bytes]) -> None:
    """``raw``: the input's bytes as stored, read again only to salvage a damaged gzip stream."""
    try:
        with opener() as stream:
            hit, head, tail = _sweep(stream)
    except DECOMPRESS_ERRORS as error:
        result.problem(error_reason(error))
        _salvage(raw, result)
        return
    if hit or not looks_complete(head, tail):
        _parse_stream(opener, result, raw)


def _salvage(raw: Callable[[], bytes], result: FileResult) -> None:
    try:
        salvage_lines(raw(), result)
    except OSError as error:
        result.problem(error_reason(error))


def _sweep(stream: IO[bytes]) -> tuple[bool, bytes, bytes]:
    """Pre-filter a stream chunk by chunk; stops at the first hit. Returns (hit, head, tail)."""
    head = tail = b""
    while chunk := stream.read(CHUNK):
        if len(head) < EDGE:
            head += chunk[: EDGE - len(head)]
        if may_hold_root(tail[-OVERLAP:] + chunk):
            return True, head, b""
        tail = chunk[-EDGE:] if len(chunk) >= EDGE else (tail + chunk)[-EDGE:]
    return False, head, tail


def _parse_stream(opener: Opener, result: FileResult, raw: Callable[[], bytes]) -> None:
    """Parse a streamed input: JSON lines one line at a time, anything else whole.

    A gzip stream found damaged part-way is reported and salvaged as when it is read whole
    (``trail.salvage``): what was parsed before the error is dropped, since where a streaming read
    stops depends on buffer sizes, and the same file must give the same answer however it is read.
    """
    records, hits = result.records, len(result.hits)
    try:
        with opener() as stream:
            lines = _numbered(io.TextIOWrapper(stream, encoding="utf-8-sig"))
            first = next(lines, None)
            if first is None:
                result.problem("empty file")
                return
            second = next(lines, None)
            if second is None or not _parses(first[1]):
                whole = True
            else:
                whole = False
                parse_lines(itertools.chain((first, second), lines), result)
        if whole:
            with opener() as stream:
                data = stream.read()
            parse_document(data, result)
    except DECOMPRESS_ERRORS as error:
        result.records = records
        del result.hits[hits:]
        result.problem(error_reason(error))
        _salvage(raw, result)
    except UnicodeDecodeError:
        result.problem("not JSON: invalid UTF-8 text")


def _numbered(text: IO[str]) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their line numbers."""
    return ((number, line) for number, line in enumerate(text, start=1) if line.strip())


def _parses(line: str) -> bool:
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return False
    return isinstance(value, dict | list)
