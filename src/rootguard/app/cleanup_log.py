"""The append-only log of ``remediate --org --apply``: one JSON object per line, owner-only (0600).

Opened with ``O_APPEND`` (never truncated, never rewritten) and ``O_NOFOLLOW`` (a link planted at the
path is refused, not followed); each record is one ``write`` of one line, so a crash leaves whole lines
behind. An existing log is kept and appended to; its mode is narrowed to 0600 if it was wider.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from rootguard.errors import OutputError

LOG_MODE = 0o600
DEFAULT_LOG = Path("rootguard-cleanup.log")


class AppendOnlyLog:
    def __init__(self, path: Path, *, run_id: str, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.path = path
        self.run_id = run_id
        self._clock = clock
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            self._fd = os.open(path, flags, LOG_MODE)
        except OSError as error:
            raise OutputError(f"cannot open the clean-up log {path}: {error.strerror or error}") from None
        info = os.fstat(self._fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(self._fd)
            raise OutputError(f"the clean-up log {path} is not a regular file")
        if stat.S_IMODE(info.st_mode) & ~LOG_MODE:
            os.fchmod(self._fd, LOG_MODE)

    def append(self, event: str, **fields: Any) -> None:
        """One line: ``{"time", "run_id", "event", …fields}``, written whole."""
        record = {"time": self._clock().strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "run_id": self.run_id, "event": event}
        line = json.dumps(record | fields, sort_keys=False, ensure_ascii=False) + "\n"
        data = line.encode("utf-8")
        try:
            written = os.write(self._fd, data)
            while written < len(data):
                written += os.write(self._fd, data[written:])
            os.fsync(self._fd)
        except OSError as error:
            raise OutputError(f"cannot append to the clean-up log {self.path}: {error.strerror or error}") from None

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()
