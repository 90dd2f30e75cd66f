"""Reading a document piece by piece, so that no record larger than ``MAX_RECORD`` is ever held.

``read_document`` reads a decompressed input given as byte pieces and finds the same records and
problems as ``containers.parse_document`` on the whole text, with one difference: a record larger
than ``MAX_RECORD`` bytes is skipped without being held, and reported with where it starts and how
large it is; the records before and after it are still read. (Such a record is checked for JSON
errors in its first ``MAX_RECORD`` bytes only: past them it is followed, not read.) Where the pieces
of the input end never changes the answer.

What is read piece by piece are the levels where records live: the elements of a top-level array,
the members of a top-level object, the elements of its ``Records``, ``Events`` and ``logEvents``
arrays, and JSON lines. Each such unit is parsed by the json module's own scanner on a window of
decoded text once the unit is whole in it. A unit still not whole after ``MAX_RECORD`` bytes is
skipped by ``_Skipper``, which follows string, escape and bracket state only and keeps nothing. A
JSON line longer than the cap is read the same way, as a small document of its own.

The window keeps count of the lines, columns and bytes it lets go of, so a JSON error is reported
with the json module's own message at the same line and column as on the whole text, and a skipped
record with its byte offset. It holds at most about ``MAX_RECORD`` + one piece of text, plus the
members of one top-level object (within the same cap), the root records found and the first
``outcome.KEPT_PROBLEMS`` problems.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rootguard.trail.containers import (
    SHAPE_KEYS,
    STREAMED_KEYS,
    TOO_DEEP,
    Streamed,
    object_kind,
    parse_lines,
    take_item,
    take_log_event,
    take_lookup_item,
    take_object,
    take_record_item,
    take_value,
)
from rootguard.trail.outcome import FileResult

MAX_RECORD = 1024 * 1024
"""The largest record read, in bytes of (decompressed) JSON. Larger ones are skipped and reported.

CloudTrail events have been limited to 256 KB since event version 1.05, and CloudWatch Logs and
EventBridge, which carry them too, accept no event over 256 KB ("Event size" in Quotas in AWS
CloudTrail, https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html).
1 MiB leaves four times that for older events, re-serialised exports and ``\\u`` escapes."""

Chunks = Callable[[], Iterator[bytes]]
"""Opens the input again from its start, as decompressed byte pieces of a bounded size."""

_scan: Callable[[str, int], tuple[Any, int]] = vars(json.JSONDecoder())["scan_once"]
"""What json.loads uses: the same values, errors and messages."""
_NOT_SPACE = re.compile(r"[^ \t\n\r]")
_NOT_LINE_SPACE = re.compile(r"[^ \t\r]")
_COMMA = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_STRUCTURE = re.compile(r'["{}\[\]]')
_SCALAR_END = re.compile(r'[ \t\n\r,:\[\]{}"]')
_MARGIN = 16
"""An error this close to the window's end may only mean the window ends there (``1.`` of ``1.5``)."""
_SHAPE_VALUES = frozenset({"messageType", "detail", "NextToken", "StartTime", "EndTime"})
_BOM = "Unexpected UTF-8 BOM (decode using utf-8-sig)"
"""json.loads's message for text that starts with a byte order mark."""
_STRING_PIECE = 256
_STRING_PIECE_MAX = 1 << 20


@dataclass(frozen=True, slots=True)
class Oversized:
    """A value larger than the cap, skipped unread: where it starts and how large it is."""

    offset: int
    """Bytes of the decompressed input before it."""
    size: int
    cap: int

    def describe(self) -> str:
        """A skipped source's reason (no closing full stop: like the others, it may be quoted)."""
        return (
            f"a record of {self.size:,} bytes at byte {self.offset:,} (uncompressed) was not read: it is "
            f"over the {_limit(self.cap)} limit for one record (a CloudTrail event is at most 256 KB); "
            "the rest of the file was read. Fix: find out what wrote this file, and review that record "
            "with a streaming JSON tool such as jq --stream"
        )


def _limit(cap: int) -> str:
    for unit, name in ((1 << 20, "MiB"), (1 << 10, "KiB")):
        if cap >= unit and cap % unit == 0:
            return f"{cap // unit:,} {name}"
    return f"{cap:,}-byte"


class _Syntax(Exception):
    """A JSON error: the json module's message, and where it is in the whole text."""

    def __init__(self, msg: str, index: int, chars: int, line: int, column: int) -> None:
        super().__init__(msg)
        self.msg = msg
        self.index = index
        """In the window, which is left as it was."""
        self.chars = chars
        self.line = line
        self.column = column


class _Cut(Exception):
    """The input ends inside a value that was being skipped."""

    def __init__(self, offset: int, size: int, line: int, column: int) -> None:
        super().__init__(offset)
        self.offset = offset
        self.size = size
        self.line = line
        self.column = column


class _BadText(Exception):
    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


class _Window:
    """Decoded text from ``pieces``, kept from the reading position ``pos`` on."""

    __slots__ = ("_pieces", "bytes", "chars", "column", "ended_line", "eof", "line", "pos", "text")

    def __init__(self, pieces: Iterator[str], *, at_byte: int = 0, line: int = 0) -> None:
        self._pieces = pieces
        self.text = ""
        self.pos = 0
        self.eof = False
        self.chars = 0
        """Characters let go of (before ``text``)."""
        self.bytes = at_byte
        self.line = line
        """Newlines let go of."""
        self.column = 0
        """Characters let go of since the last of them."""
        self.ended_line = False

    def fill(self) -> bool:
        """Let go of the text before ``pos`` and add the next piece; False at the end of the input."""
        if self.eof:
            return False
        self._drop()
        for piece in self._pieces:
            if piece:
                self.text = self.text + piece if self.text else piece
                return True
        self.eof = True
        return False

    def _drop(self) -> None:
        pos, text = self.pos, self.text
        if not pos:
            return
        ascii_only = text.isascii()
        self.chars += pos
        self.bytes += pos if ascii_only else len(text[:pos].encode())
        newline = text.rfind("\n", 0, pos)
        if newline < 0:
            self.column += pos
        else:
            self.line += text.count("\n", 0, pos)
            self.column = pos - newline - 1
        self.text = text[pos:]
        self.pos = 0

    def skip_bom(self) -> None:
        """A byte order mark at the start is not part of the text (``utf-8-sig``)."""
        if not self.text:
            self.fill()
        if self.text.startswith("\ufeff"):
            self.text = self.text[1:]
            self.bytes += 3
            if not self.text:
                self.fill()

    def offset(self, pos: int) -> int:
        text = self.text
        return self.bytes + (pos if text.isascii() else len(text[:pos].encode()))

    def where(self, pos: int) -> tuple[int, int]:
        """Line and column of window index ``pos``, counted as the json module does (from 1)."""
        text = self.text
        newline = text.rfind("\n", 0, pos)
        line = self.line + text.count("\n", 0, pos) + 1
        return line, pos - newline if newline >= 0 else self.column + pos + 1

    def error(self, msg: str, pos: int | None = None) -> _Syntax:
        at = self.pos if pos is None else pos
        line, column = self.where(at)
        return _Syntax(msg, at, self.chars + at, line, column)

    def skip_space(self, other: re.Pattern[str] = _NOT_SPACE) -> str | None:
        """Move past JSON whitespace; the next character, or None at the end of the input."""
        while True:
            text = self.text
            match = other.search(text, self.pos)
            if match is not None:
                self.pos = match.start()
                return text[self.pos]
            self.pos = len(text)
            if not self.fill():
                return None

    def skip_line_space(self) -> str | None:
        """Move past JSON whitespace other than a newline."""
        return self.skip_space(_NOT_LINE_SPACE)

    def blank_from(self, pos: int) -> bool:
        """Whether everything from window index ``pos`` to the end of the input is whitespace."""
        if self.text[pos:].strip():
            return False
        self.pos = len(self.text)
        while self.fill():
            if self.text.strip():
                return False
            self.pos = len(self.text)
        return True

    def value(self, cap: int) -> Any:
        """The JSON value at ``pos``, parsed once it is whole; ``Oversized`` when over ``cap`` bytes.

        Raises ``_Syntax`` for invalid JSON (as json.loads would on the whole text), ``_Cut`` when
        the input ends inside a value being skipped, and ``RecursionError`` for deep nesting.
        """
        while True:
            text, pos = self.text, self.pos
            failure: tuple[str, int] | None = None
            try:
                value, end = _scan(text, pos)
            except StopIteration as stop:
                failure = ("Expecting value", stop.value)
            except json.JSONDecodeError as error:
                failure = (error.msg, error.pos)
            else:  # a number near the window's end may go on: 1 of 1.5, 12 of 123
                if self.eof or end + _MARGIN < len(text) or not text[end - 1].isdigit():
                    if (end - pos) * 4 <= cap:  # within the cap whatever the characters' UTF-8 sizes
                        self.pos = end
                        return value
                    return self._sized(value, pos, end, cap)
            # What happens must not depend on where the pieces of the input happen to end: an
            # error within the first ``cap`` characters is reported once it is certain (it will be
            # by ``cap + _MARGIN``); past them the value is skipped, as is one found over the cap.
            held = len(text) - pos
            if (
                failure is not None
                and failure[1] - pos <= cap
                and (_certain(failure, len(text)) or (self.eof and held <= cap))
            ):
                raise self.error(*failure)
            if held > cap + _MARGIN or (self.eof and held > cap):
                return self._skip(cap, failure)
            self.fill()  # at the end of the input, the next turn decides

    def _sized(self, value: Any, pos: int, end: int, cap: int) -> Any:
        text = self.text
        size = end - pos
        if size * 4 > cap and not text.isascii():
            size = len(text[pos:end].encode())
        if size <= cap:
            self.pos = end
            return value
        start = self.offset(pos)
        self.pos = end
        return Oversized(start, self.offset(end) - start, cap)

    def _skip(self, cap: int, failure: tuple[str, int] | None) -> Oversized:
        pos = self.pos
        start = self.offset(pos)
        line, column = self.where(pos)
        skipper = _Skipper(self.text[pos])
        end = skipper.scan(self.text, pos)
        if end is not None and failure is not None and self.offset(end) - start <= cap:
            raise self.error(*failure)  # whole in the window and within the cap: the json error stands
        while end is None:
            self.pos = len(self.text)
            if not self.fill():
                raise _Cut(start, self.offset(len(self.text)) - start, line, column)
            end = skipper.scan(self.text, 0)
        size = self.offset(end) - start
        self.pos = end
        return Oversized(start, size, cap)


def _certain(failure: tuple[str, int], length: int) -> bool:
    """Whether a json error is one the rest of the input cannot undo."""
    msg, pos = failure
    return pos + _MARGIN < length and not msg.startswith("Unterminated string")


class _Skipper:
    """Where a JSON value ends, found without holding it: string, escape and bracket state only.

    It does not check that the value is valid JSON: a value this large is skipped, not read.
    """

    __slots__ = ("depth", "escape", "in_string", "kind", "opened")

    def __init__(self, first: str) -> None:
        self.kind = "container" if first in "{[" else "string" if first == '"' else "scalar"
        self.depth = 0
        self.in_string = False
        self.escape = False
        self.opened = False

    def scan(self, text: str, i: int) -> int | None:
        """Follow ``text`` from ``i``: the index just after the value, or None when it goes on."""
        if self.kind == "scalar":
            match = _SCALAR_END.search(text, i + (0 if self.opened else 1))
            self.opened = True
            return match.start() if match else None
        if self.kind == "string":
            if not self.opened:
                self.opened = True
                i += 1
            return self._string_end(text, i)
        while True:
            if self.in_string:
                end = self._string_end(text, i)
                if end is None:
                    return None
                self.in_string = False
                i = end
            match = _STRUCTURE.search(text, i)
            if match is None:
                return None
            i = match.end()
            char = text[i - 1]
            if char == '"':
                self.in_string = True
            elif char in "{[":
                self.depth += 1
            else:
                self.depth -= 1
                if self.depth <= 0:
                    return i

    def _string_end(self, text: str, i: int) -> int | None:
        """Just after the closing quote of the string being read, or None when it goes on.

        In a piece of the string, escaped backslashes are blanked first, then escaped quotes: what
        is left of ``"`` ends the string. A backslash left at the end escapes the next piece's first
        character. Pieces grow, so short strings cost little and long ones go at memory speed.
        """
        size = _STRING_PIECE
        while True:
            if self.escape:
                if i >= len(text):
                    return None
                i += 1
                self.escape = False
            piece = text[i : i + size]
            if not piece:
                return None
            if "\\" in piece:
                piece = piece.replace("\\\\", "\0\0").replace('\\"', "\0\0")
            quote = piece.find('"')
            if quote >= 0:
                return i + quote + 1
            self.escape = piece.endswith("\\")
            i += len(piece)
            size = min(size * 4, _STRING_PIECE_MAX)


class _LineEnd:
    __slots__ = ("ended",)

    def __init__(self) -> None:
        self.ended = False


def _line_pieces(window: _Window, end: _LineEnd) -> Iterator[str]:
    """The rest of the window's current line, piece by piece; leaves the window after its newline."""
    while True:
        text, pos = window.text, window.pos
        newline = text.find("\n", pos)
        if newline >= 0:
            window.pos = newline + 1
            end.ended = True
            yield text[pos:newline]
            return
        window.pos = len(text)
        yield text[pos:]
        if not window.fill():
            return


_LONG = object()


class _Reader:
    """Reads the units of one document (or of one long JSON line) from a window."""

    def __init__(self, window: _Window, cap: int) -> None:
        self.window = window
        self.cap = cap
        self.members: dict[str, Any] | None = None
        """The members of the top-level object being read (what a salvage keeps when it breaks off)."""
        self.open_array: tuple[str, FileResult] | None = None
        """The ``Records``/``Events``/``logEvents`` array being read, and what its elements gave so far."""

    # The whole input

    def document(self, result: FileResult) -> bool:
        """One JSON value, or JSON lines after it. True when the input must be read again as
        JSON lines from its start (a value spread over several lines, then more values)."""
        w = self.window
        w.skip_bom()
        if w.text.startswith("\ufeff"):  # a second one: json.loads refuses it
            result.problem(f"not JSON (invalid JSON at line 1 column 1: {_BOM})")
            return False
        if w.skip_space() is None:
            result.problem("empty file")
            return False
        start = w.chars + w.pos
        first_line = w.where(w.pos)[0]
        value = FileResult()
        try:
            self.top(value, "")
        except _Syntax as error:
            result.problem(self._reason(error, start))
            return False
        except _Cut as cut:
            result.problem(f"truncated JSON (it ends inside a value {_cut_size(cut, self.cap)})")
            return False
        except RecursionError:
            result.problem(TOO_DEEP)
            return False
        alone = w.where(w.pos)[0] == first_line
        after = w.skip_line_space()
        if after == "\n" and alone:
            w.pos += 1
            self.lines(result, first_line + 1, pending=value, pending_line=first_line)
            return False
        if after is None or w.skip_space() is None:
            result.absorb(value)
            return False
        return True

    def _reason(self, error: _Syntax, start: int) -> str:
        """``containers.json_reason`` for an error in the whole text."""
        reason = f"invalid JSON at line {error.line} column {error.column}: {error.msg}"
        if error.chars <= start:
            return "empty file" if self.window.blank_from(error.index) else f"not JSON ({reason})"
        if error.msg.startswith("Unterminated string") or self.window.blank_from(error.index):
            return f"truncated JSON ({reason})"
        return reason

    def lines(
        self,
        result: FileResult,
        number: int,
        *,
        pending: FileResult | None = None,
        pending_line: int = 0,
        salvage: bool = False,
    ) -> bool:
        """JSON lines from the window's position (line ``number``), each read on its own.

        ``pending``: what the first value (line ``pending_line``) gave, added with that line's
        prefix once another value follows, or as the whole document when none does. ``salvage``:
        only lines ended by a newline count, and the first must be an object or an array (else
        False, and ``result`` must be dropped).
        """
        w = self.window
        checked = not salvage
        while True:
            got = _line(w, self.cap)
            if got is None:
                break
            line_result: FileResult | None
            if isinstance(got, str):
                line, ended = got, w.ended_line
                extra = bool(line.strip(" \t\r"))
                blank = not line.strip()
                line_result = None
                is_value = False
                if not blank and (ended or not salvage):
                    line_result = FileResult()
                    parse_lines([(number, line)], line_result)
                    is_value = not checked and _is_json_value(line)
            else:
                line_result, extra, ended, is_value, blank = self._long_line(number)
            if salvage and not ended:
                break
            if extra and pending is not None:
                result.absorb(pending, f"line {pending_line}: ")
                pending = None
            if not blank and not checked:
                if not is_value:
                    return False
                checked = True
            if line_result is not None:
                result.absorb(line_result)
            number += 1
        if pending is not None:
            result.absorb(pending)
        return True

    def _long_line(self, number: int) -> tuple[FileResult, bool, bool, bool, bool]:
        """A line over the cap, read like a document of its own (``json.loads(line)``'s results).

        Returns what it gave, whether it holds anything but JSON whitespace, whether a newline
        ended it, whether it is one object or array, and whether it is blank (``str.strip``).
        """
        parent = self.window
        end = _LineEnd()
        pieces = _line_pieces(parent, end)
        window = _Window(pieces, at_byte=parent.offset(parent.pos), line=number - 1)
        reader = _Reader(window, self.cap)
        found = FileResult()
        first = window.skip_space()
        is_value = False
        blank = first is None
        if first == "\ufeff" and window.chars + window.pos == 0:
            found.problem(f"invalid JSON at line {number} column 1: {_BOM}")
        elif first is not None:
            where = f"line {number}: "
            try:
                reader.top(found, where)
                if window.skip_space() is not None:
                    raise window.error("Extra data")
                is_value = first in "{["
            except _Syntax as error:
                found = FileResult()
                blank = error.chars == 0 and window.blank_from(error.index)
                if not blank:
                    found.problem(f"invalid JSON at line {number} column {error.column}: {error.msg}")
            except _Cut as cut:
                found = FileResult()
                found.problem(f"invalid JSON at line {number} column {cut.column}: a record {_cut_size(cut, self.cap)}")
            except RecursionError:
                found = FileResult()
                found.problem(f"{where}{TOO_DEEP}")
        for _ in pieces:
            pass  # the rest of the line
        return found, first is not None, end.ended, is_value, blank

    # Units

    def top(self, result: FileResult, where: str) -> None:
        """The top-level value at the window's position (which is not at the end)."""
        w = self.window
        char = w.text[w.pos]
        if char == "{":
            self._object(result, where)
        elif char == "[":
            self._array(lambda item, index, _: self._item(item, index, result, where))
        else:
            value = w.value(self.cap)
            if isinstance(value, Oversized):
                result.problem(where + value.describe())
            else:
                take_value(value, result, where)

    def _item(self, item: Any, index: int, result: FileResult, where: str) -> None:
        if isinstance(item, Oversized):
            result.problem(f"{where}item {index}: {item.describe()}")
        else:
            take_item(item, index, result, where)

    def _array(self, each: Callable[[Any, int, int], None]) -> None:
        """The array at the window's position, element by element: ``each(value, index, chars)``."""
        w = self.window
        w.pos += 1
        if w.skip_space() == "]":
            w.pos += 1
            return
        index = 0
        while True:
            start = w.chars + w.pos
            each(w.value(self.cap), index, w.chars + w.pos - start)
            index += 1
            comma = _COMMA.match(w.text, w.pos)  # the usual case, in one step
            if comma is not None and comma.end() < len(w.text):
                w.pos = comma.end()
                continue
            char = w.skip_space()
            if char == "]":
                w.pos += 1
                return
            if char != ",":
                raise w.error("Expecting ',' delimiter")
            w.pos += 1
            w.skip_space()

    def _object(self, result: FileResult, where: str) -> None:
        """A top-level object, member by member. Members are kept while they fit in the cap (those
        that decide its shape always): when it is a record, it must fit anyway."""
        w, cap = self.window, self.cap
        start = w.offset(w.pos)
        w.pos += 1
        members: dict[str, Any] = {}
        self.members = members
        kept = 0
        dropped = False
        char = w.skip_space()
        if char != "}":
            while True:
                if char != '"':
                    raise w.error("Expecting property name enclosed in double quotes")
                begin = w.chars + w.pos
                key = w.value(cap)
                if w.skip_space() != ":":
                    raise w.error("Expecting ':' delimiter")
                w.pos += 1
                if w.skip_space() == "[" and key in STREAMED_KEYS:
                    value: Any = self._streamed(key, where)
                else:
                    value = w.value(cap)
                kept += w.chars + w.pos - begin
                if isinstance(key, str) and kept <= cap:
                    members[key] = value
                else:
                    dropped = True
                    if key in SHAPE_KEYS:  # its value matters only for these, its presence for all
                        members[key] = value if key in _SHAPE_VALUES or isinstance(value, Streamed) else None
                char = w.skip_space()
                if char == "}":
                    break
                if char != ",":
                    raise w.error("Expecting ',' delimiter")
                w.pos += 1
                char = w.skip_space()
        w.pos += 1
        size = w.offset(w.pos) - start
        kind = object_kind(members)
        if kind in ("record", "digest") and (size > cap or dropped):
            result.problem(where + Oversized(start, size, cap).describe())
        elif kind == "eventbridge" and isinstance(members["detail"], Oversized):
            result.problem(f"{where}detail: {members['detail'].describe()}")
        else:
            if kind == "record":
                members = {k: v.items if isinstance(v, Streamed) else v for k, v in members.items()}
            take_object(members, result, where)

    def _streamed(self, key: str, where: str) -> Streamed:
        """A ``Records``, ``Events`` or ``logEvents`` array, each element taken as it is read."""
        take = {"Records": take_record_item, "Events": take_lookup_item, "logEvents": take_log_event}[key]
        label = f"{where}{key}"
        found = FileResult()
        items: list[Any] | None = []
        kept = 0

        def each(item: Any, index: int, chars: int) -> None:
            nonlocal items, kept
            if isinstance(item, Oversized):
                found.problem(f"{label}[{index}]: {item.describe()}")
                items = None
                return
            take(item, index, found, label)
            kept += chars
            if items is not None:
                if kept <= self.cap:
                    items.append(item)
                else:
                    items = None

        self.open_array = (key, found)
        self._array(each)
        self.open_array = None
        return Streamed(found, items)

    # A damaged input

    def salvage(self, result: FileResult) -> None:
        """Every complete record of a damaged input's readable part.

        Values are read one after another (gzip members hold one each, with or without a newline
        between them) until one breaks off; of that one, the records read whole are kept: the items
        of a top-level array, or the elements of the ``Records``, ``Events`` or ``logEvents`` array
        of a top-level object (the container ``object_kind`` would choose from the keys seen).
        """
        w = self.window
        w.skip_bom()
        while w.skip_space() is not None:
            value = FileResult()
            self.members = self.open_array = None
            try:
                self.top(value, "")
            except (_Syntax, _Cut, RecursionError):
                result.absorb(self._broken_off(value))
                return
            result.absorb(value)

    def _broken_off(self, value: FileResult) -> FileResult:
        members, open_array = self.members, self.open_array
        if members is None:
            return value  # a top-level array: its whole items are in ``value``; a bare value: nothing
        keys = set(members) | ({open_array[0]} if open_array is not None else set())
        for key in ("Records", "Events", "logEvents"):
            if key not in keys or (key == "logEvents" and members.get("messageType") != "DATA_MESSAGE"):
                continue
            done = members.get(key)
            if isinstance(done, Streamed):
                return done.result
            if open_array is not None and open_array[0] == key:
                return open_array[1]
            break
        return FileResult()


def _line(w: _Window, cap: int) -> str | object | None:
    """The next line (``w.ended_line``: whether a newline ended it); ``_LONG`` (staying at its
    start) when it is over ``cap`` bytes; None at the end of the input."""
    while True:
        text, pos = w.text, w.pos
        newline = text.find("\n", pos)
        end = newline if newline >= 0 else len(text)
        if end - pos > cap or ((end - pos) * 4 > cap and not text.isascii() and len(text[pos:end].encode()) > cap):
            return _LONG
        if newline >= 0:
            w.pos = newline + 1
            w.ended_line = True
            return text[pos:newline]
        if not w.fill():
            rest = w.text[w.pos :]
            w.pos = len(w.text)
            w.ended_line = False
            return rest or None


def _is_json_value(line: str) -> bool:
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return False
    return isinstance(value, dict | list)


def _cut_size(cut: _Cut, cap: int) -> str:
    return f"of more than {cut.size:,} bytes that starts at byte {cut.offset:,}, over the {_limit(cap)} limit"


def _text(chunks: Iterator[bytes], *, salvage: bool = False) -> Iterator[str]:
    """Decoded UTF-8 text, piece by piece. Invalid UTF-8 raises ``_BadText`` (in ``salvage``, only
    when a newline follows it: a damaged input's last, partial line is not read anyway)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    fed = 0
    bom = -1  # offsets are counted after a byte order mark, as bytes.decode("utf-8-sig") counts them
    for chunk in chunks:
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as error:
            data = decoder.getstate()[0] + chunk
            if salvage and b"\n" not in data[error.start :] and not any(b"\n" in rest for rest in chunks):
                yield data[: error.start].decode()
                return
            skipped = 3 if bom == 3 or (bom < 0 and data.startswith(codecs.BOM_UTF8)) else 0
            raise _BadText(fed - len(data) + len(chunk) + error.start - skipped) from None
        fed += len(chunk)
        if bom < 0 and text:
            bom = 3 if text.startswith("\ufeff") else 0
        yield text
    try:
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        if not salvage:
            raise _BadText(fed - len(decoder.getstate()[0]) + error.start - max(bom, 0)) from None


class _Opened:
    """Opens the pieces and closes them however reading ends."""

    def __init__(self, chunks: Chunks) -> None:
        self._chunks = chunks
        self._iterator: Iterator[bytes] | None = None

    def __enter__(self) -> Iterator[bytes]:
        self._iterator = self._chunks()
        return self._iterator

    def __exit__(self, *_: object) -> None:
        close = getattr(self._iterator, "close", None)
        if close is not None:
            close()


def read_document(chunks: Chunks, result: FileResult, *, cap: int | None = None) -> None:
    """Read a whole input piece by piece into ``result`` (as ``containers.parse_document`` does).

    Records over ``cap`` bytes (default ``MAX_RECORD``) are skipped and reported. ``result`` is
    changed only when reading ends: what ``chunks`` raises (a damaged gzip stream) propagates and
    leaves it as it was.
    """
    limit = MAX_RECORD if cap is None else cap
    found = FileResult()
    try:
        with _Opened(chunks) as pieces:
            again = _Reader(_Window(_text(pieces)), limit).document(found)
        if again:
            found = FileResult()
            with _Opened(chunks) as pieces:
                window = _Window(_text(pieces))
                window.skip_bom()
                _Reader(window, limit).lines(found, 1)
    except _BadText as error:
        result.problem(f"not JSON: invalid UTF-8 at byte {error.offset}")
        return
    result.absorb(found)


def read_salvaged_records(chunks: Iterable[bytes], result: FileResult, *, cap: int | None = None) -> None:
    """The complete records of a damaged input's readable part, value by value (see ``_Reader.salvage``)."""
    found = FileResult()
    _Reader(_Window(_prefix_text(iter(chunks))), MAX_RECORD if cap is None else cap).salvage(found)
    result.absorb(found)


def _prefix_text(chunks: Iterator[bytes]) -> Iterator[str]:
    """Decoded UTF-8 text up to the first invalid byte (a damaged input's garbage ends it)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    for chunk in chunks:
        try:
            yield decoder.decode(chunk)
        except UnicodeDecodeError as error:
            data = decoder.getstate()[0] + chunk
            yield data[: error.start].decode("utf-8", "ignore")
            return


def read_salvaged_lines(chunks: Iterable[bytes], result: FileResult, *, cap: int | None = None) -> None:
    """The complete JSON lines of a damaged input's readable part (see ``trail.salvage``)."""
    found = FileResult()
    window = _Window(_text(iter(chunks), salvage=True))
    window.skip_bom()
    try:
        usable = _Reader(window, MAX_RECORD if cap is None else cap).lines(found, 1, salvage=True)
    except _BadText:
        return
    if usable:
        result.absorb(found)
