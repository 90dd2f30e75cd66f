"""What a damaged gzip input still holds: the complete JSON lines before the damage.

A cut or corrupt gzip file is always reported as skipped. When it holds JSON lines, the complete
lines before the damage are read as well, so a root record in a half-copied export is not lost.
Every reader (small files, streamed files, the reference path) salvages through this one function:
where reading stops must not depend on buffer sizes or on which gzip library is installed.
"""

from __future__ import annotations

import json
import zlib

from rootguard.trail.containers import parse_lines
from rootguard.trail.decompress import MAGIC
from rootguard.trail.outcome import FileResult

PIECE = 64 * 1024
"""Compressed bytes fed at a time: corrupt data loses at most this piece's output."""


def readable_prefix(data: bytes) -> bytes:
    """Everything the members of a gzip input decompress to before the first damage (stdlib zlib)."""
    out = bytearray()
    rest = data
    while rest[:2] == MAGIC:
        inflater = zlib.decompressobj(31)
        taken = 0
        try:
            while taken < len(rest) and not inflater.eof:
                out += inflater.decompress(rest[taken : taken + PIECE])
                taken += PIECE
        except zlib.error:
            break
        if not inflater.eof:
            break
        rest = inflater.unused_data + rest[taken:]
    return bytes(out)


def salvage_lines(data: bytes, result: FileResult) -> None:
    """Read the complete JSON lines a damaged gzip input holds before the damage (nothing else)."""
    prefix = readable_prefix(data)
    complete = prefix[: prefix.rfind(b"\n") + 1]
    try:
        text = complete.decode("utf-8-sig")
    except UnicodeDecodeError:
        return
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines or not _is_json_value(lines[0][1]):
        return  # a whole document cut short has no complete records to offer
    parse_lines(lines, result)


def _is_json_value(line: str) -> bool:
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return False
    return isinstance(value, dict | list)
