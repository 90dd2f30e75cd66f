"""EventBridge event patterns: does a rule's pattern match an event?

Supported (the documented content filters): exact values (strings, numbers, booleans, null), arrays in
the event (any element may match), nested objects, ``prefix``, ``suffix``, ``equals-ignore-case``,
``wildcard``, ``anything-but`` (a value, a list, or a prefix/suffix/equals-ignore-case/wildcard),
``exists``, ``numeric`` and ``$or``. Anything else (``cidr`` …) raises ``PatternUnsupported``: a pattern
rootguard cannot read is never taken to match. The pattern is data: no value is turned into a regex.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any


class PatternUnsupported(ValueError):
    """The pattern uses something this matcher does not evaluate (or is not a valid pattern)."""


class _Missing(Enum):
    MISSING = "missing"


MISSING = _Missing.MISSING


def matches(pattern: Any, event: Mapping[str, Any]) -> bool:
    """Whether ``event`` (an EventBridge envelope: ``source``, ``detail-type``, ``detail`` …) matches."""
    if not isinstance(pattern, Mapping) or not pattern:
        raise PatternUnsupported("an event pattern is a non-empty JSON object")
    return _object(pattern, event)


def _object(pattern: Mapping[str, Any], node: Any) -> bool:
    for key, expected in pattern.items():
        if key == "$or":
            if not isinstance(expected, list) or not expected:
                raise PatternUnsupported("$or takes a non-empty list of patterns")
            if not any(_object(_as_object(option), node) for option in expected):
                return False
            continue
        value = node.get(key, MISSING) if isinstance(node, Mapping) else MISSING
        if isinstance(expected, Mapping):
            # Nested fields of an absent or non-object value are all absent.
            if not _object(expected, value if isinstance(value, Mapping) else {}):
                return False
        elif isinstance(expected, list):
            if not expected:
                raise PatternUnsupported(f"{key}: an empty list matches nothing")
            values: Sequence[Any] = value if isinstance(value, list) else [value]
            if not any(_matcher(m, v) for m in expected for v in (values or [MISSING])):
                return False
        else:
            raise PatternUnsupported(f"{key}: values must be listed in an array")
    return True


def _as_object(option: Any) -> Mapping[str, Any]:
    if not isinstance(option, Mapping):
        raise PatternUnsupported("$or takes patterns (JSON objects)")
    return option


def _matcher(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, Mapping):
        return value is not MISSING and _equal(matcher, value)
    if len(matcher) != 1:
        raise PatternUnsupported(f"a content filter has exactly one operator, not {sorted(matcher)}")
    ((operator, operand),) = matcher.items()
    if operator == "exists":
        if not isinstance(operand, bool):
            raise PatternUnsupported("exists takes true or false")
        return (value is not MISSING) is operand
    if value is MISSING:
        return False
    if operator == "anything-but":
        return not _excluded(operand, value)
    if operator == "numeric":
        return _numeric(operand, value)
    return _string_filter(operator, operand, value)


def _string_filter(operator: str, operand: Any, value: Any) -> bool:
    if operator == "prefix" and isinstance(operand, Mapping):
        inner = _ignore_case(operand)
        return isinstance(value, str) and value.casefold().startswith(inner)
    if operator == "suffix" and isinstance(operand, Mapping):
        inner = _ignore_case(operand)
        return isinstance(value, str) and value.casefold().endswith(inner)
    if not isinstance(operand, str):
        raise PatternUnsupported(f"{operator} takes a string")
    if not isinstance(value, str):
        return False
    if operator == "prefix":
        return value.startswith(operand)
    if operator == "suffix":
        return value.endswith(operand)
    if operator == "equals-ignore-case":
        return value.casefold() == operand.casefold()
    if operator == "wildcard":
        return wildcard(operand, value)
    raise PatternUnsupported(f"the {operator!r} filter is not evaluated by rootguard")


def _ignore_case(operand: Mapping[str, Any]) -> str:
    inner = operand.get("equals-ignore-case")
    if len(operand) != 1 or not isinstance(inner, str):
        raise PatternUnsupported("prefix/suffix take a string or {equals-ignore-case: string}")
    return inner.casefold()


def _excluded(operand: Any, value: Any) -> bool:
    """Whether ``anything-but``'s operand covers the value."""
    if isinstance(operand, Mapping):
        if len(operand) != 1:
            raise PatternUnsupported("anything-but takes one operator")
        ((operator, inner),) = operand.items()
        items = inner if isinstance(inner, list) else [inner]
        return any(_string_filter(operator, item, value) for item in items)
    items = operand if isinstance(operand, list) else [operand]
    return any(_equal(item, value) for item in items)


def _equal(expected: Any, value: Any) -> bool:
    if expected is None or value is None:
        return expected is None and value is None
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(expected, bool) and isinstance(value, bool) and expected == value
    if isinstance(expected, str) or isinstance(value, str):
        return isinstance(expected, str) and isinstance(value, str) and expected == value
    left, right = _decimal(expected), _decimal(value)
    return left is not None and left == right


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


_COMPARE = {
    "=": lambda a, b: a == b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _numeric(operand: Any, value: Any) -> bool:
    if not isinstance(operand, list) or len(operand) not in {2, 4}:
        raise PatternUnsupported("numeric takes [op, number] or [op, number, op, number]")
    number = _decimal(value)
    if number is None:
        return False
    for at in range(0, len(operand), 2):
        compare, bound = _COMPARE.get(operand[at]), _decimal(operand[at + 1])
        if compare is None or bound is None:
            raise PatternUnsupported(f"numeric: {operand[at]!r} {operand[at + 1]!r} is not a comparison")
        if not compare(number, bound):
            return False
    return True


def wildcard(pattern: str, text: str) -> bool:
    """EventBridge ``wildcard``: ``*`` matches any run of characters; ``\\*`` is a literal star."""
    pieces = _split_stars(pattern)
    if len(pieces) == 1:
        return text == pieces[0]
    first, *middle, last = pieces
    if not text.startswith(first) or not text.endswith(last) or len(text) < len(first) + len(last):
        return False
    at, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, at, end)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def _split_stars(pattern: str) -> list[str]:
    pieces, current, escaped = [], [], False
    for char in pattern:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return pieces
