"""An AWS Organization in moto (``mock_aws``) and the answers moto lacks, for the organization collector's tests.

moto 5.2 models Organizations (accounts, OUs, SCPs) and AssumeRole; it raises NotImplementedError for
``sts:AssumeRoot`` and ``iam:ListOrganizationsFeatures``. ``OrgAnswers`` answers those two from botocore's
``before-call`` event (the request never leaves the client), after validating the parameters against the
real API model as ``botocore.stub.Stubber`` does, and can refuse AssumeRole for chosen accounts.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.validate import validate_parameters

from rootguard.collect.aws import Aws

ROOT_SECRET = "ROOT-SESSION-SECRET-never-in-the-bundle"
ROOT_TOKEN = "ROOT-SESSION-TOKEN-never-in-the-bundle"
MANAGEMENT = "123456789012"  # moto's default account: the caller is the management account

SCP_DENY_ROOT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}},
        }
    ],
}


@dataclass
class FakeOrg:
    """What ``build_org`` made: ids in creation order."""

    root_id: str
    ous: dict[str, str]
    """Name → OU id (``prod``, ``prod/inner``, ``dev``)."""
    accounts: list[str]
    """Member account ids, in creation order (ListAccounts order after the management account)."""
    placement: dict[str, str] = field(default_factory=dict)
    """Account id → the OU name it was moved to ("" = the root)."""
    policy_id: str = ""


def build_org(members: int = 4) -> FakeOrg:
    """An organization: root → prod → prod/inner, root → dev; members spread over root, prod/inner and dev;
    a deny-root SCP attached to ``prod``."""
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    root_id = org.list_roots()["Roots"][0]["Id"]
    prod = org.create_organizational_unit(ParentId=root_id, Name="prod")["OrganizationalUnit"]["Id"]
    inner = org.create_organizational_unit(ParentId=prod, Name="inner")["OrganizationalUnit"]["Id"]
    dev = org.create_organizational_unit(ParentId=root_id, Name="dev")["OrganizationalUnit"]["Id"]
    ous = {"prod": prod, "prod/inner": inner, "dev": dev}
    fake = FakeOrg(root_id, ous, [])
    homes = ["", "prod/inner", "dev"]
    for index in range(members):
        created = org.create_account(AccountName=f"member-{index}", Email=f"m{index}@example.com")
        account = created["CreateAccountStatus"]["AccountId"]
        home = homes[index % len(homes)]
        if home:
            org.move_account(AccountId=account, SourceParentId=root_id, DestinationParentId=ous[home])
        fake.accounts.append(account)
        fake.placement[account] = home
    policy = org.create_policy(
        Content=json.dumps(SCP_DENY_ROOT),
        Description="deny root",
        Name="deny-root",
        Type="SERVICE_CONTROL_POLICY",
    )["Policy"]["PolicySummary"]["Id"]
    org.attach_policy(PolicyId=policy, TargetId=prod)
    fake.policy_id = policy
    return fake


class _Response:
    def __init__(self, status: int) -> None:
        self.status_code = status
        self.headers: dict[str, str] = {}
        self.content = b""
        self.text = ""
        self.raw = None


def _error(status: int, code: str, message: str) -> tuple[_Response, dict[str, Any]]:
    body = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return _Response(status), body


@dataclass
class OrgAnswers:
    """Answers for AssumeRoot and ListOrganizationsFeatures; refusals and delays per account."""

    features: tuple[str, ...] = ("RootCredentialsManagement", "RootSessions")
    features_error: str = ""
    """An error code for ListOrganizationsFeatures (ServiceAccessNotEnabled …) instead of the features."""
    root_denied: set[str] = field(default_factory=set)
    root_throttled: set[str] = field(default_factory=set)
    role_denied: set[str] = field(default_factory=set)
    delay: float = 0.0
    """Seconds each AssumeRoot takes (to observe concurrency)."""
    root_calls: list[dict[str, Any]] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    secrets: set[str] = field(default_factory=lambda: {ROOT_SECRET, ROOT_TOKEN})
    """Every secret STS handed out (moto's AssumeRole secrets are added as they are answered)."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, aws: Aws) -> None:
        events = aws.session.events
        events.register("provide-client-params.sts.AssumeRoot", self._validate)
        # On the generic event, after the edge's own before-call handler (which records the action).
        events.register("before-call", self._before_call)
        events.register("after-call.sts.AssumeRole", self._remember)

    def _before_call(self, model: Any, params: dict[str, Any], **_: Any) -> Any:
        service = model.service_model.service_name
        if (service, model.name) == ("sts", "AssumeRoot"):
            return self._assume_root(params)
        if (service, model.name) == ("sts", "AssumeRole"):
            return self._assume_role(params)
        if (service, model.name) == ("iam", "ListOrganizationsFeatures"):
            return self._features()
        return None

    def _validate(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        validate_parameters(params, model.input_shape)  # raises ParamValidationError, as Stubber would
        with self._lock:
            self.root_calls.append(dict(params))

    def _assume_root(self, params: dict[str, Any]) -> tuple[_Response, dict[str, Any]]:
        target = str(params["body"]["TargetPrincipal"])
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if self.delay:
                time.sleep(self.delay)
            if target in self.root_denied:
                return _error(403, "AccessDenied", f"not authorized to perform sts:AssumeRoot on {target}")
            if target in self.root_throttled:
                return _error(400, "Throttling", "Rate exceeded")
            answer = {
                "Credentials": {
                    "AccessKeyId": f"ASIAROOT{target}",
                    "SecretAccessKey": ROOT_SECRET,
                    "SessionToken": ROOT_TOKEN,
                    "Expiration": "2026-12-07T16:00:00Z",
                },
                "SourceIdentity": "rootguard",
                "ResponseMetadata": {"HTTPStatusCode": 200},
            }
            return _Response(200), answer
        finally:
            with self._lock:
                self.in_flight -= 1

    def _assume_role(self, params: dict[str, Any]) -> tuple[_Response, dict[str, Any]] | None:
        arn = str(params["body"]["RoleArn"])
        if arn.split(":")[4] in self.role_denied:
            return _error(403, "AccessDenied", f"not authorized to perform sts:AssumeRole on {arn}")
        return None  # moto answers

    def _remember(self, parsed: dict[str, Any], **_: Any) -> None:
        credentials = parsed.get("Credentials") or {}
        with self._lock:
            self.secrets.update(str(credentials.get(key, "")) for key in ("SecretAccessKey", "SessionToken"))
            self.secrets.discard("")

    def _features(self) -> tuple[_Response, dict[str, Any]]:
        if self.features_error:
            return _error(400, self.features_error, "trusted access for IAM is not enabled")
        return _Response(200), {
            "OrganizationId": "o-example",
            "EnabledFeatures": list(self.features),
            "ResponseMetadata": {"HTTPStatusCode": 200},
        }
