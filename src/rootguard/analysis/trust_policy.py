"""Who can assume a role? Its trust policy, evaluated for the three ways into a role.

A person reaches a role through ``sts:AssumeRole`` (an IAM user or role, or any principal of a
trusted account), ``sts:AssumeRoleWithSAML`` (users of a SAML provider) or
``sts:AssumeRoleWithWebIdentity`` (users of an OIDC provider). The trust policy is a resource-based
policy: a principal may assume the role only when an Allow statement names it (Principal) for that
action and no Deny statement refuses it. The rules, from the AWS IAM User Guide:

- *Principal element* (reference_policies_elements_principal.html): ``"*"`` and ``{"AWS": "*"}`` are
  everyone; an account id or ``arn:…:iam::<account>:root`` is every principal of that account;
  ``Federated`` names a SAML or OIDC provider; ``Service`` an AWS service. A user or role ARN is kept by
  IAM as the principal's unique id, so when that user or role is deleted the policy shows the id
  (``AIDA…``, ``AROA…``) and no longer applies to anyone, even to a new principal of the same name.
- *NotPrincipal* (reference_policies_elements_notprincipal.html): supported only with Deny, where it
  refuses everyone but the principals named; a named principal escapes only when its account is named
  too ("the policy might deny access to the entire account"). rootguard evaluates a Deny NotPrincipal
  that way and treats an Allow NotPrincipal (not supported) as a grant it cannot judge.
- *Policy evaluation logic* (reference_policies_evaluation-logic_policy-eval-denyallow.html): an explicit
  Deny overrides any Allow; without an Allow the request is implicitly denied.
- *Session tags* (id_session-tags.html): ``sts:TagSession`` and ``sts:SetSourceIdentity`` are
  permissions to pass tags or a source identity while assuming; on their own they assume nothing.
- *SAML* (id_roles_create_for-idp_saml.html) and *OIDC* (id_roles_create_for-idp_oidc.html): a
  SAML provider's users need ``sts:AssumeRoleWithSAML``, an OIDC provider's
  ``sts:AssumeRoleWithWebIdentity``; an AWS principal needs ``sts:AssumeRole``.
- *Conditions* (reference_policies_elements_condition_operators.html,
  reference_policies_condition-logic-multiple-context-keys-or-values.html): operators and keys are ANDed,
  a key's values ORed; a key absent from the request makes a condition false, except ``…IfExists``,
  ``Null`` and negated operators (``StringNotEquals``, ``ArnNotLike`` …), which are true, and
  ``ForAllValues``, which is true.

Conditions rootguard judges: ``aws:SourceArn``, ``aws:SourceAccount``, ``aws:SourceOrgID`` and
``aws:SourceOrgPaths`` are only in the request context when an AWS service calls on behalf of a resource
(reference_policies_condition-keys.html), never in a person's, so they are decided; requiring MFA
(``aws:MultiFactorAuthPresent`` true, ``aws:MultiFactorAuthAge`` below a bound) is satisfiable by a person
who signs in with MFA, and the same person escapes a Deny on ``aws:MultiFactorAuthPresent`` false (or
absent, ``Null``); ``SAML:aud`` equal to the AWS sign-in endpoint is what console SAML sign-in (and
IAM Identity Center) sends. Any other condition makes the grant *conditional*: rootguard cannot tell
whether a person meets it. A Deny whose condition rootguard cannot decide may apply, so what it covers
becomes conditional too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum

from rootguard.model.authorization import Role, Unreadable
from rootguard.model.policy_document import Condition, Effect, PrincipalEntry, Statement, actions_match

ASSUME_ROLE = "sts:AssumeRole"
ASSUME_ROLE_WITH_SAML = "sts:AssumeRoleWithSAML"
ASSUME_ROLE_WITH_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
ASSUME_ACTIONS = (ASSUME_ROLE, ASSUME_ROLE_WITH_SAML, ASSUME_ROLE_WITH_WEB_IDENTITY)

SERVICE_CONTEXT_KEYS = frozenset({"aws:sourcearn", "aws:sourceaccount", "aws:sourceorgid", "aws:sourceorgpaths"})
"""Keys only an AWS service's request on behalf of a resource carries (absent from a person's request)."""

WEB_IDENTITY_PROVIDERS = frozenset(
    {"accounts.google.com", "graph.facebook.com", "www.amazon.com", "cognito-identity.amazonaws.com"}
)

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROOT_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):root$")
_IAM_ARN = re.compile(r"^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):(?:user|role|assumed-role|federated-user)/.+$")
_UNIQUE_ID = re.compile(r"^A(?:IDA|ROA)[A-Z0-9]{12,}$")
_SAML_PROVIDER = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):saml-provider/.+$")
_OIDC_PROVIDER = re.compile(r"^arn:aws[a-z-]*:iam::(\d{12}):oidc-provider/.+$")
_SIGN_IN_SAML = re.compile(
    r"^https://([a-z0-9-]+\.)?signin\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)/saml(/.*)?$"
)


class Reach(StrEnum):
    """Who the trust policy lets assume the role."""

    PEOPLE = "people"
    """Some AWS principal or identity provider's user may, unconditionally or under conditions a person can meet."""
    CONDITIONAL = "conditional"
    """People may only under conditions rootguard cannot judge."""
    SERVICES = "services"
    """Only AWS services may."""
    NOBODY = "nobody"
    UNREADABLE = "unreadable"
    """The trust policy is absent from the evidence or does not parse."""


@dataclass(frozen=True)
class TrustAssessment:
    reach: Reach
    people: tuple[str, ...] = ()
    """The principals people can come in as, with the action (``AWS arn:aws:iam::…:root via sts:AssumeRole``)."""
    services: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    """For CONDITIONAL: what must hold that rootguard cannot judge."""
    judged: tuple[str, ...] = ()
    """Conditions judged satisfiable by a person (MFA, SAML sign-in)."""
    reasons: tuple[str, ...] = ()
    """Why no person can assume the role (NOBODY, SERVICES), or why the document cannot be read (UNREADABLE)."""

    def describe(self) -> str:
        if self.reach is Reach.CONDITIONAL:
            return f"its trust policy lets people assume it only when {'; '.join(self.conditions)}"
        if self.reach is Reach.SERVICES:
            return f"only AWS services may assume it ({', '.join(self.services)})"
        return "; ".join(self.reasons)


class _Kind(StrEnum):
    EVERYONE = "everyone"
    ANY_AWS = "any AWS principal"
    ACCOUNT = "account"
    IAM = "IAM principal"
    DELETED = "deleted principal"
    SAML = "SAML provider"
    OIDC = "OIDC provider"
    SERVICE = "service"
    UNKNOWN = "unknown"


_PEOPLE = frozenset({_Kind.EVERYONE, _Kind.ANY_AWS, _Kind.ACCOUNT, _Kind.IAM, _Kind.SAML, _Kind.OIDC, _Kind.UNKNOWN})
_AWS_SIDE = frozenset({_Kind.ANY_AWS, _Kind.ACCOUNT, _Kind.IAM})


def _kind(entry: PrincipalEntry) -> _Kind:
    value = entry.value.strip()
    if entry.type == "*":
        return _Kind.EVERYONE
    if entry.type == "AWS":
        if value == "*":
            return _Kind.ANY_AWS
        if _ACCOUNT_ID.match(value) or _ROOT_ARN.match(value):
            return _Kind.ACCOUNT
        if _IAM_ARN.match(value):
            return _Kind.IAM
        if _UNIQUE_ID.match(value):
            return _Kind.DELETED
        return _Kind.UNKNOWN
    if entry.type == "Federated":
        if _SAML_PROVIDER.match(value):
            return _Kind.SAML
        if _OIDC_PROVIDER.match(value) or value.lower() in WEB_IDENTITY_PROVIDERS:
            return _Kind.OIDC
        return _Kind.UNKNOWN
    if entry.type == "Service":
        return _Kind.SERVICE
    return _Kind.UNKNOWN


def _account(entry: PrincipalEntry) -> str | None:
    value = entry.value.strip()
    if _ACCOUNT_ID.match(value):
        return value
    for pattern in (_ROOT_ARN, _IAM_ARN, _SAML_PROVIDER, _OIDC_PROVIDER):
        if found := pattern.match(value):
            return found.group(1)
    return None


def _can_call(kind: _Kind, entry: PrincipalEntry, action: str) -> bool:
    """Which principals come in through which action (SAML users never call AssumeRole, and so on)."""
    if kind is _Kind.EVERYONE:
        return True
    if action == ASSUME_ROLE:
        return kind in (*_AWS_SIDE, _Kind.SERVICE) or (kind is _Kind.UNKNOWN and entry.type != "Federated")
    if action == ASSUME_ROLE_WITH_SAML:
        return kind is _Kind.SAML or (kind is _Kind.UNKNOWN and entry.type == "Federated")
    return kind is _Kind.OIDC or (kind is _Kind.UNKNOWN and entry.type == "Federated")


def _entrance(kind: _Kind) -> str:
    if kind is _Kind.SAML:
        return ASSUME_ROLE_WITH_SAML
    if kind is _Kind.OIDC:
        return ASSUME_ROLE_WITH_WEB_IDENTITY
    return ASSUME_ROLE


def _matches(statement: Statement, action: str) -> bool:
    if statement.actions is not None:
        return any(actions_match(pattern, action) for pattern in statement.actions)
    return not any(actions_match(pattern, action) for pattern in statement.not_actions or ())


class _Truth(Enum):
    ALWAYS = "always"
    NEVER = "never"
    SATISFIABLE = "satisfiable"
    UNKNOWN = "unknown"


def _judge(condition: Condition, action: str, kind: _Kind, *, deny: bool) -> tuple[_Truth, str]:
    """One condition, for a request by this kind of principal through this action.

    For an Allow, SATISFIABLE means a person can meet it; for a Deny, that a person can avoid it (and so the
    Deny): signing in with MFA avoids a Deny on ``aws:MultiFactorAuthPresent`` false or absent.
    """
    qualifier, _, base = condition.operator.rpartition(":")
    key = condition.key.lower()
    values = {v.strip().lower() for v in condition.values}
    if key in SERVICE_CONTEXT_KEYS and kind is not _Kind.SERVICE:
        # Absent from the request: false, except the operators that test absence or negate.
        if base == "Null":
            return (_Truth.ALWAYS if "true" in values else _Truth.NEVER), condition.describe()
        if base.endswith("IfExists") or qualifier == "ForAllValues" or ("Not" in base and qualifier != "ForAnyValue"):
            return _Truth.ALWAYS, condition.describe()
        return _Truth.NEVER, condition.describe()
    if qualifier:
        return _Truth.UNKNOWN, condition.describe()
    if action == ASSUME_ROLE and kind in (*_AWS_SIDE, _Kind.EVERYONE):
        if key == "aws:multifactorauthpresent":
            wanted = {"false"} if deny else {"true"}
            if base in ("Bool", "BoolIfExists") and (values == wanted if deny else bool(values & wanted)):
                return _Truth.SATISFIABLE, "MFA"
            if deny and base == "Null" and values == {"true"}:
                return _Truth.SATISFIABLE, "MFA"
        if (
            not deny
            and key == "aws:multifactorauthage"
            and base.startswith("NumericLessThan")
            and _any_positive(values)
        ):
            return _Truth.SATISFIABLE, "recent MFA"
    if (
        not deny
        and action == ASSUME_ROLE_WITH_SAML
        and kind in (_Kind.SAML, _Kind.EVERYONE)
        and key == "saml:aud"
        and base.removesuffix("IfExists") in ("StringEquals", "StringEqualsIgnoreCase", "StringLike")
        and any(_SIGN_IN_SAML.match(v) or (base.startswith("StringLike") and _glob_sign_in(v)) for v in values)
    ):
        return _Truth.SATISFIABLE, "SAML sign-in through the AWS sign-in endpoint"
    return _Truth.UNKNOWN, condition.describe()


def _any_positive(values: Iterable[str]) -> bool:
    for value in values:
        try:
            if float(value) > 0:
                return True
        except ValueError:
            continue
    return False


def _glob_sign_in(pattern: str) -> bool:
    return actions_match(pattern, "https://signin.aws.amazon.com/saml")


@dataclass(frozen=True)
class _Verdict:
    truth: _Truth
    unsure: tuple[str, ...] = ()
    judged: tuple[str, ...] = ()
    never: tuple[str, ...] = ()


def _conditions(conditions: Iterable[Condition], action: str, kind: _Kind, *, deny: bool) -> _Verdict:
    """All the statement's conditions (AND). For an Allow: can a person meet them (SATISFIABLE)? For a Deny: do
    they always hold (ALWAYS), never (NEVER), can a person make one fail (SATISFIABLE: avoidable), or unknown?"""
    judged = [_judge(c, action, kind, deny=deny) for c in conditions]
    never = tuple(what for truth, what in judged if truth is _Truth.NEVER)
    if never:
        return _Verdict(_Truth.NEVER, never=never)
    satisfiable = tuple(what for truth, what in judged if truth is _Truth.SATISFIABLE)
    unsure = tuple(what for truth, what in judged if truth is _Truth.UNKNOWN)
    if deny:
        if satisfiable:
            return _Verdict(_Truth.SATISFIABLE, judged=satisfiable)
        return _Verdict(_Truth.UNKNOWN, unsure=unsure) if unsure else _Verdict(_Truth.ALWAYS)
    if unsure:
        return _Verdict(_Truth.UNKNOWN, unsure=unsure)
    return _Verdict(_Truth.SATISFIABLE if satisfiable else _Truth.ALWAYS, judged=satisfiable)


@dataclass(frozen=True)
class _Grant:
    """One principal an Allow lets in through one action, and what might still stop it."""

    action: str
    entry: PrincipalEntry
    kind: _Kind
    unsure: tuple[str, ...] = ()
    judged: tuple[str, ...] = ()

    def describe(self) -> str:
        return f"{self.entry.describe()} via {self.action}"


@dataclass
class _Ledger:
    grants: list[_Grant] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _label(statement: Statement, index: int) -> str:
    return f"statement {statement.sid!r}" if statement.sid else f"Statement[{index}]"


def _actions_text(statement: Statement) -> str:
    if statement.actions is not None:
        return ", ".join(statement.actions)
    return f"every action but {', '.join(statement.not_actions or ())}"


def _allow(ledger: _Ledger, statement: Statement, label: str) -> None:
    actions = [action for action in ASSUME_ACTIONS if _matches(statement, action)]
    if not actions:
        ledger.dropped.append(
            f"{label} allows only {_actions_text(statement)}, none of which assumes the role "
            f"({', '.join(ASSUME_ACTIONS)} do; sts:TagSession and sts:SetSourceIdentity only add to an assumption)"
        )
        return
    if statement.not_principals is not None:
        for action in actions:
            ledger.grants.append(
                _Grant(
                    action,
                    PrincipalEntry("NotPrincipal", ", ".join(e.describe() for e in statement.not_principals)),
                    _Kind.UNKNOWN,
                    unsure=(f"{label} is an Allow with NotPrincipal, which AWS does not support in a trust policy",),
                )
            )
        return
    for entry in statement.principals or ():
        kind = _kind(entry)
        if kind is _Kind.DELETED:
            ledger.dropped.append(
                f"{label} names {entry.value}, the unique ID of a deleted user or role (AWS shows the ID once "
                "the principal is gone, and a new principal of the same name does not match it)"
            )
            continue
        callable_actions = [action for action in actions if _can_call(kind, entry, action)]
        if not callable_actions:
            ledger.dropped.append(
                f"{label} allows {entry.describe()} only {', '.join(actions)}, but a {kind.value} comes in "
                f"through {_entrance(kind)}"
            )
            continue
        for action in callable_actions:
            verdict = _conditions(statement.conditions, action, kind, deny=False)
            if verdict.truth is _Truth.NEVER:
                ledger.dropped.append(
                    f"{label} lets {entry.describe()} in only when {', '.join(verdict.never)}, a key only an AWS "
                    "service's request carries"
                )
                continue
            unsure = verdict.unsure
            if kind is _Kind.UNKNOWN:
                unsure = (*unsure, f"{entry.describe()} is a principal rootguard cannot judge")
            ledger.grants.append(_Grant(action, entry, kind, unsure, verdict.judged))


class _Cover(Enum):
    FULL = "full"
    MAYBE = "maybe"
    NONE = "none"


def _covers(denied: PrincipalEntry, grant: _Grant) -> _Cover:
    """Does a Deny naming ``denied`` refuse every principal the grant lets in?"""
    kind = _kind(denied)
    target = grant.kind
    if kind is _Kind.EVERYONE:
        return _Cover.FULL
    if kind is _Kind.DELETED or (target is _Kind.SERVICE and kind is not _Kind.SERVICE):
        return _Cover.NONE
    if kind is _Kind.UNKNOWN or target is _Kind.UNKNOWN:
        return _Cover.MAYBE
    if kind is _Kind.ANY_AWS:
        if target in _AWS_SIDE or (target is _Kind.EVERYONE and grant.action == ASSUME_ROLE):
            return _Cover.FULL
        return _Cover.MAYBE
    if kind is _Kind.ACCOUNT:
        if target in (_Kind.ACCOUNT, _Kind.IAM) and _account(grant.entry) == _account(denied):
            return _Cover.FULL
        if target in (_Kind.SAML, _Kind.OIDC) and _account(grant.entry) == _account(denied):
            return _Cover.MAYBE
        return _Cover.NONE
    if target is kind and grant.entry.value.strip() == denied.value.strip():
        return _Cover.FULL
    return _Cover.NONE


def _spared(excepted: tuple[PrincipalEntry, ...], grant: _Grant) -> tuple[list[_Grant], bool]:
    """Who of the grant a Deny with NotPrincipal spares: the named principals (and whether that is uncertain)."""
    named = [(entry, _kind(entry)) for entry in excepted]
    accounts = {_account(entry) for entry, kind in named if kind is _Kind.ACCOUNT}
    survivors: list[_Grant] = []
    uncertain = grant.kind is _Kind.UNKNOWN
    for entry, kind in named:
        if kind in (_Kind.ACCOUNT, _Kind.DELETED) or not _can_call(kind, entry, grant.action):
            continue
        if kind is _Kind.IAM:
            inside = grant.kind in (_Kind.EVERYONE, _Kind.ANY_AWS) or (
                grant.kind is _Kind.ACCOUNT and _account(grant.entry) == _account(entry)
            )
            inside = inside or (grant.kind is _Kind.IAM and grant.entry.value.strip() == entry.value.strip())
            if not inside:
                continue
            if _account(entry) not in accounts:
                uncertain = True  # AWS: "the policy might deny access to the entire account"
                continue
        elif grant.kind is not _Kind.EVERYONE and not (grant.kind is kind and grant.entry.value == entry.value):
            continue
        survivors.append(replace(grant, entry=entry, kind=kind))
    return survivors, uncertain


def _deny(ledger: _Ledger, statement: Statement, label: str) -> None:
    actions = {action for action in ASSUME_ACTIONS if _matches(statement, action)}
    kept: list[_Grant] = []
    for grant in ledger.grants:
        if grant.action not in actions:
            kept.append(grant)
            continue
        verdict = _conditions(statement.conditions, grant.action, grant.kind, deny=True)
        if verdict.truth is _Truth.NEVER:
            kept.append(grant)
            continue
        if verdict.truth is _Truth.SATISFIABLE:  # a person avoids it (by signing in with MFA)
            kept.append(replace(grant, judged=tuple(dict.fromkeys((*grant.judged, *verdict.judged)))))
            continue
        when = f" when {', '.join(verdict.unsure)}" if verdict.truth is _Truth.UNKNOWN else ""
        if statement.not_principals is not None:
            survivors, uncertain = _spared(statement.not_principals, grant)
            if verdict.truth is _Truth.UNKNOWN or uncertain:
                kept.append(replace(grant, unsure=(*grant.unsure, f"a Deny in {label} may refuse it{when}")))
            elif survivors:
                kept.extend(survivors)
            else:
                ledger.dropped.append(f"an explicit Deny in {label} refuses {grant.describe()} (NotPrincipal)")
            continue
        covers = [_covers(denied, grant) for denied in statement.principals or ()]
        if _Cover.FULL in covers and verdict.truth is _Truth.ALWAYS:
            ledger.dropped.append(f"an explicit Deny in {label} refuses {grant.describe()}")
        elif _Cover.FULL in covers or _Cover.MAYBE in covers:
            kept.append(replace(grant, unsure=(*grant.unsure, f"a Deny in {label} may refuse it{when}")))
        else:
            kept.append(grant)
    ledger.grants = kept


def assess_trust(role: Role) -> TrustAssessment:
    """Who the role's trust policy lets assume it."""
    if isinstance(role.trust, Unreadable):
        return TrustAssessment(Reach.UNREADABLE, reasons=(f"its trust policy {role.trust.reason}",))
    statements = role.trust.statements
    if not statements:
        return TrustAssessment(Reach.NOBODY, reasons=("its trust policy has no statement",))
    ledger = _Ledger()
    for index, statement in enumerate(statements):
        if statement.effect is Effect.ALLOW:
            _allow(ledger, statement, _label(statement, index))
    for index, statement in enumerate(statements):
        if statement.effect is Effect.DENY:
            _deny(ledger, statement, _label(statement, index))
    if not any(s.effect is Effect.ALLOW for s in statements):
        ledger.dropped.append("its trust policy has no Allow statement")
    people = [g for g in ledger.grants if g.kind in _PEOPLE]
    services = tuple(dict.fromkeys(g.entry.value for g in ledger.grants if g.kind is _Kind.SERVICE))
    sure = [g for g in people if not g.unsure]
    reasons = tuple(dict.fromkeys(ledger.dropped))
    if sure:
        return TrustAssessment(
            Reach.PEOPLE,
            people=tuple(dict.fromkeys(g.describe() for g in sure)),
            services=services,
            judged=tuple(dict.fromkeys(j for g in sure for j in g.judged)),
            reasons=reasons,
        )
    if people:
        return TrustAssessment(
            Reach.CONDITIONAL,
            people=tuple(dict.fromkeys(g.describe() for g in people)),
            services=services,
            conditions=tuple(dict.fromkeys(f"{'; '.join(g.unsure)} ({g.describe()})" for g in people)),
            reasons=reasons,
        )
    if services:
        return TrustAssessment(Reach.SERVICES, services=services, reasons=reasons)
    return TrustAssessment(Reach.NOBODY, reasons=reasons or ("its trust policy allows no principal to assume it",))
