"""Gzip: python-isal when installed (about 2× faster), else the standard library.

Every member of a multi-member gzip file is read. ``zlib.decompress(data, 31)`` and a single
``decompressobj`` stop after the first member without an error, so a record in member 2 would be
missed silently; neither is used here.

Nothing here trusts a gzip file to say how large it is: ``gunzip_within`` stops as soon as the
output passes its limit, and larger inputs are read piece by piece (``open_gunzip``).
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable
from typing import IO, Any, cast

MAGIC = b"\x1f\x8b"
"""Gzip is recognised by these bytes, never by the file name."""

LARGE = 64 * 1024 * 1024
"""The most decompressed bytes held at once: an input that decompresses to more is streamed in pieces
(``trail.stream``) instead of being read whole. Normal CloudTrail log files are far smaller."""
RATIO = 15
"""CloudTrail JSON compresses about 8–12×; this bound errs towards streaming."""


_STDLIB_ERRORS: tuple[type[Exception], ...] = (EOFError, OSError, zlib.error)
Source = str | IO[bytes]
"""A file name (the reader owns and closes the file) or an open binary file (the caller closes it)."""


def _stdlib_open(source: Source) -> IO[bytes]:
    if isinstance(source, str):
        return cast("IO[bytes]", gzip.GzipFile(source, "rb"))
    return cast("IO[bytes]", gzip.GzipFile(fileobj=source, mode="rb"))


PIECE = 1024 * 1024
"""Decompressed bytes asked for at a time where a reader would otherwise allocate its whole limit."""

Within = Callable[[bytes, int], "bytes | None"]


def _read_within(stream: IO[bytes], limit: int) -> bytes | None:
    parts: list[bytes] = []
    total = 0
    with stream:
        while part := stream.read(PIECE):
            total += len(part)
            if total > limit:
                return None
            parts.append(part)
    return b"".join(parts)


def _stdlib_within(data: bytes, limit: int) -> bytes | None:
    return _read_within(_stdlib_open(io.BytesIO(data)), limit)


def _backend() -> tuple[
    str, Callable[[bytes], bytes], Callable[[Source], IO[bytes]], Within, tuple[type[Exception], ...]
]:
    try:
        from isal import igzip, igzip_lib  # noqa: PLC0415 - optional: the stdlib fallback gives the same results
    except ImportError:
        return "gzip", gzip.decompress, _stdlib_open, _stdlib_within, _STDLIB_ERRORS
    module: Any = igzip  # igzip.decompress is not annotated upstream
    isal_error: Any = igzip_lib.IsalError
    reader: Any = getattr(module, "_GzipReader", None)  # what igzip.decompress uses; private, so optional

    def isal_open(source: Source) -> IO[bytes]:
        if isinstance(source, str):
            return cast("IO[bytes]", module.IGzipFile(source, "rb"))
        return cast("IO[bytes]", module.IGzipFile(fileobj=source, mode="rb"))

    def isal_within(data: bytes, limit: int) -> bytes | None:
        if reader is None:
            return _read_within(isal_open(io.BytesIO(data)), limit)
        # read(n) grows its output as it goes (it does not allocate n up front); on CloudTrail
        # files it measured a little faster than igzip.decompress, which calls readall().
        stream = reader(data)
        parts: list[bytes] = []
        total = 0
        while part := stream.read(limit + 1 - total):
            total += len(part)
            if total > limit:
                return None
            parts.append(part)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    return "isal", module.decompress, isal_open, isal_within, (*_STDLIB_ERRORS, isal_error)


BACKEND, _decompress, _open, _within, DECOMPRESS_ERRORS = _backend()
"""``DECOMPRESS_ERRORS``: what the gzip readers raise on bad input; ``error_reason`` explains each."""


def is_gzip(data: bytes) -> bool:
    return data[:2] == MAGIC


def gunzip(data: bytes) -> bytes:
    """All members, with the fastest library available. Raises one of ``DECOMPRESS_ERRORS``."""
    return _decompress(data)


def gunzip_within(data: bytes, limit: int) -> bytes | None:
    """All members, or ``None`` as soon as the output passes ``limit`` bytes (then read it in pieces).

    Raises one of ``DECOMPRESS_ERRORS``. The output is never larger than ``limit``, whatever the
    input's ISIZE trailer says.
    """
    return _within(data, limit)


def gunzip_stdlib(data: bytes) -> bytes:
    """All members, with the standard library only (the reference path)."""
    return gzip.decompress(data)


def open_gunzip(source: Source) -> IO[bytes]:
    """A decompressing reader (all members), for inputs too large to hold whole."""
    return _open(source)


def error_reason(error: Exception) -> str:
    """A reason for a skipped input, from what reading or decompressing it raised."""
    if isinstance(error, EOFError):
        return "truncated gzip stream"
    if isinstance(error, OSError) and not isinstance(error, gzip.BadGzipFile):
        return f"cannot read: {error.strerror or error}"
    return f"corrupt gzip stream ({str(error) or type(error).__name__})"


def is_large(compressed_size: int, data_tail: bytes | None = None) -> bool:
    """Whether a gzip input should be streamed at once: its size or its ISIZE trailer suggests > ``LARGE``.

    A hint that saves a wasted attempt, never a guarantee: ISIZE is the size of the last member only,
    modulo 4 GiB, and anyone can write it. Inputs this says are small are still read with
    ``gunzip_within``, which stops at ``LARGE``.
    """
    if compressed_size * RATIO > LARGE:
        return True
    if data_tail is not None and len(data_tail) >= 4:
        return int.from_bytes(data_tail[-4:], "little") > LARGE
    return False
