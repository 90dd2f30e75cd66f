"""Account-wide IAM settings and simulations, from AWS CLI JSON output.

The password policy, the account aliases, IAM Identity Center instances, and the policy
simulator's answers for the administrators (``aws iam simulate-principal-policy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rootguard.model.gaps import MalformedEvidence


@dataclass(frozen=True)
class PasswordPolicy:
    """``PasswordPolicy`` of GetAccountPasswordPolicy; ``present=False`` when AWS answered NoSuchEntity."""

    present: bool
    values: Mapping[str, Any]


NO_PASSWORD_POLICY = PasswordPolicy(present=False, values={})


def password_policy_from_document(document: Any) -> PasswordPolicy:
    """From ``aws iam get-account-password-policy --output json``."""
    values = document.get("PasswordPolicy") if isinstance(document, dict) else None
    if not isinstance(values, dict):
        raise MalformedEvidence("expected a JSON object with a PasswordPolicy object")
    return PasswordPolicy(present=True, values=dict(values))


@dataclass(frozen=True)
class AccountAliases:
    aliases: tuple[str, ...]


def account_aliases_from_document(document: Any) -> AccountAliases:
    """From ``aws iam list-account-aliases --output json``."""
    aliases = document.get("AccountAliases") if isinstance(document, dict) else None
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise MalformedEvidence("expected a JSON object with an AccountAliases list of strings")
    return AccountAliases(tuple(aliases))


@dataclass(frozen=True)
class IdentityCenter:
    """IAM Identity Center instances visible in one Region (an instance lives in its home Region only)."""

    region: str
    instance_arns: tuple[str, ...]


def identity_center_from_document(document: Any, region: str) -> IdentityCenter:
    """From ``aws sso-admin list-instances --region <region> --output json``."""
    instances = document.get("Instances") if isinstance(document, dict) else None
    if not isinstance(instances, list):
        raise MalformedEvidence("expected a JSON object with an Instances list")
    arns = []
    for i, item in enumerate(instances):
        if not isinstance(item, dict) or not isinstance(item.get("InstanceArn"), str):
            raise MalformedEvidence(f"Instances[{i}] has no InstanceArn")
        arns.append(item["InstanceArn"])
    return IdentityCenter(region, tuple(arns))


class Decision(StrEnum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicitDeny"
    IMPLICIT_DENY = "implicitDeny"


@dataclass(frozen=True)
class SimulatedAction:
    """One ``EvaluationResults`` entry."""

    action: str
    decision: Decision
    matched_policies: tuple[str, ...]
    """``SourcePolicyId`` of the matched statements (for a deny: the denying statement's policy)."""
    allowed_by_boundary: bool | None
    allowed_by_organizations: bool | None
    missing_context: tuple[str, ...]

    def why_denied(self) -> str:
        """Why the simulator refused, in words (empty when allowed)."""
        if self.decision is Decision.ALLOWED:
            return ""
        reasons = []
        if self.allowed_by_organizations is False:
            reasons.append("an organization policy (SCP) does not allow it")
        if self.allowed_by_boundary is False:
            reasons.append("the permissions boundary does not allow it")
        if self.decision is Decision.EXPLICIT_DENY:
            where = f" in {', '.join(self.matched_policies)}" if self.matched_policies else ""
            reasons.append(f"an explicit Deny{where}")
        elif not reasons:
            reasons.append("no policy allows it")
        if self.missing_context:
            reasons.append(f"the simulation lacked the context keys {', '.join(self.missing_context)}")
        return f"{self.decision.value}: " + "; ".join(reasons)


@dataclass(frozen=True)
class Simulation:
    """``aws iam simulate-principal-policy`` for one principal (all pages merged)."""

    results: tuple[SimulatedAction, ...]

    def result(self, action: str) -> SimulatedAction | None:
        return next((r for r in self.results if r.action.lower() == action.lower()), None)


def simulation_from_document(document: Any) -> Simulation:
    results = document.get("EvaluationResults") if isinstance(document, dict) else None
    if not isinstance(results, list):
        raise MalformedEvidence("expected a JSON object with an EvaluationResults list")
    if document.get("IsTruncated"):
        raise MalformedEvidence("IsTruncated is true: the file holds one page of several")
    return Simulation(tuple(_simulated(item, f"EvaluationResults[{i}]") for i, item in enumerate(results)))


def _simulated(item: Any, where: str) -> SimulatedAction:
    if not isinstance(item, dict) or not isinstance(item.get("EvalActionName"), str):
        raise MalformedEvidence(f"{where} has no EvalActionName")
    try:
        decision = Decision(str(item.get("EvalDecision")))
    except ValueError:
        raise MalformedEvidence(f"{where}.EvalDecision is {item.get('EvalDecision')!r}") from None
    matched = item.get("MatchedStatements", [])
    sources = (
        tuple(
            str(m["SourcePolicyId"])
            for m in matched
            if isinstance(m, dict) and isinstance(m.get("SourcePolicyId"), str)
        )
        if isinstance(matched, list)
        else ()
    )
    boundary = item.get("PermissionsBoundaryDecisionDetail")
    organizations = item.get("OrganizationsDecisionDetail")
    missing = item.get("MissingContextValues", [])
    return SimulatedAction(
        action=item["EvalActionName"],
        decision=decision,
        matched_policies=sources,
        allowed_by_boundary=_flag(boundary, "AllowedByPermissionsBoundary"),
        allowed_by_organizations=_flag(organizations, "AllowedByOrganizations"),
        missing_context=tuple(str(m) for m in missing) if isinstance(missing, list) else (),
    )


def _flag(detail: Any, key: str) -> bool | None:
    value = detail.get(key) if isinstance(detail, dict) else None
    return value if isinstance(value, bool) else None


ROOT_ADJACENT_ACTIONS = (
    "iam:CreateAccountAlias",
    "iam:DeleteAccountAlias",
    "iam:UpdateAccountPasswordPolicy",
    "iam:CreateServiceLinkedRole",
    "account:PutAlternateContact",
    "account:PutContactInformation",
)
"""Account-wide tasks that look like root's but an IAM administrator can do (CIS 1.7: or admins fall back on root)."""


def simulation_command(principal_arn: str) -> str:
    """The AWS CLI command whose output a simulation file holds."""
    return (
        f"aws iam simulate-principal-policy --policy-source-arn {principal_arn} "
        f"--action-names {' '.join(ROOT_ADJACENT_ACTIONS)} --output json"
    )
