"""Where an organization bundle stores what it read (contract §5.7), as ``Operation``s the store reads.

Two families sit outside the ``<account>/<region>/…`` layout of §5.2: the organization's own answers
under ``organization/`` (read in the management or delegated-administrator account), and each member's
root credentials under ``<account>/assume-root/`` (read through ``sts:AssumeRoot`` with the
``IAMAuditRootUserCredentials`` task policy). Both are ``Operation``s, so the store turns an absent,
refused or malformed file into a Gap naming the file and the action, exactly as for the other files.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rootguard.model import operations
from rootguard.model.operations import GLOBAL, Operation, encode_name

ORGANIZATION_FOLDER = operations.ORGANIZATION
ASSUME_ROOT_FOLDER = operations.ASSUME_ROOT
AUDIT_TASK_POLICY = operations.AUDIT_ROOT_POLICY


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


def _organization(operation: Operation) -> OrganizationOperation:
    return OrganizationOperation(operation.service, operation.name, operation.actions, operation.resource_option)


def _assume_root(operation: Operation) -> AssumeRootOperation:
    return AssumeRootOperation(operation.service, operation.name, operation.actions, operation.resource_option)


# The collector's operations (``model.operations``), placed where §5.7 stores them.
DESCRIBE_ORGANIZATION = _organization(operations.DESCRIBE_ORGANIZATION)
ORGANIZATIONS_FEATURES = _organization(operations.ORGANIZATIONS_FEATURES)
LIST_ACCOUNTS = _organization(operations.LIST_ACCOUNTS)
LIST_ROOTS = _organization(operations.LIST_ROOTS)
OUS_FOR_PARENT = _organization(operations.CHILD_OUS)
ACCOUNTS_FOR_PARENT = _organization(operations.ACCOUNTS_FOR_PARENT)
POLICIES_FOR_TARGET = replace(
    _organization(operations.POLICIES_FOR_TARGET), resource_option="--filter SERVICE_CONTROL_POLICY --target-id"
)
"""The CLI needs ``--filter``; the fix a user reads must be a command that runs."""
DESCRIBE_POLICY = _organization(operations.DESCRIBE_POLICY)
TAGS_FOR_RESOURCE = _organization(operations.ACCOUNT_TAGS)
SELECTION = OrganizationOperation("", "selection", ())
"""rootguard's own record of what was selected (no AWS call): ``organization/selection.json``."""

AUDIT_ROLE = operations.ASSUME_ROLE_CALL
"""``<account>/global/sts/assume-role.json``: the audit role's AssumeRole answer (without the secret), or its error."""

ASSUME_ROOT = _assume_root(operations.ASSUME_ROOT_CALL)
LOGIN_PROFILE = _assume_root(operations.ROOT_LOGIN_PROFILE)
ROOT_ACCESS_KEYS = _assume_root(operations.ROOT_ACCESS_KEYS)
ROOT_ACCESS_KEY_LAST_USED = _assume_root(operations.ROOT_KEY_LAST_USED)
ROOT_MFA_DEVICES = _assume_root(operations.ROOT_MFA_DEVICES)
ROOT_SIGNING_CERTIFICATES = _assume_root(operations.ROOT_SIGNING_CERTIFICATES)
ROOT_ACCOUNT_SUMMARY = _assume_root(operations.ROOT_ACCOUNT_SUMMARY)
