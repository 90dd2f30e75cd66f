"""How long does a live ``rootguard audit`` take when AWS fails, next to the same audit from its saved bundle?

A stock moto server (tests/faults/stock_moto.py: none of the tests' stand-ins, only the repository's root
state of the "bad" scenario) answers SimulatePrincipalPolicy, LookupEvents and Config compliance with
HTTP 500, some as HTML pages, and lists 24 Regions. Two rows, interleaved with the order rotating each
round (bench/README.md):

- ``audit --evidence BUNDLE``: the offline audit of the bundle the live audit saved (the baseline);
- ``audit (live, stock moto)``: the live audit itself, failures, retries, breaker and all.

Each run is a child process started by bench/spawner.py (wall time, peak RSS from wait4). One untimed
live run with ``--save-evidence`` writes the bundle first. Exit codes 0, 1 and 3 are normal outcomes.

    .venv/bin/python bench/live_faults.py [--repeat 5] [--json bench/results/live_faults.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

from spawner import BenchError, Sample, Spawner, run_main

TESTS = Path(__file__).resolve().parent.parent / "tests"
RUN_TIMEOUT = 120.0
AUDIT_OK = frozenset({0, 1, 3})
KIB_PER_MIB = 1024
TARGET_SECONDS = 10.0
"""The live row's target on 2 cores (the moto server shares the machine)."""


def say(message: str) -> None:
    print(f"live_faults: {message}", file=sys.stderr, flush=True)


def run(spawner: Spawner, argv: tuple[str, ...], env: dict[str, str], work: Path) -> Sample:
    out, err = work / "stdout", work / "stderr"
    sample = spawner.run(argv, env, work, out, err)
    if sample.exit_code not in AUDIT_OK:
        raise BenchError(f"{' '.join(argv[2:])} exited {sample.exit_code}: {err.read_text()[-800:]}")
    if json.loads(out.read_text()).get("schema") != "rootguard/report@1":
        raise BenchError(f"{' '.join(argv[2:])} printed no report")
    return sample


def measure(repeat: int) -> dict[str, list[Sample]]:
    sys.path[:0] = [str(TESTS)]  # the tests' stock server and clean child environment (needs the test extras)
    from faults.cli import aws_env
    from faults.stock_moto import stock_moto_server

    audit = (sys.executable, "-m", "rootguard", "audit", "--format", "json", "--quiet")
    with tempfile.TemporaryDirectory(prefix="rootguard-live-faults-") as temp, stock_moto_server("bad") as server:
        work = Path(temp)
        bundle = work / "bundle"
        env = aws_env(work, server.endpoint)
        offline_env = {k: v for k, v in env.items() if not k.startswith("AWS_") or k == "AWS_EC2_METADATA_DISABLED"}
        rows = {
            "audit --evidence BUNDLE (offline)": ((*audit, "--evidence", str(bundle)), offline_env),
            "audit (live, stock moto)": (audit, env),
        }
        spawner = Spawner(RUN_TIMEOUT)
        try:
            say(f"moto on {server.endpoint}; writing the bundle with one live audit (untimed) …")
            run(spawner, (*audit, "--save-evidence", str(bundle)), env, work)
            samples: dict[str, list[Sample]] = {name: [] for name in rows}
            names = list(rows)
            for round_no in range(repeat):
                say(f"  run {round_no + 1}/{repeat} …")
                for name in names[round_no % 2 :] + names[: round_no % 2]:
                    argv, child_env = rows[name]
                    samples[name].append(run(spawner, argv, child_env, work))
        finally:
            spawner.close()
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    samples = measure(max(1, args.repeat))
    offline, live = samples.values()
    base_time = statistics.median(s.seconds for s in offline)
    base_rss = max(s.rss_kib for s in offline) / KIB_PER_MIB
    figures = []
    print(f"{'row':<36} {'median s':>9} {'min–max s':>13} {'peak RSS MiB':>13} {'time ×':>8} {'RSS ×':>6}")
    for name, runs in samples.items():
        median = statistics.median(s.seconds for s in runs)
        rss = max(s.rss_kib for s in runs) / KIB_PER_MIB
        spread = f"{min(s.seconds for s in runs):.2f}–{max(s.seconds for s in runs):.2f}"
        ratios = f"{median / base_time:>7.1f}× {rss / base_rss:>5.1f}×"
        print(f"{name:<36} {median:>9.2f} {spread:>13} {rss:>13.1f} {ratios}")
        figures.append({"row": name, "median_s": median, "min_s": min(s.seconds for s in runs),
                        "max_s": max(s.seconds for s in runs), "peak_rss_mib": rss})  # fmt: skip
    live_median = statistics.median(s.seconds for s in live)
    verdict = "PASS" if live_median <= TARGET_SECONDS else "FAIL"
    print(f"target: live median ≤ {TARGET_SECONDS:g} s on 2 cores: {verdict}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"repeat": args.repeat, "rows": figures}, indent=2) + "\n")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    run_main("live_faults", main)
