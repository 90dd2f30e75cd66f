"""Orchestration: evaluate every check for every account, and run live audits.

Evaluation is pure; a check that raises is reported as ERROR for that account (with the bug's
description) rather than dropped, so a finding is never silently absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rootguard import __version__
from rootguard.checks import ALL_CHECKS, ORGANIZATION_CHECKS, CheckSpec, EvaluationContext, Outcome
from rootguard.checks.org_root import probe_error_kind
from rootguard.checks.registry import errored
from rootguard.errors import UsageError
from rootguard.model.evidence import AccountEvidence, Evidence, Source
from rootguard.model.findings import AccountResult, AuditReport, Finding, OrganizationInfo, Status
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.organization import (
    ACTIVE,
    AccountPlacement,
    OrgAccount,
    OrganizationFacts,
    OrganizationView,
    Selection,
)


def evaluate(
    evidence: Evidence,
    ctx: EvaluationContext,
    checks: Sequence[CheckSpec] = ALL_CHECKS,
    notes: tuple[str, ...] = (),
    organization_checks: Sequence[CheckSpec] = ORGANIZATION_CHECKS,
) -> AuditReport:
    """Every check for every account; on an organization bundle the organization checks follow, and an account
    that is not ACTIVE has every finding SKIPPED with its state (contract §3, §5.7)."""
    if organization_view(evidence) is None:
        accounts = tuple(
            AccountResult(account.account_id, tuple(_run(spec, account, ctx, evidence.skipped) for spec in checks))
            for account in evidence.accounts
        )
        return AuditReport(
            as_of=ctx.as_of, accounts=accounts, source=evidence.source, tool_version=__version__, notes=notes
        )
    every = (*checks, *organization_checks)
    results = tuple(_organization_row(account, every, ctx, evidence.skipped) for account in evidence.accounts)
    return AuditReport(
        as_of=ctx.as_of,
        accounts=results,
        source=evidence.source,
        tool_version=__version__,
        notes=notes,
        organization=organization_info(evidence),
    )


def organization_view(evidence: Evidence) -> OrganizationView | None:
    return next((a.organization for a in evidence.accounts if a.organization is not None), None)


def _organization_row(
    account: AccountEvidence, checks: Sequence[CheckSpec], ctx: EvaluationContext, skipped: Mapping[Source, str]
) -> AccountResult:
    view = account.organization
    state = view.state if view is not None else None
    if state is not None and state != ACTIVE:
        findings = tuple(_inactive(spec, account, state) for spec in checks)
    else:
        findings = tuple(_member_row(spec, account, ctx, skipped) for spec in checks)
    placement = view.placement if view is not None else None
    return AccountResult(
        account.account_id,
        findings,
        name=view.account.name if view is not None and isinstance(view.account, OrgAccount) else None,
        ou_path=placement.path if isinstance(placement, AccountPlacement) else None,
        state=state,
        management=view.management if view is not None else False,
    )


def _member_row(
    spec: CheckSpec, account: AccountEvidence, ctx: EvaluationContext, skipped: Mapping[Source, str]
) -> Finding:
    """A member's single-account checks: ERROR of the audit role's kind when it could not be assumed,
    SKIPPED under ``--no-member-audit``; the organization checks always run."""
    view = account.organization
    if view is None or view.management or spec in ORGANIZATION_CHECKS:
        return _run(spec, account, ctx, skipped)
    failed = _collection_failure(account, view)
    if failed is not None:
        what, gap = failed
        kind = probe_error_kind(gap)
        outcome = errored(f"{what} ({kind}), so its evidence was not read.", gap, probe_error=kind)
        return _finding(spec, account, outcome)
    if Source.MEMBER_AUDIT in skipped:
        reason = skipped[Source.MEMBER_AUDIT]
        return _finding(spec, account, Outcome(Status.SKIPPED, f"Not evaluated: {reason}.", {"skipped": [reason]}))
    return _run(spec, account, ctx, skipped)


def _collection_failure(account: AccountEvidence, view: OrganizationView) -> tuple[str, Gap] | None:
    """Why a member's single-account evidence could not be collected at all (contract §5.7), or None."""
    if isinstance(view.audit_role, Gap):
        return "The audit role could not be assumed in this member", view.audit_role
    identity = account.caller_identity
    if isinstance(identity, Gap) and identity.kind is GapKind.API_ERROR:  # the collector's record of a failed probe
        return "The member's collection failed", identity
    return None


def _inactive(spec: CheckSpec, account: AccountEvidence, state: str) -> Finding:
    reason = f"the account's state is {state} (organizations:ListAccounts), so it was not audited"
    outcome = Outcome(Status.SKIPPED, f"Not evaluated: {reason}.", {"skipped": [reason], "state": state})
    return _finding(spec, account, outcome)


def organization_info(evidence: Evidence) -> OrganizationInfo | None:
    view = organization_view(evidence)
    if view is None:
        return None
    organization = view.organization
    listed = organization.accounts
    excluded = organization.selection.excluded if isinstance(organization.selection, Selection) else {}
    return OrganizationInfo(
        organization_id=organization.facts.organization_id if isinstance(organization.facts, OrganizationFacts) else "",
        management_account_id=organization.management_account_id or "",
        listed_accounts=len(listed) if isinstance(listed, tuple) else len(evidence.accounts) + len(excluded),
        excluded=dict(excluded),
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
    return _finding(spec, account, outcome)


def _finding(spec: CheckSpec, account: AccountEvidence, outcome: Outcome) -> Finding:
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


def select_organization_checks(include: Sequence[str] | None, exclude: Sequence[str] = ()) -> tuple[CheckSpec, ...]:
    """The organization checks a selection keeps: all unless ``include`` names some, less ``exclude``."""
    return tuple(
        spec
        for spec in ORGANIZATION_CHECKS
        if (include is None or spec.check_id in include) and spec.check_id not in exclude
    )
