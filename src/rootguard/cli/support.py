"""What the ``rootguard`` commands share: option types, the parser class, output and terminal settings."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import NoReturn

from rootguard.errors import OutputError
from rootguard.model.timestamps import parse_timestamp


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


class Parser(argparse.ArgumentParser):
    """Usage errors exit 2 with one ``rootguard: error:`` line (contract §2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"rootguard: error: {message}\n")


def days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--window takes a whole number of days, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("--window must be at least 1 day")
    return value


def as_of(text: str) -> datetime:
    try:
        return parse_timestamp(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--as-of takes an ISO 8601 timestamp such as 2026-11-20T12:00:00Z, not {text!r}"
        ) from None


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def use_color(to_terminal: bool) -> bool:
    return to_terminal and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def width(to_terminal: bool) -> int:
    if not to_terminal:
        return 120
    try:
        return max(80, min(os.get_terminal_size(sys.stdout.fileno()).columns, 160))
    except (OSError, ValueError):
        return 120


def emit(text: str, output: Path | None) -> None:
    """Write the rendered report to stdout or a file; only the CLI writes."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise OutputError(f"cannot write the report to {output}: {error.strerror or error}") from None
