"""``org-scp-deny-root``: the effective SCPs deny the member's root user but let AssumeRoot sessions work.

The AWS sample SCP denies every action when ``aws:PrincipalArn`` is like ``arn:aws:iam::*:root`` and
``aws:AssumedRoot`` is Null, so the real root user is stopped and centralized root sessions still do
their tasks. The older NotAction allow-list variant stops the sessions too, and an OU without an Allow
(FullAWSAccess detached) stops everything: both are FAILs that name the level.
"""

from __future__ import annotations

from typing import Any

from rootguard.analysis.scp import Level, NamedPolicy, Truth, Verdict, assess_root
from rootguard.checks.org_root import outside_organization
from rootguard.checks.registry import EvaluationContext, Outcome, check, errored, failed, not_applicable, passed
from rootguard.model.evidence import AccountEvidence
from rootguard.model.findings import Severity, Status
from rootguard.model.gaps import Gap
from rootguard.model.organization import ScpLevel

SAMPLE_SCP = (
    'Attach to the member OUs an SCP that denies root and spares AssumeRoot sessions: {"Effect": "Deny", '
    '"Action": "*", "Resource": "*", "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}, '
    '"Null": {"aws:AssumedRoot": "true"}}} (rootguard remediate --org writes it with the attach command); keep '
    "FullAWSAccess (or an Allow for what members need) attached at the root, every OU and every account, and "
    "replace NotAction allow-lists for root with this Null aws:AssumedRoot form."
)


def _levels(levels: tuple[ScpLevel, ...]) -> tuple[list[Level], list[Gap]]:
    found: list[Level] = []
    gaps: list[Gap] = []
    for level in levels:
        if isinstance(level.policies, Gap):
            gaps.append(level.policies)
            continue
        named = []
        for scp in level.policies:
            if isinstance(scp.document, Gap):
                gaps.append(scp.document)
            else:
                named.append(NamedPolicy(scp.name, scp.document))
        found.append(Level(level.label, tuple(named)))
    return found, gaps


def _describe(items: tuple[tuple[str, Verdict], ...]) -> str:
    """``a, b: denied by …; c: allowed``: actions that share a reason are named together."""
    grouped: dict[str, list[str]] = {}
    for action, verdict in items:
        reason = ", ".join(verdict.reasons) or f"{verdict.decision.value}, no SCP on the path denies them"
        grouped.setdefault(reason, []).append(action)
    return "; ".join(f"{', '.join(actions)}: {reason}" for reason, actions in grouped.items())


@check(
    "org-scp-deny-root",
    title="SCPs deny the member's root user and let AssumeRoot sessions through",
    severity=Severity.MEDIUM,
    frameworks={},
    remediation=SAMPLE_SCP,
)
def org_scp_deny_root(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    view = account.organization
    if view is None:
        return outside_organization()
    if view.management:
        return not_applicable(
            "SCPs never apply to the management account; its root is judged by the root-* checks of its own row."
        )
    enabled = view.organization.scp_enabled
    if isinstance(enabled, Gap):
        return errored("Whether SCPs are enabled in the organization cannot be told.", enabled)
    if not enabled:
        return failed(
            "The SERVICE_CONTROL_POLICY type is not enabled on the organization's root (list-roots): no SCP "
            "restricts this member's root user.",
            scp_enabled=False,
        )
    if isinstance(view.scp_levels, Gap):
        return errored("The SCPs that apply to this account cannot be told.", view.scp_levels)
    levels, gaps = _levels(view.scp_levels)
    evidence: dict[str, Any] = {
        "levels": [
            {
                "target": lvl.target_id,
                "label": lvl.label,
                "policies": [] if isinstance(lvl.policies, Gap) else [scp.name for scp in lvl.policies],
            }
            for lvl in view.scp_levels
        ]
    }
    if gaps:
        return errored(
            "Not every SCP on this account's path could be read, so their effect cannot be told.", *gaps, **evidence
        )
    assessment = assess_root(levels, account.account_id, account.partition or "aws")
    evidence |= {
        "root_not_denied": [a for a, _ in assessment.root_allowed],
        "assume_root_tasks_blocked": [a for a, _ in assessment.tasks_blocked],
    }
    problems = []
    if assessment.root_denied is Truth.NO:
        problems.append(f"the root user is not denied ({_describe(assessment.root_allowed)})")
    if assessment.tasks_work is Truth.NO:
        problems.append(
            "AssumeRoot sessions cannot do their tasks, so centralized root access breaks "
            f"({_describe(assessment.tasks_blocked)})"
        )
    if problems:
        return failed(f"The effective SCPs fail: {'; and '.join(problems)}.", **evidence)
    unknown = []
    if assessment.root_denied is Truth.UNKNOWN:
        unknown.append(f"whether root is denied ({_describe(assessment.root_allowed)})")
    if assessment.tasks_work is Truth.UNKNOWN:
        unknown.append(f"whether AssumeRoot tasks work ({_describe(assessment.tasks_blocked)})")
    if unknown:
        return Outcome(
            Status.MANUAL,
            f"rootguard cannot tell {' or '.join(unknown)}: confirm what these statements do for "
            "arn:aws:iam::<account>:root with and without aws:AssumedRoot.",
            evidence,
        )
    return passed(
        f"Across {len(levels)} SCP level(s) ({', '.join(lvl.label for lvl in levels)}) every action of the root "
        "user is denied while AssumeRoot sessions may do the root tasks.",
        **evidence,
    )
