"""`rootguard collect` and `audit --save-evidence` over HTTP against the moto server, with an alerting chain.

The server (tests/moto_root.py) lists two enabled Regions and carries the alerting patches of
tests/moto_alerting.py; ``build_chain(server.client)`` sets up a working chain in us-east-1.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cli_moto import aws_env, rootguard

from moto_alerting import WATCHER, WATCHER_QUEUE, Chain
from moto_root import ACCOUNT_ID, ENABLED_REGIONS, NOT_OPTED_IN, MotoRoot, moto_root_server

pytestmark = pytest.mark.e2e

REGION_FILES = (
    "cloudtrail/describe-trails.json",
    "logs/describe-metric-filters.json",
    "cloudwatch/describe-alarms.json",
    "events/list-rules.json",
    "guardduty/list-detectors.json",
    "configservice/describe-config-rules.json",
    "configservice/describe-compliance-by-config-rule.json",
    "lambda/list-functions.json",
)


def alerting_files(chain: Chain) -> set[str]:
    """The contract §5 layout for a chain homed in us-east-1, seen from both enabled Regions."""
    regional = {f"{ACCOUNT_ID}/{region}/{name}" for region in ENABLED_REGIONS for name in REGION_FILES}
    home = f"{ACCOUNT_ID}/{chain.region}"
    return regional | {
        f"{home}/cloudtrail/get-trail-status/{chain.trail}.json",
        f"{home}/cloudtrail/get-event-selectors/{chain.trail}.json",
        f"{home}/sns/list-subscriptions-by-topic/root-usage-alerts.json",
        f"{home}/sns/list-subscriptions-by-topic/root-usage-sign-in-alerts.json",
        f"{home}/events/list-targets-by-rule/{chain.rule}.json",
        f"{home}/guardduty/get-detector/{chain.detector_id}.json",
        # rootguard's watcher (moto_alerting.deploy_watcher), in us-east-1: its errors and dead letters.
        f"{ACCOUNT_ID}/us-east-1/cloudwatch/get-metric-statistics/{WATCHER}.json",
        f"{ACCOUNT_ID}/us-east-1/sqs/get-queue-attributes/{WATCHER_QUEUE}.json",
    }


def written(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*.json")} - {"manifest.json"}


def regional(paths: set[str]) -> set[str]:
    """The alerting files: Region folders, without the Identity Center lookup the admin checks make."""
    return {
        path
        for path in paths
        if path.split("/")[1] not in {"global", "cloudtrail-logs"} and path.split("/")[2] != "sso-admin"
    }


@pytest.fixture(scope="module")
def chained() -> Iterator[tuple[MotoRoot, Chain]]:
    with moto_root_server("good") as server:
        assert server.chain is not None, "the good scenario sets up a working chain"
        yield server, server.chain


def test_collect_writes_the_alerting_evidence_in_the_contract_layout(
    chained: tuple[MotoRoot, Chain], tmp_path: Path
) -> None:
    server, chain = chained
    out = tmp_path / "bundle"

    result = rootguard(aws_env(tmp_path, server.endpoint), "collect", "--out", out, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    files = written(out)
    assert regional(files) == alerting_files(chain)
    assert not any(NOT_OPTED_IN in path for path in files)
    manifest = json.loads((out / "manifest.json").read_text())
    for relative in alerting_files(chain):
        document = json.loads((out / relative).read_text())
        assert "Error" not in document, (relative, document)
        assert hashlib.sha256((out / relative).read_bytes()).hexdigest() == manifest["sha256"][relative]
    status = json.loads(
        (out / ACCOUNT_ID / "us-east-1/cloudtrail/get-trail-status" / f"{chain.trail}.json").read_text()
    )
    assert status["IsLogging"] is True
    subscribers = json.loads(
        (out / ACCOUNT_ID / "us-east-1/sns/list-subscriptions-by-topic/root-usage-alerts.json").read_text()
    )
    assert [s["Endpoint"] for s in subscribers["Subscriptions"]] == ["security@example.com"]


def test_audit_save_evidence_keeps_the_alerting_files_and_no_alerting_skips_them(
    chained: tuple[MotoRoot, Chain], tmp_path: Path
) -> None:
    server, chain = chained
    env = aws_env(tmp_path, server.endpoint)

    saved = rootguard(env, "audit", "--quiet", "--no-cloudtrail", "--save-evidence", tmp_path / "a", cwd=tmp_path)
    skipped = rootguard(
        env, "collect", "--quiet", "--no-cloudtrail", "--no-alerting", "--out", tmp_path / "b", cwd=tmp_path
    )

    assert "Traceback" not in saved.stderr + skipped.stderr
    assert regional(written(tmp_path / "a")) == alerting_files(chain)
    assert skipped.returncode == 0, skipped.stderr
    assert regional(written(tmp_path / "b")) == set()


def test_a_denied_region_is_recorded_and_the_rest_is_collected(chained: tuple[MotoRoot, Chain], tmp_path: Path) -> None:
    server, chain = chained
    server.alerting.denied.add("eu-west-1")
    try:
        out = tmp_path / "bundle"
        result = rootguard(
            aws_env(tmp_path, server.endpoint), "collect", "--quiet", "--no-cloudtrail", "--out", out, cwd=tmp_path
        )
    finally:
        server.alerting.denied.clear()

    assert result.returncode == 3, result.stderr  # contract §2: the bundle is written, some evidence failed
    assert "failed (denied 8)" in result.stderr  # the 8 Region-level files of eu-west-1
    assert regional(written(out)) == alerting_files(chain)
    for path in regional(written(out)):
        document = json.loads((out / path).read_text())
        assert ("Error" in document) == path.startswith(f"{ACCOUNT_ID}/eu-west-1/"), path
