"""Which accounts of an organization a run audits, and why each listed account is in or out.

Every account ``ListAccounts`` names ends in the manifest's ``accounts`` (a row: the management account
first, then the members in ``ListAccounts`` order, whatever their state) or in ``selection.json``'s
``excluded`` with the reason (contract §5.7). Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rootguard.collect.member import DEFAULT_AUDIT_ROLE, MemberPlan
from rootguard.collect.organization import OrgAccount, Structure
from rootguard.errors import UsageError
from rootguard.model.operations import ORGANIZATION

SELECTION_PATH = f"{ORGANIZATION}/selection.json"


@dataclass(frozen=True)
class AccountOverride:
    """What an accounts file says about one account (c7n-org ``role``, ``external_id``, ``regions``)."""

    name: str = ""
    roles: tuple[str, ...] = ()
    external_id: str | None = None
    regions: tuple[str, ...] | None = None


@dataclass(frozen=True)
class SelectionRequest:
    include: tuple[str, ...] = ()
    """``--accounts``: only these (empty: every account)."""
    exclude: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    accounts_file: str | None = None
    """The file's path as given; ``overrides`` holds its entries (only they are audited)."""
    overrides: Mapping[str, AccountOverride] = field(default_factory=dict)
    audit_role: str = DEFAULT_AUDIT_ROLE
    external_id: str | None = None
    root_probe: bool = True
    member_audit: bool = True


@dataclass(frozen=True)
class Selection:
    plans: tuple[MemberPlan, ...]
    """Manifest order: the management account first."""
    excluded: dict[str, str]
    document: dict[str, Any]
    """``organization/selection.json``."""
    warnings: tuple[str, ...] = ()


def select(structure: Structure, request: SelectionRequest, caller_account: str) -> Selection:
    """Raise ``UsageError`` when the selection names what the organization does not have, or leaves nothing."""
    management = structure.management_account_id or caller_account
    listed = {account.account_id: account for account in structure.accounts}
    warnings: list[str] = []
    _check_named(structure, request, listed)
    if request.accounts_file is not None:
        missing = [account for account in request.overrides if listed and account not in listed]
        if missing:
            warnings.append(
                f"--accounts-file {request.accounts_file} names {len(missing)} account(s) ListAccounts does not "
                f"list (not audited): {', '.join(missing[:10])}"
            )
    else:
        missing = []
    if request.ous and not structure.tree_complete:
        warnings.append(
            "the OU tree could not be read whole (organization/organizations/list-*-for-parent files say why): "
            "--ou may leave out accounts under the OUs named"
        )
    unknown_excluded = [account for account in request.exclude if listed and account not in listed]
    if unknown_excluded:
        warnings.append(f"--exclude-accounts names accounts ListAccounts does not list: {', '.join(unknown_excluded)}")

    candidates = list(structure.accounts)
    if not candidates:
        # ListAccounts failed (its file holds why): the management account, and the accounts named, still get rows.
        named = dict.fromkeys([management, *request.include, *request.overrides])
        candidates = [OrgAccount(account, "", "UNKNOWN") for account in named]
    excluded: dict[str, str] = {}
    chosen: list[OrgAccount] = []
    for account in candidates:
        why = _exclusion(account, request, structure)
        if why:
            excluded[account.account_id] = why
        else:
            chosen.append(account)
    chosen.sort(key=lambda account: account.account_id != management)  # stable: ListAccounts order otherwise
    if not chosen:
        raise UsageError("the selection leaves no account to audit (check --accounts, --exclude-accounts, --ou)")
    plans = tuple(_plan(account, request, management, caller_account) for account in chosen)
    document = {
        "management_account_id": management,
        "caller_account_id": caller_account,
        "audit_role": request.audit_role,
        "accounts_file": request.accounts_file,
        "ous": list(request.ous),
        "include": list(request.include),
        "exclude": list(request.exclude),
        "excluded": excluded,
        "not_in_organization": missing,
        "probes": {"assume_root": request.root_probe, "member_audit": request.member_audit},
        "accounts": [_row(account, plan) for account, plan in zip(chosen, plans, strict=True)],
    }
    return Selection(plans, excluded, document, tuple(warnings))


def _check_named(structure: Structure, request: SelectionRequest, listed: Mapping[str, OrgAccount]) -> None:
    if listed:
        unknown = [account for account in request.include if account not in listed]
        if unknown:
            raise UsageError(f"--accounts names accounts this organization does not list: {', '.join(unknown)}")
    known = structure.known_ous()
    if structure.tree_complete and request.ous:
        unknown = [ou for ou in request.ous if ou not in known]
        if unknown:
            raise UsageError(f"--ou names OUs this organization does not have: {', '.join(unknown)}")


def _exclusion(account: OrgAccount, request: SelectionRequest, structure: Structure) -> str:
    if account.account_id in request.exclude:
        return "--exclude-accounts"
    if request.include and account.account_id not in request.include:
        return "not named by --accounts"
    if request.accounts_file is not None and account.account_id not in request.overrides:
        return f"not in --accounts-file {request.accounts_file}"
    if request.ous:
        wanted = set().union(*(structure.under(ou) for ou in request.ous))
        if not wanted & set(account.path):
            return f"not under --ou {','.join(request.ous)}"
    return ""


def _plan(account: OrgAccount, request: SelectionRequest, management: str, caller: str) -> MemberPlan:
    override = request.overrides.get(account.account_id, AccountOverride())
    is_management = account.account_id == management
    return MemberPlan(
        account_id=account.account_id,
        direct=account.account_id == caller,
        active=account.active or account.state == "UNKNOWN",
        # AssumeRoot cannot target the management account; its root is judged from its credential report.
        root_probe=request.root_probe and not is_management,
        member_audit=request.member_audit,
        roles=override.roles or (request.audit_role,),
        external_id=override.external_id or request.external_id,
        regions=override.regions,
    )


def _row(account: OrgAccount, plan: MemberPlan) -> dict[str, Any]:
    return {
        "account_id": account.account_id,
        "name": account.name,
        "state": account.state,
        "ou_path": list(account.path),
        "collected_directly": plan.direct,
        "assume_root": plan.active and plan.root_probe and not plan.direct,
        "member_audit": plan.active and (plan.member_audit or plan.direct),
    }
