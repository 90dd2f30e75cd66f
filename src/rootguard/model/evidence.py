"""Evidence for one account, and for a whole audit: each field is the data or a Gap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from rootguard.model.account_settings import AccountAliases, IdentityCenter, PasswordPolicy, Simulation
from rootguard.model.activity import TrailScan
from rootguard.model.alerting import AlertingEvidence
from rootguard.model.arns import partition_of, root_arn
from rootguard.model.authorization import AuthorizationDetails
from rootguard.model.credential_report import CredentialReport
from rootguard.model.gaps import Gap
from rootguard.model.iam import AccountSummary, CallerIdentity, VirtualMfaDevices
from rootguard.model.organization import OrganizationView


class Source(StrEnum):
    """Evidence a user may choose not to collect; checks that need it are then SKIPPED, not ERROR."""

    CLOUDTRAIL = "cloudtrail"
    """CloudTrail LookupEvents (``--no-cloudtrail``)."""
    ALERTING = "alerting"
    """The alerting paths in every Region (``--no-alerting``)."""
    REGIONS = "regions"
    """Every enabled Region: ``--regions`` limited the scan to some of them."""
    ASSUME_ROOT = "assume-root"
    """The members' root credentials through sts:AssumeRoot (``org … --no-assume-root``)."""
    MEMBER_AUDIT = "member-audit"
    """The members' single-account evidence through the audit role (``org … --no-member-audit``)."""


@dataclass(frozen=True)
class AccountEvidence:
    """Everything collected about one AWS account."""

    account_id: str
    caller_identity: CallerIdentity | Gap
    credential_report: CredentialReport | Gap
    account_summary: AccountSummary | Gap
    virtual_mfa_devices: VirtualMfaDevices | Gap
    cloudtrail: TrailScan | Gap
    """Root records from CloudTrail (LookupEvents live, ``cloudtrail-logs/`` in a bundle)."""
    authorization: AuthorizationDetails | Gap
    """``get-account-authorization-details``: users, groups, roles, managed policies."""
    password_policy: PasswordPolicy | Gap
    account_aliases: AccountAliases | Gap
    identity_center: IdentityCenter | Gap
    admin_simulations: Mapping[str, Simulation | Gap] | Gap
    """Policy simulations of the administrators found in ``authorization``, by ``role/<name>``/``user/<name>``."""
    alerting: AlertingEvidence | Gap
    """Trails, metric filters, alarms, topics, rules, detectors and Config rules, per Region."""
    organization: OrganizationView | None = None
    """The account as its organization sees it (organization bundles, contract §5.7); None for one account."""

    @property
    def partition(self) -> str | None:
        """The account's partition, from the caller identity or the report's root row."""
        if isinstance(self.caller_identity, CallerIdentity) and self.caller_identity.partition:
            return self.caller_identity.partition
        if isinstance(self.credential_report, CredentialReport):
            root = self.credential_report.root
            if root is not None:
                return partition_of(root.arn)
        return None

    @property
    def root_arn(self) -> str:
        """The root user's ARN; the ``aws`` partition is assumed only for display."""
        return root_arn(self.partition or "aws", self.account_id)


@dataclass(frozen=True)
class Evidence:
    """An audit's input: one entry per account, and when it was collected."""

    collected_at: datetime
    accounts: tuple[AccountEvidence, ...]
    source: str
    """Where it came from, for the report: a bundle path, ``demo`` or ``live``."""
    skipped: Mapping[Source, str] = field(default_factory=dict)
    """Sources left out by the user's choice, with the reason shown in the SKIPPED findings."""
