"""What stock moto 5.2.5 lacks to stand in for an AWS Organization with centralized root access.

moto models Organizations, OUs, SCPs and AssumeRole, but ``sts:AssumeRoot`` and
``iam:ListOrganizationsFeatures`` raise NotImplementedError, and no IAM call answers for a member's
root user. ``install_org_root`` patches moto's in-process responses (in a ``pytest.MonkeyPatch``)
so that:

- ``AssumeRoot`` issues session credentials moto maps to the member account (a temporary key in the
  member's IAM backend), after checking what AWS checks: the caller is the management account, the
  target is an ACTIVE member (id or root ARN), the task policy is one of the five under
  ``arn:aws:iam::aws:policy/root-task/`` and ``DurationSeconds`` is at most 900. Above ``rate`` calls
  per second it answers ``ThrottlingException`` (AWS rate-limits AssumeRoot without saying how much);
- a root session may call only its task policy's actions; without ``UserName``, GetLoginProfile,
  ListAccessKeys, GetAccessKeyLastUsed, ListMFADevices and ListSigningCertificates answer from the
  member's ``MemberRoot``;
- GetAccountSummary's root flags and the credential report's ``<root_account>`` row (written by
  ``moto_root.RootState.csv_row``) follow each account's root state, whoever asks;
- ``AssumeRole`` into a member is refused when the role does not exist there, the member is not
  ACTIVE or the test denies it;
- every call can be delayed (``latency``) and is counted per account and action.
"""

from __future__ import annotations

import threading
import time
import types
import warnings
from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse
from moto.iam.models import IAMBackend, iam_backends
from moto.iam.responses import IamResponse
from moto.sts.responses import TokenResponse

from moto_root import RootState, utc_now

TASK_POLICY_PREFIX = "arn:aws:iam::aws:policy/root-task/"
AUDIT_TASK = f"{TASK_POLICY_PREFIX}IAMAuditRootUserCredentials"
TASK_ACTIONS: Mapping[str, frozenset[str]] = {
    "IAMAuditRootUserCredentials": frozenset(
        {"ListAccessKeys", "ListSigningCertificates", "GetLoginProfile", "ListMFADevices", "GetAccountSummary",
         "GetUser", "GetAccessKeyLastUsed"}
    ),
    "IAMCreateRootUserPassword": frozenset({"CreateLoginProfile", "GetLoginProfile"}),
    "IAMDeleteRootUserCredentials": frozenset(
        {"DeleteAccessKey", "DeleteSigningCertificate", "DeleteLoginProfile", "DeactivateMFADevice",
         "ListAccessKeys", "ListSigningCertificates", "GetLoginProfile", "ListMFADevices", "GetUser",
         "GetAccessKeyLastUsed"}
    ),
    "S3UnlockBucketPolicy": frozenset({"DeleteBucketPolicy", "PutBucketPolicy", "GetBucketPolicy", "ListBuckets"}),
    "SQSUnlockQueuePolicy": frozenset({"GetQueueAttributes", "GetQueueUrl", "ListQueues", "SetQueueAttributes"}),
}  # fmt: skip
"""The five task policies and the actions they allow (IAM docs, security-iam-awsmanpol)."""
MAX_ROOT_SESSION = 900
ROOT_FEATURES = ("RootCredentialsManagement", "RootSessions")


@dataclass(frozen=True)
class MemberRoot:
    """What a member's root user holds: the credential report row, plus what only AssumeRoot reads."""

    state: RootState
    mfa_serial: str | None = None
    """The serial ListMFADevices answers: a virtual device's ARN, a hardware token's serial, a passkey's ARN."""
    certificate: bool = False
    """One active signing certificate."""
    key_ids: tuple[str, ...] = ()
    """The ids of ``state.keys``, in order."""


class OrgRefusal(ServiceException):
    """An error answer. moto serializes it with the model of the service called (its module is not moto's)."""


OrgRefusal.__module__ = "rootguard_tests.org_refusal"


def refuse(code: str, message: str) -> OrgRefusal:
    """HTTP status as the service model says (NoSuchEntity 404), else 400."""
    # moto warns that a code is not in the service model (AccessDenied and throttling are not): it is AWS's.
    warnings.filterwarnings("ignore", message=r"Exception\(OrgRefusal\)", category=UserWarning)
    return OrgRefusal(code, message)


@dataclass
class RateLimit:
    """At most ``per_second`` calls in any one-second window; ``None``: unlimited."""

    per_second: float | None = None
    _recent: deque[float] = field(default_factory=deque)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self) -> bool:
        if self.per_second is None:
            return True
        now = time.monotonic()
        with self._lock:
            while self._recent and now - self._recent[0] >= 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.per_second:
                return False
            self._recent.append(now)
            return True


@dataclass
class OrgRootState:
    """The answers the patches give, and what they were asked (shared with the test)."""

    management_account_id: str
    organization_id: str = ""
    roots: dict[str, MemberRoot] = field(default_factory=dict)
    """account id → root state; the management account's too (it has no AssumeRoot, but a report row)."""
    member_states: dict[str, str] = field(default_factory=dict)
    """member id → State (ACTIVE, SUSPENDED, …); AssumeRole and AssumeRoot refuse a non-ACTIVE member."""
    assume_root_denied: set[str] = field(default_factory=set)
    audit_role_denied: set[str] = field(default_factory=set)
    features: tuple[str, ...] = ROOT_FEATURES
    features_error: str | None = None
    """An error code ListOrganizationsFeatures answers instead (e.g. ServiceAccessNotEnabledException)."""
    assume_root_rate: RateLimit = field(default_factory=RateLimit)
    latency: float = 0.0
    """Seconds added to every call (set after seeding)."""
    root_sessions: dict[str, tuple[str, str]] = field(default_factory=dict)
    """AssumeRoot session key id → (member id, task policy name)."""
    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(account id the call ran as, Action) → count."""
    assume_root_calls: list[tuple[str, str, int]] = field(default_factory=list)
    """(TargetPrincipal, TaskPolicyArn, DurationSeconds) of every AssumeRoot, throttled ones too."""
    throttled: int = 0
    issued_secrets: set[str] = field(default_factory=set)
    """Every SecretAccessKey and SessionToken handed out by AssumeRole/AssumeRoot: none may be written."""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, account: str, action: str) -> None:
        with self._lock:
            self.calls[(account, action)] += 1

    def calls_by_account(self) -> Counter[str]:
        with self._lock:
            totals: Counter[str] = Counter()
            for (account, _action), number in self.calls.items():
                totals[account] += number
            return totals


def install_org_root(patches: pytest.MonkeyPatch, state: OrgRootState) -> None:
    _install_call_hook(patches, state)
    _install_sts(patches, state)
    _install_root_user(patches, state)
    _install_account_wide(patches, state)


def _install_call_hook(patches: pytest.MonkeyPatch, state: OrgRootState) -> None:
    """Latency, counting, and a root session held to its task policy's actions."""
    original = BaseResponse.call_action

    def call_action(self: BaseResponse) -> Any:
        if state.latency:
            time.sleep(state.latency)
        action = self._get_action()
        state.count(self.current_account, action)
        session = state.root_sessions.get(self.get_access_key())
        # GetCallerIdentity needs no permission, in any session.
        if session is not None and action not in TASK_ACTIONS[session[1]] | {"GetCallerIdentity"}:
            refusal = refuse(
                "AccessDenied",
                f"User: arn:aws:iam::{session[0]}:root is not authorized to perform: {self.service_name}:{action} "
                f"because no session policy allows the {self.service_name}:{action} action",
            )
            return self.serialized(ActionResult(refusal))
        return original(self)

    patches.setattr(BaseResponse, "call_action", call_action)


def _task_policy_arn(response: TokenResponse) -> str:
    value = response._get_param("TaskPolicyArn")
    if isinstance(value, dict):
        return str(value.get("arn") or "")
    return str(response.querystring.get("TaskPolicyArn.arn", [""])[0])


def _install_sts(patches: pytest.MonkeyPatch, state: OrgRootState) -> None:
    def assume_root(self: TokenResponse) -> ActionResult:
        target = str(self._get_param("TargetPrincipal") or "")
        task_arn = _task_policy_arn(self)
        duration = self._get_int_param("DurationSeconds", MAX_ROOT_SESSION)
        state.assume_root_calls.append((target, task_arn, duration))
        caller = self.current_account
        if not state.assume_root_rate.allow():
            with state._lock:
                state.throttled += 1
            raise refuse("ThrottlingException", "Rate exceeded")
        if caller != state.management_account_id:
            raise refuse("AccessDenied", f"Account {caller} is not the management account of an organization")
        task = task_arn.removeprefix(TASK_POLICY_PREFIX)
        if not task_arn.startswith(TASK_POLICY_PREFIX) or task not in TASK_ACTIONS:
            raise refuse("ValidationError", f"TaskPolicyArn {task_arn!r} is not a root task policy")
        if not 0 < duration <= MAX_ROOT_SESSION:
            raise refuse("ValidationError", f"DurationSeconds {duration} must be at most {MAX_ROOT_SESSION}")
        member = target.removeprefix("arn:aws:iam::").removesuffix(":root")
        if member not in state.member_states:
            raise refuse("AccessDenied", f"{target} is not a member account of the organization")
        if state.member_states[member] != "ACTIVE" or member in state.assume_root_denied:
            raise refuse(
                "AccessDenied",
                f"User: arn:aws:iam::{caller}:user/auditor is not authorized to perform: sts:AssumeRoot on "
                f"resource: arn:aws:iam::{member}:root",
            )
        key = iam_backends[member]["global"].create_temp_access_key()
        token = f"FQoGZXIvYXdzEROOT{key.access_key_id}"
        with state._lock:
            state.root_sessions[key.access_key_id] = (member, task)
            state.issued_secrets.update({key.secret_access_key, token})
        credentials = {
            "AccessKeyId": key.access_key_id,
            "SecretAccessKey": key.secret_access_key,
            "SessionToken": token,
            "Expiration": utc_now() + timedelta(seconds=duration),
        }
        return ActionResult({"Credentials": credentials, "SourceIdentity": ""})

    patches.setattr(TokenResponse, "assume_root", assume_root, raising=False)

    original_assume_role = TokenResponse.assume_role

    def assume_role(self: TokenResponse) -> Any:
        role_arn = str(self._get_param("RoleArn") or "")
        account = role_arn.split(":")[4] if role_arn.count(":") >= 5 else ""
        role_name = role_arn.rsplit("/", 1)[-1]
        if account in state.member_states and (
            role_name not in {role.name for role in iam_backends[account]["global"].roles.values()}
            or state.member_states[account] != "ACTIVE"
            or account in state.audit_role_denied
        ):
            raise refuse(
                "AccessDenied",
                f"User: arn:aws:iam::{self.current_account}:user/auditor is not authorized to perform: "
                f"sts:AssumeRole on resource: {role_arn}",
            )
        answer = original_assume_role(self)
        role = answer.result["Credentials"] if isinstance(answer, ActionResult) else None  # type: ignore[index]
        if role is not None:
            with state._lock:
                state.issued_secrets.update({role.secret_access_key, role.session_token})
        return answer

    patches.setattr(TokenResponse, "assume_role", assume_role)


def _install_root_user(patches: pytest.MonkeyPatch, state: OrgRootState) -> None:
    """The IAM calls of an AssumeRoot session, without UserName: they answer for the member's root user."""

    def root_of(response: IamResponse) -> tuple[str, MemberRoot] | None:
        if response._get_param("UserName"):
            return None
        session = state.root_sessions.get(response.get_access_key())
        if session is None:
            return None
        return session[0], state.roots[session[0]]

    def wrap(name: str, answer: Any) -> None:
        original = getattr(IamResponse, name)

        def method(self: IamResponse) -> Any:
            found = root_of(self)
            return original(self) if found is None else answer(self, *found)

        patches.setattr(IamResponse, name, method)

    def login_profile(_: IamResponse, account: str, root: MemberRoot) -> ActionResult:
        if not root.state.password_present:
            raise refuse("NoSuchEntity", "Login Profile for User root cannot be found.")
        return ActionResult({"LoginProfile": {"CreateDate": root.state.created, "PasswordResetRequired": False}})

    def access_keys(_: IamResponse, account: str, root: MemberRoot) -> ActionResult:
        keys = [
            {"AccessKeyId": key_id, "Status": "Active" if key.active else "Inactive", "CreateDate": key.last_rotated}
            for key_id, key in zip(root.key_ids, root.state.keys, strict=True)
        ]
        return ActionResult({"AccessKeyMetadata": keys, "IsTruncated": False})

    def mfa_devices(_: IamResponse, account: str, root: MemberRoot) -> ActionResult:
        enabled = root.state.virtual_mfa_enabled or root.state.created
        devices = [{"SerialNumber": root.mfa_serial, "EnableDate": enabled}] if root.mfa_serial else []
        return ActionResult({"MFADevices": devices, "IsTruncated": False})

    def certificates(_: IamResponse, account: str, root: MemberRoot) -> ActionResult:
        held = [
            {"CertificateId": f"CERT{account}ROOT", "CertificateBody": "-----BEGIN CERTIFICATE-----\nMIIB\n"
             "-----END CERTIFICATE-----", "Status": "Active", "UploadDate": root.state.created}
        ] if root.certificate else []  # fmt: skip
        return ActionResult({"Certificates": held, "IsTruncated": False})

    wrap("get_login_profile", login_profile)
    wrap("list_access_keys", access_keys)
    wrap("list_mfa_devices", mfa_devices)
    wrap("list_signing_certificates", certificates)

    original_last_used = IamResponse.get_access_key_last_used

    def get_access_key_last_used(self: IamResponse) -> Any:
        key_id = str(self._get_param("AccessKeyId") or "")
        for root in state.roots.values():
            if key_id in root.key_ids:
                key = root.state.keys[root.key_ids.index(key_id)]
                used = key.last_used if isinstance(key.last_used, datetime) else None
                last = (
                    {"Region": key.region, "ServiceName": key.service}
                    if used
                    else {"Region": "N/A", "ServiceName": "N/A"}
                )
                if used:
                    last["LastUsedDate"] = used  # type: ignore[assignment]
                return ActionResult({"AccessKeyLastUsed": last})
        return original_last_used(self)

    patches.setattr(IamResponse, "get_access_key_last_used", get_access_key_last_used)


def _install_account_wide(patches: pytest.MonkeyPatch, state: OrgRootState) -> None:
    """Answers about the account, whoever asks: summary flags, the report's root row, ListOrganizationsFeatures."""

    def list_organizations_features(self: IamResponse) -> ActionResult:
        if self.current_account != state.management_account_id:
            raise refuse(
                "AccountNotManagementOrDelegatedAdministratorException",
                "The request was rejected because the account is not the management account or delegated "
                "administrator.",
            )
        if state.features_error:
            raise refuse(state.features_error, f"The request was rejected: {state.features_error}.")
        return ActionResult({"OrganizationId": state.organization_id, "EnabledFeatures": list(state.features)})

    patches.setattr(IamResponse, "list_organizations_features", list_organizations_features, raising=False)

    original_summary = IamResponse.get_account_summary

    def get_account_summary(self: IamResponse) -> Any:
        root = state.roots.get(self.current_account)
        if root is None:
            return original_summary(self)
        values = dict(self.backend.get_account_summary().summary_map)
        values.update(
            AccountMFAEnabled=int(root.state.mfa),
            AccountAccessKeysPresent=int(root.state.access_keys_present),
            AccountSigningCertificatesPresent=int(root.certificate),
            AccountPasswordPresent=int(root.state.password_present),
        )
        return ActionResult({"SummaryMap": values})

    patches.setattr(IamResponse, "get_account_summary", get_account_summary)

    original_report = IAMBackend.get_credential_report

    def get_credential_report(self: IAMBackend) -> str:
        report = original_report(self)
        root = state.roots.get(self.account_id)
        if root is None:
            return report
        header, _, rows = report.partition("\n")
        return f"{header}\n{root.state.csv_row(self.account_id, read_at=utc_now())}{rows}"

    patches.setattr(IAMBackend, "get_credential_report", get_credential_report)

    def get_credential_report_response(self: IamResponse) -> Any:
        # GeneratedTime now, not moto's fixed 2015-02-02 (which rootguard rightly calls stale).
        report = self.backend.get_credential_report()
        generated = utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
        return ActionResult({"Content": report, "ReportFormat": "text/csv", "GeneratedTime": generated})

    patches.setattr(IamResponse, "get_credential_report", get_credential_report_response)


def seed_virtual_root_device(account_id: str, root: RootState, name: str = "root-account-mfa-device") -> str:
    """A virtual MFA device assigned to ``account_id``'s root (User.Arn the root ARN, as AWS lists it)."""
    backend = iam_backends[account_id]["global"]
    device = backend.create_virtual_mfa_device(device_name=name, path="/")
    device.enable_date = (root.virtual_mfa_enabled or root.created).replace(microsecond=0)
    device.user = types.SimpleNamespace(  # type: ignore[assignment]
        path="/", user_id=account_id, arn=f"arn:aws:iam::{account_id}:root", create_date=root.created
    )
    return str(device.serial_number)
