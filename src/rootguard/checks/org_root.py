"""Organization checks on root credentials: centralized root access is on, and each member's root holds nothing.

``org-root-credentials-centralized`` is one verdict for the whole organization, given on the management
account's row; the members' rows say NOT_APPLICABLE in one short line pointing there.
``org-member-root-credentials`` reads what ``sts:AssumeRoot`` with ``IAMAuditRootUserCredentials`` saw in
each member: "no credentials at all" is the PASS state centralized root access aims for, never "MFA missing".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rootguard.checks.registry import EvaluationContext, Outcome, check, errored, failed, not_applicable, passed
from rootguard.model.evidence import AccountEvidence, Source
from rootguard.model.findings import Severity
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.organization import (
    ROOT_CREDENTIALS_MANAGEMENT,
    ROOT_SESSIONS,
    OrganizationFacts,
    OrganizationView,
    RootProbe,
)
from rootguard.model.timestamps import describe_age, format_timestamp

FEATURE_MEANING = {
    ROOT_CREDENTIALS_MANAGEMENT: (
        "RootCredentialsManagement is off: member root users keep (and new members get) their own password, "
        "access keys and MFA, and they cannot be audited or deleted centrally with sts:AssumeRoot"
    ),
    ROOT_SESSIONS: (
        "RootSessions is off: a member's S3 bucket or SQS queue policy that locks everyone out can only be fixed "
        "by signing in as that member's root user, so its credentials must be kept"
    ),
}
ERROR_CODES = {
    "ServiceAccessNotEnabled": (
        True,
        "Trusted access for AWS IAM is not enabled in AWS Organizations (ListOrganizationsFeatures answered "
        "ServiceAccessNotEnabled), so centralized root access cannot be on: every member root keeps its own "
        "credentials.",
    ),
    "OrganizationNotInAllFeaturesMode": (
        True,
        "The organization uses consolidated billing only (ListOrganizationsFeatures answered "
        "OrganizationNotInAllFeaturesMode): centralized root access and SCPs need all features enabled.",
    ),
    "AccountNotManagementOrDelegatedAdministrator": (
        False,
        "ListOrganizationsFeatures was called from an account that is neither the management account nor the IAM "
        "delegated administrator (AccountNotManagementOrDelegatedAdministrator), so it cannot tell.",
    ),
    "OrganizationNotFound": (
        False,
        "ListOrganizationsFeatures answered OrganizationNotFound: the collecting account is not in an organization.",
    ),
}
"""Each documented ListOrganizationsFeatures error: (is a FAIL of the control, what it means)."""
ERROR_FIXES = {
    "AccountNotManagementOrDelegatedAdministrator": (
        "run `rootguard org collect` with credentials of the management account or the IAM delegated administrator"
    ),
    "OrganizationNotFound": "run `rootguard org collect` from the organization's management account",
}
CENTRALIZE = (
    "Enable centralized root access: in the management account run `aws organizations enable-aws-service-access "
    "--service-principal iam.amazonaws.com`, then `aws iam enable-organizations-root-credentials-management` and "
    "`aws iam enable-organizations-root-sessions` (all features must be on: `aws organizations "
    "enable-all-features`). Then delete member root credentials with sts:AssumeRoot (rootguard remediate --org)."
)


def _view(account: AccountEvidence) -> OrganizationView | None:
    return account.organization


def outside_organization() -> Outcome:
    return not_applicable("Not an organization audit: this check judges AWS Organizations evidence only.")


@check(
    "org-root-credentials-centralized",
    title="Centralized root access is enabled for the organization",
    severity=Severity.HIGH,
    frameworks={},
    remediation=CENTRALIZE,
)
def org_root_credentials_centralized(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    view = _view(account)
    if view is None:
        return outside_organization()
    if not view.rollup:
        return not_applicable(
            "Organization-wide: judged once, on the management account's row "
            f"({view.organization.management_account_id or 'unknown'})."
        )
    organization = view.organization
    if isinstance(organization.facts, OrganizationFacts) and organization.facts.feature_set == "CONSOLIDATED_BILLING":
        return failed(
            "The organization uses consolidated billing only (FeatureSet CONSOLIDATED_BILLING): centralized root "
            "access and SCPs need all features enabled.",
            feature_set="CONSOLIDATED_BILLING",
        )
    features = organization.features
    if isinstance(features, Gap):
        known = ERROR_CODES.get(features.code or "")
        if known is not None and known[0]:
            return failed(known[1], code=features.code, enabled_features=[])
        if known is not None:
            gap = Gap(features.kind, features.source, known[1], ERROR_FIXES[features.code or ""], features.code)
            return errored("Whether centralized root access is enabled cannot be told.", gap)
        return errored("Whether centralized root access is enabled cannot be told.", features)
    missing = [f for f in (ROOT_CREDENTIALS_MANAGEMENT, ROOT_SESSIONS) if f not in features.enabled]
    evidence = {"enabled_features": sorted(features.enabled), "missing": missing, "trusted_access": True}
    if missing:
        meaning = "; ".join(FEATURE_MEANING[f] for f in missing)
        return failed(
            f"Trusted access for IAM is enabled but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} "
            f"not: {meaning}.",
            **evidence,
        )
    return passed(
        "Trusted access for IAM is enabled and both RootCredentialsManagement and RootSessions are on "
        "(iam:ListOrganizationsFeatures): member root credentials can be audited and removed centrally.",
        **evidence,
    )


THROTTLED = frozenset({"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"})
DENIED = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"})
NOT_FOUND = frozenset({"NoSuchEntity", "AccountNotFoundException", "ResourceNotFoundException", "NotFound"})


def probe_error_kind(gap: Gap) -> str:
    """``assume-denied``, ``throttled``, ``not-found``, ``not-collected``, ``malformed`` or the AWS code."""
    if gap.kind is GapKind.NOT_COLLECTED:
        return "not-collected"
    if gap.kind is GapKind.MALFORMED:
        return "malformed"
    code = gap.code or ""
    if code in DENIED:
        return "assume-denied"
    if code in THROTTLED:
        return "throttled"
    if code in NOT_FOUND:
        return "not-found"
    return code or "error"


def _when(moment: datetime | None, ctx: EvaluationContext) -> str:
    return f"{format_timestamp(moment)} ({describe_age(moment, ctx.as_of)})" if moment else "unknown"


def _credentials(probe: RootProbe, ctx: EvaluationContext) -> tuple[list[dict[str, Any]], list[str], list[Gap]]:
    """Each credential root holds (contract §9 evidence shape), one phrase per credential, and the gaps met."""
    found: list[dict[str, Any]] = []
    words: list[str] = []
    gaps: list[Gap] = []

    def add(kind: str, ident: str, status: str | None, created: datetime | None, **more: Any) -> None:
        found.append(
            {
                "kind": kind,
                "id": ident,
                "status": status,
                "created": format_timestamp(created) if created else None,
                "last_used": more.get("last_used"),
                "mfa_type": more.get("mfa_type"),
            }
        )

    if isinstance(probe.login_profile, Gap):
        gaps.append(probe.login_profile)
    elif probe.login_profile is not None:
        add("password", "login-profile", None, probe.login_profile.created)
        words.append(f"a console password (created {_when(probe.login_profile.created, ctx)})")
    if isinstance(probe.access_keys, Gap):
        gaps.append(probe.access_keys)
    else:
        for key in probe.access_keys:
            used = key.last_used
            if isinstance(used, Gap):
                gaps.append(used)
            last = format_timestamp(used) if isinstance(used, datetime) else None
            add("access-key", key.key_id, key.status, key.created, last_used=last)
            used_text = _when(used, ctx) if isinstance(used, datetime) else "never" if used is None else "unknown"
            words.append(
                f"{(key.status or 'unknown-status').lower()} access key {key.key_id} (created "
                f"{_when(key.created, ctx)}, last used {used_text})"
            )
    if isinstance(probe.mfa_devices, Gap):
        gaps.append(probe.mfa_devices)
    else:
        for device in probe.mfa_devices:
            add("mfa-device", device.serial, None, device.enabled, mfa_type=device.mfa_type)
            words.append(f"a {device.mfa_type} MFA device {device.serial} (enabled {_when(device.enabled, ctx)})")
    if isinstance(probe.signing_certificates, Gap):
        gaps.append(probe.signing_certificates)
    else:
        for cert in probe.signing_certificates:
            add("signing-certificate", cert.certificate_id, cert.status, cert.uploaded)
            words.append(
                f"{(cert.status or 'unknown-status').lower()} signing certificate {cert.certificate_id} "
                f"(uploaded {_when(cert.uploaded, ctx)})"
            )
    return found, words, gaps


def _gap_documents(gaps: list[Gap]) -> list[dict[str, Any]]:
    return [{"source": g.source, "kind": g.kind.value, "code": g.code, "reason": g.reason, "fix": g.fix} for g in gaps]


SUMMARY_KEYS = (
    "AccountPasswordPresent",
    "AccountAccessKeysPresent",
    "AccountMFAEnabled",
    "AccountSigningCertificatesPresent",
)


@check(
    "org-member-root-credentials",
    title="Member accounts' root users hold no credentials",
    severity=Severity.HIGH,
    frameworks={},
    remediation=(
        "Delete each member's root credentials centrally: from the management account (or the IAM delegated "
        "administrator) call sts:AssumeRoot with TaskPolicyArn "
        "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials for the member, then delete the login "
        "profile, access keys and signing certificates and deactivate the MFA devices in that session "
        "(rootguard remediate --org prints the plan). Without centralized root access, sign in as the member's "
        "root and delete them by hand."
    ),
    needs=frozenset({Source.ASSUME_ROOT}),
)
def org_member_root_credentials(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    view = _view(account)
    if view is None:
        return outside_organization()
    if view.management or view.root_probe is None:
        return not_applicable(
            "The management account's root is judged by root-access-keys, root-mfa, root-hardware-mfa and "
            "root-signing-certs from its own evidence: sts:AssumeRoot cannot target the management account."
        )
    if view.collected_directly:
        return not_applicable(
            "This is the account that ran the collection (a delegated administrator), read with its own "
            "credentials: sts:AssumeRoot is not used on it, so its root is judged by the root-* checks of its row."
        )
    probe = view.root_probe
    if isinstance(probe.session, Gap):
        kind = probe_error_kind(probe.session)
        return errored(
            f"The AssumeRoot probe failed ({kind}), so what this member's root holds cannot be told.",
            probe.session,
            credentials=None,
            probe_error=kind,
        )
    found, words, gaps = _credentials(probe, ctx)
    evidence: dict[str, Any] = {"credentials": found, "gaps": _gap_documents(gaps)}
    if found:
        unread = f" (could not read: {'; '.join(g.source for g in gaps)})" if gaps else ""
        return failed(
            f"The member's root user holds {len(found)} credential(s): {'; '.join(words)}.{unread}", **evidence
        )
    if gaps:
        return errored(
            "Nothing found in what was read, but not every credential list could be read.",
            *gaps,
            credentials=None,
        )
    summary = probe.account_summary
    if not isinstance(summary, Gap):
        held = [key for key in SUMMARY_KEYS if summary.flag(key)]
        if held:
            gap = Gap(
                GapKind.INCOMPLETE,
                f"{account.account_id}/assume-root/iam/get-account-summary.json",
                f"the credential lists are empty but get-account-summary says {', '.join(f'{k}=1' for k in held)}.",
                "collect the member again (`rootguard org collect`): a credential may have been added between calls",
            )
            return errored("The member's root credential evidence disagrees with itself.", gap, credentials=None)
    return passed(
        "The member's root user holds no credentials at all: no password, access keys, MFA devices or signing "
        "certificates (read through sts:AssumeRoot with IAMAuditRootUserCredentials).",
        **evidence,
    )
