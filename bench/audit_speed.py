"""How fast is ``rootguard audit``, next to the floor it cannot beat?

One run measures, side by side and in interleaved rounds (so background noise hits every row alike):

- ``python -c pass`` and ``python -c "import boto3"``: interpreter start and SDK import, the baselines;
- ``rootguard audit --demo --format json``: the shipped demo bundle;
- ``rootguard audit --evidence BUNDLE``: a bundle generated here, one account whose credential report
  holds the root row and ``--users`` IAM users (default 1,000), written with rootguard's own writer;
- ``rootguard audit --format json --quiet``: a live audit against a moto server on 127.0.0.1;
- a raw boto3 script making the same API calls against the same server: the floor for a live audit.

Every command is a child process (``sys.executable``), started by a small spawner process that
measures wall time from fork to ``os.wait4`` and takes the child's peak RSS from wait4's rusage (see
"Running one child" for why not ``Popen`` from here). Nothing is written outside a temporary
directory unless ``--json FILE`` is given.

    .venv/bin/python bench/audit_speed.py [--repeat 5] [--json bench/results/run.json] [--markdown]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import logging
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from spawner import BenchError, Sample, Spawner, child_env, run_main

KIB_PER_MIB = 1024
RUN_TIMEOUT = 300.0
INSTALL_HINT = "pip install -e '.[test]'  (from the repository root, in the project's venv)"

# rootguard exits 1 on a FAIL and 3 on an ERROR; both are normal outcomes for timing. moto has no
# <root_account> row, so the live audit reports ERROR and exits 3.
AUDIT_OK = frozenset({0, 1, 3})

RAW_SDK_SCRIPT = """\
import time
import boto3

session = boto3.session.Session()
sts = session.client("sts")
iam = session.client("iam")
sts.get_caller_identity()
delay = 0.25
while iam.generate_credential_report()["State"] != "COMPLETE":
    time.sleep(delay)
    delay = min(delay * 2, 8.0)
iam.get_credential_report()
iam.get_account_summary()
for _page in iam.get_paginator("list_virtual_mfa_devices").paginate():
    pass
for _page in iam.get_paginator("get_account_authorization_details").paginate():
    pass
try:
    iam.get_account_password_policy()
except iam.exceptions.NoSuchEntityException:
    pass
iam.list_account_aliases()
session.client("sso-admin").list_instances()
"""


@dataclass(frozen=True)
class Target:
    max_seconds: float | None = None
    max_rss_mib: float | None = None

    def describe(self) -> str:
        parts = []
        if self.max_seconds is not None:
            parts.append(f"< {self.max_seconds:g} s")
        if self.max_rss_mib is not None:
            parts.append(f"< {self.max_rss_mib:g} MiB")
        return ", ".join(parts)


@dataclass(frozen=True)
class Bench:
    key: str
    label: str
    argv: tuple[str, ...]
    short: str = ""
    """How the row is named when it is another row's baseline."""
    ok_codes: frozenset[int] = frozenset({0})
    baseline: str | None = None
    target: Target | None = None
    json_report: bool = False
    """stdout must be a rootguard JSON report (checked on the first run, warm-up included)."""


@dataclass
class Result:
    bench: Bench
    samples: list[Sample] = field(default_factory=list)
    error: str | None = None
    summary: dict[str, int] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and bool(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def fastest(self) -> float:
        return min(s.seconds for s in self.samples)

    @property
    def slowest(self) -> float:
        return max(s.seconds for s in self.samples)

    @property
    def peak_rss_mib(self) -> float:
        return max(s.rss_kib for s in self.samples) / KIB_PER_MIB

    def verdict(self) -> bool | None:
        """True/False against the target; None without a target or without data."""
        target = self.bench.target
        if target is None:
            return None
        if not self.ok:
            return False
        fast = target.max_seconds is None or self.median < target.max_seconds
        small = target.max_rss_mib is None or self.peak_rss_mib < target.max_rss_mib
        return fast and small


def check_sample(result: Result, sample: Sample, out: Path, err: Path) -> None:
    bench = result.bench
    if sample.exit_code not in bench.ok_codes:
        if sample.seconds >= RUN_TIMEOUT:
            result.error = f"timed out after {RUN_TIMEOUT:.0f} s"
            return
        tail = err.read_text(errors="replace").strip()[-800:]
        result.error = f"exit code {sample.exit_code} (accepted: {sorted(bench.ok_codes)}): {tail or 'no stderr'}"
        return
    if bench.json_report and result.summary is None:
        try:
            document = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            result.error = f"stdout is not a JSON report: {error}"
            return
        if document.get("schema") != "rootguard/report@1":
            result.error = f"unexpected report schema {document.get('schema')!r}"
            return
        result.summary = document.get("summary", {})
    elif not bench.json_report and bench.key.startswith("audit") and out.stat().st_size == 0:
        result.error = "the audit printed nothing"


def measure(
    spawner: Spawner, benches: list[Bench], env: dict[str, str], work: Path, *, repeat: int, warmup: int
) -> list[Result]:
    """Warm every row up, then run ``repeat`` interleaved rounds (row order rotates each round)."""
    results = [Result(b) for b in benches]
    out, err = work / "stdout", work / "stderr"
    total = warmup + repeat
    for round_no in range(total):
        timed = round_no >= warmup
        phase = f"run {round_no - warmup + 1}/{repeat}" if timed else f"warm-up {round_no + 1}/{warmup}"
        say(f"  {phase} …")
        shift = round_no % len(results)
        for result in results[shift:] + results[:shift]:
            if result.error is not None:
                continue
            sample = spawner.run(result.bench.argv, env, work, out, err)
            check_sample(result, sample, out, err)
            if timed and result.error is None:
                result.samples.append(sample)
    return results


# ---------------------------------------------------------------------------------------------------
# The generated evidence bundle


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


BENCH_ACCOUNT = "314159265358"
BENCH_COLLECTED_AT = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
NO_KEY = ("false", "N/A", "N/A", "N/A", "N/A")
NO_CERTS = ("false", "N/A", "false", "N/A")


class SyntheticIam:
    """Credential report rows and virtual MFA devices for a made-up account, reproducible from a seed.

    Mix per user: 70 % console password (10 % of those never used), 80 % of those with virtual MFA;
    per key slot: 45 % none, 10 % inactive, 10 % active never used, 35 % active and used; 1 % certs.
    Root: console use 41 days before collection, hardware MFA, no keys.
    """

    regions = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2")
    services = ("s3", "ec2", "sts", "iam", "lambda", "dynamodb")

    def __init__(self, users: int, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.now = BENCH_COLLECTED_AT
        account = BENCH_ACCOUNT
        root_used = iso(self.now - timedelta(days=41, hours=3))
        self.rows: list[list[str]] = [
            [
                "<root_account>", f"arn:aws:iam::{account}:root", "2018-01-15T09:30:00+00:00", "not_supported",
                root_used, "not_supported", "not_supported", "true", *NO_KEY, *NO_KEY, *NO_CERTS,
            ]
        ]  # fmt: skip
        self.devices: list[dict[str, Any]] = []
        self.counts = {"users_with_password": 0, "users_with_mfa": 0, "active_access_keys": 0}
        for index in range(users):
            self.add_user(index)
        self.devices.extend({"SerialNumber": f"arn:aws:iam::{account}:mfa/spare-{n}"} for n in range(5))

    def between(self, start: datetime, end: datetime) -> datetime:
        span = max(int((end - start).total_seconds()), 1)
        return start + timedelta(seconds=self.rng.randrange(span))

    def key(self, created: datetime) -> tuple[str, ...]:
        roll = self.rng.random()
        if roll < 0.45:
            return NO_KEY
        rotated = self.between(created, self.now)
        if roll < 0.55:  # inactive
            return ("false", iso(rotated), "N/A", "N/A", "N/A")
        if roll < 0.65:  # active, never used
            return ("true", iso(rotated), "N/A", "N/A", "N/A")
        used = self.between(rotated, self.now)
        return ("true", iso(rotated), iso(used), self.rng.choice(self.regions), self.rng.choice(self.services))

    def add_user(self, index: int) -> None:
        rng = self.rng
        name = f"user-{index:04d}"
        arn = f"arn:aws:iam::{BENCH_ACCOUNT}:user/{name}"
        created = self.now - timedelta(days=rng.randint(2, 3000), seconds=rng.randrange(86400))
        mfa = "false"
        console: tuple[str, ...] = ("false", "N/A", "N/A", "N/A")
        if rng.random() < 0.7:
            self.counts["users_with_password"] += 1
            changed = self.between(created, self.now)
            used = rng.choice(["no_information", "N/A"]) if rng.random() < 0.1 else iso(self.between(changed, self.now))
            mfa = "true" if rng.random() < 0.8 else "false"
            console = ("true", used, iso(changed), "N/A")
        key1 = self.key(created)
        key2 = self.key(created) if key1[0] == "true" and rng.random() < 0.3 else NO_KEY
        self.counts["active_access_keys"] += (key1[0] == "true") + (key2[0] == "true")
        certs = ("true", iso(self.between(created, self.now)), "false", "N/A") if rng.random() < 0.01 else NO_CERTS
        self.rows.append([name, arn, iso(created), *console, mfa, *key1, *key2, *certs])
        if mfa == "true":
            self.counts["users_with_mfa"] += 1
            self.devices.append(
                {
                    "SerialNumber": f"arn:aws:iam::{BENCH_ACCOUNT}:mfa/{name}",
                    "User": {
                        "Path": "/",
                        "UserName": name,
                        "UserId": f"AIDA{index:017d}",
                        "Arn": arn,
                        "CreateDate": iso(created),
                    },
                    "EnableDate": iso(self.between(created, self.now)),
                }
            )


def write_large_bundle(out: Path, users: int) -> dict[str, Any]:
    """One account: the root row plus ``users`` IAM users, in the document shapes of scripts/build_demo.py."""
    from rootguard.evidence.bundle import write_bundle
    from rootguard.model.credential_report import COLUMNS
    from rootguard.model.operations import ACCOUNT_SUMMARY, CALLER_IDENTITY, CREDENTIAL_REPORT, VIRTUAL_MFA_DEVICES

    iam = SyntheticIam(users)
    rows, devices, counts = iam.rows, iam.devices, iam.counts
    account, collected_at = BENCH_ACCOUNT, BENCH_COLLECTED_AT
    if any(len(row) != len(COLUMNS) for row in rows):
        raise BenchError(f"a generated credential report row does not have the {len(COLUMNS)} AWS columns")
    csv = "\n".join(",".join(cells) for cells in [list(COLUMNS), *rows]) + "\n"
    documents = {
        CALLER_IDENTITY.path(account): {
            "UserId": "AROAEXAMPLEBENCH00001:auditor",
            "Account": account,
            "Arn": f"arn:aws:sts::{account}:assumed-role/RootguardAudit/auditor",
        },
        CREDENTIAL_REPORT.path(account): {
            "Content": base64.b64encode(csv.encode()).decode(),
            "ReportFormat": "text/csv",
            "GeneratedTime": iso(collected_at - timedelta(minutes=2)),
        },
        ACCOUNT_SUMMARY.path(account): {
            "SummaryMap": {
                "AccountMFAEnabled": 1,
                "AccountAccessKeysPresent": 0,
                "AccountSigningCertificatesPresent": 0,
                "AccountPasswordPresent": 1,
                "Users": users,
                "UsersQuota": 5000,
                "Groups": 12,
                "GroupsQuota": 300,
                "Roles": 240,
                "RolesQuota": 1000,
                "Policies": 80,
                "PoliciesQuota": 1500,
                "MFADevices": len(devices),
                "MFADevicesInUse": counts["users_with_mfa"],
                "AccessKeysPerUserQuota": 2,
                "SigningCertificatesPerUserQuota": 2,
            }
        },
        VIRTUAL_MFA_DEVICES.path(account): {"VirtualMFADevices": devices},
    }
    write_bundle(out, documents, (account,), collected_at)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"account": account, "users": users, "mfa_devices": len(devices), "bytes": size, **counts}


# ---------------------------------------------------------------------------------------------------
# The moto server


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A ThreadedMotoServer on a free 127.0.0.1 port (the OS picks it), stopped on the way out.

    It carries the tests' stand-ins for what moto 5.2 lacks (LookupEvents, two enabled Regions
    instead of 38, Config compliance, SimulatePrincipalPolicy): without them every unimplemented call
    answers HTTP 500 and the bench would time botocore's retry back-off, not rootguard.
    """
    import pytest
    from moto.server import ThreadedMotoServer

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from moto_alerting import AlertingState, install_alerting
    from moto_root import CloudTrailState, install_cloudtrail
    from moto_simulator import install_simulator

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    with pytest.MonkeyPatch.context() as patches:
        install_cloudtrail(patches, CloudTrailState())
        install_alerting(patches, AlertingState())
        install_simulator(patches)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def seed_moto(endpoint: str, users: int) -> dict[str, int]:
    """IAM users with passwords, keys and virtual MFA (over 100 devices, so the MFA list pages)."""
    import boto3

    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    counts = {"users": users, "passwords": 0, "access_keys": 0, "mfa_devices": 0}
    for index in range(users):
        name = f"user-{index:04d}"
        iam.create_user(UserName=name)
        if index % 3 != 2:
            iam.create_login_profile(UserName=name, Password="Bench-Passw0rd!")
            counts["passwords"] += 1
        if index % 2 == 0:
            iam.create_access_key(UserName=name)
            counts["access_keys"] += 1
        if index % 4 != 3:
            device = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
            iam.enable_mfa_device(
                UserName=name,
                SerialNumber=device["SerialNumber"],
                AuthenticationCode1="123456",
                AuthenticationCode2="654321",
            )
            counts["mfa_devices"] += 1
    # moto answers the first GenerateCredentialReport with STARTED (the caller then sleeps 0.25 s) and
    # COMPLETE afterwards. Generate it now so every timed run sees the steady state, as on real AWS
    # when a report younger than 4 hours exists.
    iam.generate_credential_report()
    return counts


# ---------------------------------------------------------------------------------------------------
# Output


def ratio(result: Result, baselines: dict[str, Result]) -> tuple[float, float, float] | None:
    """(time ratio, time difference in s, RSS ratio) against the row's baseline."""
    base = baselines.get(result.bench.baseline or "")
    if base is None or not base.ok or not result.ok:
        return None
    return result.median / base.median, result.median - base.median, result.peak_rss_mib / base.peak_rss_mib


def rows_for_display(results: list[Result]) -> list[dict[str, str]]:
    by_key = {r.bench.key: r for r in results}
    rows = []
    for result in results:
        bench = result.bench
        base = by_key.get(bench.baseline or "")
        row = {"benchmark": bench.label, "baseline": (base.bench.short or base.bench.label) if base else "—"}
        if not result.ok:
            row.update(median="—", range="—", rss="—", vs="—", rss_vs="—", target="", result="ERROR")
        else:
            row.update(
                median=f"{result.median:.3f}",
                range=f"{result.fastest:.3f}–{result.slowest:.3f}",
                rss=f"{result.peak_rss_mib:.1f}",
            )
            compared = ratio(result, by_key)
            if compared is None:
                row.update(vs="—", rss_vs="—")
            else:
                row.update(vs=f"{compared[0]:.1f}× (+{compared[1]:.3f} s)", rss_vs=f"{compared[2]:.1f}×")
            verdict = result.verdict()
            row["target"] = bench.target.describe() if bench.target else ""
            row["result"] = {None: "", True: "PASS", False: "FAIL"}[verdict]
        rows.append(row)
    return rows


TABLE_COLUMNS = [
    ("benchmark", "benchmark", "left"),
    ("median", "median s", "right"),
    ("range", "min–max s", "right"),
    ("rss", "peak RSS MiB", "right"),
    ("baseline", "baseline", "left"),
    ("vs", "time vs baseline", "right"),
    ("rss_vs", "RSS ×", "right"),
    ("target", "target", "left"),
    ("result", "result", "left"),
]


def print_table(results: list[Result], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for _, header, justify in TABLE_COLUMNS:
        table.add_column(header, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    styles = {"PASS": "green", "FAIL": "bold red", "ERROR": "bold red"}
    for row in rows_for_display(results):
        cells = [row[key] for key, _, _ in TABLE_COLUMNS]
        style = styles.get(row["result"])
        cells[-1] = f"[{style}]{row['result']}[/]" if style else row["result"]
        table.add_row(*cells)
    Console(width=max(160, Console().width)).print(table)


def markdown_table(results: list[Result]) -> str:
    lines = [
        "| " + " | ".join(header for _, header, _ in TABLE_COLUMNS) + " |",
        "|" + "|".join("---:" if justify == "right" else "---" for _, _, justify in TABLE_COLUMNS) + "|",
    ]
    lines.extend(
        "| " + " | ".join(row[key] or " " for key, _, _ in TABLE_COLUMNS) + " |" for row in rows_for_display(results)
    )
    return "\n".join(lines)


def display_argv(argv: tuple[str, ...], replacements: dict[str, str]) -> list[str]:
    shown = []
    for arg in argv:
        text = "python" if arg == sys.executable else arg
        for old, new in replacements.items():
            text = text.replace(old, new)
        shown.append(text)
    return shown


def machine_info() -> dict[str, Any]:
    versions: dict[str, str] = {}
    from importlib.metadata import PackageNotFoundError, version

    for package in ("rootguard", "boto3", "botocore", "moto", "rich"):
        with contextlib.suppress(PackageNotFoundError):
            versions[package] = version(package)

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], capture_output=True, text=True, cwd=Path(__file__).parent, check=False
        ).stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=no", "--", "../src")) if commit else None
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "git_commit": commit or None,
        "src_has_uncommitted_changes": dirty,
        "versions": versions,
    }


def results_document(
    results: list[Result], args: argparse.Namespace, info: dict[str, Any], extra: dict[str, Any], paths: dict[str, str]
) -> dict[str, Any]:
    by_key = {r.bench.key: r for r in results}
    entries = []
    for result in results:
        bench = result.bench
        compared = ratio(result, by_key)
        entries.append(
            {
                "key": bench.key,
                "label": bench.label,
                "argv": display_argv(bench.argv, paths),
                "baseline": bench.baseline,
                "error": result.error,
                "runs": [
                    {
                        "seconds": round(s.seconds, 6),
                        "peak_rss_mib": round(s.rss_kib / KIB_PER_MIB, 2),
                        "exit_code": s.exit_code,
                    }
                    for s in result.samples
                ],
                "median_seconds": round(result.median, 6) if result.ok else None,
                "min_seconds": round(result.fastest, 6) if result.ok else None,
                "max_seconds": round(result.slowest, 6) if result.ok else None,
                "peak_rss_mib": round(result.peak_rss_mib, 2) if result.ok else None,
                "time_ratio": round(compared[0], 3) if compared else None,
                "time_over_baseline_seconds": round(compared[1], 6) if compared else None,
                "rss_ratio": round(compared[2], 3) if compared else None,
                "target": (
                    {"max_seconds": bench.target.max_seconds, "max_rss_mib": bench.target.max_rss_mib}
                    if bench.target
                    else None
                ),
                "passed": result.verdict(),
                "report_summary": result.summary,
            }
        )
    return {
        "schema": "rootguard-bench/audit-speed@1",
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "settings": {"repeat": args.repeat, "warmup": args.warmup, "users": args.users, "live_users": args.live_users},
        "machine": info,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "inputs": extra,
        "results": entries,
    }


# ---------------------------------------------------------------------------------------------------
# Main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--repeat", type=int, default=5, metavar="N", help="timed runs per row (default 5)")
    parser.add_argument("--warmup", type=int, default=1, metavar="N", help="untimed runs per row first (default 1)")
    parser.add_argument(
        "--users", type=int, default=1000, metavar="N", help="IAM users in the generated bundle (default 1000)"
    )
    parser.add_argument(
        "--live-users", type=int, default=200, metavar="N", help="IAM users seeded into moto (default 200)"
    )
    parser.add_argument("--skip-live", action="store_true", help="no moto server: offline rows and baselines only")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also save the results as JSON")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.users < 0 or args.live_users < 0:
        parser.error("--repeat must be at least 1; --warmup, --users and --live-users cannot be negative")
    return args


def preflight(skip_live: bool) -> str | None:
    try:
        import rootguard  # noqa: F401
    except ImportError:
        return f"rootguard is not importable by {sys.executable}: {INSTALL_HINT}"
    if skip_live:
        return None
    try:
        import moto.server  # noqa: F401
    except ImportError as error:
        return (
            f"moto[server] is not installed ({error}); the live rows need it: {INSTALL_HINT}\n"
            "  or run with --skip-live for the offline rows and the interpreter baselines only"
        )
    return None


def build_benches(bundle: Path, users: int, live: bool) -> list[Bench]:
    python = sys.executable
    rootguard = (python, "-m", "rootguard", "audit")
    benches = [
        Bench("python", "python -c pass", (python, "-c", "pass"), short="python"),
        Bench("boto3", 'python -c "import boto3"', (python, "-c", "import boto3"), baseline="python"),
        Bench(
            "audit_demo",
            "audit --demo --format json",
            (*rootguard, "--demo", "--format", "json"),
            ok_codes=AUDIT_OK,
            baseline="python",
            target=Target(max_seconds=0.5),
            json_report=True,
        ),
        Bench(
            "audit_evidence",
            f"audit --evidence BUNDLE ({users:,} users)",
            (*rootguard, "--evidence", str(bundle)),
            ok_codes=AUDIT_OK,
            baseline="python",
            target=Target(max_seconds=0.5),
        ),
    ]
    if live:
        benches += [
            Bench("raw_sdk", "raw boto3, same calls (moto)", (python, "-c", RAW_SDK_SCRIPT), short="raw boto3"),
            Bench(
                "audit_live",
                "audit --no-cloudtrail --no-alerting (moto)",
                (*rootguard, "--format", "json", "--quiet", "--no-cloudtrail", "--no-alerting"),
                ok_codes=AUDIT_OK,
                baseline="raw_sdk",
                target=Target(max_seconds=1.0, max_rss_mib=100),
                json_report=True,
            ),
            Bench(
                "audit_live_full",
                "audit --format json --quiet (moto, every source)",
                (*rootguard, "--format", "json", "--quiet"),
                ok_codes=AUDIT_OK,
                baseline="raw_sdk",
                target=Target(max_seconds=3.0, max_rss_mib=150),
                json_report=True,
            ),
        ]
    return benches


def run_all(args: argparse.Namespace, extra: dict[str, Any]) -> tuple[list[Result], dict[str, str]]:
    """Generate the inputs, start moto and the spawner, measure; everything is torn down on the way out."""
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="rootguard-bench-")))
        bundle = work / "bundle"
        say(f"writing a bundle with {args.users} IAM users …")
        extra["bundle"] = write_large_bundle(bundle, args.users)
        endpoint = None
        if not args.skip_live:
            endpoint = stack.enter_context(moto_server())
            say(f"moto server on {endpoint}; seeding {args.live_users} IAM users …")
            extra["moto"] = seed_moto(endpoint, args.live_users)
        env = child_env(work / "home", endpoint)
        benches = build_benches(bundle, args.users, live=not args.skip_live)
        say(f"{len(benches)} rows × ({args.warmup} warm-up + {args.repeat} timed) runs, interleaved")
        spawner = Spawner(RUN_TIMEOUT)
        stack.callback(spawner.close)
        if spawner.rss_floor_kib is not None:
            extra["spawner_rss_anon_mib"] = round(spawner.rss_floor_kib / KIB_PER_MIB, 2)
        results = measure(spawner, benches, env, work, repeat=args.repeat, warmup=args.warmup)
        paths = {str(bundle): "BUNDLE"}
        if endpoint:
            paths[endpoint] = "http://127.0.0.1:PORT"
        return results, paths


def say(message: str) -> None:
    print(f"audit_speed: {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problem = preflight(args.skip_live)
    if problem is None and not hasattr(os, "wait4"):
        problem = "os.wait4 is needed to measure a child's peak RSS; run on Linux or macOS"
    if problem:
        say(problem)
        return 2

    def on_sigterm(signum: int, _frame: object) -> None:
        say("terminated; stopping the moto server and removing the temporary files")
        raise SystemExit(128 + signum)  # unwinds through the finally blocks: server stopped, temp dir gone

    signal.signal(signal.SIGTERM, on_sigterm)
    info = machine_info()
    busy = info["load_average"][0]
    if busy > 0.5 * (info["cpus_usable"] or info["cpus"] or 1):
        say(
            f"warning: load average is {busy:.2f} on {info['cpus']} CPUs; other work will skew the timings "
            "(rows stay comparable with each other: rounds are interleaved)"
        )
    extra: dict[str, Any] = {}
    results, paths = run_all(args, extra)

    title = (
        f"rootguard audit speed · {datetime.now(UTC):%Y-%m-%d} · {info['cpus']} CPUs · Python {info['python']} · "
        f"median of {args.repeat} (+{args.warmup} warm-up)"
    )
    print_table(results, title)
    if args.markdown:
        print()
        print(markdown_table(results))
    for result in results:
        if result.error:
            say(f"{result.bench.label}: {result.error}")
    summaries = [f"{r.bench.key} {r.summary}" for r in results if r.summary]
    if summaries:
        print("report summaries: " + "; ".join(summaries))
    if args.json:
        document = results_document(results, args, info, extra, paths)
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        say(f"results saved to {args.json}")

    if any(not r.ok for r in results):
        return 2
    if args.strict and any(r.verdict() is False for r in results):
        return 1
    return 0


if __name__ == "__main__":
    run_main("audit_speed", main)
