"""How does ``rootguard org audit`` scale to 500 member accounts behind a slow, throttling AWS?

One run, side by side:

- ``org audit`` of an organization of ``--small`` members (default 100) and of ``--members`` (default
  500), each behind a server that adds ``--latency`` seconds to every call (default 0.05) and answers
  ``ThrottlingException`` to AssumeRoot above ``--server-rate`` calls per second (default 10; AWS
  rate-limits AssumeRoot without documenting the rate). ``--server light`` (default): bench/org_endpoint.py
  in its own process, canned answers, little CPU per call (AWS's servers do not eat the auditor's cores);
  ``--server moto``: the tests' organization server (tests/moto_organization.py) in the bench process;
- the serial baseline: ``org audit --concurrency 1`` of the first ``--baseline-members`` members of the
  large organization (default 10), its seconds per member projected to all of them.

For each run: wall time, the rootguard process's CPU and peak RSS (bench/spawner.py: ``os.wait4``), the
server's CPU (it shares the machine's cores), API calls per account and throttled AssumeRoot calls. The
floor AssumeRoot imposes is members / rate: no concurrency beats it. The goal (issue 13): 500 members in
at most 60 s on 2 cores, and peak RSS that does not grow with the number of members.

    .venv/bin/python bench/org_scale.py [--server light|moto] [--members 500] [--small 100] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

from org_server import Run, audit_once, organization
from spawner import Spawner, child_env, run_main

MEMBER_OPTIONS = "--regions us-east-1 --no-alerting"
"""Each member's single-account audit reads one Region's CloudTrail event history and no alerting paths:
the per-member work then stays what every organization audit does (AssumeRoot probe, audit role,
credential report, admins), not a multiple of how many Regions and alarms the fake holds."""
GOAL_SECONDS = 60.0
RSS_GROWTH_LIMIT = 1.25
KIB_PER_MIB = 1024


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--server",
        choices=("light", "moto"),
        default="light",
        help="light: bench/org_endpoint.py in its own process (default); moto: the tests' moto organization",
    )
    parser.add_argument("--members", type=int, default=500, help="members of the large organization (default 500)")
    parser.add_argument("--small", type=int, default=100, help="members of the small organization (default 100)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every call (default 0.05)")
    parser.add_argument("--server-rate", type=float, default=10.0, help="AssumeRoot calls/s before throttling")
    parser.add_argument("--assume-root-rate", type=float, help="rootguard's --assume-root-rate (default: server's)")
    parser.add_argument(
        "--concurrency", type=int, default=32, help="rootguard's --concurrency (default 32, as rootguard's)"
    )
    parser.add_argument("--baseline-members", type=int, default=10, help="members in the serial baseline")
    parser.add_argument("--member-options", default=MEMBER_OPTIONS, help=f"(default {MEMBER_OPTIONS!r})")
    parser.add_argument(
        "--command",
        choices=("audit", "collect"),
        default="audit",
        help="org audit (default; evaluates and holds the whole report) or org collect (streams to a bundle)",
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    return parser.parse_args(argv)


def measure(args: argparse.Namespace, folder: Path) -> list[Run]:
    client_rate = args.assume_root_rate or args.server_rate
    options = [
        *shlex.split(args.member_options),
        "--concurrency", str(args.concurrency),
        "--assume-root-rate", f"{client_rate:g}",
    ]  # fmt: skip
    runs: list[Run] = []
    spawner = Spawner(run_timeout=3600)
    try:
        for members in (args.small, args.members):
            say(f"building an organization of {members} members …")
            with organization(members, latency=args.latency, rate=args.server_rate, server=args.server) as org:
                env = child_env(folder / "home", org.endpoint)
                say(f"org {args.command}, {members} members …")
                label = f"org {args.command}, {members} members"
                runs.append(audit_once(spawner, org, env, folder, label=label, options=options, command=args.command))
                if members == args.members:
                    first = org.member_ids[: args.baseline_members]
                    serial = [*options, "--concurrency", "1"]
                    say(f"serial baseline, {len(first)} members …")
                    label = f"serial baseline (--concurrency 1), {len(first)} members"
                    runs.append(
                        audit_once(
                            spawner, org, env, folder, label=label, options=serial, accounts=first, command=args.command
                        )
                    )
    finally:
        spawner.close()
    return runs


def report(args: argparse.Namespace, runs: list[Run]) -> dict[str, Any]:
    small, large, serial = runs
    rate = min(args.server_rate, args.assume_root_rate or args.server_rate)
    projected = serial.seconds_per_member * large.members
    rss_growth = large.sample.rss_kib / small.sample.rss_kib
    header = ("run", "wall s", "s/member", "CPU s", "server CPU s", "peak RSS MiB", "calls/acct", "throttled", "rows",
              "× serial")  # fmt: skip
    lines = [header]
    lines.extend(
        (
            run.label, f"{run.sample.seconds:.1f}", f"{run.seconds_per_member:.3f}", f"{run.sample.cpu_seconds:.1f}",
            f"{run.server_cpu:.1f}", f"{run.sample.rss_kib / KIB_PER_MIB:.0f}", f"{run.calls_per_account:.1f}",
            str(run.throttled), f"{run.rows}/{run.members + (0 if run is serial else 1)}",
            f"{serial.seconds_per_member / run.seconds_per_member:.1f}",
        )
        for run in runs
    )  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    figures = {
        "assume_root_floor_seconds": large.members / rate,
        "projected_serial_seconds": projected,
        "speedup_vs_serial": projected / large.sample.seconds,
        "rss_growth": rss_growth,
        "goal_seconds_met": large.sample.seconds <= GOAL_SECONDS,
        "rss_flat": rss_growth <= RSS_GROWTH_LIMIT,
        "every_account_has_a_row": all(r.rows == r.members + (0 if r is serial else 1) for r in runs),
    }
    print(
        f"\nAssumeRoot floor: {large.members} members / {rate:g} per s = {figures['assume_root_floor_seconds']:.0f} s."
        f"\nSerial (projected from {serial.members} members): {projected:.0f} s; "
        f"{large.label}: {large.sample.seconds:.1f} s = {figures['speedup_vs_serial']:.1f}x faster."
        f"\nPeak RSS {small.members} → {large.members} members: {rss_growth:.2f}x "
        f"({'flat' if figures['rss_flat'] else 'GROWS'}, limit {RSS_GROWTH_LIMIT}x)."
        f"\nGoal ≤ {GOAL_SECONDS:.0f} s for {large.members} members: "
        f"{'met' if figures['goal_seconds_met'] else 'MISSED'}"
        f" (server: {args.server}; load average {os.getloadavg()[0]:.1f}; the server's CPU shares the cores)."
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rootguard-org-bench-") as temporary:
        runs = measure(args, Path(temporary))
    figures = report(args, runs)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {"args": vars(args) | {"json": str(args.json)}, "figures": figures,
                    "runs": [asdict(run) for run in runs]}  # fmt: skip
        args.json.write_text(json.dumps(document, indent=2, default=str))
    return 0 if figures["every_account_has_a_row"] else 1


def say(message: str) -> None:
    print(f"org_scale: {message}", flush=True)


if __name__ == "__main__":
    run_main("org_scale", main)
