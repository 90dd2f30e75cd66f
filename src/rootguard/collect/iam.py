"""IAM evidence: the credential report (generated and polled), the account summary, virtual MFA devices."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rootguard.collect.aws import call, error_fields, failure_document, paginate
from rootguard.errors import CollectionError, CredentialsError
from rootguard.model.failures import FailureCategory

if TYPE_CHECKING:
    from mypy_boto3_iam.client import IAMClient
    from mypy_boto3_sts.client import STSClient

Sleep = Callable[[float], None]
Clock = Callable[[], float]

REPORT_TIMEOUT = 120.0
"""Seconds to wait for AWS to generate the credential report before recording it as not ready."""
FIRST_DELAY, MAX_DELAY = 0.25, 8.0
RETRY_REPORT = frozenset({"ReportInProgress", "ReportNotPresent", "ReportExpired"})


def credential_report(
    iam: IAMClient, *, timeout: float = REPORT_TIMEOUT, sleep: Sleep = time.sleep, clock: Clock = time.monotonic
) -> Any:
    """Generate the report if needed and fetch it, polling with backoff up to ``timeout`` seconds.

    ReportInProgress, ReportNotPresent and ReportExpired are handled by name: keep polling, or ask
    for a new report. If generation is denied, an existing report may still be readable.
    """
    deadline = clock() + timeout
    delay = FIRST_DELAY
    last_state = "not started"
    while True:
        generated = call(iam.generate_credential_report)
        denied_generation = "Error" in generated
        if denied_generation or generated.get("State") == "COMPLETE":
            report = call(iam.get_credential_report)
            if "Error" not in report:
                return report
            code = report["Error"]["Code"]
            if denied_generation and code in RETRY_REPORT | {"AccessDenied"}:
                return generated  # the generate refusal is the root cause worth reporting
            if code not in RETRY_REPORT:
                return report
            last_state = code
        else:
            last_state = str(generated.get("State", "unknown"))
        remaining = deadline - clock()
        if remaining <= 0:
            return failure_document(
                "ReportNotReady",
                f"the credential report was still not ready after {timeout:.0f} s (last state: {last_state})",
                FailureCategory.UNAVAILABLE,
                operation="iam:GetCredentialReport",
            )
        sleep(min(delay, remaining))
        delay = min(delay * 2, MAX_DELAY)


def account_summary(iam: IAMClient) -> Any:
    return call(iam.get_account_summary)


def virtual_mfa_devices(iam: IAMClient) -> Any:
    """Every page of ListVirtualMFADevices, merged as the AWS CLI merges them."""
    return paginate(iam.get_paginator("list_virtual_mfa_devices"), lists=("VirtualMFADevices",))


ACCOUNT_ID = re.compile(r"\d{12}")
NO_ANSWER = frozenset(
    {
        FailureCategory.UNAVAILABLE,
        FailureCategory.THROTTLED,
        FailureCategory.NOT_ATTEMPTED,
        FailureCategory.FAILED,
        FailureCategory.INVALID_INPUT,
    }
)
"""GetCallerIdentity failures that say nothing about the credentials: AWS (or the path to it) failed."""


def caller_identity(sts: STSClient) -> Any:
    """GetCallerIdentity needs no permission: a refusal means the credentials are unusable (exit 2), and no
    usable answer (a server error, a truncated or garbled body) means rootguard cannot tell which account
    it audits (exit 2). The account id names the bundle's folders: anything but 12 digits is refused."""
    identity = call(sts.get_caller_identity)
    error = error_fields(identity)
    if error is not None:
        said = f"{error.get('Code')}: {error.get('Message')}"
        if error.get("Category") in NO_ANSWER:
            raise CollectionError(
                f"sts:GetCallerIdentity gave no usable answer ({said}), so rootguard cannot tell which account "
                "it would audit; try again"
            )
        raise CredentialsError(
            f"AWS did not say which account these credentials belong to (sts:GetCallerIdentity: {said})"
        )
    account = identity.get("Account") if isinstance(identity, dict) else None
    if not isinstance(account, str) or ACCOUNT_ID.fullmatch(account) is None:
        shown = repr(account) if len(repr(account)) <= 40 else repr(account)[:39] + "…"
        raise CollectionError(
            f"sts:GetCallerIdentity answered an account id that is not 12 digits ({shown}); rootguard will not use it"
        )
    return identity
