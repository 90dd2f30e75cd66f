"""The org benchmark's light endpoint (bench/org_endpoint.py) answers as the tests' moto organization does.

The benchmark measures rootguard against canned answers; if those answers drifted from the shapes AWS
(and moto) give, it would measure a different audit. 20 members run through both servers with the
benchmark's member options, and every account must end with the same row: name, OU path, state and
the status of every check. The light endpoint must also never meet a call it has no answer for.
About 15 s on the 2-core machine (moto builds its organization): marked slow.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

from org_server import organization  # noqa: E402
from spawner import child_env  # noqa: E402

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MEMBERS = 20
OPTIONS = ("--regions", "us-east-1", "--no-alerting", "--concurrency", "8", "--assume-root-rate", "50")


def audit(endpoint: str, folder: Path) -> dict[str, Any]:
    report = folder / "report.json"
    argv = [sys.executable, "-m", "rootguard", "org", "audit", "--format", "json", "--quiet", "--output", str(report)]
    env = child_env(folder / "home", endpoint)
    done = subprocess.run([*argv, *OPTIONS], env=env, capture_output=True, text=True, check=False)
    assert done.returncode in {0, 1, 3}, done.stderr[-2000:]
    return dict(json.loads(report.read_text()))


def rows(report: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
    """Account name (the management account as ``management``) → what its row says."""
    found = {}
    for account in report["accounts"]:
        name = "management" if account.get("management") else account["name"]
        statuses = tuple((finding["check_id"], finding["status"]) for finding in account["findings"])
        found[name] = (account.get("ou_path"), account.get("state"), statuses)
    return found


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    answered = {}
    for server in ("light", "moto"):
        folder = tmp_path_factory.mktemp(server)
        with organization(MEMBERS, latency=0.0, rate=50, server=server) as org:
            answered[server] = audit(org.endpoint, folder)
            if server == "light":
                calls = org.counters().calls
                assert calls / (MEMBERS + 1) < 40, "a member costs a bounded number of calls"
    return answered


def test_every_account_has_a_row_with_the_expected_statuses(reports: dict[str, dict[str, Any]]) -> None:
    light = rows(reports["light"])
    assert len(light) == MEMBERS + 1
    for name, (_, state, statuses) in light.items():
        found = dict(statuses)
        assert state == "ACTIVE"
        assert "ERROR" not in found.values(), f"{name}: {found}"
        if name == "management":
            assert found["org-root-credentials-centralized"] == "PASS"
            continue
        holds_password = int(name.rsplit("-", 1)[1]) % 10 == 0
        assert found["org-member-root-credentials"] == ("FAIL" if holds_password else "PASS"), name
        assert found["root-mfa"] == ("FAIL" if holds_password else "PASS"), name
        assert found["org-scp-deny-root"] == "PASS", name


def test_the_light_endpoint_gives_the_rows_moto_gives(reports: dict[str, dict[str, Any]]) -> None:
    assert rows(reports["light"]) == rows(reports["moto"])
    assert reports["light"]["summary"] == reports["moto"]["summary"]
