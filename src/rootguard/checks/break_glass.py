"""``break-glass``: a declared, working way to do the few tasks that need root (CIS AWS 3.0.0 1.7).

The declaration and the attestations come from ``rootguard.toml`` (``ctx.break_glass``); the
evidence confirms what it can: a declared IAM user exists and has MFA, a declared role exists
(roles from the authorization details, see ``known_roles``). What no API shows (root password in a
vault, MFA device custody, the last rehearsal) needs a recent attestation with who and when.

Verdict: FAIL when a declared principal is missing or a declared user has no MFA; ERROR when
the evidence to confirm one is unavailable; MANUAL when nothing is declared for the account, a
role cannot be confirmed, or an attestation is missing or older than the maximum age at as-of;
PASS otherwise, with the attestations as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rootguard.checks.iam_users import REFRESH, user_rows, whole_days
from rootguard.checks.registry import EvaluationContext, Outcome, check, cis, errored, failed_at
from rootguard.checks.root_facts import describe_cell, root_row
from rootguard.model.break_glass import Attestation, AttestationKind, Principal, PrincipalKind
from rootguard.model.evidence import AccountEvidence
from rootguard.model.findings import Severity, Status
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import CREDENTIAL_REPORT
from rootguard.model.timestamps import format_timestamp

RoleArns = frozenset[str] | Gap | None
"""The account's IAM role ARNs; a Gap when they could not be read; ``None`` when no evidence holds them."""


def known_roles(account: AccountEvidence) -> RoleArns:
    """The role inventory declared roles are checked against: the authorization details' roles, or their Gap."""
    if isinstance(account.authorization, Gap):
        return account.authorization
    return frozenset(role.arn for role in account.authorization.roles)


@dataclass(frozen=True)
class Verdict:
    """What the evidence says about one declared principal or one attestation."""

    status: Status
    text: str
    gap: Gap | None = None


def judge_principal(account: AccountEvidence, principal: Principal, roles: RoleArns) -> Verdict:
    match principal.kind:
        case PrincipalKind.ROOT:
            return _judge_root(account)
        case PrincipalKind.ROLE:
            return _judge_role(principal.text, roles)
        case PrincipalKind.USER:
            return _judge_user(account, principal.text)


def _judge_root(account: AccountEvidence) -> Verdict:
    """Root always exists; its row shows the evidence describes this account's root at all."""
    row = root_row(account)
    if isinstance(row, Gap):
        return Verdict(Status.ERROR, "root: the credential report's root row is unavailable", row)
    return Verdict(Status.PASS, "the root user (its MFA is judged by root-mfa and root-hardware-mfa)")


def _judge_role(arn: str, roles: RoleArns) -> Verdict:
    if roles is None:
        return Verdict(
            Status.MANUAL,
            f"role {arn}: its existence could not be verified (the evidence holds no list of roles); "
            "confirm it exists and who may assume it",
        )
    if isinstance(roles, Gap):
        return Verdict(Status.ERROR, f"role {arn}: the list of roles is unavailable", roles)
    if arn in roles:
        return Verdict(Status.PASS, f"role {arn} exists")
    return Verdict(Status.FAIL, f"role {arn} does not exist in the account")


def _judge_user(account: AccountEvidence, arn: str) -> Verdict:
    users = user_rows(account)
    if isinstance(users, Gap):
        return Verdict(Status.ERROR, f"user {arn}: the credential report is unavailable", users)
    row = next((r for r in users.rows if r.arn == arn), None)
    if row is None:
        if users.unparsed:
            gap = Gap(
                GapKind.MALFORMED,
                CREDENTIAL_REPORT.path(account.account_id),
                f"the user may be on a line that could not be parsed: {'; '.join(users.unparsed)}.",
                REFRESH,
            )
            return Verdict(Status.ERROR, f"user {arn} is not among the readable report rows", gap)
        return Verdict(Status.FAIL, f"user {arn} is not in the credential report: it does not exist")
    mfa = row.mfa_active
    if mfa is True:
        return Verdict(Status.PASS, f"user {row.user!r} exists and has MFA")
    if mfa is False:
        return Verdict(Status.FAIL, f"user {row.user!r} has no MFA (mfa_active=false)")
    gap = Gap(
        GapKind.INCOMPLETE,
        CREDENTIAL_REPORT.path(account.account_id),
        f"user {row.user!r}: mfa_active is {describe_cell(mfa)}.",
        REFRESH,
    )
    return Verdict(Status.ERROR, f"user {row.user!r}: whether it has MFA cannot be told", gap)


def judge_attestation(
    kind: AttestationKind, attestation: Attestation | None, as_of: datetime, max_age_days: int
) -> Verdict:
    if attestation is None:
        return Verdict(Status.MANUAL, f"no attestation of the {kind.describe} ({kind.value}) made by the as-of time")
    age = as_of - attestation.attested_at
    said = (
        f"{kind.describe} attested by {attestation.attested_by} at {format_timestamp(attestation.attested_at)} "
        f"({whole_days(age)} days before as-of)"
    )
    if age > timedelta(days=max_age_days):
        return Verdict(Status.MANUAL, f"{said}, older than the {max_age_days}-day maximum: attest it again")
    return Verdict(Status.PASS, said)


def _attestation_evidence(attestation: Attestation, as_of: datetime) -> dict[str, Any]:
    return {
        "kind": attestation.kind.value,
        "attested_by": attestation.attested_by,
        "attested_at": format_timestamp(attestation.attested_at),
        "age_days": whole_days(as_of - attestation.attested_at),
        "note": attestation.note,
    }


def evaluate_break_glass(account: AccountEvidence, ctx: EvaluationContext, roles: RoleArns) -> Outcome:
    """The break-glass verdict, with the role inventory passed in (``known_roles`` in production)."""
    declared = ctx.break_glass.principals_for(account.account_id)
    if not declared:
        return Outcome(
            Status.MANUAL,
            "No break-glass principal is declared for this account: declare who breaks the glass (root, or an "
            "IAM user or role) and attest the root password vault, MFA custody and the last rehearsal in "
            "rootguard.toml [break_glass].",
            {"principals": [], "attestations": []},
        )
    principals = [(p, judge_principal(account, p, roles)) for p in declared]
    latest = {k: ctx.break_glass.latest(k, account.account_id, ctx.as_of) for k in AttestationKind}
    attested = [judge_attestation(k, a, ctx.as_of, ctx.thresholds.attestation_max_age_days) for k, a in latest.items()]
    verdicts = [v for _, v in principals] + attested
    evidence = {
        "principals": [{"principal": p.text, "status": v.status.value, "detail": v.text} for p, v in principals],
        "attestations": [_attestation_evidence(a, ctx.as_of) for a in latest.values() if a is not None],
        "attestation_max_age_days": ctx.thresholds.attestation_max_age_days,
    }
    by_status = {s: [v.text for v in verdicts if v.status is s] for s in Status}
    if by_status[Status.FAIL]:
        return failed_at(Severity.HIGH, f"Break-glass does not hold: {'; '.join(by_status[Status.FAIL])}.", evidence)
    gaps = [v.gap for v in verdicts if v.gap is not None]
    if by_status[Status.ERROR]:
        problems = "; ".join(by_status[Status.ERROR])
        return errored(f"Cannot confirm the break-glass principals: {problems}.", *gaps, **evidence)
    if by_status[Status.MANUAL]:
        confirmed = "; ".join(by_status[Status.PASS])
        return Outcome(
            Status.MANUAL,
            f"Break-glass needs a person: {'; '.join(by_status[Status.MANUAL])}."
            + (f" Confirmed: {confirmed}." if confirmed else ""),
            evidence,
        )
    return Outcome(Status.PASS, f"Break-glass is declared and attested: {'; '.join(by_status[Status.PASS])}.", evidence)


@check(
    "break-glass",
    title="A break-glass process for root-only tasks is declared, working and attested",
    severity=Severity.HIGH,
    frameworks=cis("1.7", "1.6", "2.6"),
    remediation=(
        "Declare the break-glass principals in rootguard.toml [break_glass] (root, or IAM user/role ARNs), give "
        "each declared user hardware MFA, keep the root password in a vault under dual control and the "
        "hardware MFA with a named custodian, rehearse the procedure (sign in, MFA, alarm fires, approval "
        "recorded) and record each fact as a [[break_glass.attestation]] with who and when."
    ),
)
def break_glass(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    return evaluate_break_glass(account, ctx, known_roles(account))
