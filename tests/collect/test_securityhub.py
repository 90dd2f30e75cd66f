"""--send-to-security-hub against moto: batches of 100, the same Id on a re-run (updates, not copies),
refused findings reported, a clear error (exit 3) when Security Hub is not enabled, only declared actions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from builders import ACCOUNT, AS_OF, AccountBuilder
from rootguard.app.publish import send_to_security_hub
from rootguard.cli.main import main
from rootguard.collect import securityhub
from rootguard.collect.aws import Aws
from rootguard.errors import SecurityHubError
from rootguard.model.findings import AccountResult, AuditReport, Finding, Severity, Status
from rootguard.report.asff import asff_findings

OTHER = "210987654321"


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """Fake credentials for account 123456789012 (moto's), nothing from the developer's AWS setup."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    with mock_aws():
        yield boto3.client("securityhub", region_name="eu-west-1")


def finding(check_id: str, status: Status = Status.FAIL) -> Finding:
    return Finding(
        check_id=check_id,
        status=status,
        severity=Severity.HIGH,
        title=f"{check_id} <b>title</b>",
        message="root signed in",
        resource=f"arn:aws:iam::{ACCOUNT}:root",
        frameworks={"cis-aws-3.0.0": ("1.7",)},
        evidence={},
        remediation="Stop using root.",
    )


def report(count: int, *, other: bool = True) -> AuditReport:
    own = AccountResult(ACCOUNT, tuple(finding(f"check-{index:03}") for index in range(count)))
    accounts = (own, AccountResult(OTHER, (finding("check-000"),))) if other else (own,)
    return AuditReport(as_of=AS_OF, accounts=accounts, source="test", tool_version="0")


def stored(client: Any) -> list[dict[str, Any]]:
    return [f for page in client.get_paginator("get_findings").paginate() for f in page["Findings"]]


def send(sample: AuditReport) -> Any:
    return send_to_security_hub(lambda region: asff_findings(sample, region=region), profile=None, region=None)


def test_not_enabled_is_a_clear_error_naming_the_command(moto_aws: Any) -> None:
    with pytest.raises(SecurityHubError, match=r"not enabled in account 123456789012 in eu-west-1") as raised:
        send(report(3))
    assert "`aws securityhub enable-security-hub --region eu-west-1`" in str(raised.value)
    assert raised.value.exit_code == 3
    moto_aws.enable_security_hub()
    assert stored(moto_aws) == []


def test_batches_of_100_and_a_rerun_updates(moto_aws: Any) -> None:
    moto_aws.enable_security_hub()
    published = send(report(150))
    assert (published.sent, published.calls, published.rejected) == (150, 2, ())
    assert published.other_accounts == (OTHER,) and not published.complete
    assert (published.account_id, published.region) == (ACCOUNT, "eu-west-1")
    first = stored(moto_aws)
    assert len(first) == 150
    assert {f["Id"] for f in first} == {f"rootguard/{ACCOUNT}/check-{index:03}" for index in range(150)}
    assert {f["ProductArn"] for f in first} == {f"arn:aws:securityhub:eu-west-1:{ACCOUNT}:product/{ACCOUNT}/default"}

    fixed = report(150, other=False)
    fixed = replace(fixed, accounts=(replace(fixed.accounts[0], findings=(finding("check-000", Status.PASS),)),))
    again = send(fixed)
    assert again.sent == 1 and again.complete
    after = {f["Id"]: f for f in stored(moto_aws)}
    assert len(after) == 150, "the same Id updates the finding instead of adding one"
    assert after[f"rootguard/{ACCOUNT}/check-000"]["Compliance"]["Status"] == "PASSED"


def test_refused_findings_are_reported(moto_aws: Any) -> None:
    moto_aws.enable_security_hub()
    documents = asff_findings(report(2, other=False), region="eu-west-1")
    documents[1]["Resources"] = []
    aws = Aws(region="eu-west-1")
    outcome = securityhub.import_findings(aws, documents, ACCOUNT, "eu-west-1")
    assert outcome.sent == 1
    assert [(r.finding_id, r.code) for r in outcome.rejected] == [(f"rootguard/{ACCOUNT}/check-001", "InvalidInput")]


def test_only_the_declared_actions_are_called(moto_aws: Any) -> None:
    moto_aws.enable_security_hub()
    calls: list[str] = []
    aws = Aws(region="eu-west-1", recorder=calls.append)
    securityhub.check_enabled(aws, ACCOUNT, "eu-west-1")
    securityhub.import_findings(aws, asff_findings(report(120, other=False), region="eu-west-1"), ACCOUNT, "eu-west-1")
    assert set(calls) == set(securityhub.REQUIRED_ACTIONS)
    assert calls.count("securityhub:BatchImportFindings") == 2


def test_the_audit_command_sends_after_writing_the_report(
    moto_aws: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = AccountBuilder().write(tmp_path / "bundle")
    out = tmp_path / "report.json"
    argv = ["audit", "--evidence", str(bundle), "--format", "json", "--output", str(out), "--send-to-security-hub"]
    code = main(argv)
    assert code == 3 and out.exists(), "not enabled: the report is written, the exit code says something was not done"
    assert "enable-security-hub --region eu-west-1" in capsys.readouterr().err

    moto_aws.enable_security_hub()
    code = main(argv)
    expected = json.loads(out.read_text())
    findings = stored(moto_aws)
    assert len(findings) == len(expected["accounts"][0]["findings"])
    assert "sent" in capsys.readouterr().err
    statuses = {f["status"] for f in expected["accounts"][0]["findings"]}
    assert code in ({1} if "FAIL" in statuses else {0, 3})


def test_the_demo_cannot_be_sent(moto_aws: Any) -> None:
    assert main(["audit", "--demo", "--format", "json", "--output", "/dev/null", "--send-to-security-hub"]) == 2
