"""The watcher-health collector against moto: a deployed watcher's listing, errors and dead letters, to a verdict.

moto 5.2 creates Lambda functions without running them (no Docker needed), keeps CloudWatch metric data
put under ``AWS/Lambda`` and SQS queues; the function's errors are published by hand, as Lambda would.
moto drops a function's ``DeadLetterConfig``; ``_keep_dead_letter_config`` gives it back, as AWS lists it.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.awslambda.models import LambdaFunction

from rootguard.app.audit import audit_bundle
from rootguard.collect.alerting import Clients
from rootguard.collect.aws import Aws
from rootguard.collect.watcher_health import watcher_documents
from rootguard.config.settings import Settings
from rootguard.evidence.bundle import write_bundle
from rootguard.model.operations import DEAD_LETTER_DEPTH, LIST_FUNCTIONS, WATCHER_ERRORS
from rootguard.model.watcher_health import WATCHER_HANDLER

ACCOUNT = "123456789012"
REGION = "us-east-1"
WATCHER, OTHER, QUEUE = "rootguard-watch-root-watcher", "orders-api", "rootguard-watch-dead-letters"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    _keep_dead_letter_config(monkeypatch)
    with mock_aws():
        yield


def _keep_dead_letter_config(patches: pytest.MonkeyPatch) -> None:
    created, configuration = LambdaFunction.__init__, LambdaFunction.get_configuration

    def init(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        created(self, account_id, spec, *args, **kwargs)
        self.__dict__["dead_letter_config"] = spec.get("DeadLetterConfig")

    def get_configuration(self: LambdaFunction, *args: Any, **kwargs: Any) -> dict[str, Any]:
        found = configuration(self, *args, **kwargs)
        if self.__dict__.get("dead_letter_config"):
            found["DeadLetterConfig"] = self.__dict__["dead_letter_config"]
        return found

    patches.setattr(LambdaFunction, "__init__", init)
    patches.setattr(LambdaFunction, "get_configuration", get_configuration)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rootguard/watch/handler.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def deploy(*, errors: float = 0, dead_letters: int = 0) -> None:
    """The watcher as the templates deploy it (rootguard's handler, an SQS DLQ), beside an unrelated function."""
    iam = boto3.client("iam", region_name=REGION)
    statement = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    trust = {"Version": "2012-10-17", "Statement": [statement]}
    role = iam.create_role(RoleName="watcher", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    functions = boto3.client("lambda", region_name=REGION)
    common: dict[str, Any] = {"Runtime": "python3.12", "Role": role, "Code": {"ZipFile": _zip()}}
    functions.create_function(
        FunctionName=WATCHER, Handler=WATCHER_HANDLER, DeadLetterConfig={"TargetArn": queue_arn}, **common
    )
    functions.create_function(
        FunctionName=OTHER, Handler="app.handler", Environment={"Variables": {"DB_PASSWORD": "hunter2"}}, **common
    )
    for _ in range(dead_letters):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"source": "aws.signin"}))
    if errors:
        boto3.client("cloudwatch", region_name=REGION).put_metric_data(
            Namespace="AWS/Lambda",
            MetricData=[
                {
                    "MetricName": "Errors",
                    "Dimensions": [{"Name": "FunctionName", "Value": WATCHER}],
                    "Timestamp": NOW - timedelta(hours=2),
                    "Value": errors,
                    "Unit": "Count",
                }
            ],
        )


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
