"""Send an audit's findings to AWS Security Hub (``--send-to-security-hub``).

The findings are the report's, in ASFF, built by the command line's renderer for the Region of the call
(``report.asff``: the app layer does not render). Security Hub takes an account's findings only from that
account under its default integration, so findings of other accounts (an organization audit run from the
management account) are not sent: they are counted and named, never dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Documents = Callable[[str], Sequence[Mapping[str, Any]]]
"""Region → the report's ASFF findings for that Region."""


@dataclass(frozen=True)
class Publication:
    account_id: str
    region: str
    sent: int
    rejected: tuple[tuple[str, str, str], ...]
    """(finding id, error code, message) for each finding Security Hub did not take."""
    other_accounts: tuple[str, ...]
    """Accounts of the report whose findings were not sent: only the calling account's are accepted."""
    calls: int

    @property
    def complete(self) -> bool:
        return not self.rejected and not self.other_accounts


def send_to_security_hub(
    documents: Documents, *, profile: str | None, region: str | None, timeout: float | None = None
) -> Publication:
    """Import the calling account's findings into Security Hub in the caller's Region (the profile's, or
    ``region``); raises ``SecurityHubError`` when Security Hub is not enabled there or refuses."""
    # boto3 is imported only here, so runs without the flag never load it.
    from rootguard.collect.aws import Aws  # noqa: PLC0415
    from rootguard.collect.iam import caller_identity  # noqa: PLC0415
    from rootguard.collect.securityhub import check_enabled, import_findings  # noqa: PLC0415

    aws = Aws(profile=profile, region=region, timeout=timeout)
    account_id = str(caller_identity(aws.sts())["Account"])
    findings = list(documents(aws.region))
    own = [finding for finding in findings if finding.get("AwsAccountId") == account_id]
    others = sorted({str(finding.get("AwsAccountId")) for finding in findings} - {account_id})
    check_enabled(aws, account_id, aws.region)
    outcome = import_findings(aws, own, account_id, aws.region)
    return Publication(
        account_id=account_id,
        region=aws.region,
        sent=outcome.sent,
        rejected=tuple((item.finding_id, item.code, item.message) for item in outcome.rejected),
        other_accounts=tuple(others),
        calls=outcome.calls,
    )
