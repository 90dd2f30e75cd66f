"""The Lambda handler with a recording SNS client: what it publishes, what it drops, what it never approves."""

from __future__ import annotations

import json
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest

import watch_envelopes as w
from rootguard.watch.config import ApprovalsPlace, approvals_source, read_config
from rootguard.watch.handler import handle, publish_request

TOPIC = "arn:aws:sns:us-east-1:111122223333:rootguard-root-activity"


class Recorder:
    """Stands in for boto3 clients: records publishes, serves approvals from S3 or SSM, or fails."""

    def __init__(self, approvals: str = "", fail: str = "") -> None:
        self.published: list[dict[str, Any]] = []
        self.approvals = approvals
        self.fail = fail

    def __call__(self, service: str) -> Any:
        return self

    def publish(self, **request: Any) -> dict[str, str]:
        if self.fail == "sns":
            raise RuntimeError("sns is down")
        self.published.append(request)
        return {"MessageId": str(len(self.published))}

    def get_object(self, Bucket: str, Key: str) -> dict[str, Any]:
        if self.fail == "s3":
            raise PermissionError("AccessDenied: s3:GetObject")

        class Body:
            def read(inner) -> bytes:
                return self.approvals.encode()

        return {"Body": Body()}

    def get_parameter(self, Name: str, WithDecryption: bool) -> dict[str, Any]:
        return {"Parameter": {"Value": self.approvals}}


def config(**env: str) -> Any:
    return read_config({"ROOTGUARD_WATCH_TOPIC_ARN": TOPIC, **env})


def default_text(request: dict[str, Any]) -> str:
    return json.loads(request["Message"])["default"]


def test_a_sign_in_is_published_with_subject_text_attributes_and_a_chatbot_payload() -> None:
    sns = Recorder()
    result = handle(w.sign_in_without_mfa(), config(), client=sns, seen=OrderedDict())
    [request] = sns.published
    assert request["TopicArn"] == TOPIC and request["MessageStructure"] == "json"
    assert request["Subject"].startswith("[CRITICAL] Root: console sign-in with the root password")
    assert request["MessageAttributes"]["severity"]["StringValue"] == "critical"
    bodies = json.loads(request["Message"])
    assert bodies["default"] == bodies["email"] and "MFA:       NO" in bodies["default"]
    chatbot = json.loads(bodies["https"])
    assert chatbot["version"] == "1.0" and chatbot["source"] == "custom"
    assert chatbot["content"]["title"] == request["Subject"]
    assert result["published"][0]["category"] == "sign-in" and result["rejected"] == []


def test_approvals_from_s3_and_ssm_are_used() -> None:
    for place in ("s3://approvals-bucket/rootguard/approvals.toml", "ssm:/rootguard/approvals"):
        sns = Recorder(approvals=w.APPROVALS_TOML)
        handle(
            w.approved_break_glass_sign_in(), config(ROOTGUARD_WATCH_APPROVALS=place), client=sns, seen=OrderedDict()
        )
        assert "Approved:  yes - CHG-2041" in default_text(sns.published[0]), place


def test_approvals_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "approvals.toml"
    path.write_text(w.APPROVALS_TOML)
    sns = Recorder()
    handle(
        w.approved_break_glass_sign_in(), config(ROOTGUARD_WATCH_APPROVALS=str(path)), client=sns, seen=OrderedDict()
    )
    assert "(approved)" in sns.published[0]["Subject"]


@pytest.mark.parametrize(("document", "fail"), [("", "s3"), ("[[approval]]\nticket = 1", "")])
def test_unreadable_approvals_never_approve_and_the_alert_says_why(document: str, fail: str) -> None:
    sns = Recorder(approvals=document, fail=fail)
    env = config(ROOTGUARD_WATCH_APPROVALS="s3://approvals-bucket/approvals.toml")
    result = handle(w.approved_break_glass_sign_in(), env, client=sns, seen=OrderedDict())
    text = default_text(sns.published[0])
    assert "Approved:  NO" in text and "WATCHER PROBLEM: " in text and "NOT approved" in text
    assert result["problems"]


def test_assume_root_call_explains_the_session_that_follows() -> None:
    sns, seen = Recorder(), OrderedDict[str, Any]()
    handle(w.assume_root_call(), config(), client=sns, seen=seen)
    handle(w.assume_root_session_call(), config(), client=sns, seen=seen)
    assert list(seen) == [w.SESSION_KEY]
    session = default_text(sns.published[1])
    assert "AssumeRoot session opened by arn:aws:sts::444455556666:assumed-role/RootTaskOperator" in session


def test_malformed_parts_of_a_batch_are_reported_and_the_rest_published() -> None:
    sns = Recorder()
    batch = w.lambda_sqs_batch("{broken", json.dumps(w.sns_wrapped(w.failed_sign_in())))
    result = handle(batch, config(), client=sns, seen=OrderedDict())
    assert len(sns.published) == 1 and sns.published[0]["Subject"].startswith("[HIGH] Root: FAILED")
    assert result["rejected"][0]["malformed"] is True


def test_a_failed_publish_raises_so_lambda_retries_and_dead_letters_it() -> None:
    with pytest.raises(RuntimeError, match="sns is down"):
        handle(w.root_api_call(), config(), client=Recorder(fail="sns"), seen=OrderedDict())


def test_no_topic_raises_rather_than_drop_the_alert() -> None:
    with pytest.raises(RuntimeError, match="ROOTGUARD_WATCH_TOPIC_ARN"):
        handle(w.root_api_call(), read_config({}), client=Recorder(), seen=OrderedDict())


def test_account_names_come_from_the_environment() -> None:
    env = config(ROOTGUARD_WATCH_ACCOUNT_NAMES=json.dumps({"111122223333": "prod-payments"}))
    sns = Recorder()
    handle(w.failed_sign_in(), env, client=sns, seen=OrderedDict())
    assert "prod-payments (111122223333)" in sns.published[0]["Subject"]
    broken = config(ROOTGUARD_WATCH_ACCOUNT_NAMES="[1]")
    assert broken.problems and "ROOTGUARD_WATCH_ACCOUNT_NAMES" in broken.problems[0]


def test_approvals_source_forms() -> None:
    assert approvals_source("").place is ApprovalsPlace.NONE
    s3 = approvals_source("s3://b/k/approvals.toml")
    assert (s3.place, s3.bucket, s3.key) == (ApprovalsPlace.S3, "b", "k/approvals.toml")
    assert approvals_source("ssm:/a/b").location == "/a/b"
    assert approvals_source("/etc/approvals.toml").place is ApprovalsPlace.FILE
    assert read_config({"ROOTGUARD_WATCH_APPROVALS": "s3://bucket-only"}).problems


def test_subject_fits_sns_limits() -> None:
    env = config(ROOTGUARD_WATCH_ACCOUNT_NAMES=json.dumps({"111122223333": "x" * 300}))
    sns = Recorder()
    handle(w.failed_sign_in(), env, client=sns, seen=OrderedDict())
    subject = sns.published[0]["Subject"]
    assert len(subject) <= 100 and subject.isascii() and "\n" not in subject
    assert publish_request(_alert(), TOPIC)["Subject"] == subject


def _alert() -> Any:
    from rootguard.analysis.watch_event import classify_envelope

    return classify_envelope(w.failed_sign_in(), account_names={"111122223333": "x" * 300})
