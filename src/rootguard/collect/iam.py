"""IAM evidence: the credential report (generated and polled), the account summary, virtual MFA devices."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import botocore.exceptions

from rootguard.collect.aws import cli_shape, error_code, error_message, fatal
from rootguard.evidence.store import error_document

Sleep = Callable[[float], None]
Clock = Callable[[], float]

REPORT_TIMEOUT = 120.0
"""Seconds to wait for AWS to generate the credential report before recording it as not ready."""
FIRST_DELAY, MAX_DELAY = 0.25, 8.0
RETRY_REPORT = frozenset({"ReportInProgress", "ReportNotPresent", "ReportExpired"})


def call_as_document(operation: Callable[..., Any], **kwargs: Any) -> Any:
    """Call AWS; a refusal becomes the contract's error document, a dead session an exception."""
    try:
        return cli_shape(operation(**kwargs))
    except botocore.exceptions.ClientError as error:
        raised = fatal(error)
        if raised is not error:
            raise raised from None
        return error_document(error_code(error), error_message(error))
    except botocore.exceptions.BotoCoreError as error:
        raised = fatal(error)
        if raised is not error:
            raise raised from None
        return error_document(type(error).__name__, str(error))


def credential_report(
    iam: Any, *, timeout: float = REPORT_TIMEOUT, sleep: Sleep = time.sleep, clock: Clock = time.monotonic
) -> Any:
    """Generate the report if needed and fetch it, polling with backoff up to ``timeout`` seconds.

    ReportInProgress, ReportNotPresent and ReportExpired are handled by name: keep polling, or ask
    for a new report. If generation is denied, an existing report may still be readable.
    """
    deadline = clock() + timeout
    delay = FIRST_DELAY
    last_state = "not started"
    while True:
        generated = call_as_document(iam.generate_credential_report)
        denied_generation = "Error" in generated
        if denied_generation or generated.get("State") == "COMPLETE":
            report = call_as_document(iam.get_credential_report)
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


def account_summary(iam: Any) -> Any:
    return call_as_document(iam.get_account_summary)


def virtual_mfa_devices(iam: Any) -> Any:
    """Every page of ListVirtualMFADevices, merged as the AWS CLI merges them."""
    devices: list[Any] = []
    marker: str | None = None
    while True:
        page = call_as_document(iam.list_virtual_mfa_devices, **({"Marker": marker} if marker else {}))
        if "Error" in page:
            return page  # a partial list is never stored as if it were whole
        devices.extend(page.get("VirtualMFADevices", []))
        marker = page.get("Marker") if page.get("IsTruncated") else None
        if not marker:
            return {"VirtualMFADevices": devices}


def caller_identity(sts: Any) -> Any:
    """GetCallerIdentity needs no permission; failing here means the credentials are unusable."""
    try:
        return cli_shape(sts.get_caller_identity())
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        raise fatal(error) from None
