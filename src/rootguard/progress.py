"""A spinner with the current step on stderr, for live collection in a terminal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Progress = Callable[[str], None]


@contextmanager
def progress_display(*, enabled: bool) -> Iterator[Progress]:
    """Yield a callback that shows each step; a no-op when disabled (not a TTY, or --quiet)."""
    if not enabled:
        yield lambda _: None
        return
    from rich.console import Console  # noqa: PLC0415 - only interactive runs pay for rich

    console = Console(stderr=True)
    with console.status("Starting…") as status:

        def show(step: str) -> None:
            status.update(step)

        yield show
