"""How fast does ``rootguard activity --logs`` find root records, next to the floor and the usual peers?

One run generates a CloudTrail archive (``bench/gen_cloudtrail.py``: synthetic, deterministic, with a
known answer) and times, side by side in interleaved rounds (so background noise hits every row alike):

- raw parallel decompression: a 2-process pool that only inflates every ``*.json.gz`` log file with
  ``isal.igzip.decompress`` and discards the bytes. It finds nothing; it is the floor;
- rootguard: ``python -m rootguard activity --logs DIR --format json --quiet --since 36500`` when the
  command exists, else ``rootguard.trail.scan_paths`` called from a small script (the table says which);
- ``find | xargs zcat | jq`` selecting ``.Records[]? | select(.userIdentity.type == "Root")``;
- DuckDB (2 threads): ``read_json_objects`` + ``json_transform`` to the two fields needed, then a filter.

Every tool's answer is checked against ``expected_root.jsonl`` (the set of eventIDs). The peers read
``*.json.gz`` only, so they are checked against the records in those; rootguard also reads the plain
``.json`` file. Each command is a child process started by a small spawner process that measures wall
time from fork to ``os.wait4``, the CPU time of the child and every descendant it waited for, the peak
RSS of the largest single process (wait4's rusage), and the peak PSS of the whole process tree
(sampled every 25 ms from ``/proc``), plus the CPU other processes used meanwhile (``/proc/stat``).

    .venv/bin/python bench/activity_scan.py [--size-mb 500] [--repeat 5] [--json FILE] [--markdown]
    .venv/bin/python bench/activity_scan.py --size-mb 2000 --corpus bench/.corpus/2000  # the target run
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spawner import BenchError, Sample, Spawner, run_main

BENCH_DIR = Path(__file__).resolve().parent
KIB_PER_MIB = 1024
RUN_TIMEOUT = 3600.0
NOISY_CORES = 0.25
"""A run during which other processes used more than this many cores on average is re-run."""
SINCE_DAYS = "36500"
ROOTGUARD_OK = frozenset({0, 1, 3})  # root activity is a FAIL (1); an unreadable file an ERROR (3)

# Targets (the rootguard row against the others)
MAX_VS_RAW = 1.2
MIN_JQ_VS_ROOTGUARD = 10.0
MIN_DUCKDB_VS_ROOTGUARD = 4.0
MAX_MEMORY_MIB = 200.0

# ---------------------------------------------------------------------------------------------------
# The commands. Each prints one JSON line on stdout (the peers' raw output is parsed here).

RAW_DECOMPRESS_SCRIPT = """\
import json, os, sys
from multiprocessing import Pool
from isal.igzip import decompress

def inflate(paths):
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            total += len(decompress(handle.read()))
    return total

def chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start:start + size]

if __name__ == "__main__":
    top, procs = sys.argv[1], int(sys.argv[2])
    paths = [
        os.path.join(folder, name)
        for folder, _dirs, names in os.walk(top)
        if "/CloudTrail/" in folder + "/"
        for name in names
        if name.endswith(".json.gz")
    ]
    with Pool(procs) as pool:
        total = sum(pool.imap_unordered(inflate, chunks(paths, 64)))
    print(json.dumps({"files": len(paths), "json_bytes": total}))
"""

ROOTGUARD_LIBRARY_SCRIPT = """\
import json, sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from rootguard.trail import scan_paths

now = datetime.now(UTC)
since = now - timedelta(days=int(sys.argv[2]))
scan = scan_paths([Path(sys.argv[1])], since=since, until=now, workers=int(sys.argv[3]))
ids = []
for found in scan.root_records:
    record = getattr(found, "record", found)
    identity = record.get("userIdentity") if isinstance(record, dict) else None
    if isinstance(identity, dict) and identity.get("type") == "Root":  # AssumeRoot calls by others are kept too
        ids.append(record.get("eventID"))
skipped = [[getattr(s, "path", str(s)), getattr(s, "reason", "")] for s in scan.skipped]
print(json.dumps({"files": scan.files, "records": scan.records, "skipped": skipped, "event_ids": ids}))
"""

DUCKDB_SCRIPT = """\
import json, sys
import duckdb

pattern, threads = sys.argv[1], int(sys.argv[2])
schema = '{"Records":[{"eventID":"VARCHAR","userIdentity":{"type":"VARCHAR"}}]}'
query = f'''
SELECT r.eventID FROM (
    SELECT unnest((json_transform(json, '{schema}')).Records) AS r
    FROM read_json_objects(?, format = 'auto', compression = 'gzip')
) WHERE r.userIdentity.type = 'Root'
'''
connection = duckdb.connect(config={"threads": threads})
# No progress bar: while it is on, DuckDB asks every reader how far it got, and DuckDB 2.0.1's gzip
# reader cannot say ("GetProgress is not implemented for this file handle" failed a run once).
connection.execute("SET enable_progress_bar = false")
ids = [row[0] for row in connection.execute(query, [pattern]).fetchall()]
print(json.dumps({"event_ids": ids, "duckdb": duckdb.__version__}))
"""

JQ_FILTER = '.Records[]? | select(.userIdentity.type == "Root")'


# ---------------------------------------------------------------------------------------------------
# Rows, samples, results


@dataclass(frozen=True)
class Bench:
    key: str
    label: str
    argv: tuple[str, ...]
    parse: Callable[[str], dict[str, Any]]
    """stdout → {"event_ids": [...], ...}, or {"json_bytes": n, ...} for the floor."""
    expected: frozenset[str] | None
    """The eventIDs this row must report (None for the floor, which reports none)."""
    ok_codes: frozenset[int] = frozenset({0})
    scale: float = 1.0
    """Extrapolation factor of a sampled row (whole corpus ÷ sample, in JSON bytes)."""
    note: str = ""


@dataclass
class Result:
    bench: Bench
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None
    answers: list[str] = field(default_factory=list)
    """The answer check of each run ("exact 21/21" or what was missing or extra)."""
    details: dict[str, Any] = field(default_factory=dict)
    noisy_retries: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples) * self.bench.scale

    @property
    def fastest(self) -> float:
        return min(s.seconds for s in self.samples) * self.bench.scale

    @property
    def slowest(self) -> float:
        return max(s.seconds for s in self.samples) * self.bench.scale

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu_seconds for s in self.samples) * self.bench.scale

    @property
    def peak_rss_mib(self) -> float:
        return max(s.rss_kib for s in self.samples) / KIB_PER_MIB

    @property
    def tree_pss_mib(self) -> float:
        return max(s.tree_pss_kib for s in self.samples) / KIB_PER_MIB

    @property
    def exact(self) -> bool | None:
        if self.bench.expected is None:
            return None
        return bool(self.answers) and all(a.startswith("exact") for a in self.answers)


def check_sample(result: Result, sample: Sample, out: Path, err: Path) -> None:
    """Record a failed run as the row's error, or the run's answer check."""
    bench = result.bench
    if sample.exit_code not in bench.ok_codes:
        if sample.seconds >= RUN_TIMEOUT:
            result.error = f"timed out after {RUN_TIMEOUT:.0f} s"
            return
        tail = err.read_text(errors="replace").strip()[-800:]
        result.error = f"exit code {sample.exit_code} (accepted: {sorted(bench.ok_codes)}): {tail or 'no stderr'}"
        return
    try:
        parsed = bench.parse(out.read_text(encoding="utf-8", errors="replace"))
    except (ValueError, KeyError, TypeError) as error:
        result.error = f"cannot read the output: {error}"
        return
    result.details = {k: v for k, v in parsed.items() if k != "event_ids"}
    if bench.expected is None:
        return
    found = [str(i) for i in parsed["event_ids"]]
    result.answers.append(compare(found, bench.expected))


def compare(found: list[str], expected: frozenset[str]) -> str:
    got = set(found)
    missing, extra = sorted(expected - got), sorted(got - expected)
    duplicates = len(found) - len(got)
    if not missing and not extra and not duplicates:
        return f"exact {len(got)}/{len(expected)}"
    parts = [f"MISMATCH {len(got & expected)}/{len(expected)}"]
    if missing:
        parts.append(f"missing {missing[:5]}{'…' if len(missing) > 5 else ''}")
    if extra:
        parts.append(f"extra {extra[:5]}{'…' if len(extra) > 5 else ''}")
    if duplicates:
        parts.append(f"{duplicates} reported twice")
    return "; ".join(parts)


def measure(
    spawner: Spawner,
    benches: list[Bench],
    env: dict[str, str],
    work: Path,
    *,
    repeat: int,
    warmup: int,
    retries: int,
) -> list[Result]:
    """Warm every row up, then ``repeat`` interleaved rounds (row order rotates each round).

    A timed run during which other processes kept more than NOISY_CORES busy is run again, up to
    ``retries`` times; the last attempt is kept either way.
    """
    results = [Result(b) for b in benches]
    out, err = work / "stdout", work / "stderr"
    for round_no in range(warmup + repeat):
        timed = round_no >= warmup
        phase = f"run {round_no - warmup + 1}/{repeat}" if timed else f"warm-up {round_no + 1}/{warmup}"
        shift = round_no % len(results)
        for result in results[shift:] + results[:shift]:
            if result.error is not None:
                continue
            for attempt in range(retries + 1):
                sample = spawner.run(result.bench.argv, env, work, out, err)
                if not timed or sample.others_cores <= NOISY_CORES or attempt == retries:
                    break
                result.noisy_retries += 1
                say(f"  {result.bench.label}: other processes used {sample.others_cores:.2f} cores; running it again")
            check_sample(result, sample, out, err)
            say(f"  {phase}: {result.bench.label} {sample.seconds:.2f} s{'' if result.error is None else ' ERROR'}")
            if timed and result.error is None:
                result.samples.append(sample)
    return results


# ---------------------------------------------------------------------------------------------------
# The corpus


@dataclass
class Corpus:
    root: Path
    manifest: dict[str, Any]
    expected: list[dict[str, Any]]

    @property
    def json_bytes(self) -> int:
        return int(self.manifest["json_bytes"])

    def expected_ids(self, *, gz_only: bool, files: set[str] | None = None) -> frozenset[str]:
        return frozenset(
            row["eventID"]
            for row in self.expected
            if (row["gz"] or not gz_only) and (files is None or row["file"] in files)
        )

    def log_files(self) -> list[str]:
        """The ``*.json.gz`` log files (relative paths, sorted): what the peers and the floor read."""
        found = []
        for folder, _dirs, names in os.walk(self.root / "AWSLogs"):
            if "/CloudTrail/" not in folder + "/":
                continue
            rel = Path(folder).relative_to(self.root).as_posix()
            found.extend(f"{rel}/{name}" for name in names if name.endswith(".json.gz"))
        return sorted(found)


def load_generator() -> Any:
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    import gen_cloudtrail

    return gen_cloudtrail


def open_corpus(root: Path) -> Corpus | None:
    manifest, expected = root / "manifest.json", root / "expected_root.jsonl"
    if not (manifest.is_file() and expected.is_file() and (root / "AWSLogs").is_dir()):
        return None
    rows = [json.loads(line) for line in expected.read_text(encoding="utf-8").splitlines() if line.strip()]
    return Corpus(root, json.loads(manifest.read_text(encoding="utf-8")), rows)


def make_corpus(root: Path, args: argparse.Namespace) -> Corpus:
    existing = open_corpus(root)
    if existing is not None:
        params = existing.manifest.get("params", {})
        say(f"reusing the corpus in {root} ({params})")
        return existing
    if root.exists() and any(root.iterdir()):
        raise BenchError(f"{root} is not empty and holds no corpus (manifest.json, expected_root.jsonl, AWSLogs/)")
    accounts = args.accounts or max(1, round(8 * args.size_mb / 2000))  # ~12 files per MB, like the 2 GB corpus
    say(
        f"generating {args.size_mb:g} MB of JSON ({accounts} accounts × {args.days} days, seed {args.seed}) in {root} …"
    )
    generator = load_generator()
    generator.generate(
        root,
        size_mb=args.size_mb,
        accounts=accounts,
        days=args.days,
        seed=args.seed,
        org_id=args.org_id,
        jobs=args.gen_jobs,
        progress=lambda message: say(f"  {message}"),
    )
    corpus = open_corpus(root)
    if corpus is None:
        raise BenchError(f"the generator wrote no corpus into {root}")
    return corpus


def gzip_isize(path: Path) -> int:
    """Uncompressed size from the gzip trailer (of the last member: close enough for a sample's weight)."""
    with path.open("rb") as handle:
        handle.seek(-4, os.SEEK_END)
        return int.from_bytes(handle.read(4), "little")


def jq_sample(corpus: Corpus, fraction: float, seed: int, work: Path) -> tuple[Path, set[str], float]:
    """A list file of sampled log files (NUL-separated), the sampled set, and whole ÷ sample in JSON bytes.

    Every file holding an expected root record and every adversarial file is in the sample (so the answer
    check stays meaningful); the rest are drawn at random. The time is scaled by JSON bytes.
    """
    files = corpus.log_files()
    must = {row["file"] for row in corpus.expected} | {a["file"] for a in corpus.manifest.get("adversarial", [])}
    rng = random.Random(f"{seed}/jq-sample")
    chosen = [f for f in files if f in must or rng.random() < fraction]
    sizes = {f: gzip_isize(corpus.root / f) for f in files}
    whole, part = sum(sizes.values()), sum(sizes[f] for f in chosen)
    listing = work / "jq-sample.list"
    listing.write_bytes(b"".join(f.encode() + b"\0" for f in chosen))
    return listing, set(chosen), whole / max(part, 1)


# ---------------------------------------------------------------------------------------------------
# Which rows can run


def rootguard_mode(env: dict[str, str]) -> str | None:
    """ "cli" when ``rootguard activity`` exists, "library" when only ``rootguard.trail.scan_paths`` does."""
    python = sys.executable
    probe = subprocess.run(
        [python, "-m", "rootguard", "activity", "--help"], capture_output=True, env=env, check=False, timeout=120
    )
    if probe.returncode == 0 and b"--logs" in probe.stdout:
        return "cli"
    probe = subprocess.run(
        [python, "-c", "from rootguard.trail import scan_paths"], capture_output=True, env=env, check=False, timeout=120
    )
    return "library" if probe.returncode == 0 else None


def has_module(name: str, env: dict[str, str]) -> str | None:
    """The module's version when the venv's Python can import it."""
    probe = subprocess.run(
        [sys.executable, "-c", f"import {name}; print(getattr({name}, '__version__', '?'))"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def parse_json_line(text: str) -> dict[str, Any]:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValueError("no output")
    parsed: dict[str, Any] = json.loads(lines[-1])
    return parsed


def parse_cli(text: str) -> dict[str, Any]:
    document = json.loads(text)
    if document.get("schema") != "rootguard/activity@1":
        raise ValueError(f"unexpected schema {document.get('schema')!r}")
    sources = document.get("sources", {})
    return {
        "event_ids": [event["event_id"] for event in document.get("events", [])],
        "files": sources.get("files"),
        "records": sources.get("records"),
        "skipped": sources.get("skipped", []),
    }


def parse_jq(text: str) -> dict[str, Any]:
    return {"event_ids": [json.loads(line)["eventID"] for line in text.splitlines() if line.strip()]}


@dataclass
class Plan:
    benches: list[Bench]
    skipped: list[str]
    """Rows that cannot run here, with the reason."""
    rootguard_mode: str | None
    versions: dict[str, str]


def plan_rows(corpus: Corpus, args: argparse.Namespace, env: dict[str, str], work: Path) -> Plan:
    python, top = sys.executable, str(corpus.root)
    logs = str(corpus.root / "AWSLogs")  # what a user points rootguard at: the bucket's content
    benches: list[Bench] = []
    skipped: list[str] = []
    versions: dict[str, str] = {}
    gz_ids = corpus.expected_ids(gz_only=True)

    isal_version = has_module("isal", env)
    if isal_version is None:
        skipped.append("raw isal decompression: python-isal is not installed (pip install -e '.[bench]')")
    else:
        versions["isal"] = isal_version
        benches.append(
            Bench(
                "raw",
                f"raw isal decompression ({args.workers} procs)",
                (python, "-c", RAW_DECOMPRESS_SCRIPT, top, str(args.workers)),
                parse_json_line,
                None,
            )
        )

    mode = rootguard_mode(env)
    if mode == "cli":
        argv = (
            python,
            "-m",
            "rootguard",
            "activity",
            "--logs",
            logs,
            "--format",
            "json",
            "--quiet",
            "--since",
            SINCE_DAYS,
        )
        benches.append(
            Bench(
                "rootguard",
                "rootguard activity --logs (CLI)",
                argv,
                parse_cli,
                corpus.expected_ids(gz_only=False),
                ok_codes=ROOTGUARD_OK,
            )
        )
    elif mode == "library":
        argv = (python, "-c", ROOTGUARD_LIBRARY_SCRIPT, logs, SINCE_DAYS, str(args.workers))
        benches.append(
            Bench(
                "rootguard",
                f"rootguard.trail.scan_paths (library, {args.workers} workers)",
                argv,
                parse_json_line,
                corpus.expected_ids(gz_only=False),
            )
        )
    else:
        skipped.append("rootguard: neither `rootguard activity --logs` nor rootguard.trail.scan_paths exists yet")

    jq, zcat = shutil.which("jq"), shutil.which("zcat")
    if args.skip_jq:
        skipped.append("zcat | jq: skipped (--skip-jq)")
    elif jq is None or zcat is None:
        skipped.append("zcat | jq: jq or zcat is not installed (apt-get install -y jq)")
    else:
        versions["jq"] = subprocess.run([jq, "--version"], capture_output=True, text=True, check=False).stdout.strip()
        filter_ = f"jq -c '{JQ_FILTER}'"
        if args.jq_sample < 1.0:
            listing, files, scale = jq_sample(corpus, args.jq_sample, args.seed, work)
            total = len(corpus.log_files())
            script = f"set -o pipefail; cd {top} && xargs -0 -a {listing} zcat | {filter_}"
            benches.append(
                Bench(
                    "jq",
                    f"zcat | jq (~{args.jq_sample:.0%} sample, time × {scale:.1f})",
                    ("/bin/bash", "-c", script),
                    parse_jq,
                    corpus.expected_ids(gz_only=True, files=files),
                    scale=scale,
                    note=f"extrapolated from {len(files):,} of {total:,} files (1/{scale:.1f} of the JSON)",
                )
            )
        else:
            find = "find AWSLogs -path '*/CloudTrail/*' -name '*.json.gz' -print0"
            script = f"set -o pipefail; cd {top} && {find} | xargs -0 zcat | {filter_}"
            benches.append(Bench("jq", "find | xargs zcat | jq", ("/bin/bash", "-c", script), parse_jq, gz_ids))

    duckdb_version = None if args.skip_duckdb else has_module("duckdb", env)
    if args.skip_duckdb:
        skipped.append("DuckDB: skipped (--skip-duckdb)")
    elif duckdb_version is None:
        skipped.append("DuckDB: the duckdb module is not installed (pip install -e '.[bench]')")
    else:
        versions["duckdb"] = duckdb_version
        pattern = f"{top}/AWSLogs/**/CloudTrail/*/*/*/*/*.json.gz"
        benches.append(
            Bench(
                "duckdb",
                f"DuckDB read_json_objects ({args.workers} threads)",
                (python, "-c", DUCKDB_SCRIPT, pattern, str(args.workers)),
                parse_json_line,
                gz_ids,
            )
        )
    return Plan(benches, skipped, mode, versions)


# ---------------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True)
class Verdict:
    text: str
    """The ratio as shown, e.g. "1.13× raw"."""
    target: str
    passed: bool | None


def verdicts(results: list[Result]) -> dict[str, list[Verdict]]:
    by_key = {r.bench.key: r for r in results if r.ok}
    raw, rootguard = by_key.get("raw"), by_key.get("rootguard")
    out: dict[str, list[Verdict]] = {r.bench.key: [] for r in results}
    if rootguard is not None:
        if raw is not None:
            ratio = rootguard.median / raw.median
            out["rootguard"].append(Verdict(f"{ratio:.2f}× raw", f"≤ {MAX_VS_RAW:g}× raw", ratio <= MAX_VS_RAW))
        memory = max(rootguard.peak_rss_mib, rootguard.tree_pss_mib)
        out["rootguard"].append(Verdict(f"{memory:.0f} MiB", f"< {MAX_MEMORY_MIB:g} MiB", memory < MAX_MEMORY_MIB))
        for key, minimum in (("jq", MIN_JQ_VS_ROOTGUARD), ("duckdb", MIN_DUCKDB_VS_ROOTGUARD)):
            peer = by_key.get(key)
            if peer is not None:
                ratio = peer.median / rootguard.median
                approx = "≈" if peer.bench.scale != 1.0 else ""
                out[key].append(Verdict(f"{approx}{ratio:.1f}× rootguard", f"≥ {minimum:g}×", ratio >= minimum))
    return out


TABLE_COLUMNS = [
    ("label", "benchmark", "left"),
    ("median", "median s", "right"),
    ("range", "min–max s", "right"),
    ("cpu", "CPU s", "right"),
    ("rss", "peak RSS MiB", "right"),
    ("pss", "tree PSS MiB", "right"),
    ("rate", "JSON GB/s", "right"),
    ("files", "files/s", "right"),
    ("answer", "answer", "left"),
    ("ratio", "ratio", "left"),
    ("target", "target", "left"),
    ("result", "result", "left"),
]


def rows_for_display(results: list[Result], corpus: Corpus) -> list[dict[str, str]]:
    json_bytes, files = corpus.json_bytes, int(corpus.manifest["log_files"])
    checks = verdicts(results)
    rows = []
    for result in results:
        row = {"label": result.bench.label}
        if not result.ok:
            row.update({key: "—" for key, _, _ in TABLE_COLUMNS[1:]})
            row["result"] = "ERROR"
            rows.append(row)
            continue
        approx = "≈" if result.bench.scale != 1.0 else ""
        answers = sorted(set(result.answers))
        row.update(
            median=f"{approx}{result.median:.2f}",
            range=f"{approx}{result.fastest:.2f}–{result.slowest:.2f}",
            cpu=f"{approx}{result.cpu:.2f}",
            rss=f"{result.peak_rss_mib:.0f}",
            pss=f"{result.tree_pss_mib:.0f}",
            rate=f"{approx}{json_bytes / result.median / 1e9:.2f}",
            files=f"{approx}{files / result.median:,.0f}",
            answer="; ".join(answers) if answers else "(finds nothing: floor)",
        )
        found = checks.get(result.bench.key, [])
        row["ratio"] = ", ".join(v.text for v in found)
        row["target"] = ", ".join(v.target for v in found)
        passed = [v.passed for v in found if v.passed is not None]
        if result.exact is False:
            row["result"] = "WRONG"
        elif passed:
            row["result"] = "PASS" if all(passed) else "FAIL"
        else:
            row["result"] = ""
        rows.append(row)
    return rows


def print_table(results: list[Result], corpus: Corpus, title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for _, header, justify in TABLE_COLUMNS:
        table.add_column(header, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    styles = {"PASS": "green", "FAIL": "bold red", "ERROR": "bold red", "WRONG": "bold red"}
    for row in rows_for_display(results, corpus):
        cells = [row[key] for key, _, _ in TABLE_COLUMNS]
        style = styles.get(row["result"])
        cells[-1] = f"[{style}]{row['result']}[/]" if style else row["result"]
        table.add_row(*cells)
    Console(width=max(200, Console().width)).print(table)


def markdown_table(results: list[Result], corpus: Corpus) -> str:
    lines = [
        "| " + " | ".join(header for _, header, _ in TABLE_COLUMNS) + " |",
        "|" + "|".join("---:" if justify == "right" else "---" for _, _, justify in TABLE_COLUMNS) + "|",
    ]
    lines.extend(
        "| " + " | ".join((row[key] or " ").replace("|", "\\|") for key, _, _ in TABLE_COLUMNS) + " |"
        for row in rows_for_display(results, corpus)
    )
    return "\n".join(lines)


def machine_info() -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str] = {}
    for package in ("rootguard", "isal", "duckdb", "rich"):
        with contextlib.suppress(PackageNotFoundError):
            versions[package] = version(package)

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], capture_output=True, text=True, cwd=BENCH_DIR, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    dirty = bool(git("status", "--porcelain", "--", "../src")) if commit else None
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": cpu_model(),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "git_commit": commit or None,
        "src_has_uncommitted_changes": dirty,
        "versions": versions,
    }


def cpu_model() -> str | None:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or None


def results_document(
    results: list[Result], plan: Plan, corpus: Corpus, args: argparse.Namespace, info: dict[str, Any]
) -> dict[str, Any]:
    checks = verdicts(results)
    manifest = corpus.manifest
    entries = []
    for result in results:
        bench = result.bench
        entries.append(
            {
                "key": bench.key,
                "label": bench.label,
                "argv": [
                    ("python" if a == sys.executable else a.replace(str(corpus.root), "CORPUS")) for a in bench.argv
                ],
                "error": result.error,
                "scale": bench.scale,
                "note": bench.note or None,
                "runs": [
                    {
                        "seconds": round(s.seconds, 4),
                        "cpu_seconds": round(s.cpu_seconds, 3),
                        "peak_rss_mib": round(s.rss_kib / KIB_PER_MIB, 1),
                        "tree_pss_mib": round(s.tree_pss_kib / KIB_PER_MIB, 1),
                        "other_processes_cores": round(s.others_cores, 3),
                        "descendants_lingered_seconds": round(s.lingered, 4),
                        "exit_code": s.exit_code,
                    }
                    for s in result.samples
                ],
                "noisy_runs_repeated": result.noisy_retries,
                "median_seconds": round(result.median, 4) if result.ok else None,
                "json_gb_per_s": round(corpus.json_bytes / result.median / 1e9, 3) if result.ok else None,
                "answers": result.answers,
                "exact": result.exact,
                "details": result.details,
                "verdicts": [{"ratio": v.text, "target": v.target, "passed": v.passed} for v in checks[bench.key]],
            }
        )
    return {
        "schema": "rootguard-bench/activity-scan@1",
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "settings": {
            "repeat": args.repeat,
            "warmup": args.warmup,
            "workers": args.workers,
            "jq_sample": args.jq_sample,
            "rootguard_mode": plan.rootguard_mode,
        },
        "machine": info,
        "tool_versions": plan.versions,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "corpus": {
            key: manifest.get(key)
            for key in ("params", "log_files", "records", "json_bytes", "gz_bytes", "root_records", "files")
        },
        "skipped_rows": plan.skipped,
        "results": entries,
    }


# ---------------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--size-mb", type=float, default=500, metavar="N", help="MB of JSON to generate (default 500)")
    parser.add_argument(
        "--corpus", type=Path, metavar="DIR", help="reuse the corpus in DIR, or generate it there (kept afterwards)"
    )
    parser.add_argument("--seed", type=int, default=42, metavar="N", help="corpus seed (default 42)")
    parser.add_argument("--accounts", type=int, metavar="N", help="accounts (default: 8 per 2,000 MB, at least 1)")
    parser.add_argument("--days", type=int, default=2, metavar="N", help="days of logs (default 2)")
    parser.add_argument("--org-id", default="o-a1b2c3d4e5", metavar="o-…", help="organization trail layout")
    parser.add_argument("--gen-jobs", type=int, default=2, metavar="N", help="generator processes (default 2)")
    parser.add_argument("--repeat", type=int, default=5, metavar="N", help="timed runs per row (default 5)")
    parser.add_argument("--warmup", type=int, default=1, metavar="N", help="untimed runs per row first (default 1)")
    parser.add_argument("--retries", type=int, default=2, metavar="N", help="re-runs of a noisy run (default 2)")
    parser.add_argument("--workers", type=int, default=2, metavar="N", help="processes/threads per tool (default 2)")
    parser.add_argument("--skip-jq", action="store_true", help="no zcat | jq row (the slowest)")
    parser.add_argument(
        "--jq-sample",
        type=float,
        default=1.0,
        metavar="F",
        help="run jq on about this fraction of the files and extrapolate its time by JSON bytes (default 1: all)",
    )
    parser.add_argument("--skip-duckdb", action="store_true", help="no DuckDB row")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="S",
        help="first wait up to S seconds for load average < 0.5 and no pytest process",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save the results as JSON")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed or an answer is wrong")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.retries < 0 or args.workers < 1 or args.gen_jobs < 1:
        parser.error("--repeat, --workers and --gen-jobs must be at least 1; --warmup and --retries not negative")
    if not 0 < args.jq_sample <= 1:
        parser.error("--jq-sample is a fraction in (0, 1]")
    if args.size_mb <= 0:
        parser.error("--size-mb must be positive")
    return args


def busy_reason() -> str | None:
    """Why the machine is not idle (load average, a pytest run), or None."""
    load = os.getloadavg()[0]
    if load >= 0.5:
        return f"load average {load:.2f}"
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
                    if b"pytest" in command and entry.name != str(os.getpid()):
                        return f"pytest is running (pid {entry.name})"
    return None


def wait_until_idle(limit: float) -> None:
    deadline = time.monotonic() + limit
    reason = busy_reason()
    while reason is not None and time.monotonic() < deadline:
        say(f"waiting for an idle machine: {reason}")
        time.sleep(15)
        reason = busy_reason()
    if reason is not None:
        say(f"still busy after {limit:.0f} s ({reason}); measuring anyway")


@contextlib.contextmanager
def corpus_dir(args: argparse.Namespace) -> Iterator[Path]:
    if args.corpus is not None:
        args.corpus.mkdir(parents=True, exist_ok=True)
        yield args.corpus.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="rootguard-activity-bench-") as temp:
        yield Path(temp)


def run_all(args: argparse.Namespace, info: dict[str, Any]) -> tuple[list[Result], Plan, Corpus]:
    with contextlib.ExitStack() as stack:
        root = stack.enter_context(corpus_dir(args))
        corpus = make_corpus(root, args)
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rootguard-activity-work-")))
        env = {**os.environ, "NO_COLOR": "1", "LC_ALL": "C"}
        plan = plan_rows(corpus, args, env, work)
        m = corpus.manifest
        say(
            f"corpus: {m['log_files']:,} log files, {m['records']:,} records, {m['json_bytes'] / 1e6:,.1f} MB JSON, "
            f"{m['gz_bytes'] / 1e6:,.1f} MB gzip ({m['json_bytes'] / m['gz_bytes']:.1f}×), "
            f"{m['root_records']['total']} root records ({m['root_records']['in_json_gz']} in .json.gz)"
        )
        say(f"rootguard row: {plan.rootguard_mode or 'not available'}")
        for reason in plan.skipped:
            say(f"row skipped: {reason}")
        if not plan.benches:
            raise BenchError("nothing to measure")
        if plan.rootguard_mode is not None:
            info["rootguard_bytecode"] = compile_rootguard(env)
            say(f"rootguard bytecode: {info['rootguard_bytecode']}")
        if args.wait_idle > 0:
            wait_until_idle(args.wait_idle)
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
        say(f"{len(plan.benches)} rows × ({args.warmup} warm-up + {args.repeat} timed) runs, interleaved")
        spawner = Spawner(RUN_TIMEOUT)
        stack.callback(spawner.close)
        results = measure(
            spawner, plan.benches, env, work, repeat=args.repeat, warmup=args.warmup, retries=args.retries
        )
        return results, plan, corpus


def compile_rootguard(env: dict[str, str]) -> str:
    """Write rootguard's bytecode (``__pycache__``, git-ignored) before timing, as ``pip install`` does.

    An editable install has none until Python writes it, and with ``PYTHONDONTWRITEBYTECODE`` set (as on
    the bench machine) it never does: every run would compile rootguard's ~180 modules again (~40 ms),
    which no installed rootguard does. The floor's modules (stdlib, isal) come compiled.
    """
    script = (
        "import compileall, os, rootguard\n"
        "print(bool(compileall.compile_dir(os.path.dirname(rootguard.__file__), quiet=1)))"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0 or done.stdout.strip() != "True":
        return f"could not be compiled ({done.stderr.strip()[-200:] or done.stdout.strip()}); runs compile it"
    return "compiled before timing (compileall), as an installed rootguard has it"


def say(message: str) -> None:
    print(f"activity_scan: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not hasattr(os, "wait4") or not Path("/proc/stat").exists():
        say("this bench needs Linux (os.wait4 and /proc)")
        return 2

    def on_sigterm(signum: int, _frame: object) -> None:
        say("terminated; removing the temporary files")
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_sigterm)
    info = machine_info()
    busy = info["load_average"][0]
    if busy > 0.5 * (info["cpus_usable"] or info["cpus"] or 1) and args.wait_idle <= 0:
        say(
            f"warning: load average is {busy:.2f} on {info['cpus']} CPUs; other work will skew the timings "
            "(rows stay comparable with each other: rounds are interleaved). --wait-idle S waits for quiet."
        )
    results, plan, corpus = run_all(args, info)

    m = corpus.manifest
    title = (
        f"rootguard activity scan · {datetime.now(UTC):%Y-%m-%d} · {m['json_bytes'] / 1e6:,.0f} MB JSON in "
        f"{m['log_files']:,} files ({m['gz_bytes'] / 1e6:,.0f} MB gzip) · {info['cpus']} CPUs · "
        f"median of {args.repeat} (+{args.warmup} warm-up)"
    )
    print_table(results, corpus, title)
    if args.markdown:
        print()
        print(markdown_table(results, corpus))
    print(f"rootguard row: {plan.rootguard_mode or 'not available'}")
    for reason in plan.skipped:
        print(f"skipped: {reason}")
    for result in results:
        if result.bench.note:
            print(f"{result.bench.label}: {result.bench.note}")
        if result.details and result.bench.key in ("raw", "rootguard"):
            shown = {k: (v if k != "skipped" else len(v)) for k, v in result.details.items()}
            print(f"{result.bench.label}: {shown}")
        lingered = statistics.median(s.lingered for s in result.samples) if result.samples else 0.0
        if lingered >= 0.01:
            print(f"{result.bench.label}: its descendants outlived it by {lingered:.2f} s (median; not in the time)")
        if result.noisy_retries:
            print(f"{result.bench.label}: {result.noisy_retries} run(s) repeated because other processes were busy")
        if result.error:
            say(f"{result.bench.label}: {result.error}")
    raw = next((r for r in results if r.bench.key == "raw" and r.ok), None)
    if raw is not None and raw.details.get("json_bytes") != corpus.json_bytes:
        say(f"warning: the floor inflated {raw.details.get('json_bytes')} bytes, the manifest says {corpus.json_bytes}")
    if args.json:
        document = results_document(results, plan, corpus, args, info)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        say(f"results saved to {args.json}")

    if any(not r.ok for r in results):
        return 2
    missed = any(v.passed is False for found in verdicts(results).values() for v in found)
    wrong = any(r.exact is False for r in results)
    if args.strict and (missed or wrong or plan.rootguard_mode is None):
        return 1
    return 0


if __name__ == "__main__":
    run_main("activity_scan", main)
