"""``iam-user-mfa`` (CIS AWS 3.0.0 1.10): every IAM user with a console password has MFA.

Read from the credential report's user rows (root is judged by ``root-mfa``). A user without a
password is out of scope whatever ``mfa_active`` says; a password flag or MFA flag that is not
``true``/``false`` is an ERROR naming the user and the column.
"""

from __future__ import annotations

from rootguard.checks.iam_users import Unknown, as_flag, unknown_gap, user_rows
from rootguard.checks.registry import EvaluationContext, Outcome, check, cis, errored, failed, passed
from rootguard.checks.root_facts import report_age_note
from rootguard.model.credential_report import CredentialReportRow
from rootguard.model.evidence import AccountEvidence
from rootguard.model.findings import Severity
from rootguard.model.gaps import Gap

SHOWN = 10
"""Users named in a message; the evidence lists them all."""


@check(
    "iam-user-mfa",
    title="Every IAM user with a console password has MFA",
    severity=Severity.HIGH,
    frameworks=cis("1.10", "1.9", "2.9"),
    remediation=(
        "For each listed user, assign an MFA device (IAM → Users → Security credentials → Assign MFA device; "
        "a FIDO security key or hardware token where possible) or, if the user does not need the console, "
        "delete the login profile (`aws iam delete-login-profile --user-name NAME`). Better still, move "
        "people to IAM Identity Center and keep no IAM users with passwords."
    ),
)
def iam_user_mfa(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    users = user_rows(account)
    if isinstance(users, Gap):
        return errored("Cannot tell which IAM users lack MFA.", users)
    without: list[str] = []
    unknowns: list[Unknown] = []
    console = 0
    for row in users.rows:
        verdict = _has_mfa(row)
        if verdict is None:
            continue
        console += 1
        if isinstance(verdict, Unknown):
            unknowns.append(verdict)
        elif not verdict:
            without.append(row.user)
    evidence = {"users_with_console_password": console, "users_without_mfa": without}
    note = report_age_note(account, ctx.collected_at)
    if without:
        names = ", ".join(repr(name) for name in without[:SHOWN])
        if len(without) > SHOWN:
            names += f" and {len(without) - SHOWN} more (see evidence)"
        extra = f" Also unjudged: {unknown_gap(account, unknowns, users.unparsed).reason}" if unknowns else ""
        return failed(
            f"{len(without)} of {console} IAM user(s) with a console password have no MFA: {names}.{extra}{note}",
            **evidence,
        )
    if unknowns or users.unparsed:
        return errored(
            "Cannot tell whether every console user has MFA.",
            unknown_gap(account, unknowns, users.unparsed),
            **evidence,
        )
    if console == 0:
        return passed(f"No IAM user has a console password ({len(users.rows)} IAM user(s)).{note}", **evidence)
    return passed(f"All {console} IAM user(s) with a console password have MFA.{note}", **evidence)


def _has_mfa(row: CredentialReportRow) -> bool | Unknown | None:
    """``None`` when the user has no password; otherwise whether MFA is active, or what is unknown."""
    password = as_flag(row, "password_enabled", row.password_enabled)
    if password is False:
        return None
    if isinstance(password, Unknown):
        return password
    return as_flag(row, "mfa_active", row.mfa_active)
