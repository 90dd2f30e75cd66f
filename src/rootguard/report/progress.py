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


@contextmanager
def progress_bar(*, enabled: bool, description: str) -> Iterator[Callable[[int, int], None]]:
    """Yield ``update(done, total)`` drawing a bar on stderr; a no-op when disabled."""
    if not enabled:
        yield lambda _done, _total: None
        return
    from rich.console import Console  # noqa: PLC0415
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn  # noqa: PLC0415

    columns = (TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update
