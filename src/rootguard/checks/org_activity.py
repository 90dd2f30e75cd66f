"""``org-root-activity``: root use in each member, from every CloudTrail input of the organization bundle.

A member's row judges the records whose ``recipientAccountId`` is that member (its own LookupEvents answers
plus an organization trail's ``AWSLogs/o-…/<member>/`` files), with the same classification, approvals and
coverage rules as ``root-activity``. The management account's row is the roll-up: the members with
unapproved root use (FAIL) and those whose evidence does not cover the window (ERROR, never PASS).
"""

from __future__ import annotations

from dataclasses import replace

from rootguard.checks.org_root import outside_organization
from rootguard.checks.registry import EvaluationContext, Outcome, check, failed, not_applicable, passed
from rootguard.checks.root_activity import root_activity
from rootguard.model.evidence import AccountEvidence, Source
from rootguard.model.findings import Severity, Status
from rootguard.model.organization import ACTIVE, OrgAccount

ROLLUP_SHOWN = 20


def member_outcome(account: AccountEvidence, member: str, ctx: EvaluationContext) -> Outcome:
    """``root-activity``'s verdict on the member's records from the whole bundle."""
    view = account.organization
    assert view is not None
    trail = view.trail if member == account.account_id else view.organization.member_trails[member]
    return root_activity.evaluate(replace(account, account_id=member, cloudtrail=trail), ctx)


def _active_members(account: AccountEvidence) -> list[str]:
    view = account.organization
    assert view is not None
    listed = view.organization.accounts
    states = {a.account_id: a.state for a in listed} if isinstance(listed, tuple) else {}
    return [m for m in view.organization.member_trails if states.get(m, ACTIVE) == ACTIVE]


@check(
    "org-root-activity",
    title="No unapproved root activity in any member account",
    severity=Severity.HIGH,
    frameworks={},
    remediation=(
        "For each member named: find who used its root user and why (the member's row lists the events), "
        "rotate what was exposed, and do such work with IAM roles or centralized root sessions (sts:AssumeRoot) "
        "recorded in an --approvals file. For members without coverage, deliver an organization trail "
        "(AWSLogs/o-…/<account>/ with digest files) or collect each member's LookupEvents answers."
    ),
    needs=frozenset({Source.CLOUDTRAIL}),
)
def org_root_activity(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    view = account.organization
    if view is None:
        return outside_organization()
    if not view.rollup:
        return member_outcome(account, account.account_id, ctx)
    members = _active_members(account)
    if not members:
        return not_applicable("The organization audit holds no active member account to roll up.")
    used: list[str] = []
    uncovered: list[str] = []
    for member in members:
        outcome = member_outcome(account, member, ctx)
        if outcome.status is Status.FAIL:
            used.append(member)
        elif outcome.status is not Status.PASS:
            uncovered.append(member)
    evidence = {"members": len(members), "unapproved_root_use": used, "without_coverage": uncovered}
    names = _names(account)
    if used:
        also = f" Without full coverage: {_list(uncovered, names)}." if uncovered else ""
        return failed(f"Unapproved root use in {len(used)} member(s): {_list(used, names)}.{also}", **evidence)
    if uncovered:
        return Outcome(
            Status.ERROR,
            f"No unapproved root use found, but {len(uncovered)} member(s) have no CloudTrail evidence covering "
            f"the window: {_list(uncovered, names)}. Fix: deliver an organization trail (AWSLogs/o-…/<account>/ "
            "log and digest files under the management account's cloudtrail-logs/) or collect each member's "
            "LookupEvents answers; each member's own row says what is missing.",
            evidence,
        )
    return passed(f"No unapproved root use in any of the {len(members)} active member(s) over the window.", **evidence)


def _names(account: AccountEvidence) -> dict[str, str]:
    view = account.organization
    listed = view.organization.accounts if view is not None else ()
    return {a.account_id: a.name for a in listed if isinstance(a, OrgAccount)} if isinstance(listed, tuple) else {}


def _list(members: list[str], names: dict[str, str]) -> str:
    shown = [f"{m} ({names[m]})" if names.get(m) else m for m in members[:ROLLUP_SHOWN]]
    more = f" and {len(members) - ROLLUP_SHOWN} more" if len(members) > ROLLUP_SHOWN else ""
    return ", ".join(shown) + more
