"""Orchestration: evaluate every check for every account, and run live audits.

Evaluation is pure; a check that raises is reported as ERROR for that account (with the bug's
description) rather than dropped, so a finding is never silently absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rootguard import __version__
from rootguard.checks import ALL_CHECKS, CheckSpec, EvaluationContext, Outcome
from rootguard.errors import UsageError
from rootguard.model.evidence import AccountEvidence, Evidence, Source
from rootguard.model.findings import AccountResult, AuditReport, Finding, Status


def evaluate(
    evidence: Evidence,
    ctx: EvaluationContext,
    checks: Sequence[CheckSpec] = ALL_CHECKS,
    notes: tuple[str, ...] = (),
) -> AuditReport:
    accounts = tuple(
        AccountResult(account.account_id, tuple(_run(spec, account, ctx, evidence.skipped) for spec in checks))
        for account in evidence.accounts
    )
    return AuditReport(
        as_of=ctx.as_of, accounts=accounts, source=evidence.source, tool_version=__version__, notes=notes
    )


def _run(spec: CheckSpec, account: AccountEvidence, ctx: EvaluationContext, skipped: Mapping[Source, str]) -> Finding:
    left_out = [skipped[source] for source in sorted(spec.needs - {Source.REGIONS}) if source in skipped]
    try:
        outcome = _skipped(spec, left_out) if left_out else spec.evaluate(account, ctx)
        if Source.REGIONS in spec.needs and Source.REGIONS in skipped and outcome.status is Status.PASS:
            outcome = _partial_regions(outcome, skipped[Source.REGIONS])
    except Exception as error:  # a bug must still leave a finding, never silence
        outcome = Outcome(
            Status.ERROR,
            f"rootguard failed while evaluating this check ({type(error).__name__}: {error}); "
            "please report it with the evidence bundle.",
        )
    return Finding(
        check_id=spec.check_id,
        status=outcome.status,
        severity=outcome.severity or spec.severity,
        title=spec.title,
        message=outcome.message,
        resource=account.root_arn,
        frameworks=spec.frameworks,
        evidence=outcome.evidence,
        remediation=spec.remediation,
    )


def _skipped(spec: CheckSpec, reasons: list[str]) -> Outcome:
    needed = " and ".join(sorted(source.value for source in spec.needs - {Source.REGIONS}))
    return Outcome(
        Status.SKIPPED,
        f"Not evaluated: {'; '.join(reasons)}. This check needs the {needed} evidence; collect it to judge.",
        {"skipped": reasons},
    )


def _partial_regions(passed: Outcome, reason: str) -> Outcome:
    """A PASS over the Regions read is no PASS for the account: say what held where, and what was not read."""
    return Outcome(
        Status.SKIPPED,
        f"Not evaluated over every enabled Region: {reason}. In the Regions read: {passed.message}",
        {**passed.evidence, "skipped": [reason]},
    )


def select_checks(check_ids: Sequence[str] | None) -> tuple[CheckSpec, ...]:
    """The registered checks named (in report order); ``None``: all of them.

    Selection is the user's choice of what to run: a selected-out check is not run and has no
    finding; every check that runs still has one finding per account.
    """
    if check_ids is None:
        return ALL_CHECKS
    known = {spec.check_id for spec in ALL_CHECKS}
    unknown = [c for c in check_ids if c not in known]
    if unknown:
        raise UsageError(f"unknown check id {unknown[0]!r} (known: {', '.join(s.check_id for s in ALL_CHECKS)})")
    return tuple(spec for spec in ALL_CHECKS if spec.check_id in check_ids)
