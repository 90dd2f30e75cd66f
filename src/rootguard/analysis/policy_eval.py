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
  the assessment says so.
- Any other document the answer depends on that cannot be read (a managed policy or permissions
  boundary the authorization details do not hold, one listed without its default version, a document
  that does not parse, a group that is not in the details) makes the principal *unknown*
  (``AdminLevel.UNKNOWN``, each document in ``missing`` with the command that reads it), unless the
  documents that can be read already prove it is not an administrator (no grant at all and nothing
  unread that could grant, a boundary that does not allow everything, a denied family). Unknown is
  never "not an administrator": the checks report it as ERROR when no administrator is proven.
- A role counts only if its trust policy lets a person assume it (``analysis.trust_policy``): roles
  only services may assume are reported apart, roles nobody may assume are discarded with the reason,
  and a trust policy rootguard cannot judge makes the role a conditional administrator at best.

Action names match case-insensitively with ``*`` and ``?`` wildcards (``actions_match``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from rootguard.analysis.trust_policy import Reach, TrustAssessment, assess_trust
from rootguard.model.authorization import (
    AttachedPolicy,
    AuthorizationDetails,
    InlinePolicy,
    Principal,
    Unreadable,
    User,
)
from rootguard.model.policy_document import Effect, PolicyDocument, Statement, actions_match

__all__ = [
    "ADMINISTRATOR_ACCESS",
    "AdminAssessment",
    "AdminCensus",
    "AdminLevel",
    "MissingDocument",
    "actions_match",
    "administrators",
    "assess",
    "census",
    "denied_among",
    "policies_of",
    "service_role_administrators",
]

ADMINISTRATOR_ACCESS = "AdministratorAccess"
ADMINISTRATOR_ACCESS_DOCUMENT = PolicyDocument((Statement(Effect.ALLOW, ("*",), None, ("*",), None),))
"""AWS's published document of the AdministratorAccess managed policy (v1, unchanged since 2015)."""

_EVERY_RESOURCE = re.compile(r"^(\*+|arn:\*|arn:[a-z-]+:\*)$")


class AdminLevel(StrEnum):
    FULL = "full"
    """Allowed every action on every resource, whatever the request's context."""
    CONDITIONAL = "conditional"
    """Allowed everything only when some condition holds (in its policies or in its role's trust policy)."""
    NONE = "none"
    UNKNOWN = "unknown"
    """Cannot be told: a document the answer depends on is missing or unreadable (``missing`` says which)."""


AUTHORIZATION_DETAILS_AGAIN = (
    "collect the authorization details again with every entity type (`aws iam get-account-authorization-details` "
    "with no --filter, or `--filter User Role Group LocalManagedPolicy AWSManagedPolicy`; "
    "iam:GetAccountAuthorizationDetails)"
)


@dataclass(frozen=True)
class MissingDocument:
    """A document a principal's assessment needs that the evidence does not give: what, why, and how to get it."""

    what: str
    """``managed policy arn:…:policy/Custom (attached to role Admin)``."""
    reason: str
    """``is not in the authorization details``, ``does not parse (…)``."""
    fix: str
    malformed: bool = False
    """The document is there but does not parse (else: absent)."""

    def describe(self) -> str:
        return f"{self.what} {self.reason}"


@dataclass(frozen=True)
class SourcedPolicy:
    """A policy document and where the principal gets it from (``AdminAll (attached to group ops)``)."""

    label: str
    document: PolicyDocument | None
    assumed: bool = False
    """The document is AWS's published one, not the evidence's."""
    missing: MissingDocument | None = None
    """Why ``document`` is None."""


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
    missing: tuple[MissingDocument, ...] = ()
    """For UNKNOWN: the documents that could not be read."""
    trust: TrustAssessment | None = None
    """For a role: who its trust policy lets assume it."""

    @property
    def is_admin(self) -> bool:
        """Proven an administrator, fully or under conditions (UNKNOWN is not proven either way)."""
        return self.level in (AdminLevel.FULL, AdminLevel.CONDITIONAL)

    def describe(self) -> str:
        kind = self.principal.kind.value
        text = f"{kind} {self.principal.name}"
        details = list(self.notes)
        if self.exceptions:
            details.append(f"except {', '.join(self.exceptions)}")
        return f"{text} ({'; '.join(details)})" if details else text


def _every_action(patterns: Iterable[str]) -> bool:
    return any(p.strip() in {"*", "*:*"} for p in patterns)


def _every_resource(statement: Statement) -> bool:
    return statement.resources is not None and any(_EVERY_RESOURCE.match(r.strip()) for r in statement.resources)


def _is_family(pattern: str) -> bool:
    return "*" in pattern or "?" in pattern


def policies_of(details: AuthorizationDetails, principal: Principal) -> tuple[SourcedPolicy, ...]:
    """Every identity policy of the principal, with where it comes from."""
    owner = f"{principal.kind.value} {principal.name}"
    found = [
        *_own(
            details,
            principal.attached,
            principal.inline,
            via="",
            holder=(principal.kind.value, principal.name),
            owner=owner,
        )
    ]
    if isinstance(principal, User):
        for name in principal.groups:
            group = details.group(name)
            if group is None:
                missing = MissingDocument(
                    f"group {name} (of user {principal.name})",
                    "is not in the authorization details",
                    f"{AUTHORIZATION_DETAILS_AGAIN}; a --filter without Group leaves groups out",
                )
                found.append(SourcedPolicy(f"group {name} (not in the evidence)", None, missing=missing))
                continue
            found.extend(
                _own(
                    details, group.attached, group.inline, via=f" via group {name}", holder=("group", name), owner=owner
                )
            )
    return tuple(found)


def _own(
    details: AuthorizationDetails,
    attached: Iterable[AttachedPolicy],
    inline: Iterable[InlinePolicy],
    *,
    via: str,
    holder: tuple[str, str],
    owner: str,
) -> list[SourcedPolicy]:
    kind, name = holder
    found = [
        _managed(details, policy.arn, f"{policy.name}{via}", f"attached to {kind} {name}", owner) for policy in attached
    ]
    for policy in inline:
        label = f"inline {policy.name}{via}"
        if isinstance(policy.document, Unreadable):
            command = f"aws iam get-{kind}-policy --{kind}-name {name} --policy-name {policy.name}"
            missing = MissingDocument(
                f"inline policy {policy.name} of {kind} {name}{_for(owner, kind, name)}",
                policy.document.reason,
                f"replace the file with the unedited output of `aws iam get-account-authorization-details` "
                f"(iam:GetAccountAuthorizationDetails), or read the policy with `{command}` "
                f"(iam:Get{kind.capitalize()}Policy)",
                malformed=True,
            )
            found.append(SourcedPolicy(label, None, missing=missing))
        else:
            found.append(SourcedPolicy(label, policy.document))
    return found


def _for(owner: str, kind: str, name: str) -> str:
    return "" if owner == f"{kind} {name}" else f", for {owner}"


def _managed(details: AuthorizationDetails, arn: str, label: str, use: str, owner: str) -> SourcedPolicy:
    policy = details.policies.get(arn)
    if policy is not None and not isinstance(policy.document, Unreadable):
        return SourcedPolicy(label, policy.document)
    if arn.endswith(f":iam::aws:policy/{ADMINISTRATOR_ACCESS}"):
        return SourcedPolicy(label, ADMINISTRATOR_ACCESS_DOCUMENT, assumed=True)
    read = (
        f"`aws iam get-policy --policy-arn {arn}` for its DefaultVersionId, then `aws iam get-policy-version "
        f"--policy-arn {arn} --version-id <DefaultVersionId>` (iam:GetPolicy, iam:GetPolicyVersion)"
    )
    what = f"managed policy {arn} ({use}{'' if owner in use else f', for {owner}'})"
    if policy is None:
        missing = MissingDocument(
            what, "is not in the authorization details", f"{AUTHORIZATION_DETAILS_AGAIN}, or read {read}"
        )
    else:
        reason = policy.document.reason if isinstance(policy.document, Unreadable) else "cannot be read"
        missing = MissingDocument(what, reason, f"read {read}", malformed=reason.startswith("does not parse"))
    return SourcedPolicy(label, None, missing=missing)


@dataclass
class _Tally:
    """What a set of policies grants and denies, as far as "everything" is concerned."""

    full: list[str] = field(default_factory=list)
    conditional: list[str] = field(default_factory=list)
    unknown: list[MissingDocument] = field(default_factory=list)
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
            tally.unknown.append(
                policy.missing or MissingDocument(policy.label, "is not in the evidence", AUTHORIZATION_DETAILS_AGAIN)
            )
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
    """How much of an administrator the principal's own policies make it, and why (trust policies aside)."""
    identity = _tally(policies_of(details, principal))
    granted = tuple(identity.full or identity.conditional)
    if not granted and not identity.unknown:
        return AdminAssessment(principal, AdminLevel.NONE, notes=("no policy allows every action on every resource",))
    tallies = [identity]
    boundary: _Tally | None = None
    if principal.boundary_arn is not None:
        owner = f"{principal.kind.value} {principal.name}"
        boundary = _tally(
            [
                _managed(
                    details,
                    principal.boundary_arn,
                    f"boundary {_last(principal.boundary_arn)}",
                    f"permissions boundary of {owner}",
                    owner,
                )
            ]
        )
        tallies.append(boundary)
        if not boundary.unknown and not boundary.full and not boundary.conditional:
            return AdminAssessment(
                principal,
                AdminLevel.NONE,
                granted,
                notes=(f"its permissions boundary {_last(principal.boundary_arn)} does not allow everything",),
            )
    families = [f for t in tallies for f in t.families]
    if families:
        return AdminAssessment(principal, AdminLevel.NONE, granted, notes=(f"denied {'; '.join(families)}",))
    unknown = tuple(u for t in tallies for u in t.unknown)
    if unknown:
        return AdminAssessment(
            principal,
            AdminLevel.UNKNOWN,
            granted,
            notes=(f"cannot be assessed: {'; '.join(u.describe() for u in unknown)}",),
            missing=unknown,
        )
    notes: list[str] = []
    level = AdminLevel.FULL
    if not identity.full:
        level = AdminLevel.CONDITIONAL
        notes.append(f"allowed everything only under a Condition ({', '.join(identity.conditional)})")
    if boundary is not None and not boundary.full:
        level = AdminLevel.CONDITIONAL
        notes.append("its permissions boundary allows everything only under a Condition")
    conditional_families = [f for t in tallies for f in t.conditional_families]
    if conditional_families:
        level = AdminLevel.CONDITIONAL
        notes.append(f"denied {'; '.join(conditional_families)}")
    assumed = [a for t in tallies for a in t.assumed]
    if assumed:
        notes.append(
            f"{', '.join(assumed)}: AWS's published AdministratorAccess document assumed (not in the evidence)"
        )
    notes.extend(f"conditionally denied {n}" for t in tallies for n in t.conditional_named)
    notes.extend(f"denied {s}" for t in tallies for s in t.scoped)
    exceptions = tuple(dict.fromkeys(n for t in tallies for n in t.named))
    return AdminAssessment(principal, level, granted, exceptions, tuple(notes))


def _last(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class AdminCensus:
    """Every role and user whose own policies do not rule it out, sorted by whether people can use it."""

    administrators: tuple[AdminAssessment, ...]
    """Proven administrators (full or conditional) people can use: roles a person may assume, and users. Roles
    first."""
    undetermined: tuple[AdminAssessment, ...]
    """Roles people may assume and users that may be administrators, but a document the answer depends on is
    missing or unreadable (their policies, boundary or trust policy): level UNKNOWN, ``missing`` says which."""
    service_roles: tuple[AdminAssessment, ...]
    """Administrator roles only AWS services may assume, and service-linked ones (reported, never counted)."""
    unassumable: tuple[AdminAssessment, ...]
    """Administrator roles (full or conditional) whose trust policy lets nobody assume them (``trust.reasons`` says
    why)."""


def census(details: AuthorizationDetails) -> AdminCensus:
    """Who administers the account, who might, and which administrator roles nobody (or only a service) uses."""
    counted: list[AdminAssessment] = []
    undetermined: list[AdminAssessment] = []
    services: list[AdminAssessment] = []
    unassumable: list[AdminAssessment] = []
    for role in details.roles:
        found = assess(details, role)
        if found.level is AdminLevel.NONE:
            continue
        if role.service_linked:
            if found.is_admin:
                services.append(found)
            continue
        trust = assess_trust(role)
        found = replace(found, trust=trust)
        if trust.reach is Reach.SERVICES:
            if found.is_admin:
                services.append(found)
        elif trust.reach is Reach.NOBODY:
            if found.is_admin:  # one that might administer but that nobody can assume is no candidate either
                unassumable.append(found)
        elif trust.reach is Reach.UNREADABLE:
            missing = MissingDocument(
                f"the trust policy (AssumeRolePolicyDocument) of role {role.name}",
                trust.reasons[0].removeprefix("its trust policy "),
                f"replace the file with the unedited output of `aws iam get-account-authorization-details` "
                f"(iam:GetAccountAuthorizationDetails); `aws iam get-role --role-name {role.name}` (iam:GetRole) "
                "shows the trust policy AWS holds",
                malformed=trust.reasons[0].startswith("its trust policy does not parse"),
            )
            notes = (*found.notes, f"who may assume it cannot be told: {missing.describe()}")
            undetermined.append(
                replace(found, level=AdminLevel.UNKNOWN, notes=notes, missing=(*found.missing, missing))
            )
        else:
            if trust.reach is Reach.CONDITIONAL:
                level = AdminLevel.CONDITIONAL if found.level is AdminLevel.FULL else found.level
                found = replace(found, level=level, notes=(*found.notes, trust.describe()))
            (counted if found.is_admin else undetermined).append(found)
    for user in details.users:
        found = assess(details, user)
        if found.is_admin:
            counted.append(found)
        elif found.level is AdminLevel.UNKNOWN:
            undetermined.append(found)
    return AdminCensus(tuple(counted), tuple(undetermined), tuple(services), tuple(unassumable))


def administrators(details: AuthorizationDetails) -> tuple[AdminAssessment, ...]:
    """Every role and user people can use that is a proven administrator (full or conditional), roles first.

    Service-linked roles, roles only AWS services may assume and roles nobody may assume are left out: no
    person signs in as them. Principals whose documents cannot be read are left out too (``census``).
    """
    return census(details).administrators


def service_role_administrators(details: AuthorizationDetails) -> tuple[AdminAssessment, ...]:
    """Administrator roles that no person can assume but a service can (reported, never counted)."""
    return census(details).service_roles


def denied_among(assessment: AdminAssessment, actions: Iterable[str]) -> tuple[str, ...]:
    """The given actions the principal's own policies deny by name (its exceptions), case-insensitively."""
    return tuple(a for a in actions if any(actions_match(e, a) for e in assessment.exceptions))
