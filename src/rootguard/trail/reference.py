"""The plain path, kept to prove the fast one right: stdlib gzip and json on every file, no shortcuts."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rootguard.model.activity import TrailScan
from rootguard.trail.containers import parse_document
from rootguard.trail.decompress import error_reason, gunzip_stdlib, is_gzip
from rootguard.trail.outcome import FileResult, Tally
from rootguard.trail.paths import Period, walk
from rootguard.trail.salvage import salvage_lines


def reference_scan(paths: Sequence[Path]) -> TrailScan:
    """What ``scan_paths`` finds, computed the slow way: every file decompressed and fully parsed.

    Same walk, same shapes; ``records`` here counts every record (the fast path parses fewer).
    Records are not capped here: on a file with a record over ``stream.MAX_RECORD`` the fast path
    skips and reports it, so the two agree only on files without one. Damaged gzip is salvaged by
    the same bounded ``trail.salvage`` as on the fast path.
    """
    inputs, unlisted = walk(paths, Period.around(None, None))
    tally = Tally(skipped=[(s.path, s.reason) for s in unlisted])
    for item in inputs:
        tally.add(item.path, _read(Path(item.path)))
    return tally.scan()


def _read(path: Path) -> FileResult:
    result = FileResult()
    raw = b""
    try:
        data = raw = path.read_bytes()
        if is_gzip(data):
            data = gunzip_stdlib(data)
    except Exception as error:  # every failure is reported: this path must not stop
        result.problem(error_reason(error))
        if is_gzip(raw):
            salvage_lines(raw, result)
        return result
    parse_document(data, result)
    return result
