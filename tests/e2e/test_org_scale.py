"""The organization benchmark, reduced (bench/org_scale.py): memory does not grow with the number of
members, and every member of a larger organization still has its row.

``org audit`` runs against organizations of 20 and 60 members (tests/moto_organization.py ``scale_plan``) behind
10 ms of latency per call and AssumeRoot throttled at 20 calls per second, through the benchmark's own
spawner, so the peak RSS is the rootguard process's alone (bench/spawner.py says why a child of pytest
would inherit pytest's). About a minute on the 2-core machine: marked slow.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from org_server import Run, audit_once, organization  # noqa: E402
from spawner import Spawner, child_env  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SIZES = (20, 60)
OPTIONS = ("--regions", "us-east-1", "--no-alerting", "--concurrency", "8", "--assume-root-rate", "20")
RSS_GROWTH_LIMIT = 1.25
"""Three times the members: a flat footprint stays within a quarter (allocator noise, bigger listings)."""


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[int, Run]]:
    folder = tmp_path_factory.mktemp("scale")
    spawner = Spawner(run_timeout=600)
    measured = {}
    try:
        for members in SIZES:
            with organization(members, latency=0.01, rate=20) as org:
                env = child_env(folder / "home", org.endpoint)
                measured[members] = audit_once(spawner, org, env, folder, label=f"org-{members}", options=OPTIONS)
    finally:
        spawner.close()
    yield measured


def test_every_account_has_a_row(runs: dict[int, Run]) -> None:
    for members, run in runs.items():
        assert run.rows == members + 1, f"{members} members and the management account"
        assert run.calls_per_account < 40, "a member costs a bounded number of calls"


def test_peak_memory_does_not_grow_with_the_members(runs: dict[int, Run]) -> None:
    small, large = (runs[size].sample.rss_kib for size in SIZES)
    assert large <= small * RSS_GROWTH_LIMIT, f"peak RSS {small} KiB at {SIZES[0]}, {large} KiB at {SIZES[1]}"
