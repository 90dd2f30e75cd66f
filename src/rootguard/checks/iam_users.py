"""What the IAM user checks share: the report's user rows, and cells that cannot be judged.

A user check reads only the credential report's non-root rows. A cell that holds a sentinel
where a value is needed, or unreadable text, is an ``Unknown`` naming the user and the column;
unparsed report lines are unknowns too, since a user could hide on one. Neither is ever a PASS.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rootguard.checks.root_facts import describe_cell
from rootguard.model.credential_report import CredentialReportRow, DateValue, FlagValue, Sentinel
from rootguard.model.evidence import AccountEvidence
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import CREDENTIAL_REPORT

REFRESH = "generate a fresh report (`aws iam generate-credential-report`) and collect again"


@dataclass(frozen=True)
class Users:
    """The report's IAM user rows, and the lines that could not be parsed."""

    rows: tuple[CredentialReportRow, ...]
    unparsed: tuple[str, ...]


def user_rows(account: AccountEvidence) -> Users | Gap:
    report = account.credential_report
    if isinstance(report, Gap):
        return report
    return Users(report.users, report.problems)


@dataclass(frozen=True)
class Unknown:
    """A cell a verdict needs that holds no usable value."""

    user: str
    column: str
    value: object

    def describe(self) -> str:
        return f"user {self.user!r}: {self.column} is {describe_cell(self.value)}"


def unknown_gap(account: AccountEvidence, unknowns: Sequence[Unknown], unparsed: Sequence[str]) -> Gap:
    """One Gap for every cell and line that kept a verdict out of reach."""
    parts = [u.describe() for u in unknowns] + [f"unparsed {line}" for line in unparsed]
    return Gap(
        GapKind.MALFORMED if unparsed and not unknowns else GapKind.INCOMPLETE,
        CREDENTIAL_REPORT.path(account.account_id),
        f"the credential report cannot settle it: {'; '.join(parts)}.",
        REFRESH,
    )


def as_flag(row: CredentialReportRow, column: str, value: FlagValue) -> bool | Unknown:
    return value if isinstance(value, bool) else Unknown(row.user, column, value)


def as_date(row: CredentialReportRow, column: str, value: DateValue) -> datetime | Unknown:
    return value if isinstance(value, datetime) else Unknown(row.user, column, value)


def never_used(value: DateValue) -> bool:
    """``N/A`` and ``no_information``: the report records no use (never, or before tracking began)."""
    return value in (Sentinel.NOT_APPLICABLE, Sentinel.NO_INFORMATION)


def whole_days(span: timedelta) -> int:
    """Complete days in a span, for messages (a negative span counts as 0)."""
    return max(span.days, 0)
