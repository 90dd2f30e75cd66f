"""``root-recent-use`` (CIS AWS 3.0.0 1.7): was root's password or an access key used in the window?

All three credential-report dates count and the most recent decides; peers read only the first
one present (Prowler), only the password (ScoutSuite) or compare key dates the wrong way round
(Steampipe). A date the report cannot give (``not_supported``, unreadable text) is never taken
as "not used".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from rootguard.checks.registry import EvaluationContext, Outcome, check, cis, errored, failed, passed
from rootguard.checks.root_facts import describe_cell, report_age_note, report_coverage_gap, root_row
from rootguard.model.approvals import Approval, find_approval
from rootguard.model.credential_report import CredentialReport, CredentialReportRow, DateValue, Sentinel, Unreadable
from rootguard.model.evidence import AccountEvidence
from rootguard.model.findings import Severity, Status
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import CREDENTIAL_REPORT
from rootguard.model.timestamps import describe_age, format_timestamp


@dataclass(frozen=True)
class Use:
    credential: str
    column: str
    value: DateValue


@dataclass(frozen=True)
class DatedUse:
    credential: str
    at: datetime
    approval: Approval | None


def _uses(row: CredentialReportRow) -> list[Use]:
    keys = [
        Use(f"access key {key.number}", f"access_key_{key.number}_last_used_date", key.last_used_date)
        for key in row.access_keys
    ]
    return [Use("password", "password_last_used", row.password_last_used), *keys]


def _unknown(use: Use) -> bool:
    """``N/A`` and ``no_information`` mean "no recorded use"; anything else that is not a date is unknown."""
    return isinstance(use.value, Unreadable) or use.value is Sentinel.NOT_SUPPORTED


@check(
    "root-recent-use",
    title="Root user not used within the window",
    severity=Severity.HIGH,
    frameworks=cis("1.7", "1.6", "2.6"),
    remediation=(
        "Stop using root for administrative and daily work: give administrators IAM roles (IAM Identity "
        "Center or federation) that can do everything but the few root-only tasks, keep root for those "
        "under a break-glass approval (record it in an --approvals file), and if this use was not yours, "
        "change the root password, rotate or delete root keys and review CloudTrail for what root did."
    ),
)
def root_recent_use(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    row = root_row(account)
    if isinstance(row, Gap):
        return errored("Cannot tell when root was last used.", row)
    cutoff = ctx.as_of - timedelta(days=ctx.window_days)
    uses = _uses(row)
    dated = sorted(
        (
            DatedUse(u.credential, u.value, find_approval(ctx.approvals, account.account_id, u.value))
            for u in uses
            if isinstance(u.value, datetime)
        ),
        key=lambda d: d.at,
        reverse=True,
    )
    evidence = {u.column: describe_cell(u.value) for u in uses} | {"window_days": ctx.window_days}
    note = report_age_note(account, ctx.collected_at)
    recent = [d for d in dated if d.at >= cutoff]
    unapproved = [d for d in recent if d.approval is None]
    # Evaluated at or after collection, every recorded use is in the past (a later timestamp is clock
    # skew); only an as-of before collection can hide uses behind a newer "last used".
    seen = [d for d in unapproved if d.at <= ctx.as_of or ctx.as_of >= ctx.collected_at]
    if seen:
        latest = seen[0]
        others = "".join(f" Root's {d.credential} was also used at {format_timestamp(d.at)}." for d in seen[1:])
        return failed(
            f"Root's {latest.credential} was used at {format_timestamp(latest.at)}, "
            f"{describe_age(latest.at, ctx.as_of)}, inside the {ctx.window_days}-day window, "
            f"and no approval covers it.{others}{_approved_text(recent)}{note}",
            **evidence,
        )
    if unapproved:
        return errored(
            "The credential report keeps only each credential's latest use, and that is after the as-of "
            f"time ({format_timestamp(ctx.as_of)}), so uses inside the window before it cannot be seen.",
            _after_as_of_gap(account),
            **evidence,
        )
    unknown = [u for u in uses if _unknown(u)]
    if unknown:
        cells = ", ".join(f"{u.column} is {describe_cell(u.value)}" for u in unknown)
        gap = Gap(
            GapKind.INCOMPLETE,
            CREDENTIAL_REPORT.path(account.account_id),
            f"the root row gives no usable date: {cells}.",
            "generate a fresh report (`aws iam generate-credential-report`) and collect again",
        )
        return errored("Cannot rule out recent root use.", gap, **evidence)
    uncovered = report_coverage_gap(account, ctx.as_of)
    if recent:
        approved = _approved_text(recent).strip()
        verdict = f"Every root use in the {ctx.window_days}-day window that the report shows was approved. {approved}"
    else:
        verdict = _quiet_message(dated, uses, ctx)
    if uncovered is not None:
        # No PASS without proven coverage: what the report shows holds, the span after it is unseen.
        return Outcome(
            Status.MANUAL,
            f"{verdict} The report does not cover the time up to the as-of time: {uncovered.reason} "
            f"Confirm that span from CloudTrail (`rootguard activity`), or {uncovered.fix}.",
            {**evidence, "uncovered": {"from": _generated(account), "to": format_timestamp(ctx.as_of)}},
        )
    if recent:
        approved = _approved_text(recent).strip()
        return passed(f"Every root use in the {ctx.window_days}-day window was approved. {approved}{note}", **evidence)
    return passed(verdict + note, **evidence)


def _generated(account: AccountEvidence) -> str | None:
    report = account.credential_report
    if isinstance(report, CredentialReport) and report.generated_time is not None:
        return format_timestamp(report.generated_time)
    return None


def _approved_text(recent: list[DatedUse]) -> str:
    parts = []
    for d in recent:
        if d.approval is not None:
            a = d.approval
            parts.append(
                f" Root's {d.credential} use at {format_timestamp(d.at)} is covered by approval {a.ticket}"
                f" ({a.reason}; approved by {a.approved_by})."
            )
    return "".join(parts)


def _quiet_message(dated: list[DatedUse], uses: list[Use], ctx: EvaluationContext) -> str:
    if dated:
        last = dated[0]
        return (
            f"No root use in the {ctx.window_days}-day window: the latest was root's {last.credential} at "
            f"{format_timestamp(last.at)}, {describe_age(last.at, ctx.as_of)}."
        )
    cells = ", ".join(f"{u.column} {describe_cell(u.value)}" for u in uses)
    return f"The credential report records no root use at all ({cells})."


def _after_as_of_gap(account: AccountEvidence) -> Gap:
    return Gap(
        GapKind.INCOMPLETE,
        CREDENTIAL_REPORT.path(account.account_id),
        "the report is newer than the period asked about.",
        "evaluate with an --as-of at or after the latest use, or use CloudTrail for earlier periods",
    )
