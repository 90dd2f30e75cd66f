"""Scanning many inputs: files and trees (in a process pool when it pays), or one blob."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from rootguard.model.activity import SkippedSource, TrailScan
from rootguard.trail.outcome import FileResult, Tally
from rootguard.trail.paths import Input, Period, iter_inputs
from rootguard.trail.reader import read_data, read_file
from rootguard.trail.reads import Deliveries

Progress = Callable[[int, int], None]

CHUNK_MIN, CHUNK_MAX = 16, 256
"""Files per pool task: enough to amortise the hand-off, few enough that each worker gets ~8 tasks."""
POOL_MIN_FILES = 64
"""Below this, starting worker processes costs more than it saves."""
HEAD_FILES = 4096
"""Files listed before choosing the task size; past that, work starts while the walk goes on."""


def scan_paths(
    paths: Sequence[Path],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> TrailScan:
    """Every root record and AssumeRoot call in the CloudTrail files under ``paths``.

    Each path is a file or a folder tree. Digest and Insight files are skipped silently; with
    ``since``/``until``, files dated more than a day outside the period (by folder or name) are not
    read, but records are not filtered by time here. ``workers`` caps the worker processes (default:
    one per core); ``progress(done, total)`` is called as files complete. Inputs that cannot be
    read are listed in ``skipped``; no exception escapes for a bad file. ``records`` counts the
    records parsed: delivered log files that cannot hold a root record are not parsed.
    ``meanwhile`` is called once in this process, when the first task is back and the workers read the
    next ones: work the caller needs after the scan (imports) then shares a core instead of delaying
    the first file.
    """
    unlisted: list[SkippedSource] = []
    stream = iter_inputs(paths, Period.around(since, until), unlisted)
    head = list(itertools.islice(stream, HEAD_FILES))
    walked = len(head) < HEAD_FILES  # the whole walk fitted in the head: the total is known
    processes = _processes(head, workers)
    if walked:
        chunks: Iterable[list[Input]] = _chunks(head, _chunk_size(len(head), processes))
    else:
        chunks = _streamed_chunks(itertools.chain(head, stream), CHUNK_MAX)
    counter = _Counter(len(head) if walked else 0)
    tally = Tally()
    deliveries = Deliveries()  # filled as tasks come back, while the workers still read
    done = 0
    for part in _run(counter.count(chunks) if not walked else chunks, processes):
        if meanwhile is not None:  # the first task is back: the workers are busy with the next ones
            meanwhile()
            meanwhile = None
        tally.absorb(part, deliveries)
        done += part.files
        if progress is not None:
            progress(done, max(done, counter.total))
    tally.skipped.extend((s.path, s.reason) for s in unlisted)
    return tally.scan(deliveries)


class _Counter:
    """Counts inputs as the (streamed) walk hands them out, for the progress total."""

    def __init__(self, total: int) -> None:
        self.total = total

    def count(self, chunks: Iterable[list[Input]]) -> Iterator[list[Input]]:
        for chunk in chunks:
            self.total += len(chunk)
            yield chunk


def _streamed_chunks(inputs: Iterable[Input], size: int) -> Iterator[list[Input]]:
    iterator = iter(inputs)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def scan_bytes(name: str, data: bytes) -> TrailScan:
    """One input held in memory (gzip or not), reported under ``name``: an S3 object, a test blob."""
    result = FileResult()
    read_data(data, result)
    tally = Tally()
    tally.add(name, result)
    return tally.scan()


def scan_chunk(chunk: Sequence[Input]) -> Tally:
    """The work of one task; runs in a worker process and returns only what was found."""
    tally = Tally()
    for item in chunk:
        tally.add(item.path, read_file(item.path, item.size))
    return tally


def _processes(inputs: Sequence[Input], workers: int | None) -> int:
    if len(inputs) < POOL_MIN_FILES:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    wanted = cores if workers is None else workers
    return max(1, min(wanted, -(-len(inputs) // CHUNK_MIN)))


def _chunk_size(files: int, processes: int) -> int:
    if processes <= 1:
        return 1
    return max(CHUNK_MIN, min(CHUNK_MAX, files // (processes * 8)))


def _chunks(inputs: Sequence[Input], size: int) -> list[list[Input]]:
    return [list(inputs[i : i + size]) for i in range(0, len(inputs), size)]


def _run(chunks: Iterable[list[Input]], processes: int) -> Iterator[Tally]:
    if processes <= 1:
        yield from map(scan_chunk, chunks)
        return
    with _context().Pool(processes) as pool:
        yield from pool.imap_unordered(scan_chunk, chunks)


def _context() -> multiprocessing.context.BaseContext:
    """fork when this process runs no other thread (cheap, and the caller's main module is not
    imported again); otherwise forkserver, because a forked child can inherit a lock that another
    thread (a progress display) held, and hang on it. macOS and Windows use spawn."""
    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["rootguard.trail.scan"])
        return context
    return multiprocessing.get_context("spawn")
