"""The organization server itself (tests/moto_organization.py): what it answers is what AWS would, and it leaves
moto as it found it. The CLI's organization path is tested against it in test_org_moto.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from moto_org_root import AUDIT_TASK
from moto_organization import (
    ALLOW_LIST_SCP,
    AUDIT_ROLE,
    AWARE_SCP,
    MANAGEMENT_ID,
    ORG_PLAN,
    MotoOrg,
    moto_org_server,
    scale_plan,
)

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="class")
def org() -> Iterator[MotoOrg]:
    with moto_org_server() as running:
        yield running


def session_client(org: MotoOrg, service: str, credentials: dict[str, Any]) -> Any:
    return boto3.client(
        service,
        endpoint_url=org.endpoint,
        region_name="us-east-1",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def assume_root(org: MotoOrg, name: str, **extra: Any) -> dict[str, Any]:
    request = {"TargetPrincipal": org.account(name), "TaskPolicyArn": {"arn": AUDIT_TASK}, "DurationSeconds": 900}
    # Throttling is retried with backoff, as rootguard's STS clients do (10 attempts).
    sts = boto3.client(
        "sts",
        endpoint_url=org.endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"mode": "standard", "max_attempts": 10}),
    )
    return dict(sts.assume_root(**{**request, **extra})["Credentials"])


def code_of(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ClientError) as refused:
        call(*args, **kwargs)
    return str(refused.value.response["Error"]["Code"])


class TestOrganization:
    def test_the_organization_is_nested_and_lists_state_or_only_status(self, org: MotoOrg) -> None:
        client = org.client("organizations")
        accounts = [a for page in client.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
        by_id = {a["Id"]: a for a in accounts}
        assert len(by_id) == len(ORG_PLAN.members) + 1 >= 21
        assert by_id[MANAGEMENT_ID]["State"] == "ACTIVE"
        for member in ORG_PLAN.members:
            listed = by_id[org.account(member.name)]
            if member.status_only:
                assert "State" not in listed and listed["Status"] == "ACTIVE"
            else:
                assert listed["State"] == member.state
        assert by_id[org.account("old-billing")]["Status"] == "SUSPENDED", "CLOSED was SUSPENDED in the retired field"
        eu = org.account("prod-eu-web")
        chain = []
        child = eu
        while not child.startswith("r-"):
            child = client.list_parents(ChildId=child)["Parents"][0]["Id"]
            chain.append(child)
        assert len(chain) == 4, "three OU levels, then the root"
        scps = {p["Name"] for p in client.list_policies_for_target(TargetId=org.ou_ids[("Legacy",)],
                Filter="SERVICE_CONTROL_POLICY")["Policies"]}  # fmt: skip
        assert scps == {"FullAWSAccess", ALLOW_LIST_SCP}
        direct = client.list_policies_for_target(TargetId=org.account("research-hpc"), Filter="SERVICE_CONTROL_POLICY")
        assert AWARE_SCP in {p["Name"] for p in direct["Policies"]}
        tags = client.list_tags_for_resource(ResourceId=eu)["Tags"]
        assert {"Key": "team", "Value": "prod"} in tags

    def test_list_organizations_features(self, org: MotoOrg) -> None:
        answer = org.client("iam").list_organizations_features()
        assert answer["OrganizationId"] == org.organization_id
        assert answer["EnabledFeatures"] == ["RootCredentialsManagement", "RootSessions"]
        role = org.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{org.account('dev-tools')}:role/{AUDIT_ROLE}", RoleSessionName="test"
        )["Credentials"]
        member_iam = session_client(org, "iam", role)
        assert (
            code_of(member_iam.list_organizations_features) == "AccountNotManagementOrDelegatedAdministratorException"
        )
        org.state.features_error = "ServiceAccessNotEnabledException"
        try:
            assert code_of(org.client("iam").list_organizations_features) == "ServiceAccessNotEnabledException"
        finally:
            org.state.features_error = None

    def test_assume_root_answers_for_the_members_root_user(self, org: MotoOrg) -> None:
        credentials = assume_root(org, "legacy-crm")
        member = org.account("legacy-crm")
        assert credentials["AccessKeyId"].startswith("ASIA")
        iam = session_client(org, "iam", credentials)
        assert session_client(org, "sts", credentials).get_caller_identity()["Account"] == member
        assert "CreateDate" in iam.get_login_profile()["LoginProfile"]
        keys = iam.list_access_keys()["AccessKeyMetadata"]
        assert [k["Status"] for k in keys] == ["Active"]
        last = iam.get_access_key_last_used(AccessKeyId=keys[0]["AccessKeyId"])["AccessKeyLastUsed"]
        assert last["ServiceName"] == "s3" and "LastUsedDate" in last
        (device,) = iam.list_mfa_devices()["MFADevices"]
        assert device["SerialNumber"] == f"arn:aws:iam::{member}:mfa/root-account-mfa-device"
        assert iam.list_signing_certificates()["Certificates"] == []
        summary = iam.get_account_summary()["SummaryMap"]
        flags = ("AccountMFAEnabled", "AccountAccessKeysPresent", "AccountPasswordPresent")
        assert [summary[flag] for flag in flags] == [1, 1, 1]
        assert code_of(iam.list_users) == "AccessDenied", "the task policy allows only its actions"

        empty = session_client(org, "iam", assume_root(org, "dev-tools"))
        assert code_of(empty.get_login_profile) == "NoSuchEntity"
        assert empty.list_access_keys()["AccessKeyMetadata"] == []
        assert empty.list_mfa_devices()["MFADevices"] == []
        assert empty.get_account_summary()["SummaryMap"]["AccountPasswordPresent"] == 0

        certified = session_client(org, "iam", assume_root(org, "lab-genomics"))
        assert [c["Status"] for c in certified.list_signing_certificates()["Certificates"]] == ["Active"]
        assert certified.list_mfa_devices()["MFADevices"][0]["SerialNumber"].startswith("GAHT")

    def test_assume_root_refuses_what_aws_refuses(self, org: MotoOrg) -> None:
        sts = org.client("sts")
        assert code_of(assume_root, org, "sandbox-root-denied") == "AccessDenied"
        assert code_of(assume_root, org, "old-marketing") == "AccessDenied"
        bad_task = {"TaskPolicyArn": {"arn": "arn:aws:iam::aws:policy/AdministratorAccess"}}
        assert code_of(assume_root, org, "dev-tools", **bad_task) == "ValidationError"
        assert code_of(assume_root, org, "dev-tools", DurationSeconds=901) == "ValidationError"
        assert (
            code_of(sts.assume_root, TargetPrincipal=MANAGEMENT_ID, TaskPolicyArn={"arn": AUDIT_TASK}) == "AccessDenied"
        )
        denied = f"arn:aws:iam::{org.account('prod-audit-denied')}:role/{AUDIT_ROLE}"
        assert code_of(sts.assume_role, RoleArn=denied, RoleSessionName="test") == "AccessDenied"
        absent = f"arn:aws:iam::{org.account('dev-tools')}:role/NoSuchRole"
        assert code_of(sts.assume_role, RoleArn=absent, RoleSessionName="test") == "AccessDenied"

    def test_the_member_credential_report_holds_its_root_row(self, org: MotoOrg) -> None:
        role = org.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{org.account('dev-team-a')}:role/{AUDIT_ROLE}", RoleSessionName="test"
        )["Credentials"]
        iam = session_client(org, "iam", role)
        while iam.generate_credential_report()["State"] != "COMPLETE":
            time.sleep(0.1)
        rows = iam.get_credential_report()["Content"].decode().splitlines()
        assert rows[1].startswith(f"<root_account>,arn:aws:iam::{org.account('dev-team-a')}:root,")
        assert iam.get_account_summary()["SummaryMap"]["AccountPasswordPresent"] == 1


def test_throttling_latency_and_counts() -> None:
    with moto_org_server(scale_plan(6)) as org:
        org.state.assume_root_rate.per_second = 2
        for name in list(org.account_ids)[:4]:
            assume_root(org, name)  # botocore retries ThrottlingException on its own
        assert org.state.throttled >= 1
        assert len(org.state.assume_root_calls) == 4 + org.state.throttled
        org.state.latency = 0.05
        started = time.monotonic()
        org.client("organizations").describe_organization()
        assert time.monotonic() - started >= 0.05
        assert org.state.calls[(MANAGEMENT_ID, "DescribeOrganization")] == 1


def test_the_server_leaves_moto_as_it_found_it() -> None:
    from moto.iam.responses import IamResponse
    from moto.organizations.models import FakeAccount
    from moto.sts.responses import TokenResponse

    stock = (FakeAccount.describe, IamResponse.get_account_summary, TokenResponse.assume_role)
    with moto_org_server(scale_plan(2)):
        assert hasattr(TokenResponse, "assume_root")
    assert not hasattr(TokenResponse, "assume_root")
    assert not hasattr(IamResponse, "list_organizations_features")
    assert (FakeAccount.describe, IamResponse.get_account_summary, TokenResponse.assume_role) == stock
