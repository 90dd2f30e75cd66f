"""A clock that moves only when someone sleeps, for collectors that poll or pace their calls."""

from __future__ import annotations


class FakeTime:
    """``clock`` and ``sleep`` to inject in place of ``time.monotonic`` and ``time.sleep``."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now += seconds
