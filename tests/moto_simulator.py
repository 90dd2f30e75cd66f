"""A stand-in for IAM's SimulatePrincipalPolicy in moto, which has none.

moto 5.2.5 (moto/iam/responses.py) has no ``simulate_principal_policy``: under ``mock_aws`` the call
raises ``NotImplementedError``, and the server answers HTTP 500. ``install_simulator`` adds one to
moto's IAM responses that answers in AWS's documented shape (``EvaluationResults`` of
``EvalActionName``, ``EvalResourceName``, ``EvalDecision``, ``MatchedStatements``,
``MissingContextValues``, ``PermissionsBoundaryDecisionDetail``; ``IsTruncated``/``Marker`` paging
honouring ``MaxItems``) from the principal's policies in moto's backend, crudely:

- explicitDeny when a Deny statement's Action matches (case-insensitive wildcards), else allowed when
  an Allow statement's does, else implicitDeny; Resources and Conditions are not weighed;
- a permissions boundary is weighed the same way (``AllowedByPermissionsBoundary``);
- no ``OrganizationsDecisionDetail``: moto's accounts belong to no organization.

It is a fake of AWS for the collector's sake, not rootguard's evaluator; the checks read only what it
returns, as they would AWS's answer.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import unquote

import pytest
from moto.core.responses import ActionResult
from moto.iam.models import IAMBackend
from moto.iam.responses import IamResponse

PAGE_SIZE = 4
"""AWS pages at 100 results by default; 4 makes the six root-adjacent actions take two pages."""


def _statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        document = json.loads(unquote(document) if document.startswith("%") else document)
    statements = document.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def _matches(statement: dict[str, Any], action: str) -> bool:
    patterns = statement.get("Action", [])
    patterns = [patterns] if isinstance(patterns, str) else patterns
    return any(fnmatchcase(action.lower(), p.lower()) for p in patterns)


def _policies(backend: IAMBackend, arn: str) -> tuple[list[tuple[str, Any]], str | None]:
    """(policy id, document) pairs of the principal, and its permissions boundary ARN."""
    kind, _, name = arn.split(":", 5)[5].partition("/")
    name = name.rsplit("/", 1)[-1]
    if kind == "role":
        principal: Any = backend.get_role(name)
        groups: list[Any] = []
    else:
        principal = backend.get_user(name)
        groups = backend.get_groups_for_user(name)
    found: list[tuple[str, Any]] = []
    for owner in (principal, *groups):
        found.extend(owner.policies.items())
        found.extend((p.name, _default_document(p)) for p in owner.managed_policies.values())
    return found, getattr(principal, "permissions_boundary_arn", None)


def _default_document(policy: Any) -> Any:
    return next(v.document for v in policy.versions if v.is_default)


def _decide(policies: list[tuple[str, Any]], action: str) -> tuple[str, list[str]]:
    allowed: list[str] = []
    for policy_id, document in policies:
        for statement in _statements(document):
            if _matches(statement, action):
                if statement.get("Effect") == "Deny":
                    return "explicitDeny", [policy_id]
                allowed.append(policy_id)
    return ("allowed", allowed[:1]) if allowed else ("implicitDeny", [])


def simulate(backend: IAMBackend, arn: str, actions: list[str]) -> list[dict[str, Any]]:
    policies, boundary_arn = _policies(backend, arn)
    boundary = [(boundary_arn, _default_document(backend.get_policy(boundary_arn)))] if boundary_arn else None
    results = []
    for action in actions:
        decision, matched = _decide(policies, action)
        result: dict[str, Any] = {
            "EvalActionName": action,
            "EvalResourceName": "*",
            "EvalDecision": decision,
            "MatchedStatements": [{"SourcePolicyId": m, "SourcePolicyType": "IAM Policy"} for m in matched],
            "MissingContextValues": [],
        }
        if boundary is not None:
            by_boundary = _decide(boundary, action)[0] == "allowed"
            result["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": by_boundary}
            if not by_boundary and decision == "allowed":
                result["EvalDecision"] = "implicitDeny"
        results.append(result)
    return results


def install_simulator(patches: pytest.MonkeyPatch) -> None:
    def simulate_principal_policy(self: IamResponse) -> ActionResult:
        arn = self._get_param("PolicySourceArn")
        actions = self._get_param("ActionNames", [])
        results = simulate(self.backend, arn, actions)
        start = int(self._get_param("Marker") or 0)
        size = int(self._get_param("MaxItems") or PAGE_SIZE)
        page = results[start : start + size]
        more = start + size < len(results)
        answer: dict[str, Any] = {"EvaluationResults": page, "IsTruncated": more}
        if more:
            answer["Marker"] = str(start + size)
        return ActionResult(answer)

    patches.setattr(IamResponse, "simulate_principal_policy", simulate_principal_policy, raising=False)
