"""The IAM collector: polling the credential report, pagination, refusals, and the actions it calls.

The first half drives ``rootguard.collect.iam`` with scripted clients (tests/collect/scripted.py) and a
fake clock (no sleeping); the second half runs the whole account collector against moto (``mock_aws``). Tests
about IAM collection pass ``lookup=False``; those about the whole collector answer LookupEvents
and DescribeRegions from tests/moto_root.py (moto 5.2.5 has no LookupEvents).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from scripted import Script, contract, scripted

from fake_time import FakeTime
from moto_alerting import AlertingState, alerting_moto, build_chain
from moto_root import ENABLED_REGIONS, CloudTrailState, cloudtrail_history, scenarios
from moto_simulator import install_simulator
from rootguard.collect import cloudtrail
from rootguard.collect import iam as collector
from rootguard.collect.account import collect_account
from rootguard.collect.aws import Aws
from rootguard.errors import CredentialsError
from rootguard.evidence.cloudtrail import LOOKUP_ACTIONS
from rootguard.model.operations import OPERATIONS

ACCOUNT = "123456789012"  # moto's default account

CSV = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated\n"
    "<root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,"
    "2026-05-01T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,"
    "false,N/A,false,N/A\n"
)
GENERATED = datetime(2026, 11, 20, 11, 0, 0, tzinfo=UTC)
METADATA = {"RequestId": "r-1", "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}
REPORT = {"Content": CSV.encode(), "ReportFormat": "text/csv", "GeneratedTime": GENERATED, "ResponseMetadata": METADATA}
REPORT_AS_CLI_PRINTS_IT = {
    "Content": base64.b64encode(CSV.encode()).decode(),
    "ReportFormat": "text/csv",
    "GeneratedTime": "2026-11-20T11:00:00+00:00",
}
PEOPLE_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    ],
}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
STARTED = {"State": "STARTED", "Description": "No report exists. Starting a new report generation task"}
IN_PROGRESS = {"State": "INPROGRESS"}
COMPLETE = {"State": "COMPLETE"}


def client_error(code: str, operation: str, message: str | None = None) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message or f"{code} from {operation}"}}, operation)


class FakeIam:
    """The scripts of an IAM client's operations, and the client (``client``) that answers from them."""

    def __init__(self, generate: Script | None = None, get: Script | None = None, pages: Script | None = None) -> None:
        self.generate_credential_report = generate or Script()
        self.get_credential_report = get or Script()
        self.list_virtual_mfa_devices = pages or Script()
        self.client = scripted(
            "iam",
            generate_credential_report=self.generate_credential_report,
            get_credential_report=self.get_credential_report,
            list_virtual_mfa_devices=self.list_virtual_mfa_devices,
        )


def fetch(iam: FakeIam, time: FakeTime, timeout: float = collector.REPORT_TIMEOUT) -> Any:
    return collector.credential_report(iam.client, timeout=timeout, sleep=time.sleep, clock=time.clock)


# --- the credential report ------------------------------------------------------------------


def test_report_is_fetched_once_generation_completes() -> None:
    iam = FakeIam(generate=Script(STARTED, IN_PROGRESS, COMPLETE), get=Script(REPORT))
    time = FakeTime()

    assert fetch(iam, time) == REPORT_AS_CLI_PRINTS_IT
    assert len(iam.generate_credential_report.calls) == 3
    assert len(iam.get_credential_report.calls) == 1, "GetCredentialReport is only asked once the report is COMPLETE"
    assert time.sleeps == [0.25, 0.5]


def test_report_in_progress_is_polled_until_it_is_ready() -> None:
    get = Script(client_error("ReportInProgress", "GetCredentialReport"), REPORT)
    iam = FakeIam(generate=Script(COMPLETE, COMPLETE), get=get)
    time = FakeTime()

    assert fetch(iam, time) == REPORT_AS_CLI_PRINTS_IT
    assert len(get.calls) == 2
    assert time.sleeps == [0.25]


@pytest.mark.parametrize("code", ["ReportNotPresent", "ReportExpired"])
def test_missing_or_expired_report_is_generated_again(code: str) -> None:
    generate = Script(COMPLETE, STARTED, COMPLETE)
    iam = FakeIam(generate=generate, get=Script(client_error(code, "GetCredentialReport"), REPORT))
    time = FakeTime()

    assert fetch(iam, time) == REPORT_AS_CLI_PRINTS_IT
    assert len(generate.calls) == 3, "a new report is asked for after the old one is gone"
    assert time.sleeps == [0.25, 0.5]


@pytest.mark.parametrize(
    ("answers", "last_state"),
    [
        ((STARTED, None), "STARTED"),
        ((COMPLETE, client_error("ReportInProgress", "GetCredentialReport")), "ReportInProgress"),
    ],
    ids=["generation-never-completes", "report-stays-in-progress"],
)
def test_report_that_never_becomes_ready_is_stored_as_not_ready(answers: tuple[Any, Any], last_state: str) -> None:
    generated, got = answers
    iam = FakeIam(generate=Script(generated, repeat=True), get=Script(got, repeat=True) if got else Script())
    time = FakeTime()
    started = time.now

    document = fetch(iam, time, timeout=30)

    assert set(document) == {"Error"}
    assert document["Error"]["Code"] == "ReportNotReady"
    assert "30 s" in document["Error"]["Message"]
    assert f"last state: {last_state}" in document["Error"]["Message"]
    # Backoff doubles up to 8 s and the last wait ends exactly at the deadline, never past it.
    assert time.sleeps == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 6.25]
    assert time.now - started == 30


def test_denied_generation_keeps_an_existing_readable_report() -> None:
    generate = Script(client_error("AccessDenied", "GenerateCredentialReport"))
    iam = FakeIam(generate=generate, get=Script(REPORT))
    time = FakeTime()

    assert fetch(iam, time) == REPORT_AS_CLI_PRINTS_IT
    assert time.sleeps == []


@pytest.mark.parametrize("get_code", ["AccessDenied", "ReportNotPresent", "ReportExpired", "ReportInProgress"])
def test_denied_generation_without_a_readable_report_stores_the_refusal(get_code: str) -> None:
    refusal = "User: arn:aws:iam::123456789012:user/auditor is not authorized to perform: iam:GenerateCredentialReport"
    iam = FakeIam(
        generate=Script(client_error("AccessDenied", "GenerateCredentialReport", refusal)),
        get=Script(client_error(get_code, "GetCredentialReport")),
    )
    time = FakeTime()

    assert contract(fetch(iam, time)) == {"Error": {"Code": "AccessDenied", "Message": refusal}}
    assert time.sleeps == [], "a refusal is not worth waiting for"


def test_denied_read_is_stored_with_its_code() -> None:
    iam = FakeIam(generate=Script(COMPLETE), get=Script(client_error("AccessDenied", "GetCredentialReport", "no")))

    assert contract(fetch(iam, FakeTime())) == {"Error": {"Code": "AccessDenied", "Message": "no"}}


def test_expired_credentials_while_fetching_the_report_stop_the_collection() -> None:
    iam = FakeIam(generate=Script(client_error("ExpiredToken", "GenerateCredentialReport")))

    with pytest.raises(CredentialsError, match="ExpiredToken"):
        fetch(iam, FakeTime())


# --- virtual MFA devices, the account summary, the caller -----------------------------------


def user(name: str) -> dict[str, str]:
    return {"UserName": name, "Arn": f"arn:aws:iam::{ACCOUNT}:user/{name}", "UserId": "AIDA1", "Path": "/"}


def device(n: int, owner: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/device-{n}"}
    if owner is not None:
        item["User"] = user(owner)
        item["EnableDate"] = datetime(2026, 1, n, 9, 0, 0, tzinfo=UTC)
    return item


def test_virtual_mfa_devices_merges_every_page() -> None:
    pages = Script(
        {"VirtualMFADevices": [device(1, "alice"), device(2)], "IsTruncated": True, "Marker": "m-1"},
        {"VirtualMFADevices": [device(3)], "IsTruncated": True, "Marker": "m-2", "ResponseMetadata": METADATA},
        {"VirtualMFADevices": [device(4, "bob")], "IsTruncated": False},
    )

    document = collector.virtual_mfa_devices(FakeIam(pages=pages).client)

    assert pages.calls == [{}, {"Marker": "m-1"}, {"Marker": "m-2"}]
    assert document == {
        "VirtualMFADevices": [
            {
                "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/device-1",
                "User": user("alice"),
                "EnableDate": "2026-01-01T09:00:00+00:00",
            },
            {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/device-2"},
            {"SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/device-3"},
            {
                "SerialNumber": f"arn:aws:iam::{ACCOUNT}:mfa/device-4",
                "User": user("bob"),
                "EnableDate": "2026-01-04T09:00:00+00:00",
            },
        ]
    }


def test_virtual_mfa_devices_never_stores_a_partial_list() -> None:
    pages = Script(
        {"VirtualMFADevices": [device(1, "alice"), device(2)], "IsTruncated": True, "Marker": "m-1"},
        client_error("AccessDenied", "ListVirtualMFADevices", "explicit deny in a permissions boundary"),
    )

    document = collector.virtual_mfa_devices(FakeIam(pages=pages).client)

    assert contract(document) == {
        "Error": {"Code": "AccessDenied", "Message": "explicit deny in a permissions boundary"}
    }


def test_account_summary_refusal_is_stored_as_an_error_document() -> None:
    class Iam:
        def get_account_summary(self) -> Any:
            raise client_error("AccessDenied", "GetAccountSummary", "denied")

    assert contract(collector.account_summary(Iam())) == {"Error": {"Code": "AccessDenied", "Message": "denied"}}


@pytest.mark.parametrize("code", ["ExpiredToken", "InvalidClientTokenId"])
def test_caller_identity_with_dead_credentials_is_a_credentials_error(code: str) -> None:
    class Sts:
        def get_caller_identity(self) -> Any:
            raise client_error(code, "GetCallerIdentity", "The security token included in the request is expired")

    with pytest.raises(CredentialsError, match=code):
        collector.caller_identity(Sts())


# --- the account collector against moto ----------------------------------------------------

CONTRACT_PATHS = {
    f"{ACCOUNT}/global/sts/get-caller-identity.json",
    f"{ACCOUNT}/global/iam/get-credential-report.json",
    f"{ACCOUNT}/global/iam/get-account-summary.json",
    f"{ACCOUNT}/global/iam/list-virtual-mfa-devices.json",
}

ADMIN_PATHS = {
    f"{ACCOUNT}/global/iam/get-account-authorization-details.json",
    f"{ACCOUNT}/global/iam/get-account-password-policy.json",
    f"{ACCOUNT}/global/iam/list-account-aliases.json",
    f"{ACCOUNT}/us-east-1/sso-admin/list-instances.json",
}
"""No administrator exists in a fresh moto account, so nothing is simulated."""


@pytest.fixture
def moto_account(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """Fake credentials, nothing from the developer's AWS setup, and moto intercepting every call."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_IAM",
        "AWS_ENDPOINT_URL_STS",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    install_simulator(monkeypatch)  # moto has no SimulatePrincipalPolicy (see tests/moto_simulator.py)
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


@pytest.fixture
def event_history(monkeypatch: pytest.MonkeyPatch) -> Iterator[CloudTrailState]:
    """LookupEvents answered from the "bad" scenario's history, without the 2-per-second pacing."""
    monkeypatch.setattr(cloudtrail, "RATE_PER_SECOND", 1000.0)
    with cloudtrail_history(CloudTrailState(history=scenarios(datetime.now(UTC))["bad"].history)) as state:
        yield state


def test_collect_account_stores_the_contract_documents(moto_account: Any) -> None:
    moto_account.create_user(UserName="alice")
    serial = moto_account.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]

    collection = collect_account(Aws(region="us-east-1"), lookup=False, alerting=False)

    assert collection.accounts == (ACCOUNT,)
    assert set(collection.documents) == CONTRACT_PATHS | ADMIN_PATHS
    assert collection.collected_at.tzinfo is not None
    assert collection.collected_at.microsecond == 0
    json.dumps(collection.documents)  # what the bundle writer stores: no bytes, no datetimes left

    report = collection.documents[f"{ACCOUNT}/global/iam/get-credential-report.json"]
    assert isinstance(report["Content"], str)
    csv = base64.b64decode(report["Content"], validate=True).decode()
    assert csv.startswith("user,arn,user_creation_time,")
    assert f"\nalice,arn:aws:iam::{ACCOUNT}:user/alice," in csv
    assert isinstance(report["GeneratedTime"], str)
    datetime.fromisoformat(report["GeneratedTime"])
    assert "ResponseMetadata" not in report

    summary = collection.documents[f"{ACCOUNT}/global/iam/get-account-summary.json"]
    assert summary["SummaryMap"]["Users"] == 1
    devices = collection.documents[f"{ACCOUNT}/global/iam/list-virtual-mfa-devices.json"]
    assert [d["SerialNumber"] for d in devices["VirtualMFADevices"]] == [serial]
    identity = collection.documents[f"{ACCOUNT}/global/sts/get-caller-identity.json"]
    assert identity["Account"] == ACCOUNT


def test_collect_account_reads_every_page_of_virtual_mfa_devices(moto_account: Any) -> None:
    created = [moto_account.create_virtual_mfa_device(VirtualMFADeviceName=f"device-{n:03}") for n in range(230)]
    serials = {answer["VirtualMFADevice"]["SerialNumber"] for answer in created}
    calls: list[str] = []

    collection = collect_account(Aws(region="us-east-1", recorder=calls.append), lookup=False, alerting=False)

    devices = collection.documents[f"{ACCOUNT}/global/iam/list-virtual-mfa-devices.json"]
    listed = [d["SerialNumber"] for d in devices["VirtualMFADevices"]]
    assert len(listed) == len(serials) == 230
    assert set(listed) == serials
    assert set(devices) == {"VirtualMFADevices"}, "the merged document carries no Marker or IsTruncated"
    assert calls.count("iam:ListVirtualMFADevices") == 3, "moto pages by 100"


@pytest.fixture
def alerting_paths(moto_account: Any) -> Iterator[AlertingState]:
    """A working alerting chain in us-east-1, with what moto lacks filled in (tests/moto_alerting.py)."""
    with alerting_moto() as state:
        build_chain(lambda service, region: boto3.client(service, region_name=region))
        yield state


ALERTING_ACTIONS = {
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:GetEventSelectors",
    "logs:DescribeMetricFilters",
    "cloudwatch:DescribeAlarms",
    "sns:ListSubscriptionsByTopic",
    "events:ListRules",
    "events:ListTargetsByRule",
    "guardduty:ListDetectors",
    "guardduty:GetDetector",
    "config:DescribeConfigRules",
    "config:DescribeComplianceByConfigRule",
}


def test_collectors_declare_the_actions_they_call(
    moto_account: Any, event_history: CloudTrailState, alerting_paths: AlertingState
) -> None:
    moto_account.create_user(UserName="alice")
    moto_account.create_virtual_mfa_device(VirtualMFADeviceName="alice")
    # An administrator, so the collector simulates its policies too.
    moto_account.create_role(RoleName="Admin", AssumeRolePolicyDocument=json.dumps(PEOPLE_TRUST))
    moto_account.put_role_policy(RoleName="Admin", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
    calls: list[str] = []

    collection = collect_account(Aws(region="us-east-1", recorder=calls.append), lookup=True)

    assert {
        "sts:GetCallerIdentity",
        "iam:GetCredentialReport",
        "iam:ListVirtualMFADevices",
        "ec2:DescribeRegions",
        "cloudtrail:LookupEvents",
        "iam:GetAccountAuthorizationDetails",
        "iam:GetAccountPasswordPolicy",
        "iam:ListAccountAliases",
        "sso:ListInstances",
        "iam:SimulatePrincipalPolicy",
    } | ALERTING_ACTIONS <= set(calls), f"the recorder saw {calls}"
    assert calls.count("ec2:DescribeRegions") == 1, "LookupEvents and the alerting paths share one Region list"
    answers = [path for path in collection.documents if "/cloudtrail-logs/lookup-events/" in path]
    assert len(answers) == 3 * len(ENABLED_REGIONS) + 1, (
        "the LookupEvents path ran against moto: three questions in each enabled Region, and regions.json"
    )
    iam_actions = {action for operation in OPERATIONS for action in operation.actions}
    declared = iam_actions | set(cloudtrail.REQUIRED_ACTIONS)
    undeclared = sorted(set(calls) - declared - {"sts:GetCallerIdentity"})
    assert not undeclared, (
        f"the collectors call {', '.join(undeclared)}, which neither an Operation in "
        "rootguard.model.operations.OPERATIONS nor rootguard.collect.cloudtrail.REQUIRED_ACTIONS declares; "
        "declare it, or users are never told to grant it"
    )
    # What a user is told when CloudTrail evidence is missing or refused names every CloudTrail action.
    for action in cloudtrail.REQUIRED_ACTIONS:
        assert action in LOOKUP_ACTIONS, f"{action} is declared but never named in a fix"


def test_collect_account_without_lookup_makes_no_cloudtrail_calls(
    moto_account: Any, event_history: CloudTrailState
) -> None:
    calls: list[str] = []

    collection = collect_account(Aws(region="us-east-1", recorder=calls.append), lookup=False, alerting=False)

    assert not [call for call in calls if call.startswith(("cloudtrail:", "ec2:"))], calls
    assert not [path for path in collection.documents if "/cloudtrail-logs/" in path]
    assert event_history.lookups == []
    assert event_history.region_listings == []


def test_collection_time_is_taken_once_every_answer_is_in(
    moto_account: Any, event_history: CloudTrailState, alerting_paths: AlertingState
) -> None:
    """A live audit is as of collection time; evidence recorded during collection must not postdate it."""
    calls: list[str] = []
    calls_when_stamped: list[list[str]] = []

    def now() -> datetime:
        calls_when_stamped.append(list(calls))
        return datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)

    collection = collect_account(Aws(region="us-east-1", recorder=calls.append), now=now)

    assert collection.collected_at == datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
    assert "cloudtrail:LookupEvents" in calls, "the slowest part of collection is included"
    assert "sns:ListSubscriptionsByTopic" in calls, "and the alerting paths"
    assert calls_when_stamped == [calls], "collected_at was taken before the last API call"
