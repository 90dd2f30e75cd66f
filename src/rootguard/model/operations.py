"""The AWS operations whose output is evidence: where each is stored and what it takes to collect.

Files hold exactly what ``aws <service> <operation> --output json`` prints, so a user can build
a bundle by hand; each entry names the CLI command and the IAM actions, which is also what
ERROR messages tell the user to fix.
"""

from __future__ import annotations

from dataclasses import dataclass

GLOBAL = "global"


@dataclass(frozen=True)
class Operation:
    """One AWS CLI operation whose output is stored in a bundle."""

    service: str
    """The CLI service name: ``iam``, ``sts`` …"""
    name: str
    """The CLI operation name: ``get-credential-report`` …"""
    actions: tuple[str, ...]
    """IAM actions the collector calls for it."""

    def path(self, account_id: str, region: str = GLOBAL) -> str:
        return f"{account_id}/{region}/{self.service}/{self.name}.json"

    @property
    def cli(self) -> str:
        return f"aws {self.service} {self.name} --output json"

    def fix(self, account_id: str, region: str = GLOBAL) -> str:
        """What a user does to fill the gap: the permission live, the file offline."""
        actions = " and ".join(self.actions) if self.actions else "valid credentials"
        return (
            f"grant {actions} to the auditing identity and collect again, "
            f"or save the output of `{self.cli}` as {self.path(account_id, region)}"
        )


CALLER_IDENTITY = Operation("sts", "get-caller-identity", ())
CREDENTIAL_REPORT = Operation(
    "iam", "get-credential-report", ("iam:GenerateCredentialReport", "iam:GetCredentialReport")
)
ACCOUNT_SUMMARY = Operation("iam", "get-account-summary", ("iam:GetAccountSummary",))
VIRTUAL_MFA_DEVICES = Operation("iam", "list-virtual-mfa-devices", ("iam:ListVirtualMFADevices",))

OPERATIONS = (CALLER_IDENTITY, CREDENTIAL_REPORT, ACCOUNT_SUMMARY, VIRTUAL_MFA_DEVICES)
