"""Terminal settings for the renderers: colour only on a terminal (never with NO_COLOR), and the width."""

from __future__ import annotations

import os
import sys

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
