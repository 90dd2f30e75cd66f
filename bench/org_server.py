"""The organization server the org benchmark audits, and one measured ``rootguard org audit`` against it.

``organization(members, latency, rate)`` starts the tests' organization server (tests/moto_organization.py:
``scale_plan`` members in nested OUs, AssumeRoot and the root user's answers moto lacks) in this
process, then adds ``latency`` seconds to every call and answers ``ThrottlingException`` to AssumeRoot
above ``rate`` calls per second. Building the organization is not timed (no latency while seeding).

``audit_once`` runs one ``rootguard org audit --format json`` as a child of the bench's spawner
(bench/spawner.py: wall time, CPU and peak RSS of the rootguard process from ``os.wait4``) and reads
back what the server counted: calls per account, throttled AssumeRoot calls, the server's own CPU.
"""

from __future__ import annotations

import json
import resource
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spawner import BenchError, Sample, Spawner

TESTS = Path(__file__).resolve().parent.parent / "tests"
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
    """CPU seconds of the bench process (the moto server) during the run."""

    @property
    def seconds_per_member(self) -> float:
        return self.sample.seconds / max(self.members, 1)

    @property
    def calls_per_account(self) -> float:
        return self.calls / (self.members + 1)


@contextmanager
def organization(members: int, *, latency: float, rate: float | None) -> Iterator[Any]:
    """A running organization of ``members`` members (``MotoOrg``), latency and throttling switched on."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    try:
        from moto_organization import moto_org_server, scale_plan
    except ImportError as missing:
        raise BenchError(f"cannot import the organization server ({missing}); {INSTALL_HINT}") from missing
    with moto_org_server(scale_plan(members)) as org:
        org.state.latency = latency
        org.state.assume_root_rate.per_second = rate
        yield org


def audit_once(
    spawner: Spawner,
    org: Any,
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
    org.state.calls.clear()
    throttled = org.state.throttled
    before = resource.getrusage(resource.RUSAGE_SELF)
    sample = spawner.run(tuple(argv), env, folder, out, err)
    after = resource.getrusage(resource.RUSAGE_SELF)
    if sample.exit_code not in AUDIT_EXIT_CODES or not report.is_file():
        raise BenchError(f"{label}: rootguard exited {sample.exit_code}: {err.read_text()[-2000:]}")
    rows = len(json.loads(report.read_text())["accounts"])  # the report's rows, or the manifest's accounts
    members = len(accounts) if accounts else len(org.account_ids)
    return Run(
        label=label,
        members=members,
        sample=sample,
        rows=rows,
        calls=sum(org.state.calls.values()),
        throttled=org.state.throttled - throttled,
        server_cpu=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
    )


def child_env(home: Path, endpoint: str) -> dict[str, str]:
    """No AWS settings of the developer's: dummy management-account credentials and a private HOME."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    (home / ".aws").mkdir(parents=True, exist_ok=True)
    config, credentials = home / ".aws" / "config", home / ".aws" / "credentials"
    config.write_text("[default]\nregion = us-east-1\n")
    credentials.write_text("")
    env.update(
        HOME=str(home),
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(credentials),
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ENDPOINT_URL=endpoint,
        NO_COLOR="1",
    )
    return env
