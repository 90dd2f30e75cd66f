"""An AWS Organization as evidence: the organization, its accounts, their SCPs and each member's root.

Every field is the data or a ``Gap`` saying why not (contract §5.7 names the files). Parsers read what
``aws organizations …`` and ``aws iam …`` print and raise ``MalformedEvidence`` on any other shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rootguard.model.activity import TrailScan
from rootguard.model.gaps import Gap, MalformedEvidence
from rootguard.model.iam import AccountSummary
from rootguard.model.operations import is_account_id
from rootguard.model.policy_document import PolicyDocument
from rootguard.model.timestamps import parse_timestamp

ROOT_CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
ROOT_SESSIONS = "RootSessions"
ACTIVE = "ACTIVE"
ACCOUNT_STATES = ("ACTIVE", "SUSPENDED", "PENDING_ACTIVATION", "PENDING_CLOSURE", "CLOSED")


@dataclass(frozen=True)
class OrganizationFacts:
    """``aws organizations describe-organization``."""

    organization_id: str
    management_account_id: str
    feature_set: str | None
    """``ALL`` or ``CONSOLIDATED_BILLING``; centralized root access and SCPs need ``ALL``."""


@dataclass(frozen=True)
class OrganizationsFeatures:
    """``aws iam list-organizations-features``: the centralized root access features that are on."""

    enabled: frozenset[str]
    """Every value AWS listed; values other than the two root features are kept and ignored."""

    @property
    def root_credentials_management(self) -> bool:
        return ROOT_CREDENTIALS_MANAGEMENT in self.enabled

    @property
    def root_sessions(self) -> bool:
        return ROOT_SESSIONS in self.enabled


@dataclass(frozen=True)
class OrgAccount:
    """One ``ListAccounts`` entry."""

    account_id: str
    name: str
    state: str
    """``State`` (ACTIVE, SUSPENDED, PENDING_ACTIVATION, PENDING_CLOSURE, CLOSED), else the retired ``Status``."""


@dataclass(frozen=True)
class Scp:
    policy_id: str
    name: str
    document: PolicyDocument | Gap


@dataclass(frozen=True)
class ScpLevel:
    """One level of the SCP hierarchy an account inherits: the root, an OU on its path, or the account."""

    target_id: str
    label: str
    """``root r-ab12``, ``OU Prod (ou-ab12-cd34)``, ``account 111122223333``."""
    policies: tuple[Scp, ...] | Gap


@dataclass(frozen=True)
class AccountPlacement:
    """Where an account sits: the target ids from the root down (root, OUs), and their names."""

    parent_ids: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def path(self) -> str:
        return "/".join(self.names)


@dataclass(frozen=True)
class AccessKey:
    key_id: str
    status: str | None
    created: datetime | None
    last_used: datetime | Gap | None
    """``None``: never used (GetAccessKeyLastUsed has no ``LastUsedDate``)."""


@dataclass(frozen=True)
class MfaDevice:
    serial: str
    enabled: datetime | None

    @property
    def mfa_type(self) -> str:
        """``virtual`` (an ``…:mfa/…`` ARN), ``passkey`` (another ARN: FIDO keys, ``…:u2f/…``) or ``hardware``
        (a TOTP token's serial, not an ARN)."""
        if not self.serial.startswith("arn:"):
            return "hardware"
        return "virtual" if ":mfa/" in self.serial else "passkey"


@dataclass(frozen=True)
class SigningCertificate:
    certificate_id: str
    status: str | None
    uploaded: datetime | None


@dataclass(frozen=True)
class LoginProfile:
    created: datetime | None


@dataclass(frozen=True)
class RootProbe:
    """What a member's root user holds, read through ``sts:AssumeRoot`` (contract §5.7 ``assume-root/``)."""

    session: Mapping[str, Any] | Gap
    """The AssumeRoot answer without its secret; a Gap when AssumeRoot failed (nothing else was read)."""
    login_profile: LoginProfile | Gap | None
    """``None``: ``NoSuchEntity``, root has no password."""
    access_keys: tuple[AccessKey, ...] | Gap
    mfa_devices: tuple[MfaDevice, ...] | Gap
    signing_certificates: tuple[SigningCertificate, ...] | Gap
    account_summary: AccountSummary | Gap


@dataclass(frozen=True)
class SelectionRow:
    """What the collection did for one account (``selection.json`` ``accounts``)."""

    collected_directly: bool
    """Read with the caller's own credentials (the collecting account): no AssumeRole, no AssumeRoot on itself."""
    assume_root: bool
    member_audit: bool


@dataclass(frozen=True)
class Selection:
    """``organization/selection.json``: rootguard's record of which listed accounts are in and why others are out."""

    management_account_id: str
    excluded: Mapping[str, str]
    rows: Mapping[str, SelectionRow] = field(default_factory=dict)
    """Per account, which probes it got; empty for a bundle whose selection does not say."""


@dataclass(frozen=True)
class OrganizationEvidence:
    """The organization as a whole, shared by every account's view."""

    facts: OrganizationFacts | Gap
    features: OrganizationsFeatures | Gap
    accounts: tuple[OrgAccount, ...] | Gap
    selection: Selection | Gap
    scp_enabled: bool | Gap
    """Whether the SERVICE_CONTROL_POLICY type is enabled on the root (``list-roots``)."""
    member_trails: Mapping[str, TrailScan | Gap] = field(default_factory=dict)
    """Each audited member's root records (by ``recipientAccountId``) from every CloudTrail input of the bundle."""

    @property
    def management_account_id(self) -> str | None:
        if isinstance(self.facts, OrganizationFacts):
            return self.facts.management_account_id
        return self.selection.management_account_id if isinstance(self.selection, Selection) else None


@dataclass(frozen=True)
class OrganizationView:
    """One account as its organization sees it (``AccountEvidence.organization``)."""

    organization: OrganizationEvidence
    account_id: str
    account: OrgAccount | Gap
    management: bool
    rollup: bool
    """This row carries the organization-wide verdicts: the management account's, else the bundle's first."""
    placement: AccountPlacement | Gap
    tags: Mapping[str, str] | Gap
    scp_levels: tuple[ScpLevel, ...] | Gap
    root_probe: RootProbe | None
    """``None`` for the management account: AssumeRoot cannot target it; its own root checks judge it."""
    trail: TrailScan | Gap
    """Root records whose ``recipientAccountId`` is this account, from every CloudTrail input of the bundle."""
    collected_directly: bool = False
    """The collecting account itself (``selection.json``): AssumeRoot was not used on it."""
    audit_role: Mapping[str, Any] | Gap | None = None
    """The audit role's AssumeRole answer; a Gap when it failed (the member's §5.2 files were not read);
    ``None`` for the management account (audited directly) or when the bundle does not say."""

    @property
    def state(self) -> str | None:
        return self.account.state if isinstance(self.account, OrgAccount) else None


# Parsers ------------------------------------------------------------------------------------------------


def _object(document: Any, key: str) -> dict[str, Any]:
    value = document.get(key) if isinstance(document, dict) else None
    if not isinstance(value, dict):
        raise MalformedEvidence(f"expected a JSON object with a {key} object")
    return value


def _list(document: Any, key: str) -> list[Any]:
    value = document.get(key) if isinstance(document, dict) else None
    if not isinstance(value, list):
        raise MalformedEvidence(f"expected a JSON object with a {key} list")
    return value


def _text(item: Any, key: str, where: str) -> str:
    value = item.get(key) if isinstance(item, dict) else None
    if not isinstance(value, str) or not value:
        raise MalformedEvidence(f"{where}.{key} is missing or not a string")
    return value


def _time(item: dict[str, Any], key: str, where: str) -> datetime | None:
    value = item.get(key)
    if value is None:
        return None
    try:
        return parse_timestamp(str(value))
    except ValueError as error:
        raise MalformedEvidence(f"{where}.{key}: {error}") from None


def organization_from_document(document: Any) -> OrganizationFacts:
    org = _object(document, "Organization")
    management = _text(org, "MasterAccountId", "Organization")
    if not is_account_id(management):
        raise MalformedEvidence(f"Organization.MasterAccountId {management!r} is not a 12-digit account id")
    feature_set = org.get("FeatureSet")
    return OrganizationFacts(
        _text(org, "Id", "Organization"), management, feature_set if isinstance(feature_set, str) else None
    )


def features_from_document(document: Any) -> OrganizationsFeatures:
    values = _list(document, "EnabledFeatures")
    if not all(isinstance(v, str) for v in values):
        raise MalformedEvidence("EnabledFeatures holds a value that is not a string")
    return OrganizationsFeatures(frozenset(values))


def accounts_from_document(document: Any) -> tuple[OrgAccount, ...]:
    accounts = []
    for index, item in enumerate(_list(document, "Accounts")):
        where = f"Accounts[{index}]"
        account_id = _text(item, "Id", where)
        if not is_account_id(account_id):
            raise MalformedEvidence(f"{where}.Id {account_id!r} is not a 12-digit account id")
        state = item.get("State") or item.get("Status")  # Status is retired (September 2026); State replaces it
        if not isinstance(state, str):
            raise MalformedEvidence(f"{where} has neither State nor Status")
        name = item.get("Name")
        accounts.append(OrgAccount(account_id, name if isinstance(name, str) else "", state))
    return tuple(accounts)


def roots_from_document(document: Any) -> tuple[str, bool]:
    """The root's id, and whether the SERVICE_CONTROL_POLICY type is enabled on it."""
    roots = _list(document, "Roots")
    if len(roots) != 1:
        raise MalformedEvidence(f"expected one root, found {len(roots)}")
    types = roots[0].get("PolicyTypes", []) if isinstance(roots[0], dict) else None
    if not isinstance(types, list):
        raise MalformedEvidence("Roots[0].PolicyTypes is not a list")
    enabled = any(
        isinstance(t, dict) and t.get("Type") == "SERVICE_CONTROL_POLICY" and t.get("Status") == "ENABLED"
        for t in types
    )
    return _text(roots[0], "Id", "Roots[0]"), enabled


def units_from_document(document: Any) -> tuple[tuple[str, str], ...]:
    """(OU id, OU name) of each child OU."""
    units = _list(document, "OrganizationalUnits")
    return tuple(
        (_text(u, "Id", f"OrganizationalUnits[{i}]"), _text(u, "Name", f"OrganizationalUnits[{i}]"))
        for i, u in enumerate(units)
    )


def child_accounts_from_document(document: Any) -> tuple[str, ...]:
    return tuple(_text(a, "Id", f"Accounts[{i}]") for i, a in enumerate(_list(document, "Accounts")))


def policy_refs_from_document(document: Any) -> tuple[tuple[str, str], ...]:
    """(policy id, name) of each SCP attached to the target."""
    refs = []
    for index, item in enumerate(_list(document, "Policies")):
        where = f"Policies[{index}]"
        kind = item.get("Type") if isinstance(item, dict) else None
        if kind not in (None, "SERVICE_CONTROL_POLICY"):
            continue  # a list asked without --filter may carry other policy types
        refs.append((_text(item, "Id", where), str(item.get("Name") or _text(item, "Id", where))))
    return tuple(refs)


def policy_content_from_document(document: Any) -> Any:
    """The ``Content`` text of ``describe-policy`` (parsed by ``policy_document_from``)."""
    return _text(_object(document, "Policy"), "Content", "Policy")


def tags_from_document(document: Any) -> dict[str, str]:
    tags = {}
    for index, item in enumerate(_list(document, "Tags")):
        tags[_text(item, "Key", f"Tags[{index}]")] = str(item.get("Value", "")) if isinstance(item, dict) else ""
    return tags


def _flag(item: dict[str, Any], key: str, where: str) -> bool:
    value = item.get(key)
    if not isinstance(value, bool):
        raise MalformedEvidence(f"{where}.{key} is not true or false")
    return value


def selection_from_document(document: Any) -> Selection:
    if not isinstance(document, dict):
        raise MalformedEvidence("expected a JSON object")
    management = _text(document, "management_account_id", "selection")
    excluded = document.get("excluded", {})
    if not isinstance(excluded, dict) or not all(isinstance(v, str) for v in excluded.values()):
        raise MalformedEvidence("excluded is not an object of account id → reason")
    rows: dict[str, SelectionRow] = {}
    listed = document.get("accounts", [])
    if not isinstance(listed, list):
        raise MalformedEvidence("accounts is not a list")
    for index, row in enumerate(listed):
        where = f"accounts[{index}]"
        rows[_text(row, "account_id", where)] = SelectionRow(
            _flag(row, "collected_directly", where), _flag(row, "assume_root", where), _flag(row, "member_audit", where)
        )
    return Selection(management, {str(k): v for k, v in excluded.items()}, rows)


def assume_root_from_document(document: Any) -> Mapping[str, Any]:
    if not isinstance(document, dict) or "Credentials" not in document:
        raise MalformedEvidence("expected the AssumeRoot answer, a JSON object with Credentials")
    return document


def login_profile_from_document(document: Any) -> LoginProfile:
    profile = _object(document, "LoginProfile")
    return LoginProfile(_time(profile, "CreateDate", "LoginProfile"))


def access_keys_from_document(document: Any) -> tuple[tuple[str, str | None, datetime | None], ...]:
    """(key id, status, created) of each key ``list-access-keys`` lists."""
    keys = []
    for index, item in enumerate(_list(document, "AccessKeyMetadata")):
        where = f"AccessKeyMetadata[{index}]"
        status = item.get("Status")
        keys.append(
            (
                _text(item, "AccessKeyId", where),
                status if isinstance(status, str) else None,
                _time(item, "CreateDate", where),
            )
        )
    return tuple(keys)


def key_last_used_from_document(document: Any) -> datetime | None:
    return _time(_object(document, "AccessKeyLastUsed"), "LastUsedDate", "AccessKeyLastUsed")


def mfa_devices_from_document(document: Any) -> tuple[MfaDevice, ...]:
    return tuple(
        MfaDevice(_text(item, "SerialNumber", f"MFADevices[{i}]"), _time(item, "EnableDate", f"MFADevices[{i}]"))
        for i, item in enumerate(_list(document, "MFADevices"))
    )


def certificates_from_document(document: Any) -> tuple[SigningCertificate, ...]:
    certificates = []
    for index, item in enumerate(_list(document, "Certificates")):
        where = f"Certificates[{index}]"
        status = item.get("Status")
        certificates.append(
            SigningCertificate(
                _text(item, "CertificateId", where),
                status if isinstance(status, str) else None,
                _time(item, "UploadDate", where),
            )
        )
    return tuple(certificates)
