"""Where a rendered report goes: stdout or a file. Only the command line writes."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

STDOUT_NAMES = frozenset({"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})
"""Names of standard output a user may pass as --output (they are links, which report files never follow)."""


def emit(text: str, output: Path | None) -> None:
    """Write the rendered report to stdout or a file (owner-only, atomic, never through a link)."""
    if output is None or str(output) in STDOUT_NAMES:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from rootguard.app.files import write_report  # noqa: PLC0415 - only reports written to a file need it

    write_report(output, text)


def now() -> datetime:
    """The command line's clock: live runs are as of now (the app layer never reads the clock)."""
    return datetime.now(UTC).replace(microsecond=0)
