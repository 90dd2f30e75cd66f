"""Account summary, virtual MFA devices and the caller identity, from AWS CLI JSON output."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rootguard.model.arns import is_root_arn, partition_of
from rootguard.model.gaps import MalformedEvidence
from rootguard.model.timestamps import parse_timestamp


@dataclass(frozen=True)
class AccountSummary:
    """``SummaryMap`` of GetAccountSummary. Root-related keys are 0/1 flags."""

    values: Mapping[str, int]

    def flag(self, key: str) -> bool | None:
        """``True``/``False`` for a present key, ``None`` when AWS did not return it."""
        value = self.values.get(key)
        return None if value is None else value > 0

    @property
    def mfa_enabled(self) -> bool | None:
        return self.flag("AccountMFAEnabled")

    @property
    def access_keys_present(self) -> bool | None:
        return self.flag("AccountAccessKeysPresent")

    @property
    def signing_certificates_present(self) -> bool | None:
        return self.flag("AccountSigningCertificatesPresent")

    @property
    def password_present(self) -> bool | None:
        return self.flag("AccountPasswordPresent")


def account_summary_from_document(document: Any) -> AccountSummary:
    """From ``aws iam get-account-summary --output json``."""
    summary = document.get("SummaryMap") if isinstance(document, dict) else None
    if not isinstance(summary, dict):
        raise MalformedEvidence("expected a JSON object with a SummaryMap object")
    values: dict[str, int] = {}
    for key, value in summary.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise MalformedEvidence(f"SummaryMap.{key} is {value!r}, not an integer")
        values[str(key)] = value
    return AccountSummary(values=values)


@dataclass(frozen=True)
class VirtualMfaDevice:
    serial_number: str
    user_arn: str | None
    """``User.Arn``; ``None`` for a device not assigned to anyone."""
    enable_date: datetime | None


@dataclass(frozen=True)
class VirtualMfaDevices:
    devices: tuple[VirtualMfaDevice, ...]
    truncated: bool
    """True when the file holds one page of several (``IsTruncated``): absence proves nothing."""

    def assigned_to_root(self, account_id: str, partition: str | None) -> tuple[VirtualMfaDevice, ...]:
        return tuple(
            device
            for device in self.devices
            if device.user_arn is not None and is_root_arn(device.user_arn, account_id, partition)
        )


def virtual_mfa_devices_from_document(document: Any) -> VirtualMfaDevices:
    """From ``aws iam list-virtual-mfa-devices --output json`` (all pages merged)."""
    items = document.get("VirtualMFADevices") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise MalformedEvidence("expected a JSON object with a VirtualMFADevices list")
    devices: list[VirtualMfaDevice] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("SerialNumber"), str):
            raise MalformedEvidence(f"VirtualMFADevices[{index}] has no SerialNumber")
        user = item.get("User")
        user_arn = user.get("Arn") if isinstance(user, dict) else None
        if user is not None and not isinstance(user_arn, str):
            raise MalformedEvidence(f"VirtualMFADevices[{index}].User has no Arn")
        enable_date = None
        if item.get("EnableDate") is not None:
            try:
                enable_date = parse_timestamp(str(item["EnableDate"]))
            except ValueError as error:
                raise MalformedEvidence(f"VirtualMFADevices[{index}].EnableDate: {error}") from None
        devices.append(VirtualMfaDevice(item["SerialNumber"], user_arn, enable_date))
    truncated = bool(document.get("IsTruncated")) or bool(document.get("Marker") or document.get("NextToken"))
    return VirtualMfaDevices(devices=tuple(devices), truncated=truncated)


@dataclass(frozen=True)
class CallerIdentity:
    account: str
    arn: str

    @property
    def partition(self) -> str | None:
        return partition_of(self.arn)


def caller_identity_from_document(document: Any) -> CallerIdentity:
    """From ``aws sts get-caller-identity --output json``."""
    if not isinstance(document, dict):
        raise MalformedEvidence("expected a JSON object with Account and Arn")
    account, arn = document.get("Account"), document.get("Arn")
    if not isinstance(account, str) or not isinstance(arn, str):
        raise MalformedEvidence("Account or Arn is missing")
    return CallerIdentity(account=account, arn=arn)
