"""Facts about the root user that several checks share, each derived from every source that has it.

Each fact is ``True``/``False`` when some source settles it, or a list of Gaps explaining why
no source could. Sources: the credential report's ``<root_account>`` row (generated up to 4 hours
before collection) and GetAccountSummary (live at collection time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rootguard.model.credential_report import (
    CredentialReport,
    CredentialReportRow,
    FlagValue,
    Sentinel,
    Unreadable,
)
from rootguard.model.evidence import AccountEvidence
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.iam import AccountSummary
from rootguard.model.operations import ACCOUNT_SUMMARY, CREDENTIAL_REPORT
from rootguard.model.timestamps import format_timestamp, span

STALE_REPORT = timedelta(hours=4)
GOVCLOUD = "aws-us-gov"


def root_row(account: AccountEvidence) -> CredentialReportRow | Gap:
    """The report's one ``<root_account>`` row, or why there is none. A missing row is never silence.

    AWS writes exactly one root row, whose ARN is the audited account's root: a second root row, or one
    naming another account, is corrupt evidence (ERROR), never a row to pick from.
    """
    report = account.credential_report
    if isinstance(report, Gap):
        return report
    roots = [row for row in report.rows if row.is_root]
    source = CREDENTIAL_REPORT.path(account.account_id)
    fix = "generate a fresh report (`aws iam generate-credential-report`) and collect again"
    if len(roots) > 1:
        arns = ", ".join(sorted({row.arn for row in roots}))
        reason = f"the credential report has {len(roots)} <root_account> rows ({arns}); AWS writes one."
        return Gap(GapKind.MALFORMED, source, reason, fix)
    if roots:
        root = roots[0]
        if not is_root_arn_of(root.arn, account.account_id):
            reason = (
                f"the <root_account> row names {root.arn!r}, not the root user of account {account.account_id}: "
                "the report belongs to another account or was altered."
            )
            return Gap(GapKind.MALFORMED, source, reason, fix)
        return root
    problems = f" Unparsed lines: {'; '.join(report.problems)}." if report.problems else ""
    return Gap(
        kind=GapKind.INCOMPLETE,
        source=source,
        reason=f"the credential report has no <root_account> row.{problems}",
        fix=fix,
    )


def is_root_arn_of(arn: str, account_id: str) -> bool:
    """``arn:<partition>:iam::<account>:root`` for this account, in any partition."""
    parts = arn.split(":")
    return len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" and parts[4] == account_id and parts[5] == "root"


def report_age_note(account: AccountEvidence, collected_at: datetime) -> str:
    """A warning when the report predates collection by more than 4 hours, else ''."""
    report = account.credential_report
    if not isinstance(report, CredentialReport) or report.generated_time is None:
        return ""
    age = collected_at - report.generated_time
    if age <= STALE_REPORT:
        return ""
    return (
        f" Note: the credential report was generated at {format_timestamp(report.generated_time)}, "
        f"{span(age)} before collection; anything since then is not in it."
    )


def report_coverage_gap(account: AccountEvidence, as_of: datetime) -> Gap | None:
    """Why the report cannot speak for the time up to ``as_of``, or None when it can.

    AWS serves a cached report up to 4 hours old, so that much lag is the report's nature; beyond it
    (an old report, or an as-of time after collection) the span from generation to as-of is unseen.
    """
    report = account.credential_report
    if not isinstance(report, CredentialReport):
        return None
    source = CREDENTIAL_REPORT.path(account.account_id)
    fix = "generate a fresh report (`aws iam generate-credential-report`) and collect again"
    if report.generated_time is None:
        reason = "the file does not say when the report was generated (no GeneratedTime), so what it covers is unknown."
        return Gap(GapKind.INCOMPLETE, source, reason, fix)
    lag = as_of - report.generated_time
    if lag <= STALE_REPORT:
        return None
    reason = (
        f"the report was generated at {format_timestamp(report.generated_time)}, {span(lag)} before the as-of time "
        f"{format_timestamp(as_of)}: root use from then to the as-of time would not be in it."
    )
    return Gap(GapKind.INCOMPLETE, source, reason, fix + ", or evaluate with an --as-of within 4 hours of the report")


def flag(value: FlagValue) -> bool | None:
    """A report flag as a boolean, ``None`` for sentinels and unreadable text."""
    return value if isinstance(value, bool) else None


def describe_cell(value: object) -> str:
    if isinstance(value, Sentinel):
        return value.value
    if isinstance(value, Unreadable):
        return f"unreadable value {value.raw!r}"
    if isinstance(value, datetime):
        return format_timestamp(value)
    return str(value)


@dataclass(frozen=True)
class Fact:
    """A yes/no fact with where it came from, or the gaps that kept it unknown."""

    value: bool | None
    source: str = ""
    gaps: tuple[Gap, ...] = field(default=())


def mfa_enabled(account: AccountEvidence) -> Fact:
    """Root MFA: GetAccountSummary is live, so it wins over the (older) report's ``mfa_active``."""
    summary, row = account.account_summary, root_row(account)
    if isinstance(summary, AccountSummary) and summary.mfa_enabled is not None:
        return Fact(summary.mfa_enabled, f"AccountMFAEnabled={int(summary.mfa_enabled)}")
    if isinstance(row, CredentialReportRow) and flag(row.mfa_active) is not None:
        return Fact(flag(row.mfa_active), f"credential report mfa_active={row.raw['mfa_active']}")
    return Fact(None, gaps=_gaps(account, "AccountMFAEnabled", ("mfa_active",)))


def _gaps(account: AccountEvidence, key: str, columns: tuple[str, ...]) -> tuple[Gap, ...]:
    """Why neither the summary's ``key`` nor the root row's ``columns`` settled a fact."""
    summary, row = account.account_summary, root_row(account)
    gaps = [g for g in (summary, row) if isinstance(g, Gap)]
    if isinstance(summary, AccountSummary) and summary.flag(key) is None:
        gaps.append(
            Gap(
                GapKind.INCOMPLETE,
                ACCOUNT_SUMMARY.path(account.account_id),
                f"SummaryMap has no {key}.",
                f"save the output of `{ACCOUNT_SUMMARY.cli}` from the live account",
            )
        )
    if isinstance(row, CredentialReportRow):
        cells = ", ".join(f"{c}={row.raw.get(c, '')!r}" for c in columns)
        gaps.append(
            Gap(
                GapKind.INCOMPLETE,
                CREDENTIAL_REPORT.path(account.account_id),
                f"the root row does not settle it ({cells}).",
                "generate a fresh report (`aws iam generate-credential-report`) and collect again",
            )
        )
    return tuple(gaps)


@dataclass(frozen=True)
class RootCredentials:
    """Which long-term credentials root holds: password, access keys, signing certificates."""

    password: Fact
    access_keys: Fact
    certificates: Fact

    @property
    def held(self) -> list[str]:
        """The credentials root holds, each with the source that settled it (a message claims only what it shows)."""
        names = ("a password", "access keys", "signing certificates")
        return [f"{name} ({fact.source})" for name, fact in zip(names, self._facts, strict=True) if fact.value is True]

    @property
    def none_at_all(self) -> bool:
        return all(f.value is False for f in self._facts)

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return tuple(g for f in self._facts if f.value is None for g in f.gaps)

    @property
    def _facts(self) -> tuple[Fact, Fact, Fact]:
        return (self.password, self.access_keys, self.certificates)


def root_credentials(account: AccountEvidence) -> RootCredentials:
    return RootCredentials(
        password=_password(account),
        access_keys=access_keys_present(account),
        certificates=certificates_present(account),
    )


def access_keys_present(account: AccountEvidence) -> Fact:
    return _presence(account, "AccountAccessKeysPresent", "access_keys")


def certificates_present(account: AccountEvidence) -> Fact:
    return _presence(account, "AccountSigningCertificatesPresent", "certificates")


def _password(account: AccountEvidence) -> Fact:
    summary, row = account.account_summary, root_row(account)
    # The report's password_enabled is "not_supported" for root, so the summary is the real source.
    if isinstance(summary, AccountSummary) and summary.password_present is not None:
        return Fact(summary.password_present, f"AccountPasswordPresent={int(summary.password_present)}")
    if isinstance(row, CredentialReportRow):
        # A past password_last_used proves a password existed then, not that root holds one now.
        enabled = flag(row.password_enabled)
        if enabled is not None:
            return Fact(enabled, f"credential report password_enabled={row.raw['password_enabled']}")
    return Fact(None, gaps=_gaps(account, "AccountPasswordPresent", ("password_enabled", "password_last_used")))


def _presence(account: AccountEvidence, key: str, attribute: str) -> Fact:
    """Keys or certificates: any active one in the report, or the summary's presence flag.

    The summary counts inactive ones too, so it can say "present" where the report shows none active.
    """
    summary, row = account.account_summary, root_row(account)
    summary_flag = summary.flag(key) if isinstance(summary, AccountSummary) else None
    if isinstance(row, CredentialReportRow):
        actives = [flag(item.active) for item in getattr(row, attribute)]
        if any(a is True for a in actives):
            return Fact(True, "credential report")
        if summary_flag is not None:
            return Fact(summary_flag, f"{key}={int(summary_flag)}")
        if all(a is False for a in actives):
            return Fact(False, "credential report")
    elif summary_flag is not None:
        return Fact(summary_flag, f"{key}={int(summary_flag)}")
    prefix = "access_key" if attribute == "access_keys" else "cert"
    return Fact(None, gaps=_gaps(account, key, (f"{prefix}_1_active", f"{prefix}_2_active")))


def is_govcloud(account: AccountEvidence) -> bool:
    return account.partition == GOVCLOUD
