"""IAM policy documents as data: statements with their actions, resources and conditions.

``aws iam get-account-authorization-details`` prints policy documents as JSON objects (botocore
URL-decodes and parses them); the raw API returns them URL-encoded. Both are accepted, as is a
plain JSON string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import unquote

from rootguard.model.gaps import MalformedEvidence


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True)
class Statement:
    """One statement of an identity policy. Exactly one of ``actions``/``not_actions`` is set, likewise resources."""

    effect: Effect
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    condition_keys: tuple[str, ...] = ()
    """``Operator:key`` for each condition (empty: unconditional)."""
    sid: str | None = None

    @property
    def conditional(self) -> bool:
        return bool(self.condition_keys)


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]


def policy_document_from(value: Any, where: str) -> PolicyDocument:
    """Parse a policy document given as an object, a JSON string or a URL-encoded JSON string."""
    if isinstance(value, str):
        value = decode_policy_text(value, where)
    if not isinstance(value, dict):
        raise MalformedEvidence(f"{where} is not a policy document")
    raw = value.get("Statement")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise MalformedEvidence(f"{where} has no Statement list")
    return PolicyDocument(tuple(_statement(item, f"{where}.Statement[{i}]") for i, item in enumerate(raw)))


def decode_policy_text(text: str, where: str) -> Any:
    for candidate in (text, unquote(text)):
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    raise MalformedEvidence(f"{where} is neither JSON nor URL-encoded JSON")


def _statement(item: Any, where: str) -> Statement:
    if not isinstance(item, dict):
        raise MalformedEvidence(f"{where} is not an object")
    try:
        effect = Effect(str(item.get("Effect")))
    except ValueError:
        raise MalformedEvidence(f"{where}.Effect is {item.get('Effect')!r}, not Allow or Deny") from None
    actions, not_actions = _one_of(item, "Action", "NotAction", where)
    resources, not_resources = _one_of(item, "Resource", "NotResource", where)
    condition = item.get("Condition", {})
    if not isinstance(condition, dict) or not all(isinstance(keys, dict) for keys in condition.values()):
        raise MalformedEvidence(f"{where}.Condition is not an object of operator → key → value")
    keys = tuple(f"{operator}:{key}" for operator, block in condition.items() for key in block)
    sid = item.get("Sid")
    return Statement(
        effect, actions, not_actions, resources, not_resources, keys, sid if isinstance(sid, str) else None
    )


def _one_of(item: dict[str, Any], name: str, negated: str, where: str) -> tuple[tuple[str, ...] | None, ...]:
    if (name in item) == (negated in item):
        raise MalformedEvidence(f"{where} needs exactly one of {name} and {negated}")
    key = name if name in item else negated
    value = item[key]
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise MalformedEvidence(f"{where}.{key} is not a string or a list of strings")
    return (tuple(values), None) if key == name else (None, tuple(values))
