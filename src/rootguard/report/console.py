"""Terminal settings for the renderers: colour only on a terminal (never with NO_COLOR), and the width."""

from __future__ import annotations

import io
import os
import sys
from typing import TYPE_CHECKING

from rootguard.model.findings import Status

if TYPE_CHECKING:
    from rich.console import Console

FILE_WIDTH = 120
"""Reports written to a file or a pipe are this wide, so they diff cleanly between runs."""


def use_color(to_terminal: bool) -> bool:
    return to_terminal and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def width(to_terminal: bool) -> int:
    if not to_terminal:
        return FILE_WIDTH
    try:
        return max(80, min(os.get_terminal_size(sys.stdout.fileno()).columns, 160))
    except (OSError, ValueError):
        return FILE_WIDTH


STYLES = {
    Status.PASS: "bold green",
    Status.FAIL: "bold red",
    Status.ERROR: "bold magenta",
    Status.MANUAL: "bold yellow",
    Status.NOT_APPLICABLE: "dim",
    Status.SKIPPED: "dim",
}
"""How each status is drawn in the terminal's tables."""


BIDI_AND_SEPARATORS = frozenset("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Characters that reorder or break the line a terminal shows (Trojan Source): escaped like controls."""


def visible(text: str) -> str:
    """Show control characters (C0, DEL, C1) and bidirectional overrides from evidence as ``\\xNN`` /
    ``\\uNNNN``, so escape sequences cannot drive the terminal nor text reorder what is shown."""
    return "".join(_escaped(ch) if _is_control(ch) else ch for ch in text)


def _escaped(ch: str) -> str:
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def _is_control(ch: str) -> bool:
    return ch != "\n" and (ch < " " or "\x7f" <= ch <= "\x9f" or ch in BIDI_AND_SEPARATORS)


def text_console(*, color: bool, width: int) -> tuple[Console, io.StringIO]:
    """A rich console that renders into a buffer: colour only when asked, and never markup, emoji or
    highlighting, so text from evidence is printed as it is."""
    from rich.console import Console  # noqa: PLC0415 - only the renderers that draw tables pay for rich

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        emoji=False,
        markup=False,
    )
    return console, buffer
