"""A byte test that cannot miss a root record or an AssumeRoot call, so most files are never parsed.

A record is wanted when ``userIdentity.type`` decodes to ``Root`` or ``eventName`` to ``AssumeRoot``;
both contain ``Root``. In valid JSON a string's ASCII letters are written as is or escaped as
``\\u00XX``, and so is every character of an escape when the record travels inside another JSON
string (a LookupEvents ``CloudTrailEvent``, a CloudWatch Logs ``message``): at any depth, either
``Root`` appears literally or the bytes contain a backslash followed by ``u00``. A narrower test
(only the escapes of R, o and t) would miss ``\\u005cu0052oot``: an escaped backslash in front of
an escaped R, one string inside another. False positives (a role named Root, "Root" in a
parameter, any ``\\u00`` escape) only cost a parse, and the parse decides.

glibc's ``memmem`` (through ctypes, which releases the GIL) searches about 4× faster than
``bytes.__contains__``; where there is no ``memmem`` (Windows) ``bytes.find`` is used. The pre-filter
itself uses glibc's ``strstr`` where it can: it is vectorised (SSE2, AVX2, AVX-512) and searched
freshly decompressed CloudTrail JSON about 5× faster than ``memmem`` (21 against 3.5 GB/s). It
stops at a NUL byte; a ``bytes`` object always ends with one, valid JSON holds none, and an input
that does hold one is searched again with ``contains``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
from collections.abc import Callable
from typing import Any

NEEDLE = b"Root"
ESCAPE = b"\\u00"
EDGE = 256
"""How much of each end of a document the shape checks look at."""
OVERLAP = 8
"""Bytes kept between streamed chunks: more than the longest pattern (4 bytes), so none is cut."""

_DELIVERED_HEAD = re.compile(rb'[ \t\r\n]*\{[ \t\r\n]*"Records"[ \t\r\n]*:[ \t\r\n]*\[')
_DELIVERED_TAIL = re.compile(rb"\][ \t\r\n]*\}[ \t\r\n]*\Z")
_WHITESPACE = b" \t\r\n"


def _load_memmem() -> Callable[[bytes, bytes], bool] | None:
    for name in (None, ctypes.util.find_library("c")):
        try:
            memmem = ctypes.CDLL(name).memmem
        except (OSError, AttributeError, TypeError):
            continue
        memmem.restype = ctypes.c_void_p
        memmem.argtypes = (ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t)

        def found(haystack: bytes, needle: bytes, memmem: Any = memmem) -> bool:
            return memmem(haystack, len(haystack), needle, len(needle)) is not None

        return found
    return None


def _bytes_find(haystack: bytes, needle: bytes) -> bool:
    return haystack.find(needle) >= 0


_memmem = _load_memmem()
contains: Callable[[bytes, bytes], bool] = _memmem or _bytes_find
SEARCH = "memmem" if _memmem else "bytes.find"


def _glibc() -> bool:
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError, AttributeError):  # not a glibc system, or no confstr (Windows)
        return False


def _load_strstr() -> Callable[[bytes, bytes], bool] | None:
    """glibc's ``strstr`` for needles without a NUL byte, exact for any haystack (see the module doc)."""
    if not _glibc():
        return None  # elsewhere strstr is often no faster than memmem
    try:
        strstr = ctypes.CDLL(None).strstr
    except (OSError, AttributeError, TypeError):
        return None
    strstr.restype = ctypes.c_void_p
    strstr.argtypes = (ctypes.c_char_p, ctypes.c_char_p)

    def found(haystack: bytes, needle: bytes, strstr: Any = strstr) -> bool:
        if strstr(haystack, needle) is not None:
            return True
        # strstr stopped at the first NUL byte: the end of the bytes object, unless it holds one.
        return b"\0" in haystack and contains(haystack, needle)

    return found


_strstr = _load_strstr()
find_text: Callable[[bytes, bytes], bool] = _strstr or contains
"""``contains`` for a needle without a NUL byte, with the fastest search there is."""
TEXT_SEARCH = "strstr" if _strstr else SEARCH


def may_hold_root(data: bytes) -> bool:
    """False only when ``data`` cannot hold a root record or an AssumeRoot call (see the module doc)."""
    if find_text(data, NEEDLE):
        return True
    # A one-byte search is a memchr; most files have no escapes and stop here.
    return b"\\" in data and find_text(data, ESCAPE)


def delivered_form(head: bytes, tail: bytes) -> bool:
    """Whether a document starts and ends like a delivered log file, ``{"Records": [ … ]}``.

    ``head`` and ``tail`` are its first and last ``EDGE`` bytes. Such files that fail the
    pre-filter are not parsed. A truncated plain file fails the tail test; a truncated gzip file
    fails its own check. (A plain file cut exactly after a nested ``]}`` would pass: the price of
    not parsing.)
    """
    return _DELIVERED_HEAD.match(head) is not None and _DELIVERED_TAIL.search(tail) is not None


def looks_complete(head: bytes, tail: bytes) -> bool:
    """The loose check for streamed inputs: starts with ``{`` or ``[`` and ends with ``}`` or ``]``."""
    first, last = head.lstrip(_WHITESPACE)[:1], tail.rstrip(_WHITESPACE)[-1:]
    return first in (b"{", b"[") and last in (b"}", b"]")
