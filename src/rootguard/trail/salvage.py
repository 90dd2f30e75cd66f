"""What a damaged gzip input still holds: every complete record before the damage.

A cut or corrupt gzip file is always reported as skipped. Its members are decompressed one after
another up to the first damage (``readable``: the members before it whole, the damaged one up to
where it breaks), and every complete record in that readable part is read: whole values (a gzip
member usually holds one document, with or without a newline after it), and of the value that breaks
off, the records read whole before the break (the elements of its ``Records``, ``Events`` or
``logEvents`` array, or of a top-level array). JSON lines are also read line by line, as before, so a
bad line in the middle does not end them; the reading that finds more records is kept. A root record
in a half-copied file is not lost, and nothing after the damage is trusted.

Every reader (small files, streamed files, the reference path) salvages through this one module:
where reading stops must not depend on buffer sizes or on which gzip library is installed.

The readable part is decompressed and read piece by piece (``trail.stream``): however much it
inflates to, no more than a record's worth of it is held, and records over the cap are skipped.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from typing import IO

from rootguard.trail import stream
from rootguard.trail.decompress import MAGIC
from rootguard.trail.outcome import FileResult

PIECE = 64 * 1024
"""Compressed bytes fed at a time."""
OUTPUT = 1024 * 1024
"""Decompressed bytes taken at a time: corrupt data loses at most this much output before it."""


def readable(read: Callable[[int], bytes]) -> Iterator[bytes]:
    """What the members of a gzip input decompress to before the first damage, piece by piece
    (stdlib zlib). ``read(n)`` gives the next ``n`` compressed bytes (fewer at the end)."""
    pending = read(PIECE)
    while True:
        if len(pending) < 2:
            pending += read(PIECE)
        if pending[:2] != MAGIC:
            return
        inflater = zlib.decompressobj(31)
        while not inflater.eof:
            if not pending:
                pending = read(PIECE)
                if not pending:
                    return  # cut inside the member
            try:
                out = inflater.decompress(pending, OUTPUT)
            except zlib.error:
                return
            pending = inflater.unconsumed_tail  # (stale once at the end: then unused_data holds the rest)
            if out:
                yield out
        pending = inflater.unused_data


def readable_prefix(data: bytes) -> bytes:
    """Everything the members of a gzip input decompress to before the first damage (held whole:
    for tests and small inputs only)."""
    return b"".join(readable(io.BytesIO(data).read))


def salvage_lines(source: bytes | IO[bytes], result: FileResult) -> None:
    """Read the complete records a damaged gzip input holds before the damage (see the module doc).

    ``source``: the input as stored, in memory or as an open binary file (read from its start; a file
    must be seekable, as it is read twice).
    """
    if isinstance(source, bytes):
        data = source

        def opened() -> Callable[[int], bytes]:
            return io.BytesIO(data).read
    else:
        start = source.tell()

        def opened() -> Callable[[int], bytes]:
            source.seek(start)
            return source.read

    values = FileResult()
    stream.read_salvaged_records(readable(opened()), values)
    lines = FileResult()
    stream.read_salvaged_lines(readable(opened()), lines)
    result.absorb(values if values.records > lines.records else lines)
