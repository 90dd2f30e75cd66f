"""The watcher-health collector against moto: a deployed watcher's listing, errors and dead letters, to a verdict.

moto 5.2 creates Lambda functions without running them (no Docker needed), keeps CloudWatch metric data
put under ``AWS/Lambda`` and SQS queues; the function's errors are published by hand, as Lambda would.
moto drops a function's ``DeadLetterConfig``: tests/moto_alerting.py gives it back, as AWS lists it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from moto_alerting import WATCHER, WATCHER_QUEUE, alerting_moto, deploy_watcher
from rootguard.app.audit import audit_bundle
from rootguard.collect.alerting import Clients
from rootguard.collect.aws import Aws
from rootguard.collect.watcher_health import watcher_documents
from rootguard.config.settings import Settings
from rootguard.evidence.bundle import write_bundle
from rootguard.model.operations import DEAD_LETTER_DEPTH, LIST_FUNCTIONS, WATCHER_ERRORS

ACCOUNT = "123456789012"
REGION = "us-east-1"
QUEUE = WATCHER_QUEUE
NOW = datetime.now(UTC).replace(microsecond=0)


def client(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region)


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    with mock_aws(), alerting_moto():
        yield


def deploy(*, errors: float = 0, dead_letters: int = 0) -> None:
    deploy_watcher(client, REGION, errors=errors, dead_letters=dead_letters, now=NOW)


def collect(calls: list[str] | None = None) -> dict[str, Any]:
    aws = Aws(region=REGION, recorder=calls.append if calls is not None else None)
    clients = Clients(aws)
    return watcher_documents(clients.lambda_(REGION), clients.cloudwatch(REGION), clients.sqs, ACCOUNT, REGION, now=NOW)


def verdict(documents: dict[str, Any], tmp_path: Path) -> tuple[str, str]:
    """Write the documents into a bundle with one Region and audit it: root-watcher-health's status and message."""
    bundle = tmp_path / "bundle"
    write_bundle(bundle, documents, (ACCOUNT,), NOW)
    report = audit_bundle(bundle, Settings())
    finding = next(f for f in report.accounts[0].findings if f.check_id == "root-watcher-health")
    return finding.status.value, finding.message


def test_a_failing_watcher_is_stored_as_the_contract_says_and_fails(moto: None, tmp_path: Path) -> None:
    deploy(errors=2, dead_letters=3)
    calls: list[str] = []
    documents = collect(calls)

    base = f"{ACCOUNT}/{REGION}"
    assert set(documents) == {
        f"{base}/lambda/list-functions.json",
        f"{base}/cloudwatch/get-metric-statistics/{WATCHER}.json",
        f"{base}/sqs/get-queue-attributes/{QUEUE}.json",
    }
    listing = documents[LIST_FUNCTIONS.path(ACCOUNT, REGION)]
    assert [f["FunctionName"] for f in listing["Functions"]] == [WATCHER], "other functions are never stored"
    assert "hunter2" not in json.dumps(documents) and "Environment" not in json.dumps(listing)
    errors = documents[WATCHER_ERRORS.path(ACCOUNT, REGION, WATCHER)]
    assert sum(point["Sum"] for point in errors["Datapoints"]) == 2
    assert documents[DEAD_LETTER_DEPTH.path(ACCOUNT, REGION, QUEUE)] == {
        "Attributes": {"ApproximateNumberOfMessages": "3"}
    }
    assert set(calls) == {"lambda:ListFunctions", "cloudwatch:GetMetricStatistics", "sqs:GetQueueAttributes"}

    status, message = verdict(documents, tmp_path)
    assert status == "FAIL"
    assert f"{REGION}: {WATCHER} failed 2 time(s)" in message
    assert f"left 3 message(s) in its dead-letter queue {QUEUE}" in message


def test_a_healthy_watcher_passes(moto: None, tmp_path: Path) -> None:
    deploy()
    assert verdict(collect(), tmp_path)[0] == "PASS"


def test_no_watcher_is_not_applicable(moto: None, tmp_path: Path) -> None:
    documents = collect()
    assert documents == {LIST_FUNCTIONS.path(ACCOUNT, REGION): {"Functions": []}}
    status, message = verdict(documents, tmp_path)
    assert status == "NOT_APPLICABLE"
    assert "rootguard remediate --watch" in message
