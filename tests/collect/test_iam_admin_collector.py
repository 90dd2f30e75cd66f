"""The administrator evidence collector: pages merged as the CLI merges them, refusals stored, simulations per admin.

moto 5.2.5 has no SimulatePrincipalPolicy at all (``NotImplementedError`` under ``mock_aws``, HTTP 500
from its server): tests/moto_simulator.py stands in for it with AWS's documented response shape and a
crude evaluation (Action matching only), paging at 4 results so the six actions take two pages.
moto returns policy documents URL-encoded, as AWS does, and botocore decodes them into objects, which
is also what ``aws iam get-account-authorization-details`` prints; moto omits ``PolicyName`` in
``Policies`` (the ARN's last segment is used). Its sso-admin backend has one instance in every Region.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from scripted import Script, scripted

from builders import context
from moto_simulator import install_simulator
from rootguard.checks import ALL_CHECKS
from rootguard.collect import iam_admins
from rootguard.collect.account import collect_account
from rootguard.collect.aws import Aws
from rootguard.evidence.assemble import assemble_account
from rootguard.evidence.store import MemoryStore
from rootguard.model.account_settings import NO_PASSWORD_POLICY, PasswordPolicy
from rootguard.model.findings import Status

ACCOUNT = "123456789012"
BASE = f"{ACCOUNT}/global/iam"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


PEOPLE = doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"})
EC2 = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
ALL = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})


@pytest.fixture
def iam(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    install_simulator(monkeypatch)
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def seed(iam: Any) -> None:
    """An admin role denied CreateAccountAlias, a user given S3 directly, a group admin, an EC2 admin role."""
    admin = iam.create_policy(PolicyName="AdminAll", PolicyDocument=ALL)["Policy"]["Arn"]
    iam.create_role(RoleName="Admin", AssumeRolePolicyDocument=PEOPLE)
    iam.attach_role_policy(RoleName="Admin", PolicyArn=admin)
    iam.put_role_policy(
        RoleName="Admin",
        PolicyName="no-alias",
        PolicyDocument=doc({"Effect": "Deny", "Action": "iam:CreateAccountAlias", "Resource": "*"}),
    )
    iam.create_role(RoleName="Worker", AssumeRolePolicyDocument=EC2)
    iam.attach_role_policy(RoleName="Worker", PolicyArn=admin)
    iam.create_user(UserName="bob")
    s3 = iam.create_policy(PolicyName="S3", PolicyDocument=doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}))
    iam.attach_user_policy(UserName="bob", PolicyArn=s3["Policy"]["Arn"])
    iam.create_group(GroupName="admins")
    iam.attach_group_policy(GroupName="admins", PolicyArn=admin)
    iam.create_user(UserName="carol")
    iam.add_user_to_group(GroupName="admins", UserName="carol")


def verdicts(documents: dict[str, Any]) -> dict[str, tuple[Status, str]]:
    evidence = assemble_account(MemoryStore(documents), ACCOUNT)
    wanted = {"admin-principals", "admin-root-adjacent", "iam-policies-via-groups"}
    found = {}
    for spec in ALL_CHECKS:
        if spec.check_id in wanted:
            outcome = spec.evaluate(evidence, context())
            found[spec.check_id] = (outcome.status, outcome.message)
    return found


def test_collects_and_simulates_each_administrator(iam: Any) -> None:
    seed(iam)

    documents = iam_admins.admin_documents(
        iam, boto3.client("sso-admin", region_name="eu-west-1"), ACCOUNT, "eu-west-1"
    )

    details = documents[f"{BASE}/get-account-authorization-details.json"]
    assert set(details) == {"UserDetailList", "GroupDetailList", "RoleDetailList", "Policies"}
    admin = next(r for r in details["RoleDetailList"] if r["RoleName"] == "Admin")
    assert isinstance(admin["RolePolicyList"][0]["PolicyDocument"], dict), "botocore decodes the URL-encoded document"
    json.dumps(documents)  # no datetimes left
    # Simulated: the people's admin role and the group admin; not the EC2 role, not bob.
    simulated = sorted(p for p in documents if "/simulate-principal-policy/" in p)
    assert simulated == [
        f"{BASE}/simulate-principal-policy/role%2FAdmin.json",
        f"{BASE}/simulate-principal-policy/user%2Fcarol.json",
    ]
    results = documents[simulated[0]]["EvaluationResults"]
    assert len(results) == 6, "two pages merged"
    assert {r["EvalActionName"]: r["EvalDecision"] for r in results}["iam:CreateAccountAlias"] == "explicitDeny"
    assert documents[f"{BASE}/get-account-password-policy.json"]["Error"]["Code"] == "NoSuchEntity"
    assert documents[f"{BASE}/list-account-aliases.json"] == {"AccountAliases": []}
    assert len(documents[f"{ACCOUNT}/eu-west-1/sso-admin/list-instances.json"]["Instances"]) == 1

    found = verdicts(documents)
    assert found["admin-principals"][0] is Status.PASS
    assert "role Admin" in found["admin-principals"][1] and "user carol" in found["admin-principals"][1]
    assert "Worker" in found["admin-principals"][1], "an admin role only EC2 can assume is reported, not counted"
    # carol (via the group) can create an alias: the tasks are covered.
    assert found["admin-root-adjacent"][0] is Status.PASS
    assert found["iam-policies-via-groups"][0] is Status.FAIL
    assert "bob: S3 (attached)" in found["iam-policies-via-groups"][1]


def test_the_only_admin_denied_an_alias_fails_root_adjacent(iam: Any) -> None:
    seed(iam)
    iam.remove_user_from_group(GroupName="admins", UserName="carol")

    documents = iam_admins.admin_documents(
        iam, boto3.client("sso-admin", region_name="us-east-1"), ACCOUNT, "us-east-1"
    )

    status, message = verdicts(documents)["admin-root-adjacent"]
    assert status is Status.FAIL
    assert "No administrator can do iam:CreateAccountAlias" in message
    assert "role/Admin: explicitDeny: an explicit Deny in no-alias" in message


def test_no_password_policy_is_a_fact_and_a_policy_is_read(iam: Any) -> None:
    documents = iam_admins.admin_documents(
        iam, boto3.client("sso-admin", region_name="us-east-1"), ACCOUNT, "us-east-1"
    )
    assert assemble_account(MemoryStore(documents), ACCOUNT).password_policy == NO_PASSWORD_POLICY

    iam.update_account_password_policy(MinimumPasswordLength=14)
    iam.create_account_alias(AccountAlias="example-prod")
    documents = iam_admins.admin_documents(
        iam, boto3.client("sso-admin", region_name="us-east-1"), ACCOUNT, "us-east-1"
    )
    evidence = assemble_account(MemoryStore(documents), ACCOUNT)
    assert isinstance(evidence.password_policy, PasswordPolicy)
    assert evidence.password_policy.present and evidence.password_policy.values["MinimumPasswordLength"] == 14
    assert documents[f"{BASE}/list-account-aliases.json"] == {"AccountAliases": ["example-prod"]}


class Scripted:
    """A client (``client``) of ``service`` whose named operations answer from a list (an exception is raised)."""

    def __init__(self, service: str = "iam", **operations: list[Any]) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        scripts = {name: Script(*answers) for name, answers in operations.items()}
        self.client = scripted(service, log=self.calls, **scripts)


def denied(operation: str) -> ClientError:
    return ClientError({"Error": {"Code": "AccessDenied", "Message": f"not allowed: {operation}"}}, operation)


def test_authorization_pages_are_merged_as_the_cli_merges_them() -> None:
    iam = Scripted(
        get_account_authorization_details=[
            {"UserDetailList": [{"UserName": "a"}], "RoleDetailList": [], "IsTruncated": True, "Marker": "m1"},
            {"UserDetailList": [{"UserName": "b"}], "Policies": [{"Arn": "p"}], "IsTruncated": False},
        ]
    )
    merged = iam_admins.authorization_details(iam.client)
    assert merged == {
        "UserDetailList": [{"UserName": "a"}, {"UserName": "b"}],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [{"Arn": "p"}],
    }
    assert iam.calls[1] == ("get_account_authorization_details", {"Marker": "m1"})


def test_a_refused_page_is_stored_as_the_refusal_not_a_partial_list() -> None:
    iam = Scripted(
        get_account_authorization_details=[
            {"UserDetailList": [{"UserName": "a"}], "IsTruncated": True, "Marker": "m1"},
            denied("GetAccountAuthorizationDetails"),
        ]
    )
    assert iam_admins.authorization_details(iam.client)["Error"]["Code"] == "AccessDenied"


def test_refusals_do_not_stop_the_rest() -> None:
    iam = Scripted(
        get_account_authorization_details=[denied("GetAccountAuthorizationDetails")],
        get_account_password_policy=[denied("GetAccountPasswordPolicy")],
        list_account_aliases=[{"AccountAliases": ["x"], "IsTruncated": False}],
    )
    sso = Scripted("sso-admin", list_instances=[denied("ListInstances")])
    documents = iam_admins.admin_documents(iam.client, sso.client, ACCOUNT, "us-east-1")
    assert documents[f"{BASE}/get-account-authorization-details.json"]["Error"]["Code"] == "AccessDenied"
    assert documents[f"{BASE}/get-account-password-policy.json"]["Error"]["Code"] == "AccessDenied"
    assert documents[f"{BASE}/list-account-aliases.json"] == {"AccountAliases": ["x"]}
    assert documents[f"{ACCOUNT}/us-east-1/sso-admin/list-instances.json"]["Error"]["Code"] == "AccessDenied"
    assert not [p for p in documents if "simulate" in p], "nothing to simulate without the authorization details"


def test_a_refused_simulation_is_stored_per_principal() -> None:
    iam = Scripted(simulate_principal_policy=[denied("SimulatePrincipalPolicy")])
    assert iam_admins.simulate(iam.client, "arn:aws:iam::123456789012:role/Admin")["Error"]["Code"] == "AccessDenied"


def test_collect_account_reports_progress_for_the_admin_evidence(iam: Any) -> None:
    messages: list[str] = []
    collection = collect_account(Aws(region="us-east-1"), messages.append, lookup=False, alerting=False)
    assert any("iam:SimulatePrincipalPolicy" in m and "sso:ListInstances in us-east-1" in m for m in messages)
    assert f"{ACCOUNT}/us-east-1/sso-admin/list-instances.json" in collection.documents
