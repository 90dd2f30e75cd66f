"""The effective SCP set of an account, judged for its root user with and without an AssumeRoot session.

How AWS combines SCPs (AWS Organizations User Guide, "SCP evaluation"): the levels are the root, each OU
on the account's path and the account itself. An action is allowed only if EVERY level has an Allow that
matches it (FullAWSAccess missing at one level blocks everything below), and a matching Deny at ANY level
wins. SCPs never apply to the management account (the caller decides that).

The request judged: principal ``arn:<partition>:iam::<account>:root`` (``aws:PrincipalArn``), with
``aws:AssumedRoot`` = ``true`` for a session from ``sts:AssumeRoot`` and absent for the real root user
(IAM condition keys reference). Conditions on those two keys are evaluated with the operators ``String*``,
``Arn*`` (``Equals``/``Like`` and their ``Not`` forms), ``Bool`` and ``Null``, each with ``IfExists``; any
other key or operator, a resource-scoped statement or a policy variable makes the answer UNKNOWN: never
a guess in either direction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rootguard.model.policy_document import Condition, Effect, PolicyDocument, Statement, actions_match

PRINCIPAL_ARN = "aws:principalarn"
ASSUMED_ROOT = "aws:assumedroot"
KNOWN_KEYS = frozenset({PRINCIPAL_ARN, ASSUMED_ROOT})

ROOT_PROBE_ACTIONS = ("iam:CreateUser", "iam:CreateAccessKey", "ec2:RunInstances", "s3:PutObject")
"""Actions the real root user must be denied: everyday administration across services."""
ROOT_TASK_ACTIONS = (
    # IAMAuditRootUserCredentials, IAMCreateRootUserPassword, IAMDeleteRootUserCredentials
    "iam:GetLoginProfile",
    "iam:ListAccessKeys",
    "iam:ListMFADevices",
    "iam:ListSigningCertificates",
    "iam:GetAccountSummary",
    "iam:CreateLoginProfile",
    "iam:DeleteLoginProfile",
    "iam:DeleteAccessKey",
    "iam:DeactivateMFADevice",
    "iam:DeleteSigningCertificate",
    # S3UnlockBucketPolicy, SQSUnlockQueuePolicy
    "s3:DeleteBucketPolicy",
    "s3:PutBucketPolicy",
    "sqs:SetQueueAttributes",
)
"""Actions of the five AssumeRoot task policies (IAM User Guide, AWS managed policies for root tasks)."""


class Truth(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Decision(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Request:
    action: str
    principal_arn: str
    assumed_root: bool
    """``aws:AssumedRoot`` is ``true`` (an AssumeRoot session) or absent (the root user signing in)."""


@dataclass(frozen=True)
class NamedPolicy:
    name: str
    document: PolicyDocument


@dataclass(frozen=True)
class Level:
    label: str
    policies: tuple[NamedPolicy, ...]


@dataclass(frozen=True)
class Verdict:
    decision: Decision
    reasons: tuple[str, ...]
    """Why: the Deny that applies, the level without an Allow, or what could not be judged."""


def evaluate(levels: Sequence[Level], request: Request) -> Verdict:
    """Allowed only if every level allows and no level denies; UNKNOWN where a statement cannot be judged."""
    denied: list[str] = []
    unsure: list[str] = []
    for level in levels:
        for policy in level.policies:
            for index, statement in enumerate(policy.document.statements):
                if statement.effect is not Effect.DENY:
                    continue
                truth, why = applies(statement, request)
                where = f"{_label(statement, index)} of {policy.name} ({level.label})"
                if truth is Truth.YES:
                    denied.append(f"denied by {where}")
                elif truth is Truth.UNKNOWN:
                    unsure.append(f"{where} may deny it: {why}")
    if denied:
        return Verdict(Decision.DENIED, tuple(denied))
    missing: list[str] = []
    for level in levels:
        allow = _level_allows(level, request)
        if allow[0] is Truth.NO:
            missing.append(f"no SCP at {level.label} allows it")
        elif allow[0] is Truth.UNKNOWN:
            unsure.extend(allow[1])
    if missing:
        return Verdict(Decision.DENIED, tuple(missing))
    if unsure:
        return Verdict(Decision.UNKNOWN, tuple(unsure))
    return Verdict(Decision.ALLOWED, ())


def _level_allows(level: Level, request: Request) -> tuple[Truth, list[str]]:
    unsure: list[str] = []
    for policy in level.policies:
        for index, statement in enumerate(policy.document.statements):
            if statement.effect is not Effect.ALLOW:
                continue
            truth, why = applies(statement, request)
            if truth is Truth.YES:
                return Truth.YES, []
            if truth is Truth.UNKNOWN:
                unsure.append(f"{_label(statement, index)} of {policy.name} ({level.label}) may allow it: {why}")
    return (Truth.UNKNOWN if unsure else Truth.NO), unsure


def _label(statement: Statement, index: int) -> str:
    return f"statement {statement.sid!r}" if statement.sid else f"statement {index + 1}"


def applies(statement: Statement, request: Request) -> tuple[Truth, str]:
    """Does the statement match this request on every resource? (YES, NO or UNKNOWN with why)."""
    if statement.actions is not None:
        if not any(actions_match(p, request.action) for p in statement.actions):
            return Truth.NO, ""
    elif any(actions_match(p, request.action) for p in statement.not_actions or ()):
        return Truth.NO, ""
    if statement.resources is None or not any(r.strip() == "*" for r in statement.resources):
        return Truth.UNKNOWN, "it names particular resources"
    result, why = Truth.YES, ""
    for condition in statement.conditions:
        truth, reason = condition_holds(condition, request)
        if truth is Truth.NO:
            return Truth.NO, ""
        if truth is Truth.UNKNOWN:
            result, why = Truth.UNKNOWN, reason
    return result, why


_OPERATOR = re.compile(r"^(String|Arn)(Not)?(Equals|Like)(IfExists)?$")


def condition_holds(condition: Condition, request: Request) -> tuple[Truth, str]:
    key = condition.key.lower()
    if key not in KNOWN_KEYS:
        return Truth.UNKNOWN, f"rootguard does not judge the condition key {condition.key}"
    if any("${" in v for v in condition.values):
        return Truth.UNKNOWN, f"{condition.describe()} uses a policy variable"
    value = request.principal_arn if key == PRINCIPAL_ARN else ("true" if request.assumed_root else None)
    operator = condition.operator
    if operator == "Null":
        wanted = {v.lower() for v in condition.values}
        if not wanted <= {"true", "false"}:
            return Truth.UNKNOWN, f"{condition.describe()} has a value other than true/false"
        return _truth(("true" if value is None else "false") in wanted), ""
    if operator in ("Bool", "BoolIfExists"):
        if value is None:
            return _truth(operator == "BoolIfExists"), ""
        return _truth(value.lower() in {v.lower() for v in condition.values}), ""
    found = _OPERATOR.match(operator)
    if found is None:
        return Truth.UNKNOWN, f"rootguard does not judge the operator {operator}"
    _, negated, kind, if_exists = found.groups()
    if value is None:  # a missing key: negated operators and …IfExists hold, the others do not
        return _truth(bool(negated or if_exists)), ""
    matched = any(_matches(pattern, value, like=kind == "Like") for pattern in condition.values)
    return _truth(matched != bool(negated)), ""


def _matches(pattern: str, value: str, *, like: bool) -> bool:
    if not like:
        return pattern == value
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.S) is not None


def _truth(value: bool) -> Truth:
    return Truth.YES if value else Truth.NO


@dataclass(frozen=True)
class RootScpAssessment:
    """What the effective SCPs do to the account's root user and to AssumeRoot sessions."""

    root_allowed: tuple[tuple[str, Verdict], ...]
    """Probe actions the real root user is NOT denied (allowed or unknown), with the verdict."""
    tasks_blocked: tuple[tuple[str, Verdict], ...]
    """AssumeRoot task actions an AssumeRoot session is NOT allowed (denied or unknown), with the verdict."""

    @property
    def root_denied(self) -> Truth:
        if not self.root_allowed:
            return Truth.YES
        allowed = any(v.decision is Decision.ALLOWED for _, v in self.root_allowed)
        return Truth.NO if allowed else Truth.UNKNOWN

    @property
    def tasks_work(self) -> Truth:
        if not self.tasks_blocked:
            return Truth.YES
        blocked = any(v.decision is Decision.DENIED for _, v in self.tasks_blocked)
        return Truth.NO if blocked else Truth.UNKNOWN


def assess_root(levels: Sequence[Level], account_id: str, partition: str = "aws") -> RootScpAssessment:
    principal = f"arn:{partition}:iam::{account_id}:root"
    root = [(a, evaluate(levels, Request(a, principal, assumed_root=False))) for a in ROOT_PROBE_ACTIONS]
    tasks = [(a, evaluate(levels, Request(a, principal, assumed_root=True))) for a in ROOT_TASK_ACTIONS]
    return RootScpAssessment(
        tuple((a, v) for a, v in root if v.decision is not Decision.DENIED),
        tuple((a, v) for a, v in tasks if v.decision is not Decision.ALLOWED),
    )
