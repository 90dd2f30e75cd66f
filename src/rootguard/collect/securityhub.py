"""Send findings to AWS Security Hub (``--send-to-security-hub``): the only collector that writes.

``BatchImportFindings`` takes at most 100 findings per call; each finding's ``Id`` is stable, so a re-run
updates what Security Hub holds instead of adding a copy. An account imports its own findings under its
default integration (``product/<account>/default``) in the Region of the call. ``DescribeHub`` first: an
account without Security Hub in that Region is told how to enable it instead of seeing every finding
refused. Calls go through the collector edge (``call()``), so throttling, 5xx and timeouts are retried and
bounded like every other call; what still fails is reported per finding, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rootguard.collect.aws import Aws, call, error_fields
from rootguard.errors import SecurityHubError

BATCH_LIMIT = 100
"""``BatchImportFindings``: 1 to 100 findings per request (the service model's ``Findings`` bounds)."""
REQUIRED_ACTIONS = ("securityhub:DescribeHub", "securityhub:BatchImportFindings")
"""What ``--send-to-security-hub`` needs besides the audit's read-only policy."""
NOT_ENABLED_CODES = frozenset({"InvalidAccessException", "SubscriptionRequiredException"})
"""Security Hub's answer where it is not enabled: "… is not subscribed to AWS Security Hub"."""
DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied", "UnauthorizedOperation"})


@dataclass(frozen=True)
class Rejected:
    """A finding Security Hub did not take, with its answer (``FailedFindings``, or the call's error)."""

    finding_id: str
    code: str
    message: str


@dataclass(frozen=True)
class ImportOutcome:
    account_id: str
    region: str
    sent: int
    """Findings Security Hub accepted (``SuccessCount``)."""
    rejected: tuple[Rejected, ...]
    calls: int


def enable_command(region: str) -> str:
    return f"aws securityhub enable-security-hub --region {region}"


def check_enabled(aws: Aws, account_id: str, region: str) -> None:
    """Raise ``SecurityHubError`` unless Security Hub answers in this account and Region."""
    answer = call(aws.securityhub(region).describe_hub, regional=True)
    error = error_fields(answer)
    if error is not None:
        raise _refusal(error, "securityhub:DescribeHub", account_id, region)


def import_findings(aws: Aws, findings: Sequence[Mapping[str, Any]], account_id: str, region: str) -> ImportOutcome:
    """``BatchImportFindings`` in batches of ``BATCH_LIMIT``; every finding is either sent or rejected."""
    client = aws.securityhub(region)
    sent, calls = 0, 0
    rejected: list[Rejected] = []
    for start in range(0, len(findings), BATCH_LIMIT):
        batch = [dict(finding) for finding in findings[start : start + BATCH_LIMIT]]
        answer = call(client.batch_import_findings, regional=True, Findings=batch)
        calls += 1
        error = error_fields(answer)
        if error is not None:
            if str(error.get("Code")) in NOT_ENABLED_CODES | DENIED_CODES:
                raise _refusal(error, "securityhub:BatchImportFindings", account_id, region)
            code, message = str(error.get("Code") or "Error"), str(error.get("Message") or "")
            rejected += [Rejected(str(finding["Id"]), code, message) for finding in batch]
            continue
        sent += int(answer.get("SuccessCount") or 0)
        rejected += [
            Rejected(str(item.get("Id", "")), str(item.get("ErrorCode", "")), str(item.get("ErrorMessage", "")))
            for item in answer.get("FailedFindings") or ()
        ]
    return ImportOutcome(account_id, region, sent, tuple(rejected), calls)


def _refusal(error: Mapping[str, Any], action: str, account_id: str, region: str) -> SecurityHubError:
    code, message = str(error.get("Code") or ""), str(error.get("Message") or "")
    said = f"{action}: {code}: {message}".rstrip(": ")
    if code in NOT_ENABLED_CODES:
        return SecurityHubError(
            f"Security Hub is not enabled in account {account_id} in {region} ({said}). Enable it with "
            f"`{enable_command(region)}` (or in the Security Hub console), then run again; the report was "
            "written, no finding was sent"
        )
    if code in DENIED_CODES:
        return SecurityHubError(
            f"AWS refused {action} in account {account_id} in {region} ({said}). Allow "
            f"{' and '.join(REQUIRED_ACTIONS)} to the identity that runs rootguard, then run again"
        )
    return SecurityHubError(f"Security Hub did not answer in {region} ({said}); no finding was sent, try again")
