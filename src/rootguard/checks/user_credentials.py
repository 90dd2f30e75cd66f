"""IAM user credential hygiene from the credential report: unused credentials (CIS 1.12), key age (1.14).

``iam-unused-credentials``: a console password or an active access key whose latest use is
``unused_credentials_days`` or more before as-of (CIS: "45 days or greater"). A credential the
report shows as never used (``N/A``, ``no_information``) counts from its creation: a key from
``access_key_N_last_rotated`` (the key's creation), a password from ``password_last_changed``
(when it was set), else from ``user_creation_time``. A password set after its last use is a new
password, so it counts from when it was set.

``iam-key-rotation``: an active access key created more than ``key_rotation_days`` before as-of
(CIS: "rotated every 90 days or less", so a key exactly 90 days old passes).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rootguard.checks.iam_users import Unknown, as_date, as_flag, never_used, unknown_gap, user_rows, whole_days
from rootguard.checks.registry import EvaluationContext, Outcome, check, cis, errored, failed, passed
from rootguard.checks.root_facts import report_age_note
from rootguard.model.credential_report import AccessKeyColumns, CredentialReportRow, Unreadable
from rootguard.model.evidence import AccountEvidence
from rootguard.model.findings import Severity
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import CREDENTIAL_REPORT
from rootguard.model.timestamps import format_timestamp

SHOWN = 10
"""Credentials named in a message; the evidence lists them all."""


@dataclass(frozen=True)
class Dated:
    """One credential and the moment its idle time (or age) counts from."""

    user: str
    credential: str
    since: datetime
    basis: str
    """What ``since`` is: ``last used``, ``created, never used`` …"""

    def days(self, as_of: datetime) -> int:
        return whole_days(as_of - self.since)

    def describe(self, as_of: datetime) -> str:
        return f"{self.user!r} {self.credential} ({self.basis} {format_timestamp(self.since)}, {self.days(as_of)} days)"

    def evidence(self, as_of: datetime) -> dict[str, Any]:
        return {
            "user": self.user,
            "credential": self.credential,
            "since": format_timestamp(self.since),
            "basis": self.basis,
            "days": self.days(as_of),
        }


def _password_idle(row: CredentialReportRow) -> Dated | Unknown | None:
    enabled = as_flag(row, "password_enabled", row.password_enabled)
    if enabled is False or isinstance(enabled, Unknown):
        return None if enabled is False else enabled
    used, changed = row.password_last_used, row.password_last_changed
    if isinstance(used, datetime):
        if isinstance(changed, datetime) and changed > used:
            return Dated(row.user, "password", changed, "set after its last use, at")
        return Dated(row.user, "password", used, "last used")
    if not never_used(used):
        return Unknown(row.user, "password_last_used", used)
    if isinstance(changed, datetime):
        return Dated(row.user, "password", changed, "never used; set")
    if isinstance(changed, Unreadable):
        return Unknown(row.user, "password_last_changed", changed)
    created = as_date(row, "user_creation_time", row.user_creation_time)
    if isinstance(created, Unknown):
        return created
    return Dated(row.user, "password", created, "never used; user created")


def _active(row: CredentialReportRow, key: AccessKeyColumns) -> bool | Unknown:
    return as_flag(row, f"access_key_{key.number}_active", key.active)


def _key_idle(row: CredentialReportRow, key: AccessKeyColumns) -> Dated | Unknown | None:
    active = _active(row, key)
    if active is False or isinstance(active, Unknown):
        return None if active is False else active
    name = f"access key {key.number}"
    used = key.last_used_date
    if isinstance(used, datetime):
        return Dated(row.user, name, used, "last used")
    if not never_used(used):
        return Unknown(row.user, f"access_key_{key.number}_last_used_date", used)
    created = as_date(row, f"access_key_{key.number}_last_rotated", key.last_rotated)
    if isinstance(created, Unknown):
        return created
    return Dated(row.user, name, created, "never used; created")


def _key_age(row: CredentialReportRow, key: AccessKeyColumns) -> Dated | Unknown | None:
    active = _active(row, key)
    if active is False or isinstance(active, Unknown):
        return None if active is False else active
    created = as_date(row, f"access_key_{key.number}_last_rotated", key.last_rotated)
    if isinstance(created, Unknown):
        return created
    return Dated(row.user, f"access key {key.number}", created, "created")


def _listing(items: Sequence[Dated], as_of: datetime) -> str:
    shown = "; ".join(item.describe(as_of) for item in items[:SHOWN])
    more = f"; and {len(items) - SHOWN} more (see evidence)" if len(items) > SHOWN else ""
    return shown + more


@check(
    "iam-unused-credentials",
    title="IAM user credentials unused for the threshold are disabled",
    severity=Severity.MEDIUM,
    frameworks=cis("1.12", "1.11", "2.11"),
    remediation=(
        "Disable what nobody uses: deactivate idle access keys (`aws iam update-access-key --status Inactive`, "
        "delete them once nothing breaks) and remove idle console passwords (`aws iam delete-login-profile`). "
        "Ask the owner first; a break-glass user that is rarely used should be rehearsed within the threshold "
        "or the threshold for this audit raised in rootguard.toml with the reason recorded."
    ),
)
def iam_unused_credentials(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    users = user_rows(account)
    if isinstance(users, Gap):
        return errored("Cannot tell which IAM user credentials are unused.", users)
    limit = timedelta(days=ctx.thresholds.unused_credentials_days)
    judged: list[Dated] = []
    unknowns: list[Unknown] = []
    for row in users.rows:
        for item in (_password_idle(row), *(_key_idle(row, key) for key in row.access_keys)):
            if isinstance(item, Unknown):
                unknowns.append(item)
            elif item is not None:
                judged.append(item)
    idle = sorted((d for d in judged if ctx.as_of - d.since >= limit), key=lambda d: d.since)
    # A last use after as-of hides whether the credential had sat idle before it.
    hidden = [d for d in judged if d.basis == "last used" and d.since > ctx.as_of]
    evidence = {
        "threshold_days": ctx.thresholds.unused_credentials_days,
        "credentials_judged": len(judged),
        "unused": [d.evidence(ctx.as_of) for d in idle],
    }
    note = report_age_note(account, ctx.collected_at)
    if idle:
        return failed(
            f"{len(idle)} IAM user credential(s) unused for {ctx.thresholds.unused_credentials_days} days or more "
            f"are still enabled: {_listing(idle, ctx.as_of)}.{_unjudged(account, unknowns, users.unparsed)}{note}",
            **evidence,
        )
    if unknowns or users.unparsed:
        gap = unknown_gap(account, unknowns, users.unparsed)
        return errored("Cannot tell whether every IAM user credential was used recently.", gap, **evidence)
    if hidden:
        return errored(
            "The credential report keeps only each credential's latest use, and for "
            f"{', '.join(f'{d.user!r} {d.credential}' for d in hidden)} that is after the as-of time.",
            _after_as_of_gap(account),
            **evidence,
        )
    if not judged:
        return passed(
            f"No IAM user has a console password or an active access key ({len(users.rows)} IAM user(s)).{note}",
            **evidence,
        )
    return passed(
        f"All {len(judged)} enabled IAM user credential(s) (console passwords and active access keys) were used "
        f"or created within the last {ctx.thresholds.unused_credentials_days} days.{note}",
        **evidence,
    )


@check(
    "iam-key-rotation",
    title="Active IAM user access keys are rotated within the threshold",
    severity=Severity.MEDIUM,
    frameworks=cis("1.14", "1.13", "2.13"),
    remediation=(
        "Rotate each listed key: create a second key, move its consumer to it, deactivate the old key, then "
        "delete it (`aws iam create-access-key`, `update-access-key --status Inactive`, `delete-access-key`). "
        "Better, replace long-lived keys with IAM roles (instance profiles, OIDC federation, IAM Roles "
        "Anywhere)."
    ),
)
def iam_key_rotation(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    users = user_rows(account)
    if isinstance(users, Gap):
        return errored("Cannot tell how old the IAM users' access keys are.", users)
    limit = timedelta(days=ctx.thresholds.key_rotation_days)
    judged: list[Dated] = []
    unknowns: list[Unknown] = []
    for row in users.rows:
        for item in (_key_age(row, key) for key in row.access_keys):
            if isinstance(item, Unknown):
                unknowns.append(item)
            elif item is not None:
                judged.append(item)
    overdue = sorted((d for d in judged if ctx.as_of - d.since > limit), key=lambda d: d.since)
    evidence = {
        "threshold_days": ctx.thresholds.key_rotation_days,
        "active_keys": len(judged),
        "overdue": [d.evidence(ctx.as_of) for d in overdue],
    }
    note = report_age_note(account, ctx.collected_at)
    if overdue:
        return failed(
            f"{len(overdue)} active IAM user access key(s) older than {ctx.thresholds.key_rotation_days} days: "
            f"{_listing(overdue, ctx.as_of)}.{_unjudged(account, unknowns, users.unparsed)}{note}",
            **evidence,
        )
    if unknowns or users.unparsed:
        gap = unknown_gap(account, unknowns, users.unparsed)
        return errored("Cannot tell whether every active access key was rotated in time.", gap, **evidence)
    if not judged:
        return passed(f"No IAM user holds an active access key ({len(users.rows)} IAM user(s)).{note}", **evidence)
    return passed(
        f"All {len(judged)} active IAM user access key(s) were created within the last "
        f"{ctx.thresholds.key_rotation_days} days.{note}",
        **evidence,
    )


def _unjudged(account: AccountEvidence, unknowns: Sequence[Unknown], unparsed: Sequence[str]) -> str:
    if not unknowns and not unparsed:
        return ""
    return f" Not judged: {unknown_gap(account, unknowns, unparsed).reason}"


def _after_as_of_gap(account: AccountEvidence) -> Gap:
    return Gap(
        GapKind.INCOMPLETE,
        CREDENTIAL_REPORT.path(account.account_id),
        "the report is newer than the period asked about.",
        "evaluate with an --as-of at or after collection",
    )
