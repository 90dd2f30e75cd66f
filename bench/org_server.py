"""The organization server the org benchmark audits, and one measured ``rootguard org audit`` against it.

``organization(members, latency, rate, server=...)`` starts one of two servers holding ``members`` members
in nested OUs, adding ``latency`` seconds to every call and answering ``ThrottlingException`` to AssumeRoot
above ``rate`` calls per second:

- ``"light"``: bench/org_endpoint.py in its own process, answering from canned bodies (AWS's servers do
  not share the auditor's cores; this one costs ~0.35 ms of CPU per call, reported as server CPU);
- ``"moto"`` (the default here, for tests/e2e/test_org_scale.py): the tests' organization server
  (tests/moto_organization.py ``scale_plan``) in this process. Building it is not timed, but moto then
  burns more CPU than rootguard on the same cores: a 500-member run measures moto as much as rootguard.

``audit_once`` runs one ``rootguard org audit --format json`` as a child of the bench's spawner
(bench/spawner.py: wall time, CPU and peak RSS of the rootguard process from ``os.wait4``) and reads
back what the server counted: calls per account, throttled AssumeRoot calls, the server's own CPU.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from spawner import BenchError, Sample, Spawner

BENCH = Path(__file__).resolve().parent
TESTS = BENCH.parent / "tests"
INSTALL_HINT = "pip install -e '.[test]'  (the organization server is the tests' own: moto, pytest)"
AUDIT_EXIT_CODES = frozenset({0, 1, 3})
"""A finished organization audit: clean, a FAIL, an ERROR (contract §2)."""


@dataclass(frozen=True)
class Run:
    """One measured organization audit."""

    label: str
    members: int
    """Members audited (the management account comes on top)."""
    sample: Sample
    rows: int
    """Accounts with a row in the report."""
    calls: int
    """API calls the server answered during the run."""
    throttled: int
    server_cpu: float
    """CPU seconds of the server's process during the run (light: its own process; moto: the bench's)."""

    @property
    def seconds_per_member(self) -> float:
        return self.sample.seconds / max(self.members, 1)

    @property
    def calls_per_account(self) -> float:
        return self.calls / (self.members + 1)


@dataclass(frozen=True)
class Counters:
    calls: int
    throttled: int
    cpu_seconds: float


class Server(Protocol):
    endpoint: str
    member_ids: list[str]

    def reset(self) -> None:
        """Zero the call and throttling counts."""

    def counters(self) -> Counters:
        """Calls and throttled AssumeRoot calls since ``reset``, the server process's CPU seconds so far."""


class MotoServer:
    """The tests' moto organization, running in this process."""

    def __init__(self, org: Any) -> None:
        self.org = org
        self.endpoint: str = org.endpoint
        self.member_ids = list(org.account_ids.values())

    def reset(self) -> None:
        self.org.state.calls.clear()
        self.org.state.throttled = 0

    def counters(self) -> Counters:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        calls = sum(self.org.state.calls.values())
        return Counters(calls, self.org.state.throttled, usage.ru_utime + usage.ru_stime)


class LightServer:
    """bench/org_endpoint.py, a child process of the bench."""

    def __init__(self, process: subprocess.Popen[str], ready: dict[str, Any]) -> None:
        self.process = process
        self.endpoint: str = ready["endpoint"]
        self.member_ids = list(ready["members"])

    def reset(self) -> None:
        with urllib.request.urlopen(urllib.request.Request(f"{self.endpoint}/__bench/reset", data=b"", method="POST")):
            pass

    def counters(self) -> Counters:
        with urllib.request.urlopen(f"{self.endpoint}/__bench/stats") as answer:
            stats = json.loads(answer.read())
        return Counters(sum(stats["calls"].values()), int(stats["throttled"]), float(stats["cpu_seconds"]))


@contextmanager
def organization(members: int, *, latency: float, rate: float | None, server: str = "moto") -> Iterator[Server]:
    """A running organization of ``members`` members, latency and throttling switched on."""
    if server == "light":
        with light_organization(members, latency=latency, rate=rate) as light:
            yield light
        return
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    try:
        from moto_organization import moto_org_server, scale_plan
    except ImportError as missing:
        raise BenchError(f"cannot import the organization server ({missing}); {INSTALL_HINT}") from missing
    with moto_org_server(scale_plan(members)) as org:
        org.state.latency = latency
        org.state.assume_root_rate.per_second = rate
        yield MotoServer(org)


@contextmanager
def light_organization(members: int, *, latency: float, rate: float | None) -> Iterator[LightServer]:
    argv = [sys.executable, str(BENCH / "org_endpoint.py"), "--members", str(members), "--latency", f"{latency:g}",
            "--rate", f"{rate or 0:g}"]  # fmt: skip
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        if not line:
            raise BenchError(f"bench/org_endpoint.py exited {process.wait()} before serving")
        yield LightServer(process, json.loads(line))
    finally:
        process.terminate()
        process.wait(timeout=30)


def audit_once(
    spawner: Spawner,
    org: Server,
    env: dict[str, str],
    folder: Path,
    *,
    label: str,
    options: Sequence[str],
    accounts: Sequence[str] = (),
    command: str = "audit",
) -> Run:
    """``rootguard org audit --format json`` (or ``org collect --out``, ``command="collect"``) with ``options``
    (and ``--accounts`` when given), measured."""
    name = label.replace(" ", "-").replace(",", "")
    out, err, report = folder / f"{name}.out", folder / f"{name}.err", folder / f"{name}.json"
    if command == "collect":
        bundle = folder / f"{name}-bundle"
        argv = [sys.executable, "-m", "rootguard", "org", "collect", "--out", str(bundle), "--quiet"]
        report = bundle / "manifest.json"
    else:
        argv = [
            sys.executable,
            "-m",
            "rootguard",
            "org",
            "audit",
            "--format",
            "json",
            "--quiet",
            "--output",
            str(report),
        ]
    argv += list(options)
    if accounts:
        argv += ["--accounts", ",".join(accounts)]
    org.reset()
    before = org.counters()
    sample = spawner.run(tuple(argv), env, folder, out, err)
    after = org.counters()
    if sample.exit_code not in AUDIT_EXIT_CODES or not report.is_file():
        raise BenchError(f"{label}: rootguard exited {sample.exit_code}: {err.read_text()[-2000:]}")
    rows = len(json.loads(report.read_text())["accounts"])  # the report's rows, or the manifest's accounts
    members = len(accounts) if accounts else len(org.member_ids)
    return Run(
        label=label,
        members=members,
        sample=sample,
        rows=rows,
        calls=after.calls,
        throttled=after.throttled,
        server_cpu=after.cpu_seconds - before.cpu_seconds,
    )
