"""Is this principal an administrator? A small IAM evaluator for one question: allowed ``*`` on ``*``.

The rules, chosen so that rootguard never calls someone an administrator who is not one:

- Identity policies are gathered from attached managed policies, inline policies and, for users,
  every group's policies. Resource-based policies, SCPs and session policies are not read here
  (the policy simulator, run on each administrator found, weighs SCPs).
- A grant is an ``Allow`` whose Action matches every action (``*``, ``*:*``) on every resource
  (``*``, ``arn:*`` …). An ``Allow`` with NotAction or NotResource never grants everything on its
  own. Without a Condition the grant is full; with one it is *conditional* (MFA, source IP …).
- A ``Deny`` on every resource (Resource ``*`` or any NotResource) removes its actions:
  a family of actions (a wildcard such as ``iam:*`` or ``iam:Create*``, or NotAction) means the
  principal is not an administrator; individually named actions (``iam:CreateAccountAlias``) leave an
  administrator with named exceptions. A conditional Deny is assumed to apply sometimes: a family
  denied under a condition makes the principal a conditional administrator. A Deny scoped to
  named resources (a log bucket, say) is reported and leaves the principal an administrator.
- With a permissions boundary, the boundary must grant everything too (effective = identity ∩ boundary);
  its Denies count like the identity's.
- ``AdministratorAccess`` (``arn:<partition>:iam::aws:policy/AdministratorAccess``) is read from the
  evidence like any policy; when its document is absent, AWS's published document is assumed and
  the assessment says so. Any other policy whose document is absent makes a grant conditional at
  best (its Denies are unknown).

Action names match case-insensitively with ``*`` and ``?`` wildcards (``actions_match``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from rootguard.model.authorization import AttachedPolicy, AuthorizationDetails, InlinePolicy, Principal, Role, User
from rootguard.model.policy_document import Effect, PolicyDocument, Statement

ADMINISTRATOR_ACCESS = "AdministratorAccess"
ADMINISTRATOR_ACCESS_DOCUMENT = PolicyDocument((Statement(Effect.ALLOW, ("*",), None, ("*",), None),))
"""AWS's published document of the AdministratorAccess managed policy (v1, unchanged since 2015)."""

_EVERY_RESOURCE = re.compile(r"^(\*+|arn:\*|arn:[a-z-]+:\*)$")


class AdminLevel(StrEnum):
    FULL = "full"
    """Allowed every action on every resource, whatever the request's context."""
    CONDITIONAL = "conditional"
    """Allowed everything only when some condition holds (or a policy's document is unknown)."""
    NONE = "none"


@dataclass(frozen=True)
class SourcedPolicy:
    """A policy document and where the principal gets it from (``AdminAll (attached to group ops)``)."""

    label: str
    document: PolicyDocument | None
    assumed: bool = False
    """The document is AWS's published one, not the evidence's."""


@dataclass(frozen=True)
class AdminAssessment:
    principal: Principal
    level: AdminLevel
    granted_by: tuple[str, ...] = ()
    """The policies whose statements allow everything."""
    exceptions: tuple[str, ...] = ()
    """Individually named actions denied on every resource: the principal is an administrator but for these."""
    notes: tuple[str, ...] = field(default=())
    """Why the level is what it is: conditions, denied families, boundary, assumed documents."""

    @property
    def is_admin(self) -> bool:
        return self.level is not AdminLevel.NONE

    def describe(self) -> str:
        kind = self.principal.kind.value
        text = f"{kind} {self.principal.name}"
        details = list(self.notes)
        if self.exceptions:
            details.append(f"except {', '.join(self.exceptions)}")
        return f"{text} ({'; '.join(details)})" if details else text


@lru_cache(maxsize=4096)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.I | re.S)


def actions_match(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, ``*`` any run of characters, ``?`` one character."""
    return _pattern(pattern).fullmatch(action) is not None


def _every_action(patterns: Iterable[str]) -> bool:
    return any(p.strip() in {"*", "*:*"} for p in patterns)


def _every_resource(statement: Statement) -> bool:
    return statement.resources is not None and any(_EVERY_RESOURCE.match(r.strip()) for r in statement.resources)


def _is_family(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def policies_of(details: AuthorizationDetails, principal: Principal) -> tuple[SourcedPolicy, ...]:
    """Every identity policy of the principal, with where it comes from."""
    found = [*_own(details, principal.attached, principal.inline, "")]
    if isinstance(principal, User):
        for name in principal.groups:
            group = details.group(name)
            if group is None:
                found.append(SourcedPolicy(f"group {name} (not in the evidence)", None))
                continue
            found.extend(_own(details, group.attached, group.inline, f" via group {name}"))
    return tuple(found)


def _own(
    details: AuthorizationDetails, attached: Iterable[AttachedPolicy], inline: Iterable[InlinePolicy], via: str
) -> list[SourcedPolicy]:
    found = [_managed(details, policy.arn, f"{policy.name}{via}") for policy in attached]
    found.extend(SourcedPolicy(f"inline {policy.name}{via}", policy.document) for policy in inline)
    return found


def _managed(details: AuthorizationDetails, arn: str, label: str) -> SourcedPolicy:
    policy = details.policies.get(arn)
    if policy is not None and policy.document is not None:
        return SourcedPolicy(label, policy.document)
    if arn.endswith(f":iam::aws:policy/{ADMINISTRATOR_ACCESS}"):
        return SourcedPolicy(label, ADMINISTRATOR_ACCESS_DOCUMENT, assumed=True)
    return SourcedPolicy(label, None)


@dataclass
class _Tally:
    """What a set of policies grants and denies, as far as "everything" is concerned."""

    full: list[str] = field(default_factory=list)
    conditional: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)
    families: list[str] = field(default_factory=list)
    conditional_families: list[str] = field(default_factory=list)
    named: list[str] = field(default_factory=list)
    conditional_named: list[str] = field(default_factory=list)
    scoped: list[str] = field(default_factory=list)


def _tally(policies: Iterable[SourcedPolicy]) -> _Tally:
    tally = _Tally()
    for policy in policies:
        if policy.document is None:
            tally.unknown.append(policy.label)
            continue
        if policy.assumed:
            tally.assumed.append(policy.label)
        for statement in policy.document.statements:
            if statement.effect is Effect.ALLOW:
                _allow(tally, statement, policy.label)
            else:
                _deny(tally, statement, policy.label)
    return tally


def _allow(tally: _Tally, statement: Statement, label: str) -> None:
    if statement.actions is None or not _every_action(statement.actions) or not _every_resource(statement):
        return
    (tally.conditional if statement.conditional else tally.full).append(label)


def _deny(tally: _Tally, statement: Statement, label: str) -> None:
    if statement.resources is not None and not _every_resource(statement):
        tally.scoped.append(f"{'/'.join(statement.actions or ('NotAction',))} on named resources ({label})")
        return
    if statement.not_actions is not None:
        family = [f"every action but {', '.join(statement.not_actions)} ({label})"]
        named: list[str] = []
    else:
        actions = statement.actions or ()
        family = [f"{a} ({label})" for a in actions if _is_family(a)]
        named = [a for a in actions if not _is_family(a)]
    if statement.conditional:
        when = f" when {', '.join(statement.condition_keys)}"
        tally.conditional_families.extend(f + when for f in family)
        tally.conditional_named.extend(f"{a} ({label}){when}" for a in named)
    else:
        tally.families.extend(family)
        tally.named.extend(named)


def assess(details: AuthorizationDetails, principal: Principal) -> AdminAssessment:
    """How much of an administrator the principal is, and why."""
    identity = _tally(policies_of(details, principal))
    notes: list[str] = []
    level = AdminLevel.FULL
    if not identity.full and not identity.conditional:
        return AdminAssessment(principal, AdminLevel.NONE, notes=("no policy allows every action on every resource",))
    granted = identity.full or identity.conditional
    if not identity.full:
        level = AdminLevel.CONDITIONAL
        notes.append(f"allowed everything only under a Condition ({', '.join(identity.conditional)})")
    tallies = [identity]
    if principal.boundary_arn is not None:
        boundary = _tally([_managed(details, principal.boundary_arn, f"boundary {_last(principal.boundary_arn)}")])
        tallies.append(boundary)
        if boundary.unknown:
            return AdminAssessment(
                principal,
                AdminLevel.NONE,
                tuple(granted),
                notes=(f"its permissions boundary {principal.boundary_arn} is not in the evidence",),
            )
        if not boundary.full and not boundary.conditional:
            return AdminAssessment(
                principal,
                AdminLevel.NONE,
                tuple(granted),
                notes=(f"its permissions boundary {_last(principal.boundary_arn)} does not allow everything",),
            )
        if not boundary.full:
            level = AdminLevel.CONDITIONAL
            notes.append("its permissions boundary allows everything only under a Condition")
    families = [f for t in tallies for f in t.families]
    if families:
        return AdminAssessment(principal, AdminLevel.NONE, tuple(granted), notes=(f"denied {'; '.join(families)}",))
    conditional_families = [f for t in tallies for f in t.conditional_families]
    if conditional_families:
        level = AdminLevel.CONDITIONAL
        notes.append(f"denied {'; '.join(conditional_families)}")
    unknown = [u for t in tallies for u in t.unknown]
    if unknown:
        level = AdminLevel.CONDITIONAL
        notes.append(f"the documents of {', '.join(unknown)} are not in the evidence (their Denies are unknown)")
    assumed = [a for t in tallies for a in t.assumed]
    if assumed:
        notes.append(
            f"{', '.join(assumed)}: AWS's published AdministratorAccess document assumed (not in the evidence)"
        )
    notes.extend(f"conditionally denied {n}" for t in tallies for n in t.conditional_named)
    notes.extend(f"denied {s}" for t in tallies for s in t.scoped)
    exceptions = tuple(dict.fromkeys(n for t in tallies for n in t.named))
    return AdminAssessment(principal, level, tuple(granted), exceptions, tuple(notes))


def _last(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def administrators(details: AuthorizationDetails) -> tuple[AdminAssessment, ...]:
    """Every role and user that is an administrator (full or conditional), roles first.

    Service-linked roles and roles only AWS services may assume are left out: no person signs in as them.
    """
    people_roles: list[Principal] = [r for r in details.roles if _usable_role(r)]
    found = [assess(details, principal) for principal in (*people_roles, *details.users)]
    return tuple(a for a in found if a.is_admin)


def _usable_role(role: Role) -> bool:
    return not role.service_linked and role.assumable_by_people


def service_role_administrators(details: AuthorizationDetails) -> tuple[AdminAssessment, ...]:
    """Administrator roles that no person can assume (reported, never counted)."""
    found = [assess(details, role) for role in details.roles if not _usable_role(role)]
    return tuple(a for a in found if a.is_admin)


def denied_among(assessment: AdminAssessment, actions: Iterable[str]) -> tuple[str, ...]:
    """The given actions the principal's own policies deny by name (its exceptions), case-insensitively."""
    return tuple(a for a in actions if any(actions_match(e, a) for e in assessment.exceptions))
