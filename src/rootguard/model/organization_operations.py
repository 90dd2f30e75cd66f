"""Where an organization bundle stores what it read (contract §5.7), as ``Operation``s the store reads.

Two families sit outside the ``<account>/<region>/…`` layout of §5.2: the organization's own answers
under ``organization/`` (read in the management or delegated-administrator account), and each member's
root credentials under ``<account>/assume-root/`` (read through ``sts:AssumeRoot`` with the
``IAMAuditRootUserCredentials`` task policy). Both are ``Operation``s, so the store turns an absent,
refused or malformed file into a Gap naming the file and the action, exactly as for the other files.
"""

from __future__ import annotations

from dataclasses import dataclass

from rootguard.model.operations import GLOBAL, Operation, encode_name

ORGANIZATION_FOLDER = "organization"
ASSUME_ROOT_FOLDER = "assume-root"
AUDIT_TASK_POLICY = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"


@dataclass(frozen=True)
class OrganizationOperation(Operation):
    """An answer about the organization: ``organization/<service>/<operation>[/<resource>].json``."""

    def path(self, account_id: str = ORGANIZATION_FOLDER, region: str = GLOBAL, resource: str | None = None) -> str:
        base = (
            f"{ORGANIZATION_FOLDER}/{self.service}/{self.name}"
            if self.service
            else f"{ORGANIZATION_FOLDER}/{self.name}"
        )
        return f"{base}.json" if resource is None else f"{base}/{encode_name(resource)}.json"

    def fix(
        self,
        account_id: str = ORGANIZATION_FOLDER,
        region: str = GLOBAL,
        resource: str | None = None,
        argument: str | None = None,
    ) -> str:
        if not self.actions:  # rootguard's own file: only a collection writes it
            return f"collect the organization bundle again with `rootguard org collect` ({self.path()} is its record)"
        actions = " and ".join(self.actions)
        command = self.command(region, argument if argument is not None else resource)
        return (
            f"grant {actions} to the identity running `rootguard org collect` in the management (or delegated "
            f"administrator) account and collect again, or save the output of `{command}` as "
            f"{self.path(account_id, region, resource)}"
        )


@dataclass(frozen=True)
class AssumeRootOperation(Operation):
    """What a member's root holds, read in an AssumeRoot session: ``<account>/assume-root/<service>/…``."""

    def path(self, account_id: str, region: str = GLOBAL, resource: str | None = None) -> str:
        base = f"{account_id}/{ASSUME_ROOT_FOLDER}/{self.service}/{self.name}"
        return f"{base}.json" if resource is None else f"{base}/{encode_name(resource)}.json"

    def fix(
        self, account_id: str, region: str = GLOBAL, resource: str | None = None, argument: str | None = None
    ) -> str:
        command = self.command(region, argument if argument is not None else resource)
        return (
            "grant sts:AssumeRoot to the identity running `rootguard org collect` and enable centralized root "
            f"access, then collect again (the session uses {AUDIT_TASK_POLICY}, which allows "
            f"{' and '.join(self.actions)}), or save the output of `{command}` run in such a session as "
            f"{self.path(account_id, region, resource)}"
        )


DESCRIBE_ORGANIZATION = OrganizationOperation(
    "organizations", "describe-organization", ("organizations:DescribeOrganization",)
)
ORGANIZATIONS_FEATURES = OrganizationOperation("iam", "list-organizations-features", ("iam:ListOrganizationsFeatures",))
LIST_ACCOUNTS = OrganizationOperation("organizations", "list-accounts", ("organizations:ListAccounts",))
LIST_ROOTS = OrganizationOperation("organizations", "list-roots", ("organizations:ListRoots",))
OUS_FOR_PARENT = OrganizationOperation(
    "organizations",
    "list-organizational-units-for-parent",
    ("organizations:ListOrganizationalUnitsForParent",),
    "--parent-id",
)
ACCOUNTS_FOR_PARENT = OrganizationOperation(
    "organizations", "list-accounts-for-parent", ("organizations:ListAccountsForParent",), "--parent-id"
)
POLICIES_FOR_TARGET = OrganizationOperation(
    "organizations",
    "list-policies-for-target",
    ("organizations:ListPoliciesForTarget",),
    "--filter SERVICE_CONTROL_POLICY --target-id",
)
DESCRIBE_POLICY = OrganizationOperation(
    "organizations", "describe-policy", ("organizations:DescribePolicy",), "--policy-id"
)
TAGS_FOR_RESOURCE = OrganizationOperation(
    "organizations", "list-tags-for-resource", ("organizations:ListTagsForResource",), "--resource-id"
)
SELECTION = OrganizationOperation("", "selection", ())
"""rootguard's own record of what was selected (no AWS call): ``organization/selection.json``."""

ASSUME_ROOT = AssumeRootOperation("sts", "assume-root", ("sts:AssumeRoot",))
LOGIN_PROFILE = AssumeRootOperation("iam", "get-login-profile", ("iam:GetLoginProfile",))
ROOT_ACCESS_KEYS = AssumeRootOperation("iam", "list-access-keys", ("iam:ListAccessKeys",))
ROOT_ACCESS_KEY_LAST_USED = AssumeRootOperation(
    "iam", "get-access-key-last-used", ("iam:GetAccessKeyLastUsed",), "--access-key-id"
)
ROOT_MFA_DEVICES = AssumeRootOperation("iam", "list-mfa-devices", ("iam:ListMFADevices",))
ROOT_SIGNING_CERTIFICATES = AssumeRootOperation("iam", "list-signing-certificates", ("iam:ListSigningCertificates",))
ROOT_ACCOUNT_SUMMARY = AssumeRootOperation("iam", "get-account-summary", ("iam:GetAccountSummary",))
