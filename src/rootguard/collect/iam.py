"""IAM evidence: the credential report (generated and polled), the account summary, virtual MFA devices."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rootguard.collect.aws import call, paginate
from rootguard.errors import CredentialsError
from rootguard.evidence.store import error_document

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
            return error_document(
                "ReportNotReady",
                f"the credential report was still not ready after {timeout:.0f} s (last state: {last_state})",
            )
        sleep(min(delay, remaining))
        delay = min(delay * 2, MAX_DELAY)


def account_summary(iam: IAMClient) -> Any:
    return call(iam.get_account_summary)


def virtual_mfa_devices(iam: IAMClient) -> Any:
    """Every page of ListVirtualMFADevices, merged as the AWS CLI merges them."""
    return paginate(iam.get_paginator("list_virtual_mfa_devices"), lists=("VirtualMFADevices",))


def caller_identity(sts: STSClient) -> Any:
    """GetCallerIdentity needs no permission; failing here means the credentials are unusable."""
    identity = call(sts.get_caller_identity)
    if "Error" in identity:
        error = identity["Error"]
        raise CredentialsError(
            f"AWS did not say which account these credentials belong to (sts:GetCallerIdentity: "
            f"{error['Code']}: {error['Message']})"
        )
    return identity
