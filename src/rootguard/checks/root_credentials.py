"""Root credential checks: access keys (1.4), MFA (1.5), hardware MFA (1.6), signing certificates.

Each verdict says which source settled it. The credential report may be hours old; the account
summary is live. A source that is missing, denied or unreadable is named with its fix, and no
check passes on a source it could not read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rootguard.checks.registry import (
    EvaluationContext,
    Outcome,
    check,
    cis,
    errored,
    failed,
    not_applicable,
    passed,
)
from rootguard.checks.root_facts import (
    Fact,
    access_keys_present,
    certificates_present,
    describe_cell,
    flag,
    is_govcloud,
    mfa_enabled,
    report_age_note,
    root_credentials,
    root_row,
)
from rootguard.model.credential_report import AccessKeyColumns, CertificateColumns, CredentialReportRow
from rootguard.model.evidence import AccountEvidence
from rootguard.model.findings import Severity
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import VIRTUAL_MFA_DEVICES
from rootguard.model.timestamps import describe_age, format_timestamp

GOVCLOUD_NOTE = (
    "In AWS GovCloud (US) the root user has no console password and cannot hold an MFA device; "
    "root access keys, if AWS Support enabled any, are judged by root-access-keys."
)


def _describe_key(key: AccessKeyColumns, as_of: datetime) -> str:
    rotated = key.last_rotated
    rotated_text = (
        f"created or rotated {format_timestamp(rotated)} ({describe_age(rotated, as_of)})"
        if isinstance(rotated, datetime)
        else f"last rotated {describe_cell(rotated)}"
    )
    used = key.last_used_date
    if isinstance(used, datetime):
        where = ", ".join(describe_cell(v) for v in (key.last_used_service, key.last_used_region))
        used_text = f"last used {format_timestamp(used)} ({where})"
    else:
        used_text = f"last used {describe_cell(used)}"
    return f"access key {key.number} is active, {rotated_text}, {used_text}"


def _key_evidence(row: CredentialReportRow | Gap) -> dict[str, Any]:
    if isinstance(row, Gap):
        return {}
    columns = [c for c in row.raw if c.startswith(("access_key_", "cert_"))]
    return {column: row.raw[column] for column in columns}


def _summary_note(fact: Fact, key: str) -> str:
    if fact.source.startswith(key):
        return ""
    return f" ({key} was not available to cross-check.)"


@check(
    "root-access-keys",
    title="Root user holds no access keys",
    severity=Severity.CRITICAL,
    frameworks=cis("1.4", "1.3", "2.3"),
    remediation=(
        "Delete the root access keys: find what still uses them (last-used service and Region are in the "
        "evidence), move it to an IAM role, then as root open Security credentials → Access keys, "
        "deactivate and delete each key. In an AWS Organization with centralized root access, delete member "
        "root keys with sts:AssumeRoot and the IAMDeleteRootUserCredentials task policy."
    ),
)
def root_access_keys(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    row = root_row(account)
    evidence = _key_evidence(row)
    note = report_age_note(account, ctx.collected_at)
    if isinstance(row, CredentialReportRow):
        active = [k for k in row.access_keys if flag(k.active) is True]
        if active:
            details = "; ".join(_describe_key(k, ctx.as_of) for k in active)
            return failed(f"Root holds {len(active)} active access key(s): {details}.{note}", **evidence)
    fact = access_keys_present(account)
    if fact.value is None:
        return errored("Cannot tell whether root holds access keys.", *fact.gaps, **evidence)
    if fact.value:
        if isinstance(row, Gap):
            return failed(
                "Root holds access keys (AccountAccessKeysPresent=1); the credential report that would say "
                f"whether they are active is unavailable: {row.explain()}",
                **evidence,
            )
        return failed(
            "AccountAccessKeysPresent=1 although the credential report shows no active root key: root holds "
            "an inactive key (CIS asks that none exist), or a key was created after the report was "
            f"generated.{note}",
            **evidence,
        )
    if isinstance(row, Gap):
        return passed(
            "AccountAccessKeysPresent=0: root holds no access keys. (The credential report could not be used: "
            f"{row.reason})",
            **evidence,
        )
    return passed(
        f"Root holds no active access keys (credential report).{_summary_note(fact, 'AccountAccessKeysPresent')}{note}",
        **evidence,
    )


@check(
    "root-signing-certs",
    title="Root user holds no active X.509 signing certificates",
    severity=Severity.MEDIUM,
    frameworks={},
    remediation=(
        "Delete the root X.509 signing certificates: as root open Security credentials → X.509 certificates "
        "and delete each one. They only serve legacy SOAP APIs; give whatever needs them an IAM identity."
    ),
)
def root_signing_certs(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    row = root_row(account)
    evidence = _key_evidence(row)
    note = report_age_note(account, ctx.collected_at)
    if isinstance(row, CredentialReportRow):
        active = [c for c in row.certificates if flag(c.active) is True]
        if active:
            details = "; ".join(_describe_cert(c, ctx.as_of) for c in active)
            return failed(f"Root holds {len(active)} active signing certificate(s): {details}.{note}", **evidence)
    fact = certificates_present(account)
    if fact.value is None:
        return errored("Cannot tell whether root holds signing certificates.", *fact.gaps, **evidence)
    if fact.value:
        if isinstance(row, Gap):
            return failed(
                "Root holds signing certificates (AccountSigningCertificatesPresent=1); the credential report "
                f"that would say whether they are active is unavailable: {row.explain()}",
                **evidence,
            )
        return failed(
            "AccountSigningCertificatesPresent=1 although the credential report shows no active root "
            "certificate: root holds an inactive certificate, or one was added after the report was "
            f"generated.{note}",
            **evidence,
        )
    if isinstance(row, Gap):
        return passed(
            "AccountSigningCertificatesPresent=0: root holds no signing certificates. (The credential report "
            f"could not be used: {row.reason})",
            **evidence,
        )
    source = _summary_note(fact, "AccountSigningCertificatesPresent")
    return passed(f"Root holds no active signing certificates (credential report).{source}{note}", **evidence)


def _describe_cert(cert: CertificateColumns, as_of: datetime) -> str:
    rotated = cert.last_rotated
    when = (
        f"uploaded or rotated {format_timestamp(rotated)} ({describe_age(rotated, as_of)})"
        if isinstance(rotated, datetime)
        else f"last rotated {describe_cell(rotated)}"
    )
    return f"certificate {cert.number} is active, {when}"


def _no_mfa_outcome(account: AccountEvidence, what: str) -> Outcome:
    """MFA is off: that only matters if root holds a credential to sign in or call APIs with."""
    credentials = root_credentials(account)
    if credentials.held:
        return failed(f"{what} Root holds {', '.join(credentials.held)}.")
    if credentials.none_at_all:
        return passed(
            "Root holds no credentials at all (no password, no access keys, no signing certificates), so "
            "nobody can sign in as root and there is nothing for MFA to protect; this is the state "
            "centralized root access leaves member accounts in."
        )
    return errored(f"{what} Whether root holds a password or keys cannot be told.", *credentials.gaps)


@check(
    "root-mfa",
    title="MFA is enabled for the root user",
    severity=Severity.CRITICAL,
    frameworks=cis("1.5", "1.4", "2.4"),
    remediation=(
        "Enable MFA for root: as root open Security credentials → Assign MFA device, preferably a hardware "
        "TOTP token or FIDO security key kept under dual control. For member accounts of an AWS "
        "Organization, consider centralized root access and delete member root credentials instead."
    ),
)
def root_mfa(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    if is_govcloud(account):
        return not_applicable(GOVCLOUD_NOTE)
    mfa = mfa_enabled(account)
    if mfa.value is None:
        return errored("Cannot tell whether root has MFA.", *mfa.gaps)
    if mfa.value:
        return passed(f"MFA is enabled for root ({mfa.source}).{_disagreement(account, mfa)}")
    return _no_mfa_outcome(account, f"MFA is not enabled for root ({mfa.source}).")


def _disagreement(account: AccountEvidence, mfa: Fact) -> str:
    row = root_row(account)
    if isinstance(row, CredentialReportRow) and flag(row.mfa_active) not in (None, mfa.value):
        return (
            f" The credential report says mfa_active={row.raw['mfa_active']}; it predates the live summary, "
            "so MFA changed after it was generated."
        )
    return ""


@check(
    "root-hardware-mfa",
    title="Root MFA is a hardware device",
    severity=Severity.HIGH,
    frameworks=cis("1.6", "1.5", "2.5"),
    remediation=(
        "Give root a hardware MFA device (a TOTP token or FIDO security key kept in a safe): as root assign it "
        "under Security credentials → MFA; if a virtual device is assigned to root, remove it afterwards and "
        "delete it from the authenticator app."
    ),
)
def root_hardware_mfa(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    if is_govcloud(account):
        return not_applicable(GOVCLOUD_NOTE)
    devices = account.virtual_mfa_devices
    if not isinstance(devices, Gap):
        on_root = devices.assigned_to_root(account.account_id, account.partition)
        if on_root:
            serials = ", ".join(
                d.serial_number + (f" (enabled {format_timestamp(d.enable_date)})" if d.enable_date else "")
                for d in on_root
            )
            return failed(
                f"A virtual MFA device is assigned to root: {serials}. Whoever holds its seed can pass root's MFA.",
                virtual_devices_on_root=[d.serial_number for d in on_root],
            )
    mfa = mfa_enabled(account)
    if mfa.value is None:
        return errored("Cannot tell whether root has MFA, let alone what kind.", *mfa.gaps)
    if not mfa.value:
        return _no_mfa_outcome(account, f"Root has no MFA device at all ({mfa.source}).")
    if isinstance(devices, Gap):
        return errored("Root MFA is on, but whether it is a virtual device cannot be told.", devices)
    if devices.truncated:
        gap = Gap(
            GapKind.INCOMPLETE,
            VIRTUAL_MFA_DEVICES.path(account.account_id),
            "the file holds one page of a longer list (IsTruncated/Marker), so a virtual device on root may "
            "be on another page.",
            "collect again (rootguard reads every page) or merge all pages into the file",
        )
        return errored("Root MFA is on, but the virtual device list is incomplete.", gap)
    return passed(
        f"Root MFA is on ({mfa.source}) and none of the {len(devices.devices)} virtual MFA devices is assigned "
        "to root, so root's MFA is a hardware device (TOTP token or FIDO security key).",
        virtual_devices_listed=len(devices.devices),
    )
