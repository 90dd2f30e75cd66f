"""Collect everything rootguard needs from the account the credentials belong to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rootguard.collect import alerting as alerting_collector
from rootguard.collect import cloudtrail, iam_admins
from rootguard.collect import iam as iam_collector
from rootguard.collect.aws import Aws
from rootguard.errors import CredentialsError
from rootguard.model.operations import (
    ACCOUNT_SUMMARY,
    CALLER_IDENTITY,
    CREDENTIAL_REPORT,
    VIRTUAL_MFA_DEVICES,
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Collection:
    """What one live collection produced: bundle path → AWS-CLI-shaped document."""

    collected_at: datetime
    accounts: tuple[str, ...]
    documents: dict[str, Any]


def collect_account(
    aws: Aws,
    progress: Progress = lambda _: None,
    now: Callable[[], datetime] | None = None,
    *,
    lookup: bool = True,
    alerting: bool = True,
) -> Collection:
    """Everything the checks need; ``lookup=False`` skips CloudTrail (root-activity then reports ERROR),
    ``alerting=False`` the alerting paths (the checks that need them then report ERROR)."""
    progress("Identifying the account (sts:GetCallerIdentity)")
    identity = iam_collector.caller_identity(aws.sts())
    account_id = identity.get("Account")
    if not isinstance(account_id, str):
        raise CredentialsError("AWS did not say which account these credentials belong to")
    iam = aws.iam()
    documents: dict[str, Any] = {CALLER_IDENTITY.path(account_id): identity}
    progress("Fetching the credential report (iam:GenerateCredentialReport, iam:GetCredentialReport)")
    documents[CREDENTIAL_REPORT.path(account_id)] = iam_collector.credential_report(iam)
    progress("Reading the account summary (iam:GetAccountSummary)")
    documents[ACCOUNT_SUMMARY.path(account_id)] = iam_collector.account_summary(iam)
    progress("Listing virtual MFA devices (iam:ListVirtualMFADevices)")
    documents[VIRTUAL_MFA_DEVICES.path(account_id)] = iam_collector.virtual_mfa_devices(iam)
    progress(
        "Reading who administers the account (iam:GetAccountAuthorizationDetails, iam:GetAccountPasswordPolicy, "
        f"iam:ListAccountAliases, sso:ListInstances in {aws.region}, iam:SimulatePrincipalPolicy per administrator)"
    )
    documents.update(iam_admins.admin_documents(iam, aws.sso_admin(), account_id, aws.region))
    # Both regional collections walk the same enabled Regions: list them once (ec2:DescribeRegions).
    # A listing that failed is passed on as such: each stores the error where its Regions' files go.
    regions = cloudtrail.enabled_regions(aws.ec2()) if lookup or alerting else None
    if lookup:
        progress("Reading root events from CloudTrail (cloudtrail:LookupEvents, every enabled Region)")
        until = _utc_now()
        found = cloudtrail.lookup_root_events(
            aws,
            since=until - cloudtrail.LOOKBACK,
            until=until,
            regions=regions,
            progress=lambda done, total: progress(f"Reading root events from CloudTrail: {done}/{total} lookups"),
        )
        documents.update(cloudtrail.bundle_documents(account_id, found))
    if alerting:
        progress(
            "Reading the alerting paths (trails, metric filters, alarms, SNS, EventBridge, GuardDuty, Config; "
            "every enabled Region)"
        )
        documents.update(alerting_collector.collect_alerting(aws, account_id, regions=regions, progress=progress))
    # Taken once every answer is in: a live audit is as of now, and a root use recorded while the
    # credential report was generated must not fall after the as-of time (that reads as ERROR).
    collected_at = (now or _utc_now)()
    return Collection(collected_at=collected_at, accounts=(account_id,), documents=documents)


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
