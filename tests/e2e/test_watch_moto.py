"""Done-when for the watcher (issue 15): documented envelopes through the classifier, the Lambda handler
(what it publishes, read back from SNS through SQS) and `rootguard watch --once` / `--test`, against
a moto server on 127.0.0.1. Nothing is deployed by hand beyond the queues and topic moto holds.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.core.models import BackendDict
from moto.server import ThreadedMotoServer
from test_cli_moto import aws_env, rootguard

import watch_envelopes as w
from rootguard.analysis.watch_event import Alert, classify_envelope
from rootguard.analysis.watch_message import message
from rootguard.model.approvals import parse_approvals

pytestmark = pytest.mark.e2e

REGION = "us-east-1"
NAMES = {w.MEMBER: "prod-payments", "123456789012": "billing", w.MANAGEMENT: "management"}

# The six documented cases of the issue, and what their alert must say.
CASES: list[tuple[str, Any, list[str]]] = [
    (
        "sign-in without MFA",
        w.sign_in_without_mfa,
        ["[CRITICAL] Root: console sign-in with the root password in prod-payments (111122223333)", "MFA:       NO"],
    ),
    ("sign-in with MFA", w.sign_in_with_mfa, ["[HIGH] Root: console sign-in", "MFA:       yes"]),
    ("failed sign-in", w.failed_sign_in, ["[HIGH] Root: FAILED root sign-in", "FAILED: Failed authentication"]),
    ("root API call", w.root_api_call, ["s3.amazonaws.com CreateBucket", "Root-only: no - avoidable"]),
    (
        "AssumeRoot session call",
        w.assume_root_session_call,
        ["AssumeRoot session opened by arn:aws:sts::444455556666:assumed-role/RootTaskOperator/platform-oncall"],
    ),
    ("service-invoked", w.service_invoked, ["[LOW] Root: an AWS service acting for root"]),
    (
        "approved break-glass sign-in",
        w.approved_break_glass_sign_in,
        ["(approved)", "Approved:  yes - CHG-2041: break-glass: restore the billing contact"],
    ),
]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    werkzeug.setLevel(logging.WARNING)
    BackendDict.reset()
    running = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    running.start()
    try:
        host, port = running.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        running.stop()
        werkzeug.setLevel(level)


def client(endpoint: str, service: str) -> Any:
    return boto3.client(
        service, endpoint_url=endpoint, region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing"
    )


def drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        batch = answer.get("Messages", [])
        if not batch:
            return found
        for item in batch:
            found.append(json.loads(item["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=item["ReceiptHandle"])


def queue_counts(sqs: Any, url: str) -> tuple[int, int]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return int(attributes[names[0]]), int(attributes[names[1]])


@pytest.mark.parametrize(("case", "build", "says"), CASES, ids=[c[0] for c in CASES])
def test_the_classifier_explains_each_documented_case(case: str, build: Any, says: list[str]) -> None:
    found = classify_envelope(
        build(),
        approvals=parse_approvals(w.APPROVALS_TOML, "approvals.toml"),
        assume_root_calls=[w.assume_root_call()["detail"]],
        account_names=NAMES,
    )
    assert isinstance(found, Alert), case
    text = message(found)
    for line in says:
        assert line in text, (case, line)


def test_the_lambda_handler_publishes_each_case_to_sns(
    server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sns, sqs = client(server, "sns"), client(server, "sqs")
    topic = sns.create_topic(Name="rootguard-root-activity")["TopicArn"]
    inbox = sqs.create_queue(QueueName="alert-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn)
    approvals = tmp_path / "approvals.toml"
    approvals.write_text(w.APPROVALS_TOML)
    for name, value in {
        "AWS_ENDPOINT_URL": server,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "ROOTGUARD_WATCH_TOPIC_ARN": topic,
        "ROOTGUARD_WATCH_ACCOUNT_NAMES": json.dumps(NAMES),
        "ROOTGUARD_WATCH_APPROVALS": str(approvals),
    }.items():
        monkeypatch.setenv(name, value)
    from rootguard.watch import handler as lambda_module

    lambda_module._seen.clear()
    # The management account's AssumeRoot event arrives first (same central bus), then every case.
    assert len(lambda_module.handler(w.assume_root_call(), None)["published"]) == 1
    for _, build, _ in CASES:
        assert len(lambda_module.handler(build(), None)["published"]) == 1
    assert lambda_module.handler(w.lambda_sqs_batch("{broken"), None)["rejected"][0]["malformed"] is True
    notifications = drain(sqs, inbox)
    assert len(notifications) == 1 + len(CASES)
    assert notifications[0]["Subject"].startswith("[LOW] AssumeRoot session opened for 111122223333")
    for notification, (case, _, says) in zip(notifications[1:], CASES, strict=True):
        body = notification["Message"]
        for line in says:
            assert line in body, (case, line)
        assert "See more:  rootguard activity --lookup" in body, case


def test_watch_once_prints_every_case_and_leaves_the_malformed_message(server: str, tmp_path: Path) -> None:
    sqs = client(server, "sqs")
    queue = sqs.create_queue(QueueName="rootguard-watch")["QueueUrl"]
    bodies = [json.dumps(w.assume_root_call())]
    # Half arrive as EventBridge puts them on the queue, half wrapped by SNS.
    bodies += [json.dumps(b() if i % 2 else w.sns_wrapped(b())) for i, (_, b, _) in enumerate(CASES)]
    bodies.append("this is not an event")
    for body in bodies:
        sqs.send_message(QueueUrl=queue, MessageBody=body)
    (tmp_path / "approvals.toml").write_text(w.APPROVALS_TOML)
    (tmp_path / "names.json").write_text(json.dumps(NAMES))
    env = aws_env(tmp_path, server)
    done = rootguard(
        env,
        "watch", "--queue-url", queue, "--once", "--format", "jsonl",
        "--approvals", "approvals.toml", "--account-names", "names.json",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    alerts = [line for line in lines if line["kind"] != "rejected"]
    assert [a["kind"] for a in alerts] == ["assume-root"] + ["root-activity"] * len(CASES)
    categories = [a["category"] for a in alerts[1:]]
    assert categories == [
        "sign-in",
        "sign-in",
        "sign-in-failure",
        "avoidable",
        "assumed-root",
        "service-invoked",
        "sign-in",
    ]
    assert alerts[5]["session_origin"]["known"] is True
    assert alerts[7]["approval"]["ticket"] == "CHG-2041"
    assert alerts[1]["account_name"] == "prod-payments" and alerts[1]["mfa"] is False
    [rejected] = [line for line in lines if line["kind"] == "rejected"]
    assert rejected["malformed"] is True and "not JSON" in rejected["reason"]
    assert "left on the queue" in done.stderr
    # Everything read was deleted; the malformed message is still there (in flight), never deleted unread.
    assert queue_counts(sqs, queue) == (0, 1)


def test_watch_table_rows_and_a_queue_that_cannot_be_read(server: str, tmp_path: Path) -> None:
    sqs = client(server, "sqs")
    queue = sqs.create_queue(QueueName="rootguard-watch-table")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody=json.dumps(w.failed_sign_in()))
    env = aws_env(tmp_path, server)
    done = rootguard(env, "watch", "--queue-url", queue, "--once", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "HIGH" in done.stdout and "sign-in-failure" in done.stdout and "FAILED" in done.stdout
    missing = queue.rsplit("/", 1)[0] + "/no-such-queue"
    failed = rootguard(env, "watch", "--queue-url", missing, "--once", cwd=tmp_path)
    assert failed.returncode == 3, failed.stderr
    assert "the queue could not be read" in failed.stderr and "Traceback" not in failed.stderr


def test_watch_test_sends_a_labelled_event_and_times_each_hop(server: str, tmp_path: Path) -> None:
    """moto accepts PutEvents with any source; real EventBridge refuses `aws.*` ones
    (NotAuthorizedForSourceException), which is why the self-test uses `rootguard.test`: this test
    cannot catch a template that matches only `aws.*` sources, the template tests check the pattern."""
    sqs, events = client(server, "sqs"), client(server, "events")
    queue = sqs.create_queue(QueueName="rootguard-watch-test")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="rootguard-self-test", EventPattern=json.dumps({"source": ["rootguard.test"]}))
    events.put_targets(Rule="rootguard-self-test", Targets=[{"Id": "queue", "Arn": arn}])
    env = aws_env(tmp_path, server)
    done = rootguard(env, "watch", "--queue-url", queue, "--test", "--test-timeout", "20", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "[TEST] rootguard watch self-test rg-test-" in done.stdout
    for hop in ("PutEvents accepted", "EventBridge -> SQS", "SQS -> rootguard", "total"):
        assert hop in done.stderr, hop
    assert " arrived" in done.stderr
    assert queue_counts(sqs, queue) == (0, 0)
