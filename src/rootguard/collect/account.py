"""Collect everything rootguard needs from the account the credentials belong to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rootguard.collect import alerting as alerting_collector
from rootguard.collect import cloudtrail, iam_admins
from rootguard.collect import iam as iam_collector
from rootguard.collect.aws import Aws, error_fields
from rootguard.collect.cloudtrail import RegionListing
from rootguard.collect.regions import check_region_name, chosen_regions
from rootguard.model.failures import FailureCategory, is_failure
from rootguard.model.operations import (
    ACCOUNT_SUMMARY,
    CALLER_IDENTITY,
    CREDENTIAL_REPORT,
    VIRTUAL_MFA_DEVICES,
)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class CollectionStats:
    """How a collection went: what was asked, what failed (by category), which Regions were read."""

    calls: int = 0
    """API calls started (a paginated read counts each page)."""
    attempts: int = 0
    """HTTP requests sent, retries included."""
    files: int = 0
    failed: Mapping[str, int] = field(default_factory=dict)
    """Evidence files holding a failure, by ``Category`` (``rootguard.model.failures``)."""
    regions: tuple[str, ...] = ()
    note: str = ""
    """Something the user should know about the Regions (``--regions`` could not be checked)."""

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def summary(self) -> str:
        """One line for stderr."""
        failed = files_failed(self.files, self.failed)
        regions = ", ".join(self.regions) if self.regions else "none"
        note = f"; {self.note}" if self.note else ""
        return f"{self.calls} API calls ({self.attempts} HTTP requests); {failed}; Regions read: {regions}{note}"


@dataclass(frozen=True)
class Collection:
    """What one live collection produced: bundle path → AWS-CLI-shaped document."""

    collected_at: datetime
    accounts: tuple[str, ...]
    documents: dict[str, Any]
    stats: CollectionStats = field(default_factory=CollectionStats)


def collect_account(
    aws: Aws,
    progress: Progress = lambda _: None,
    now: Callable[[], datetime] | None = None,
    *,
    lookup: bool = True,
    alerting: bool = True,
    regions: Sequence[str] | None = None,
) -> Collection:
    """Everything the checks need; ``lookup=False`` skips CloudTrail (root-activity then reports ERROR),
    ``alerting=False`` the alerting paths (the checks that need them then report ERROR).

    ``regions``: read only these Regions (``--regions``); each must be enabled for the account (a usage
    error lists the enabled ones), unless the enabled Regions cannot be listed: then they are read as
    given and the summary says so. The run's deadline and retries are ``aws``'s (``Aws(timeout=…)``).
    """
    for name in regions or ():
        check_region_name(name, "--regions")  # before any call: a misspelt Region is a usage error at once
    progress("Identifying the account (sts:GetCallerIdentity)")
    identity = iam_collector.caller_identity(aws.sts())
    account_id = str(identity["Account"])
    # The Regions first: a --regions the account does not have is a usage error before anything is read.
    # Both regional collections walk the same Regions: listed once (ec2:DescribeRegions); a listing that
    # failed is passed on as such, and each stores the error where its Regions' files go.
    listing: RegionListing | None = None
    note = ""
    if lookup or alerting or regions is not None:
        progress("Listing the enabled Regions (ec2:DescribeRegions)")
        listing = cloudtrail.enabled_regions(aws.ec2(), aws.region)
        if regions is not None:
            failed = error_fields(listing.error)
            enabled = None if failed is not None else listing.regions
            listing = RegionListing(chosen_regions(regions, enabled))
            if failed is not None:
                note = (
                    f"--regions could not be checked: ec2:DescribeRegions failed ({failed.get('Code')}: "
                    f"{failed.get('Message')}); the Regions were read as given"
                )
    iam = aws.iam()
    documents: dict[str, Any] = {CALLER_IDENTITY.path(account_id): identity}
    progress("Fetching the credential report (iam:GenerateCredentialReport, iam:GetCredentialReport)")
    remaining = aws.remaining()
    report_timeout = iam_collector.REPORT_TIMEOUT if remaining is None else min(iam_collector.REPORT_TIMEOUT, remaining)
    documents[CREDENTIAL_REPORT.path(account_id)] = iam_collector.credential_report(iam, timeout=report_timeout)
    progress("Reading the account summary (iam:GetAccountSummary)")
    documents[ACCOUNT_SUMMARY.path(account_id)] = iam_collector.account_summary(iam)
    progress("Listing virtual MFA devices (iam:ListVirtualMFADevices)")
    documents[VIRTUAL_MFA_DEVICES.path(account_id)] = iam_collector.virtual_mfa_devices(iam)
    progress(
        "Reading who administers the account (iam:GetAccountAuthorizationDetails, iam:GetAccountPasswordPolicy, "
        f"iam:ListAccountAliases, sso:ListInstances in {aws.region}, iam:SimulatePrincipalPolicy per administrator)"
    )
    documents.update(iam_admins.admin_documents(iam, aws.sso_admin(), account_id, aws.region))
    if alerting:
        progress(
            "Reading the alerting paths (trails, metric filters, alarms, SNS, EventBridge, GuardDuty, Config; "
            "every enabled Region)"
        )
        documents.update(alerting_collector.collect_alerting(aws, account_id, regions=listing, progress=progress))
    if lookup:
        progress("Reading root events from CloudTrail (cloudtrail:LookupEvents, every enabled Region)")
        until = _utc_now()
        found = cloudtrail.lookup_root_events(
            aws,
            since=until - cloudtrail.LOOKBACK,
            until=until,
            regions=listing,
            progress=lambda done, total: progress(f"Reading root events from CloudTrail: {done}/{total} lookups"),
        )
        documents.update(cloudtrail.bundle_documents(account_id, found))
    # Taken once every answer is in: a live audit is as of now, and a root use recorded while the
    # credential report was generated must not fall after the as-of time (that reads as ERROR).
    collected_at = (now or _utc_now)()
    read = listing.regions if listing is not None and (lookup or alerting) else ()
    stats = collection_stats(documents, calls=aws.guard.calls, attempts=aws.guard.attempts, regions=read, note=note)
    return Collection(collected_at=collected_at, accounts=(account_id,), documents=documents, stats=stats)


def collection_stats(
    documents: Mapping[str, Any], *, calls: int, attempts: int, regions: tuple[str, ...], note: str = ""
) -> CollectionStats:
    """Count the failed evidence files by category (answers such as NoSuchEntity are not failures)."""
    failed: Counter[str] = Counter()
    for document in documents.values():
        error = error_fields(document)
        if error is not None and is_failure(error):
            failed[str(error.get("Category") or FailureCategory.FAILED.value)] += 1
    return CollectionStats(
        calls=calls, attempts=attempts, files=len(documents), failed=dict(failed), regions=regions, note=note
    )


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def files_failed(files: int, failed: Mapping[str, int]) -> str:
    """``3 of 120 evidence files failed (denied 2, throttled 1)``, or ``all 120 evidence files collected``."""
    failures = sum(failed.values())
    if not failures:
        return f"all {files} evidence files collected"
    counted = ", ".join(f"{category} {count}" for category, count in sorted(failed.items()))
    return f"{failures} of {files} evidence files failed ({counted})"
