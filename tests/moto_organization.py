"""A moto server on 127.0.0.1 holding an AWS Organization with centralized root access.

``moto_org_server(plan)`` starts ``moto.server.ThreadedMotoServer`` in this process, builds the plan's
organization through the Organizations API with the management account's credentials (moto's
``testing`` key is account 123456789012, which becomes the management account), and patches what
stock moto lacks (tests/moto_org_root.py: AssumeRoot, ListOrganizationsFeatures, the root user's
answers per member). As tests/moto_root.py does, every patch lives in a ``pytest.MonkeyPatch`` that
is undone, and moto's backends are reset, when the server stops; only one such server runs at a
time (moto's backends are process-wide), whichever helper started it.

``ORG_PLAN`` (22 members in OUs three levels deep) mixes what an organization audit meets: suspended,
closed and closing members; a member whose audit role cannot be assumed and one where AssumeRoot is
refused; members whose root holds a password, an access key, a virtual or hardware MFA device or a
signing certificate, and members whose root holds nothing; an OU without the root-deny SCP, the
``aws:AssumedRoot``-aware SCP on others, the NotAction allow-list SCP (which breaks AssumeRoot tasks)
on one, and the aware SCP attached to one account directly; one member listed with the retired
``Status`` field only. ``scale_plan(n)`` is n plain members for the benchmark.

(tests/moto_org.py is another helper: an organization under ``mock_aws`` for the collector's unit tests.)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from moto.core.base_backend import BackendDict
from moto.iam.models import iam_backends
from moto.organizations.models import FakeAccount, FakeServiceAccess, organizations_backends
from moto.server import ThreadedMotoServer

from moto_alerting import AlertingState, install_alerting
from moto_org_root import MemberRoot, OrgRootState, install_org_root, seed_virtual_root_device
from moto_root import ACCOUNT_ID, REGION, CloudTrailState, RootKey, RootState, _active, install_cloudtrail, utc_now
from moto_simulator import install_simulator

MANAGEMENT_ID = ACCOUNT_ID
AUDIT_ROLE = "OrganizationAccountAccessRole"

AWARE_SCP = "DenyRootExceptAssumedRoot"
ALLOW_LIST_SCP = "DenyRootExceptBucketPolicy"
ROOT_SCP = "DenyLeavingOrganization"
SCP_DOCUMENTS: Mapping[str, dict[str, Any]] = {
    # aws-samples/service-control-policy-examples: real root denied, AssumeRoot sessions let through.
    AWARE_SCP: {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyRootUser", "Effect": "Deny", "Action": "*", "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}, "Null": {"aws:AssumedRoot": "true"}},
    }]},
    # The older NotAction allow-list: denies every AssumeRoot task outside the list (IAM audit included).
    ALLOW_LIST_SCP: {"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyRootUserExceptBucketPolicy", "Effect": "Deny",
        "NotAction": ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}},
    }]},
    ROOT_SCP: {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
    ]},
}  # fmt: skip

PASSWORD, ACCESS_KEY, VIRTUAL_MFA, HARDWARE_MFA, CERTIFICATE = (
    "password", "access-key", "virtual-mfa", "hardware-mfa", "signing-certificate",
)  # fmt: skip


@dataclass(frozen=True)
class Member:
    name: str
    ou: tuple[str, ...]
    """OU names from the root down; ``()``: directly under the root."""
    root: frozenset[str] = frozenset()
    """What the member's root user holds (PASSWORD, ACCESS_KEY, …); empty: nothing."""
    state: str = "ACTIVE"
    status_only: bool = False
    """ListAccounts gives only the retired ``Status`` field for this member."""
    audit_role_denied: bool = False
    assume_root_denied: bool = False
    scp: str | None = None
    """An SCP attached to the account itself."""

    @property
    def tags(self) -> dict[str, str]:
        return {"team": self.name.split("-")[0], "cost-center": f"cc-{len(self.name):03d}"}


@dataclass(frozen=True)
class OrgPlan:
    members: tuple[Member, ...]
    ous: Mapping[tuple[str, ...], tuple[str, ...]]
    """Every OU (path of names) → the SCPs attached to it besides FullAWSAccess."""
    root_scps: tuple[str, ...] = (ROOT_SCP,)
    management_root: frozenset[str] = frozenset({PASSWORD, HARDWARE_MFA})


_PROD, _APPS, _EU = ("Production",), ("Production", "Apps"), ("Production", "Apps", "EU")
_DEV, _TEAMS, _SANDBOX = ("Development",), ("Development", "Teams"), ("Development", "Teams", "Sandbox")
_LEGACY, _RESEARCH, _LABS, _CLOSED = ("Legacy",), ("Research",), ("Research", "Labs"), ("Suspended",)

ORG_PLAN = OrgPlan(
    ous={
        _PROD: (AWARE_SCP,), _APPS: (), _EU: (),
        _DEV: (AWARE_SCP,), _TEAMS: (), _SANDBOX: (),
        _LEGACY: (ALLOW_LIST_SCP,),
        _RESEARCH: (), _LABS: (),  # no root-deny SCP anywhere on this path
        _CLOSED: (AWARE_SCP,),
    },
    members=(
        Member("prod-eu-web", _EU),
        Member("prod-eu-data", _EU),
        Member("prod-eu-keys", _EU, root=frozenset({ACCESS_KEY})),
        Member("prod-apps-api", _APPS),
        Member("prod-apps-batch", _APPS, root=frozenset({PASSWORD, VIRTUAL_MFA})),
        Member("prod-shared", _PROD),
        Member("prod-audit-denied", _PROD, audit_role_denied=True),
        Member("prod-security", _PROD),
        Member("dev-tools", _DEV),
        Member("dev-team-a", _TEAMS, root=frozenset({PASSWORD})),
        Member("dev-team-b", _TEAMS),
        Member("sandbox-one", _SANDBOX),
        Member("sandbox-root-denied", _SANDBOX, assume_root_denied=True),
        Member("sandbox-status-only", _SANDBOX, status_only=True),
        Member("legacy-erp", _LEGACY),
        Member("legacy-crm", _LEGACY, root=frozenset({PASSWORD, ACCESS_KEY, VIRTUAL_MFA})),
        Member("research-ml", _RESEARCH),
        Member("research-hpc", _RESEARCH, scp=AWARE_SCP),
        Member("lab-genomics", _LABS, root=frozenset({CERTIFICATE, HARDWARE_MFA})),
        Member("old-marketing", _CLOSED, state="SUSPENDED"),
        Member("old-billing", _CLOSED, state="CLOSED"),
        Member("old-closing", _CLOSED, state="PENDING_CLOSURE"),
    ),
)  # fmt: skip

_RETIRED_STATUS = {"CLOSED": "SUSPENDED", "PENDING_ACTIVATION": "ACTIVE"}
"""The retired Status knew only ACTIVE, SUSPENDED and PENDING_CLOSURE."""


def scale_plan(count: int) -> OrgPlan:
    """``count`` ACTIVE members spread over nested OUs; every tenth root holds a password."""
    ous = {_PROD: (AWARE_SCP,), _APPS: (), _EU: (), _DEV: (AWARE_SCP,), _TEAMS: ()}
    paths = list(ous)
    members = tuple(
        Member(f"member-{n:04d}", paths[n % len(paths)], root=frozenset({PASSWORD}) if n % 10 == 0 else frozenset())
        for n in range(count)
    )
    return OrgPlan(members=members, ous=ous)


def root_state(held: frozenset[str], now: datetime) -> RootState:
    keys = (RootKey(active=True, last_rotated=now - timedelta(days=300), last_used=now - timedelta(days=10),
                    service="s3"),) if ACCESS_KEY in held else ()  # fmt: skip
    return RootState(
        created=now - timedelta(days=2 * 365),
        password_last_used=now - timedelta(days=200) if PASSWORD in held else None,
        mfa=bool(held & {VIRTUAL_MFA, HARDWARE_MFA}),
        password_present=PASSWORD in held,
        keys=keys,
        virtual_mfa_enabled=now - timedelta(days=100) if VIRTUAL_MFA in held else None,
    )


@dataclass
class MotoOrg:
    """A running moto server holding one organization."""

    endpoint: str
    port: int
    now: datetime
    plan: OrgPlan
    state: OrgRootState
    organization_id: str = ""
    root_id: str = ""
    account_ids: dict[str, str] = field(default_factory=dict)
    """member name → account id, in creation (ListAccounts) order."""
    ou_ids: dict[tuple[str, ...], str] = field(default_factory=dict)
    policy_ids: dict[str, str] = field(default_factory=dict)
    cloudtrail: CloudTrailState = field(default_factory=CloudTrailState)
    alerting: AlertingState = field(default_factory=AlertingState)

    def client(self, service: str, region: str = REGION) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def member(self, name: str) -> Member:
        return next(member for member in self.plan.members if member.name == name)

    def account(self, name: str) -> str:
        return self.account_ids[name]

    def name_of(self, account_id: str) -> str:
        return next(name for name, known in self.account_ids.items() if known == account_id)


@contextmanager
def moto_org_server(plan: OrgPlan = ORG_PLAN, now: datetime | None = None) -> Iterator[MotoOrg]:
    now = (now or utc_now()).replace(microsecond=0)
    if not _active.acquire(blocking=False):
        raise RuntimeError("a moto server is already running in this process; moto's state is shared")
    werkzeug = logging.getLogger("werkzeug")
    level = werkzeug.level
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    try:
        werkzeug.setLevel(logging.WARNING)
        BackendDict.reset()
        with pytest.MonkeyPatch.context() as patches:
            server.start()
            try:
                host, port = server.get_host_and_port()
                running = MotoOrg(f"http://{host}:{port}", port, now, plan, OrgRootState(MANAGEMENT_ID))
                install_cloudtrail(patches, running.cloudtrail)
                install_alerting(patches, running.alerting)
                install_simulator(patches)
                install_org_root(patches, running.state)
                _build(running, patches)
                running.state.calls.clear()
                yield running
            finally:
                server.stop()
    finally:
        BackendDict.reset()
        werkzeug.setLevel(level)
        _active.release()


def _build(org: MotoOrg, patches: pytest.MonkeyPatch) -> None:
    client = org.client("organizations")
    org.organization_id = client.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    org.state.organization_id = org.organization_id
    # moto's list of trusted services predates IAM's (centralized root access needs it).
    patches.setattr(FakeServiceAccess, "TRUSTED_SERVICES", [*FakeServiceAccess.TRUSTED_SERVICES, "iam.amazonaws.com"])
    client.enable_aws_service_access(ServicePrincipal="iam.amazonaws.com")
    org.root_id = client.list_roots()["Roots"][0]["Id"]
    client.enable_policy_type(RootId=org.root_id, PolicyType="SERVICE_CONTROL_POLICY")
    for name, document in SCP_DOCUMENTS.items():
        policy = client.create_policy(
            Name=name, Description=name, Type="SERVICE_CONTROL_POLICY", Content=json.dumps(document)
        )
        org.policy_ids[name] = policy["Policy"]["PolicySummary"]["Id"]
    for name in org.plan.root_scps:
        client.attach_policy(PolicyId=org.policy_ids[name], TargetId=org.root_id)
    for path, scps in sorted(org.plan.ous.items(), key=lambda item: len(item[0])):
        parent = org.ou_ids[path[:-1]] if len(path) > 1 else org.root_id
        org.ou_ids[path] = client.create_organizational_unit(ParentId=parent, Name=path[-1])["OrganizationalUnit"]["Id"]
        for name in scps:
            client.attach_policy(PolicyId=org.policy_ids[name], TargetId=org.ou_ids[path])
    backend = organizations_backends[MANAGEMENT_ID]["aws"]
    status_only: set[str] = set()
    for member in org.plan.members:
        created = client.create_account(
            AccountName=member.name,
            Email=f"{member.name}@example.com",
            Tags=[{"Key": key, "Value": value} for key, value in member.tags.items()],
        )
        account_id = created["CreateAccountStatus"]["AccountId"]
        org.account_ids[member.name] = account_id
        if member.ou:
            client.move_account(
                AccountId=account_id, SourceParentId=org.root_id, DestinationParentId=org.ou_ids[member.ou]
            )
        if member.scp:
            client.attach_policy(PolicyId=org.policy_ids[member.scp], TargetId=account_id)
        stored = backend.get_account_by_id(account_id)
        stored.state = member.state
        stored.status = _RETIRED_STATUS.get(member.state, member.state)
        if member.status_only:
            status_only.add(account_id)
        org.state.member_states[account_id] = member.state
        if member.audit_role_denied:
            org.state.audit_role_denied.add(account_id)
        if member.assume_root_denied:
            org.state.assume_root_denied.add(account_id)
        org.state.roots[account_id] = _seed_root(account_id, member.root, org.now)
        _seed_admin(account_id)
    org.state.roots[MANAGEMENT_ID] = _seed_root(MANAGEMENT_ID, org.plan.management_root, org.now)
    _seed_admin(MANAGEMENT_ID, role="Admin")
    _hide_state(patches, status_only)


def _seed_root(account_id: str, held: frozenset[str], now: datetime) -> MemberRoot:
    state = root_state(held, now)
    serial = None
    if VIRTUAL_MFA in held:
        serial = seed_virtual_root_device(account_id, state)
    elif HARDWARE_MFA in held:
        serial = f"GAHT{account_id[-8:]}"
    key_ids = tuple(f"AKIA{account_id}ROO{n}" for n in range(len(state.keys)))
    return MemberRoot(state=state, mfa_serial=serial, certificate=CERTIFICATE in held, key_ids=key_ids)


def _seed_admin(account_id: str, role: str = AUDIT_ROLE) -> None:
    """Administrator access on the audit role (moto creates it bare), as Organizations does."""
    backend = iam_backends[account_id]["global"]
    if role not in {known.name for known in backend.roles.values()}:
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                 "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"}}]}  # fmt: skip
        backend.create_role(role, json.dumps(trust), "/", None, "", [], "3600")
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    backend.put_role_policy(role, "AdministratorAccess", json.dumps(admin))


def _hide_state(patches: pytest.MonkeyPatch, account_ids: set[str]) -> None:
    """These accounts answer ListAccounts with the retired ``Status`` field only."""
    original = FakeAccount.describe

    def describe(self: FakeAccount) -> dict[str, Any]:
        described = original(self)
        if self.id in account_ids:
            described.pop("State", None)
        return described

    patches.setattr(FakeAccount, "describe", describe)
