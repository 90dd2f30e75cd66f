"""One member account of an organization: two independent probes, each ending in files, never an exception.

(a) **AssumeRoot** (``sts:AssumeRoot`` with ``IAMAuditRootUserCredentials``, a Regional STS endpoint,
900 s at most), then with that root session: the login profile, access keys and their last use, MFA
devices, signing certificates and the account summary, with no ``UserName`` (they answer for root).
Stored under ``<account>/assume-root/`` (contract §5.7).

(b) **AssumeRole** into the audit role (a name, an ARN template with ``{account_id}``, or a chain), then
the single-account collection (``collect_account``) with that session. ``<account>/global/sts/assume-role.json``
holds the STS answer without the secret, or the refusal (and then nothing else of the account is read).

The management account gets neither: AssumeRoot cannot target it and SCPs do not apply there, so it is
collected with the caller's own credentials. Suspended, closed and pending accounts are not probed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rootguard.collect.account import collect_account
from rootguard.collect.aws import Aws, call, failure_document, paginate
from rootguard.collect.sessions import (
    AUDIT_ROOT_TASK_POLICY,
    SessionRefused,
    assume_role_session,
    assume_root_session,
)
from rootguard.errors import RootguardError
from rootguard.model.failures import FailureCategory
from rootguard.model.operations import (
    ASSUME_ROLE_CALL,
    ASSUME_ROOT_CALL,
    CALLER_IDENTITY,
    ROOT_ACCESS_KEYS,
    ROOT_ACCOUNT_SUMMARY,
    ROOT_KEY_LAST_USED,
    ROOT_LOGIN_PROFILE,
    ROOT_MFA_DEVICES,
    ROOT_SIGNING_CERTIFICATES,
    assume_root_path,
)

DEFAULT_AUDIT_ROLE = "OrganizationAccountAccessRole"


class RateLimiter:
    """At most ``rate`` acquisitions per second, shared by every worker: each caller reserves the next
    free slot under a lock and sleeps outside it."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = threading.Lock()
        self._clock, self._sleep = clock, sleep

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self._sleep(slot - now)


@dataclass(frozen=True)
class MemberPlan:
    """What to do in one account (decided by the selection, before any probe)."""

    account_id: str
    direct: bool = False
    """Collected with the caller's own credentials (the account they belong to: the management account)."""
    active: bool = True
    root_probe: bool = True
    member_audit: bool = True
    roles: tuple[str, ...] = (DEFAULT_AUDIT_ROLE,)
    """Role names or ARNs (``{account_id}`` replaced); more than one: a chain, assumed in order."""
    external_id: str | None = None
    regions: tuple[str, ...] | None = None


@dataclass(frozen=True)
class AuditOptions:
    """What the single-account collection reads in each member (the live options of ``audit``)."""

    lookup: bool = True
    alerting: bool = True
    regions: tuple[str, ...] | None = None


def role_arn(role: str, account_id: str) -> str:
    """``OrganizationAccountAccessRole`` → ``arn:aws:iam::<id>:role/OrganizationAccountAccessRole``; an ARN
    keeps its own account, with ``{account_id}`` replaced."""
    if role.startswith("arn:"):
        return role.replace("{account_id}", account_id)
    return f"arn:aws:iam::{account_id}:role/{role.strip('/')}"


def probe_member(
    aws: Aws,
    plan: MemberPlan,
    options: AuditOptions,
    *,
    root_limiter: RateLimiter | None = None,
) -> dict[str, Any]:
    """Every file of one account (§5.7): both probes, each failure stored where its evidence would be."""
    if not plan.active:
        return {}
    if plan.direct:
        return _audited(lambda: aws, plan, options, where=CALLER_IDENTITY.path(plan.account_id))
    documents: dict[str, Any] = {}
    if plan.root_probe:
        documents.update(root_probe(aws, plan.account_id, root_limiter=root_limiter))
    if plan.member_audit:
        documents.update(role_probe(aws, plan, options))
    return documents


def root_probe(aws: Aws, account_id: str, *, root_limiter: RateLimiter | None = None) -> dict[str, Any]:
    """(a): the member's root credentials as an AssumeRoot session reads them."""
    where = assume_root_path(ASSUME_ROOT_CALL, account_id)
    if root_limiter is not None:
        root_limiter.acquire()
    try:
        session = assume_root_session(aws, account_id, AUDIT_ROOT_TASK_POLICY, region=aws.region)
    except SessionRefused as refused:
        return {where: refused.document}
    except RootguardError as error:
        return {where: _failed(error, "sts:AssumeRoot", aws.region)}
    documents: dict[str, Any] = {where: session.session_document}
    try:
        documents.update(root_credentials(session, account_id))
    except RootguardError as error:  # the session's credentials stopped working (expired, revoked)
        documents[assume_root_path(ROOT_LOGIN_PROFILE, account_id)] = _failed(error, "iam:GetLoginProfile", "")
    return documents


def root_credentials(session: Aws, account_id: str) -> dict[str, Any]:
    """What the root user holds; ``session`` is an AssumeRoot session (no ``UserName``: root answers)."""
    iam = session.iam()
    documents: dict[str, Any] = {
        assume_root_path(ROOT_LOGIN_PROFILE, account_id): call(iam.get_login_profile),
    }
    keys = paginate(iam.get_paginator("list_access_keys"), lists=("AccessKeyMetadata",))
    documents[assume_root_path(ROOT_ACCESS_KEYS, account_id)] = keys
    for key_id in _key_ids(keys):
        documents[assume_root_path(ROOT_KEY_LAST_USED, account_id, key_id)] = call(
            iam.get_access_key_last_used, AccessKeyId=key_id
        )
    documents[assume_root_path(ROOT_MFA_DEVICES, account_id)] = paginate(
        iam.get_paginator("list_mfa_devices"), lists=("MFADevices",)
    )
    documents[assume_root_path(ROOT_SIGNING_CERTIFICATES, account_id)] = paginate(
        iam.get_paginator("list_signing_certificates"), lists=("Certificates",)
    )
    documents[assume_root_path(ROOT_ACCOUNT_SUMMARY, account_id)] = call(iam.get_account_summary)
    return documents


def role_probe(aws: Aws, plan: MemberPlan, options: AuditOptions) -> dict[str, Any]:
    """(b): the audit role's session, then the single-account collection through it."""
    where = ASSUME_ROLE_CALL.path(plan.account_id)
    chain = [role_arn(role, plan.account_id) for role in plan.roles]
    try:
        session = assume_role_session(aws, chain, external_id=plan.external_id)
    except SessionRefused as refused:
        return {where: refused.document}
    except RootguardError as error:
        return {where: _failed(error, "sts:AssumeRole", aws.region)}
    documents = {where: session.session_document}
    documents.update(_audited(lambda: session, plan, options, where=CALLER_IDENTITY.path(plan.account_id)))
    return documents


def _audited(edge: Callable[[], Aws], plan: MemberPlan, options: AuditOptions, *, where: str) -> dict[str, Any]:
    """``collect_account`` through ``edge``; what stops it (a usage error about Regions, credentials that
    stop working, an endpoint that cannot be reached) is stored at ``where`` instead of ending the run."""
    regions = plan.regions if plan.regions is not None else options.regions
    try:
        collection = collect_account(edge(), lookup=options.lookup, alerting=options.alerting, regions=regions)
    except RootguardError as error:
        return {where: _failed(error, "sts:GetCallerIdentity", "")}
    if collection.accounts != (plan.account_id,):
        return {
            where: failure_document(
                "WrongAccount",
                f"the session belongs to {', '.join(collection.accounts)}, not {plan.account_id}: "
                "its evidence is not kept",
                FailureCategory.FAILED,
            )
        }
    return collection.documents


def _failed(error: RootguardError, operation: str, region: str) -> dict[str, Any]:
    return failure_document(
        type(error).__name__, str(error)[:300], FailureCategory.FAILED, operation=operation, region=region or None
    )


def _key_ids(keys: Any) -> Sequence[str]:
    items = keys.get("AccessKeyMetadata") if isinstance(keys, dict) and "Error" not in keys else None
    if not isinstance(items, list):
        return []
    return [str(i["AccessKeyId"]) for i in items if isinstance(i, dict) and isinstance(i.get("AccessKeyId"), str)]
