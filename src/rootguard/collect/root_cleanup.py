"""Delete a member's root credentials through ``sts:AssumeRoot`` (``remediate --org --apply``).

One member at a time: an AssumeRoot session with the ``IAMDeleteRootUserCredentials`` task policy,
then ``DeleteLoginProfile`` / ``DeleteAccessKey`` / ``DeleteSigningCertificate`` /
``DeactivateMFADevice`` (and ``DeleteVirtualMFADevice`` for a virtual device) with no ``UserName``,
which in a root session means the root user. Only what the confirmed plan names is deleted; the member
is then listed again (``GetLoginProfile``, ``ListAccessKeys``, ``ListSigningCertificates``,
``ListMFADevices``) so the outcome is what AWS says, not what the calls hoped. Every call goes through
``call()``: a refusal or a throttle is a recorded step, never an exception, and the caller moves on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rootguard.collect.aws import Aws, call, error_fields
from rootguard.collect.sessions import SessionRefused, assume_root_session
from rootguard.model.root_cleanup import (
    DELETE_ROOT_TASK_POLICY,
    CleanupStep,
    CredentialKind,
    HeldCredential,
    MemberOutcome,
    MemberPlan,
    StepOutcome,
)

REQUIRED_ACTIONS = ("sts:AssumeRoot",)
"""What the caller (management account or delegated administrator) needs; the rest is the task policy's."""
ABSENT_CODES = {"NoSuchEntity", "NoSuchEntityException"}
DENIED_CODES = {"AccessDenied", "AccessDeniedException"}

Record = Callable[[CleanupStep], None]


def clean_member(aws: Aws, member: MemberPlan, *, region: str, record: Record) -> MemberOutcome:
    """Delete what ``member`` lists, verify, and ``record`` every step; never raises for an AWS answer."""
    account = member.account_id
    try:
        session = assume_root_session(aws, account, DELETE_ROOT_TASK_POLICY, region=region)
    except SessionRefused as refused:
        record(_failed(account, "sts:AssumeRoot", account, refused.document))
        return MemberOutcome(account, failures=1, remaining=None)
    credentials = (session.session_document or {}).get("Credentials", {})
    record(
        CleanupStep(
            account,
            "sts:AssumeRoot",
            account,
            StepOutcome.DONE,
            detail={"task_policy_arn": DELETE_ROOT_TASK_POLICY, "access_key_id": credentials.get("AccessKeyId")},
        )
    )
    iam = session.iam(region)
    failures = 0
    for credential in member.ordered():
        for step in _delete(iam, account, credential):
            record(step)
            failures += step.outcome is StepOutcome.FAILED
    remaining, verify = _verify(iam, account)
    record(verify)
    failures += verify.outcome is StepOutcome.FAILED
    return MemberOutcome(account, failures=failures, remaining=remaining)


def _delete(iam: Any, account: str, credential: HeldCredential) -> list[CleanupStep]:
    kind = credential.kind
    if kind is CredentialKind.PASSWORD:
        return [_step(account, "iam:DeleteLoginProfile", "login-profile", call(iam.delete_login_profile))]
    if kind is CredentialKind.ACCESS_KEY:
        answer = call(iam.delete_access_key, AccessKeyId=credential.id)
        return [_step(account, "iam:DeleteAccessKey", credential.id, answer)]
    if kind is CredentialKind.SIGNING_CERTIFICATE:
        answer = call(iam.delete_signing_certificate, CertificateId=credential.id)
        return [_step(account, "iam:DeleteSigningCertificate", credential.id, answer)]
    deactivated = _step(
        account, "iam:DeactivateMFADevice", credential.id, call(iam.deactivate_mfa_device, SerialNumber=credential.id)
    )
    steps = [deactivated]
    if credential.is_virtual_mfa and deactivated.outcome is not StepOutcome.FAILED:
        answer = call(iam.delete_virtual_mfa_device, SerialNumber=credential.id)
        steps.append(_step(account, "iam:DeleteVirtualMFADevice", credential.id, answer, optional=True))
    return steps


def _step(account: str, action: str, target: str, answer: Any, *, optional: bool = False) -> CleanupStep:
    error = error_fields(answer)
    if error is None:
        return CleanupStep(account, action, target, StepOutcome.DONE)
    code = str(error.get("Code"))
    if code in ABSENT_CODES:
        return CleanupStep(account, action, target, StepOutcome.ABSENT, code, "already gone")
    if optional and code in DENIED_CODES:
        # AWS took iam:DeleteVirtualMFADevice out of IAMDeleteRootUserCredentials (2025-01-07): the device is
        # deactivated and no longer the root's, which is what the clean-up needs.
        return CleanupStep(
            account,
            action,
            target,
            StepOutcome.NOT_PERMITTED,
            code,
            "the task policy does not allow deleting the virtual MFA device; it is deactivated and unassigned",
        )
    return _failed(account, action, target, answer)


def _failed(account: str, action: str, target: str, document: Any) -> CleanupStep:
    error = error_fields(document) or {}
    return CleanupStep(
        account,
        action,
        target,
        StepOutcome.FAILED,
        str(error.get("Code")) if error.get("Code") is not None else None,
        str(error.get("Message")) if error.get("Message") is not None else None,
        detail={"category": error["Category"]} if "Category" in error else {},
    )


def _verify(iam: Any, account: str) -> tuple[tuple[HeldCredential, ...] | None, CleanupStep]:
    """What the root still holds, listed again; None (and a failed step) when a list could not be read."""
    held: list[HeldCredential] = []
    unread: list[str] = []
    profile = call(iam.get_login_profile)
    profile_error = error_fields(profile)
    if profile_error is None:
        held.append(HeldCredential(CredentialKind.PASSWORD, "login-profile"))
    elif profile_error.get("Code") not in ABSENT_CODES:
        unread.append(f"iam:GetLoginProfile ({profile_error.get('Code')})")
    listings = (
        (
            "iam:ListAccessKeys",
            call(iam.list_access_keys),
            "AccessKeyMetadata",
            "AccessKeyId",
            CredentialKind.ACCESS_KEY,
        ),
        (
            "iam:ListSigningCertificates",
            call(iam.list_signing_certificates),
            "Certificates",
            "CertificateId",
            CredentialKind.SIGNING_CERTIFICATE,
        ),
        ("iam:ListMFADevices", call(iam.list_mfa_devices), "MFADevices", "SerialNumber", CredentialKind.MFA_DEVICE),
    )
    for action, answer, key, id_field, kind in listings:
        error = error_fields(answer)
        if error is not None or not isinstance(answer.get(key), list):
            unread.append(f"{action} ({error.get('Code') if error else 'no ' + key})")
            continue
        held += [HeldCredential(kind, str(item.get(id_field))) for item in answer[key] if isinstance(item, dict)]
    remaining = tuple(held)
    detail: dict[str, Any] = {"remaining": [f"{c.kind.value}:{c.id}" for c in remaining]}
    if unread:
        detail["unread"] = unread
        message = "could not list: " + ", ".join(unread)
        return None, CleanupStep(account, "verify", account, StepOutcome.FAILED, None, message, detail)
    if remaining:
        message = f"{len(remaining)} credential(s) remain"
        return remaining, CleanupStep(account, "verify", account, StepOutcome.FAILED, None, message, detail)
    return remaining, CleanupStep(account, "verify", account, StepOutcome.DONE, None, "no root credentials", detail)
