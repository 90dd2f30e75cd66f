"""Where a rendered report goes: stdout or a file. Only the command line writes."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from rootguard.errors import OutputError


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def emit(text: str, output: Path | None) -> None:
    """Write the rendered report to stdout or a file."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise OutputError(f"cannot write the report to {output}: {error.strerror or error}") from None


def now() -> datetime:
    """The command line's clock: live runs are as of now (the app layer never reads the clock)."""
    return datetime.now(UTC).replace(microsecond=0)
