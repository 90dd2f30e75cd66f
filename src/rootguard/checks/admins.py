"""Administrators who can do the work without root (CIS 1.7: "create an administrative IAM identity").

``admin-principals``: some role or user other than root is an administrator.
``admin-root-adjacent``: the administrators can also do the account-wide tasks that look like root's
(account alias, password policy, service-linked roles, contacts), so nobody reaches for root to do them.
"""

from __future__ import annotations

from typing import Any

from rootguard.analysis.policy_eval import (
    AdminAssessment,
    AdminCensus,
    AdminLevel,
    MissingDocument,
    census,
    denied_among,
)
from rootguard.checks.admin_signin import sort_by_sign_in
from rootguard.checks.registry import EvaluationContext, Outcome, check, cis, errored, failed, passed
from rootguard.model.account_settings import (
    ROOT_ADJACENT_ACTIONS,
    Decision,
    IdentityCenter,
    Simulation,
    simulation_command,
)
from rootguard.model.authorization import AuthorizationDetails, PrincipalKind, principal_resource
from rootguard.model.evidence import AccountEvidence
from rootguard.model.findings import Severity, Status
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import AUTHORIZATION_DETAILS, SIMULATE_PRINCIPAL

IDENTITY_CENTER_ROLE_PREFIX = "AWSReservedSSO_"

SIMULATOR_LIMITS = (
    "Simulator limits (AWS IAM User Guide, testing policies with the IAM policy simulator): it weighs the "
    "principal's identity-based policies, its permissions boundary and, in an AWS Organizations member "
    "account, the SCPs, but it does not evaluate SCPs that have any conditions; rootguard passes no request "
    "context (keys such as MFA or source IP come back as missing context values) and no resource policy; "
    "and AWS warns that simulator results can differ from the live environment."
)


def _admin_evidence(admins: tuple[AdminAssessment, ...]) -> list[dict[str, Any]]:
    return [
        {
            "principal": a.principal.arn,
            "kind": a.principal.kind.value,
            "level": a.level.value,
            "granted_by": list(a.granted_by),
            "exceptions": list(a.exceptions),
            "notes": list(a.notes),
        }
        for a in admins
    ]


def _census_evidence(found: AdminCensus) -> dict[str, Any]:
    """The administrators and service-role administrators always; the rest only when there is any."""
    evidence: dict[str, Any] = {
        "administrators": _admin_evidence(found.administrators),
        "service_role_administrators": _admin_evidence(found.service_roles),
    }
    if found.unassumable:
        evidence["unassumable_role_administrators"] = [
            {**entry, "why_nobody_can_assume": list(a.trust.reasons if a.trust else ())}
            for entry, a in zip(_admin_evidence(found.unassumable), found.unassumable, strict=True)
        ]
    if found.undetermined:
        evidence["undetermined"] = [
            {**entry, "missing": [m.describe() for m in a.missing]}
            for entry, a in zip(_admin_evidence(found.undetermined), found.undetermined, strict=True)
        ]
    return evidence


def _unassumable_note(found: AdminCensus) -> str:
    if not found.unassumable:
        return ""
    listed = "; ".join(
        f"{a.principal.name} ({a.trust.describe() if a.trust else 'its trust policy allows nobody'})"
        for a in found.unassumable
    )
    return f" Administrator roles no one can assume (not counted): {listed}."


def document_gaps(account_id: str, admins: tuple[AdminAssessment, ...]) -> list[Gap]:
    """One Gap per document the undetermined principals need (the same document once)."""
    found: dict[str, Gap] = {}
    for admin in admins:
        for missing in admin.missing:
            found.setdefault(missing.describe(), _document_gap(account_id, missing))
    return list(found.values())


def _document_gap(account_id: str, missing: MissingDocument) -> Gap:
    return Gap(
        kind=GapKind.MALFORMED if missing.malformed else GapKind.INCOMPLETE,
        source=AUTHORIZATION_DETAILS.path(account_id),
        reason=f"{missing.describe()}.",
        fix=missing.fix,
    )


def _identity_center_note(account: AccountEvidence, admins: tuple[AdminAssessment, ...]) -> str:
    sso_roles = [a.principal.name for a in admins if a.principal.name.startswith(IDENTITY_CENTER_ROLE_PREFIX)]
    center = account.identity_center
    if isinstance(center, IdentityCenter):
        seen = (
            f" IAM Identity Center: {len(center.instance_arns)} instance(s) visible in {center.region}."
            if center.instance_arns
            else f" IAM Identity Center: no instance visible in {center.region} (its home Region may be another)."
        )
    else:
        seen = f" IAM Identity Center could not be looked up ({center.source}: {center.reason})"
    if sso_roles:
        seen += f" Roles provisioned by IAM Identity Center permission sets: {', '.join(sso_roles)}."
    return seen


@check(
    "admin-principals",
    title="An IAM role or user other than root can administer the account",
    severity=Severity.HIGH,
    frameworks=cis("1.7", "1.6", "2.6"),
    remediation=(
        "Give administrators an identity of their own so nobody needs root for daily work: preferably an IAM "
        "Identity Center permission set with AdministratorAccess (it provisions an AWSReservedSSO_ role), or an "
        "IAM role assumable by your people (MFA required in its trust policy), or failing that an IAM user in "
        "an administrators group with MFA. Keep root for the tasks only root can do."
    ),
)
def admin_principals(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    details = account.authorization
    if isinstance(details, Gap):
        return errored("Cannot tell who administers the account.", details)
    found = census(details)
    admins = found.administrators
    full = tuple(a for a in admins if a.level is AdminLevel.FULL)
    conditional = tuple(a for a in admins if a.level is AdminLevel.CONDITIONAL)
    note = _identity_center_note(account, admins)
    if found.service_roles:
        note += (
            " Administrator roles only AWS services can assume (not counted): "
            f"{', '.join(a.principal.name for a in found.service_roles)}."
        )
    note += _unassumable_note(found)
    evidence = _census_evidence(found)
    sign_in = sort_by_sign_in(account, full)
    # A principal whose documents cannot be read might administer; a user of them counts only with a credential.
    maybe = sort_by_sign_in(account, found.undetermined)
    nobody_signs_in = (*sign_in.without_credentials, *maybe.without_credentials)
    if nobody_signs_in:
        note += (
            " Administrator users nobody can sign in as (no console password, no active access key): "
            f"{_names(nobody_signs_in)}."
        )
    undetermined = (*maybe.usable, *maybe.undecided)
    if sign_in.usable:
        if sign_in.undecided:
            note += (
                " Administrator users the credential report does not show holding a credential (not counted): "
                f"{_names(sign_in.undecided)}."
            )
        if undetermined:
            note += (
                " Whether these administer cannot be told, a document they need being missing or unreadable "
                f"(not counted): {_names(undetermined)}."
            )
        return passed(
            f"Administrators other than root: {_names(sign_in.usable)}.{_also(conditional)}{note}", **evidence
        )
    gaps = document_gaps(account.account_id, undetermined)
    if sign_in.undecided and sign_in.gap is not None:
        gaps.insert(0, sign_in.gap)
    if maybe.undecided and maybe.gap is not None and maybe.gap not in gaps:
        gaps.append(maybe.gap)
    if gaps:
        parts = []
        if sign_in.undecided:
            parts.append(
                f"The only full administrators are IAM users whose credentials cannot be read: "
                f"{_names(sign_in.undecided)}."
            )
        if undetermined:
            parts.append(f"No administrator is proven: {_might(undetermined)}.")
        if conditional:
            parts.append(f"Conditional administrators: {_names(conditional)}.")
        return errored(f"{' '.join(parts)}{note}", *gaps, **evidence)
    if conditional:
        return Outcome(
            Status.MANUAL,
            f"Only conditional administrators: {'; '.join(a.describe() for a in conditional)}. Confirm a person can "
            f"meet the conditions, or the account can only be fully administered as root.{note}",
            evidence,
        )
    if sign_in.without_credentials:
        return failed(
            "The only full administrators are IAM users with no console password and no active access key: "
            f"nobody can act as them, so the account can only be administered as root.{note}",
            **evidence,
        )
    who = "role a person can assume" if found.unassumable or found.service_roles else "role"
    return failed(
        f"No IAM {who} or user is allowed every action on every resource: the account can only be administered "
        f"as root.{note}",
        **evidence,
    )


def _names(admins: tuple[AdminAssessment, ...]) -> str:
    return "; ".join(a.describe() for a in admins)  # administrators() lists roles first


def _might(admins: tuple[AdminAssessment, ...]) -> str:
    """``role Maybe might administer, but a document it needs is missing or unreadable`` (the gaps name it)."""
    names = ", ".join(f"{a.principal.kind.value} {a.principal.name}" for a in admins)
    one = len(admins) == 1
    return f"{names} might administer, but a document {'it needs is' if one else 'they need is'} missing or unreadable"


def _also(conditional: tuple[AdminAssessment, ...]) -> str:
    return f" Conditional administrators: {_names(conditional)}." if conditional else ""


@check(
    "admin-root-adjacent",
    title="Administrators can do the account-wide tasks that look like root's",
    severity=Severity.MEDIUM,
    frameworks=cis("1.7", "1.6", "2.6"),
    remediation=(
        "Let at least one administrator call iam:CreateAccountAlias, iam:DeleteAccountAlias, "
        "iam:UpdateAccountPasswordPolicy, iam:CreateServiceLinkedRole, account:PutAlternateContact and "
        "account:PutContactInformation: remove the Deny statements, permissions-boundary limits or SCP "
        "statements the finding names (or scope them to a break-glass exception), so these tasks never send "
        "anyone to root."
    ),
)
def admin_root_adjacent(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    details = account.authorization
    if isinstance(details, Gap):
        return errored("Cannot tell who administers the account.", details)
    simulations = account.admin_simulations
    if isinstance(simulations, Gap):
        return errored("Cannot tell what the administrators may do.", simulations)
    found = census(details)
    admins = found.administrators
    # Principals whose documents cannot be read might administer and do the tasks: they stop a FAIL.
    unread = document_gaps(account.account_id, found.undetermined)
    if not admins:
        if unread:
            return errored(
                f"No administrator is proven, so who can do {', '.join(ROOT_ADJACENT_ACTIONS)} cannot be told: "
                f"{_might(found.undetermined)}.",
                *unread,
                undetermined=[principal_resource(a.principal) for a in found.undetermined],
            )
        return failed(
            "No IAM role or user is an administrator (see admin-principals), so only root can do "
            f"{', '.join(ROOT_ADJACENT_ACTIONS)}."
        )
    gaps: list[Gap] = []
    able: dict[str, list[str]] = {action: [] for action in ROOT_ADJACENT_ACTIONS}
    refusals: dict[str, list[str]] = {action: [] for action in ROOT_ADJACENT_ACTIONS}
    undecided: set[str] = set()
    for admin in admins:
        resource = principal_resource(admin.principal)
        simulation = simulations.get(resource)
        if not isinstance(simulation, Simulation):
            if isinstance(simulation, Gap):
                gaps.append(simulation)
            continue
        for action in ROOT_ADJACENT_ACTIONS:
            result = simulation.result(action)
            if result is None:
                refusals[action].append(f"{resource}: the simulation has no result for it")
                gaps.append(_missing_result(details, account, resource, action))
            elif result.decision is Decision.ALLOWED:
                able[action].append(resource)
            else:
                refusals[action].append(f"{resource}: {result.why_denied()}")
                if result.missing_context and result.decision is Decision.IMPLICIT_DENY:
                    # A Condition the simulator could not evaluate without context: maybe allowed live.
                    undecided.add(action)
    evidence = {
        "allowed": dict(able),
        "denied": {action: reasons for action, reasons in refusals.items() if reasons},
        "administrators": [principal_resource(a.principal) for a in admins],
    }
    missing = [action for action, names in able.items() if not names]
    if not missing:
        partial = f" (Not every administrator's simulation could be read: {len(gaps)} gap(s).)" if gaps else ""
        return passed(
            f"Every root-adjacent task ({', '.join(ROOT_ADJACENT_ACTIONS)}) is open to an administrator: "
            f"{_who_can(able)}.{partial} {SIMULATOR_LIMITS}",
            **evidence,
        )
    if gaps or unread:
        hints = [
            f"{principal_resource(a.principal)}'s own policies deny {', '.join(denied)}"
            for a in admins
            if (denied := denied_among(a, missing))
        ]
        hint = f" (Meanwhile: {'; '.join(hints)}.)" if hints else ""
        why = []
        if gaps:
            why.append("some simulations are missing")
        if unread:
            why.append(_might(found.undetermined))
        return errored(
            f"Cannot tell whether an administrator can do {', '.join(missing)}: {'; '.join(why)}.{hint}",
            *gaps,
            *unread,
            **evidence,
        )
    details_text = " ".join(f"{action}: {' / '.join(refusals[action])}." for action in missing)
    if undecided & set(missing):
        return Outcome(
            Status.MANUAL,
            f"No administrator is allowed {', '.join(missing)} without request context the simulator was not "
            f"given: confirm a person meeting the conditions can do it, or someone will reach for root. "
            f"{details_text} {SIMULATOR_LIMITS}",
            evidence,
        )
    return failed(
        f"No administrator can do {', '.join(missing)}; someone will reach for root to do it. {details_text} "
        f"{SIMULATOR_LIMITS}",
        **evidence,
    )


def _who_can(able: dict[str, list[str]]) -> str:
    """``role/Admin can do all of them; user/bob can do iam:CreateServiceLinkedRole``."""
    by_principal: dict[str, list[str]] = {}
    for action, names in able.items():
        for name in names:
            by_principal.setdefault(name, []).append(action)
    return "; ".join(
        f"{name} can do {'all of them' if len(actions) == len(ROOT_ADJACENT_ACTIONS) else ', '.join(actions)}"
        for name, actions in by_principal.items()
    )


def _missing_result(details: AuthorizationDetails, account: AccountEvidence, resource: str, action: str) -> Gap:
    kind, _, name = resource.partition("/")
    principal = details.principal(PrincipalKind(kind), name)
    arn = principal.arn if principal is not None else resource
    return Gap(
        kind=GapKind.INCOMPLETE,
        source=SIMULATE_PRINCIPAL.path(account.account_id, resource=resource),
        reason=f"the simulation has no result for {action}.",
        fix=f"replace it with the output of `{simulation_command(arn)}`",
    )
