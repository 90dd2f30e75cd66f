"""A record far over the cap, end to end: ``rootguard activity --logs FILE --format json`` reads a
.json.gz whose one root record holds a 2 GiB string (a ~2 MB file, generated here piece by piece),
in bounded memory, reports that record as skipped with its size, and still finds the root records
before and after it. A 256 MiB one runs in the default test run; the 2 GiB one is ``slow``.

Peak RSS comes from the kernel (``ru_maxrss`` of the waited-for child). The command is started by
a small ``python -S`` in between: at exec, Linux folds the memory high-water mark of the image
being replaced into the child's ``ru_maxrss``, so if pytest (100+ MB) started it directly, the
figure would start from pytest's size.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_trail_stream import write_huge_gzip

LIMIT_MB = 300
MEASURE = """\
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_measured(*args: str) -> tuple[float, int]:
    """Run ``python args`` through a small process; its peak RSS in MB and its exit code."""
    done = subprocess.run(
        [sys.executable, "-S", "-c", MEASURE, *args], capture_output=True, text=True, check=True, timeout=600
    )
    kilobytes, code = done.stdout.split()
    return int(kilobytes) / 1024, int(code)


@pytest.mark.parametrize(
    "size", [pytest.param(256 << 20, id="256MiB"), pytest.param(2 << 30, id="2GiB", marks=pytest.mark.slow)]
)
@pytest.mark.parametrize("lines", [False, True], ids=["records", "json-lines"])
def test_a_huge_record_is_skipped_in_bounded_memory(tmp_path: Path, size: int, lines: bool) -> None:
    path = tmp_path / "AWSLogs" / "huge.json.gz"
    path.parent.mkdir()
    wanted, record_size = write_huge_gzip(path, size, lines=lines)
    assert path.stat().st_size < size // 200  # gzip of a repeated byte: ~1000:1
    out = tmp_path / "activity.json"
    command = ["-m", "rootguard", "activity", "--logs", str(path), "--format", "json", "--since", "36500"]
    peak_mb, code = run_measured(*command, "--output", str(out), "--quiet")
    report = json.loads(out.read_text())
    assert code in (1, 3), code  # root activity found (1), a source skipped (3)
    assert [event["event_id"] for event in report["events"]] == wanted
    [skipped] = report["sources"]["skipped"]
    where = "line 3" if lines else "Records[2]"
    assert skipped["path"] == str(path)
    assert skipped["reason"].startswith(f"{where}: a record of {record_size:,} bytes at byte ")
    assert "over the 1 MiB limit for one record" in skipped["reason"]
    assert "Fix: " in skipped["reason"]
    assert peak_mb < LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
