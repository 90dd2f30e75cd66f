"""IAM policy documents as data: statements with their actions, resources, principals and conditions.

``aws iam get-account-authorization-details`` prints policy documents as JSON objects (botocore
URL-decodes and parses them); the raw API returns them URL-encoded. Both are accepted, as is a
plain JSON string.

Two kinds of document are read: identity policies (``policy_document_from``: Action/NotAction and
Resource/NotResource, no Principal) and role trust policies (``trust_policy_from``: Action/NotAction
and Principal/NotPrincipal, no Resource). Conditions are kept whole (operator, key, values) so the
analysis can judge the ones it understands.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from rootguard.model.gaps import MalformedEvidence


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True)
class Condition:
    """One ``operator → key → values`` entry of a Condition block (the values are alternatives: OR)."""

    operator: str
    """As written, qualifiers included: ``StringEquals``, ``BoolIfExists``, ``ForAnyValue:StringLike``."""
    key: str
    values: tuple[str, ...]
    """Each value as text (JSON ``true`` is ``"true"``, numbers their decimal form)."""

    def describe(self) -> str:
        return f"{self.operator}:{self.key}"


@dataclass(frozen=True)
class PrincipalEntry:
    """One principal of a Principal/NotPrincipal element: ``AWS``, ``Federated``, ``Service`` … and its value.

    ``"Principal": "*"`` is the entry ``("*", "*")`` (everyone); ``{"AWS": "*"}`` is ``("AWS", "*")``.
    """

    type: str
    value: str

    def describe(self) -> str:
        return "everyone (*)" if self.type == "*" else f"{self.type} {self.value}"


@dataclass(frozen=True)
class Statement:
    """One statement. Exactly one of ``actions``/``not_actions`` is set; identity policies set one of
    ``resources``/``not_resources``, trust policies one of ``principals``/``not_principals``."""

    effect: Effect
    actions: tuple[str, ...] | None
    not_actions: tuple[str, ...] | None
    resources: tuple[str, ...] | None
    not_resources: tuple[str, ...] | None
    conditions: tuple[Condition, ...] = ()
    """Every condition of the statement; all must hold (AND). Empty: unconditional."""
    sid: str | None = None
    principals: tuple[PrincipalEntry, ...] | None = None
    not_principals: tuple[PrincipalEntry, ...] | None = None

    @property
    def conditional(self) -> bool:
        return bool(self.conditions)

    @property
    def condition_keys(self) -> tuple[str, ...]:
        """``Operator:key`` for each condition (empty: unconditional)."""
        return tuple(condition.describe() for condition in self.conditions)


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]


@lru_cache(maxsize=4096)
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.I | re.S)


def actions_match(pattern: str, action: str) -> bool:
    """IAM action matching: case-insensitive, ``*`` any run of characters, ``?`` one character."""
    return _pattern(pattern).fullmatch(action) is not None


def policy_document_from(value: Any, where: str) -> PolicyDocument:
    """Parse an identity policy given as an object, a JSON string or a URL-encoded JSON string."""
    value = _object_of(value, where)
    raw = value.get("Statement")
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise MalformedEvidence(f"{where} has no Statement list")
    return PolicyDocument(tuple(_statement(item, f"{where}.Statement[{i}]") for i, item in enumerate(raw)))


def trust_policy_from(value: Any, where: str) -> PolicyDocument:
    """Parse a role trust policy (``AssumeRolePolicyDocument``).

    A document with no Statement, or an empty one, is a trust policy that allows nobody: it parses
    to no statements. Each statement needs a Principal or a NotPrincipal; a Resource is ignored.
    """
    value = _object_of(value, where)
    raw = value.get("Statement", [])
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise MalformedEvidence(f"{where}.Statement is not a list of statements")
    return PolicyDocument(tuple(_statement(item, f"{where}.Statement[{i}]", trust=True) for i, item in enumerate(raw)))


def decode_policy_text(text: str, where: str) -> Any:
    for candidate in (text, unquote(text)):
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    raise MalformedEvidence(f"{where} is neither JSON nor URL-encoded JSON")


def _object_of(value: Any, where: str) -> dict[str, Any]:
    if isinstance(value, str):
        value = decode_policy_text(value, where)
    if not isinstance(value, dict):
        raise MalformedEvidence(f"{where} is not a policy document")
    return value


def _statement(item: Any, where: str, *, trust: bool = False) -> Statement:
    if not isinstance(item, dict):
        raise MalformedEvidence(f"{where} is not an object")
    try:
        effect = Effect(str(item.get("Effect")))
    except ValueError:
        raise MalformedEvidence(f"{where}.Effect is {item.get('Effect')!r}, not Allow or Deny") from None
    actions, not_actions = _one_of(item, "Action", "NotAction", where)
    principals: tuple[PrincipalEntry, ...] | None = None
    not_principals: tuple[PrincipalEntry, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    if trust:
        if ("Principal" in item) == ("NotPrincipal" in item):
            raise MalformedEvidence(f"{where} needs exactly one of Principal and NotPrincipal")
        if "Principal" in item:
            principals = _principals(item["Principal"], f"{where}.Principal")
        else:
            not_principals = _principals(item["NotPrincipal"], f"{where}.NotPrincipal")
    else:
        resources, not_resources = _one_of(item, "Resource", "NotResource", where)
    sid = item.get("Sid")
    return Statement(
        effect,
        actions,
        not_actions,
        resources,
        not_resources,
        _conditions(item.get("Condition", {}), f"{where}.Condition"),
        sid if isinstance(sid, str) else None,
        principals,
        not_principals,
    )


def _one_of(item: dict[str, Any], name: str, negated: str, where: str) -> tuple[tuple[str, ...] | None, ...]:
    if (name in item) == (negated in item):
        raise MalformedEvidence(f"{where} needs exactly one of {name} and {negated}")
    key = name if name in item else negated
    values = _strings(item[key], f"{where}.{key}")
    return (values, None) if key == name else (None, values)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise MalformedEvidence(f"{where} is not a string or a list of strings")
    return tuple(values)


def _principals(value: Any, where: str) -> tuple[PrincipalEntry, ...]:
    if value == "*":
        return (PrincipalEntry("*", "*"),)
    if not isinstance(value, dict) or not value:
        raise MalformedEvidence(f'{where} is neither "*" nor an object of principal type → principals')
    return tuple(
        PrincipalEntry(kind, one) for kind, listed in value.items() for one in _strings(listed, f"{where}.{kind}")
    )


def _conditions(value: Any, where: str) -> tuple[Condition, ...]:
    if not isinstance(value, dict) or not all(isinstance(block, dict) for block in value.values()):
        raise MalformedEvidence(f"{where} is not an object of operator → key → value")
    return tuple(
        Condition(operator, key, _condition_values(raw, f"{where}.{operator}.{key}"))
        for operator, block in value.items()
        for key, raw in block.items()
    )


def _condition_values(raw: Any, where: str) -> tuple[str, ...]:
    listed = raw if isinstance(raw, list) else [raw]
    values: list[str] = []
    for value in listed:
        if isinstance(value, bool):
            values.append("true" if value else "false")
        elif isinstance(value, str | int | float):
            values.append(str(value))
        else:
            raise MalformedEvidence(f"{where} is not a string, number, boolean or a list of them")
    return tuple(values)
