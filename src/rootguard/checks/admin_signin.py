"""Can anyone act as an administrator IAM user? One without a password or an active key cannot sign in.

An AdministratorAccess user with no console password and no active access key administers nothing:
nobody can sign in as it, and giving it a credential takes an administrator (or root). The credential
report says which users hold a credential; where it cannot say, the user is undecided, never usable.
"""

from __future__ import annotations

from dataclasses import dataclass

from rootguard.analysis.policy_eval import AdminAssessment
from rootguard.model.authorization import PrincipalKind
from rootguard.model.credential_report import CredentialReport, CredentialReportRow
from rootguard.model.evidence import AccountEvidence
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import CREDENTIAL_REPORT


@dataclass(frozen=True)
class AdminSignIn:
    """Administrators (full ones, or principals that might administer) sorted by whether a person can act as them."""

    usable: tuple[AdminAssessment, ...]
    """Roles, and users holding a console password or an active access key."""
    without_credentials: tuple[AdminAssessment, ...]
    """Users the credential report shows with no password and no active access key."""
    undecided: tuple[AdminAssessment, ...]
    """Users the credential report cannot settle (no report, no row, unreadable cells)."""
    gap: Gap | None = None
    """Why the undecided users are undecided."""


def sort_by_sign_in(account: AccountEvidence, admins: tuple[AdminAssessment, ...]) -> AdminSignIn:
    usable: list[AdminAssessment] = []
    without: list[AdminAssessment] = []
    undecided: list[AdminAssessment] = []
    report = account.credential_report
    rows = {row.arn: row for row in report.users} if isinstance(report, CredentialReport) else {}
    for admin in admins:
        if admin.principal.kind is not PrincipalKind.USER:
            usable.append(admin)
            continue
        row = rows.get(admin.principal.arn)
        holds = None if row is None else _holds_credential(row)
        {True: usable, False: without, None: undecided}[holds].append(admin)
    gap = None
    if undecided:
        gap = report if isinstance(report, Gap) else _rows_gap(account.account_id, undecided)
    return AdminSignIn(tuple(usable), tuple(without), tuple(undecided), gap)


def _holds_credential(row: CredentialReportRow) -> bool | None:
    """True with a password or an active key; False when the report shows neither; None when unreadable."""
    flags = (row.password_enabled, *(key.active for key in row.access_keys))
    if any(flag is True for flag in flags):
        return True
    if all(flag is False for flag in flags):
        return False
    return None


def _rows_gap(account_id: str, users: list[AdminAssessment]) -> Gap:
    names = ", ".join(a.principal.name for a in users)
    return Gap(
        kind=GapKind.INCOMPLETE,
        source=CREDENTIAL_REPORT.path(account_id),
        reason=(
            f"the credential report does not show whether administrator user(s) {names} hold a password or an "
            "active access key (no row, e.g. a user newer than the report, or unreadable cells)."
        ),
        fix=(
            "generate a fresh credential report (iam:GenerateCredentialReport, iam:GetCredentialReport) "
            "and collect again"
        ),
    )
