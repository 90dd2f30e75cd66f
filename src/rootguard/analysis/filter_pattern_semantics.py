"""What a parsed JSON filter pattern matches: CloudWatch semantics applied to one CloudTrail record.

Choices, with the reason for each (CloudWatch Logs User Guide, "Matching terms in JSON log events"):

- **Comparisons apply to value nodes only.** The guide says the selector "must point to a value node
  (string or number)"; on an array or object both ``=`` and ``!=`` fail. We apply the same rule to an
  absent property, ``null`` and booleans: every comparison on them is false, ``!=`` included. So
  ``$.eventType != "AwsServiceEvent"`` does not match a record without ``eventType``; use
  ``NOT EXISTS`` to match absence. (For absence this is our reading of "the filter will not be
  applied"; the guide has no example.)
- **Wildcards.** ``*`` at the start and/or end of a string value matches any text there (``*Event``,
  ``Event*``, ``*vent*``); a lone ``*`` matches any string or number. An inner ``*`` is literal: the
  guide says ``Ev*ent`` "will only match the actual string Ev*ent".
- **Strings against numbers.** A numeric literal equals a JSON number numerically (``1e3 = 1000``)
  and a JSON string by its text as written (``123456789012`` matches the string account id). A string
  literal is matched against a JSON number's text. ``<``, ``>``, ``<=``, ``>=`` need a JSON number.
- ``IS NULL`` is true for a present ``null``; ``NOT NULL`` for a present non-null value; ``EXISTS``
  for any present property (``null`` included); ``IS TRUE``/``IS FALSE`` for JSON booleans only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from enum import Enum
from typing import Any

from rootguard.analysis.filter_pattern_ast import (
    And,
    Atom,
    Check,
    Comparison,
    Existence,
    Expr,
    Number,
    Op,
    Or,
    Selector,
)


class Missing(Enum):
    """The value of a selector that reaches no property (distinct from JSON ``null``)."""

    MISSING = "missing"


MISSING = Missing.MISSING


def resolve(record: Any, selector: Selector) -> Any:
    """The JSON value the selector points to, or ``MISSING`` when a step is absent or of the wrong kind."""
    node = record
    for step in selector:
        if isinstance(step, int):
            if not isinstance(node, Sequence) or isinstance(node, str) or step >= len(node):
                return MISSING
            node = node[step]
        else:
            if not isinstance(node, Mapping) or step not in node:
                return MISSING
            node = node[step]
    return node


def evaluate(expr: Expr, record: Mapping[str, Any]) -> bool:
    """Whether CloudWatch would match this record (one JSON log event) with the pattern."""
    if isinstance(expr, And):
        return all(evaluate(item, record) for item in expr.items)
    if isinstance(expr, Or):
        return any(evaluate(item, record) for item in expr.items)
    return holds(expr, resolve(record, expr.selector))


def matches_records(expr: Expr, records: Iterable[Mapping[str, Any]]) -> list[bool]:
    """``evaluate`` for each record, in order."""
    return [evaluate(expr, record) for record in records]


def holds(atom: Atom, found: Any) -> bool:
    """Whether one comparison or keyword test is true of the value its selector resolved to."""
    if isinstance(atom, Existence):
        return _check(atom.kind, found)
    return _compare(atom, found)


def _check(kind: Check, found: Any) -> bool:
    present = found is not MISSING
    match kind:
        case Check.EXISTS:
            return present
        case Check.NOT_EXISTS:
            return not present
        case Check.IS_NULL:
            return found is None
        case Check.NOT_NULL:
            return present and found is not None
        case Check.IS_TRUE:
            return found is True
        case Check.IS_FALSE:
            return found is False


def _is_number(found: Any) -> bool:
    return isinstance(found, int | float | Decimal) and not isinstance(found, bool)


def _compare(atom: Comparison, found: Any) -> bool:
    if not (isinstance(found, str) or _is_number(found)):
        return False  # absent, null, boolean, object, array: not a value node
    if atom.op in {Op.EQ, Op.NE}:
        equal = _equals(atom.value, found)
        return equal if atom.op is Op.EQ else not equal
    number = _decimal(found)
    if number is None or not isinstance(atom.value, Number):
        return False
    match atom.op:
        case Op.LT:
            return bool(number < atom.value.value)
        case Op.GT:
            return bool(number > atom.value.value)
        case Op.LE:
            return bool(number <= atom.value.value)
        case _:
            return bool(number >= atom.value.value)


def _equals(value: str | Number, found: str | float | Decimal) -> bool:
    if isinstance(value, Number):
        if isinstance(found, str):
            return found == value.text
        return _decimal(found) == value.value
    return wildcard_match(value, found if isinstance(found, str) else str(found))


def _decimal(found: Any) -> Decimal | None:
    """A JSON number as an exact decimal; ``None`` for strings and for NaN or infinity (never equal, never ordered)."""
    if not _is_number(found):
        return None
    number = Decimal(str(found))
    return number if number.is_finite() else None


def wildcard_match(pattern: str, text: str) -> bool:
    """CloudWatch string equality: ``*`` only at the ends is a wildcard; ``*`` alone matches anything."""
    if pattern == "*":
        return True
    leading, trailing = pattern.startswith("*"), pattern.endswith("*")
    core = pattern[1 if leading else 0 : len(pattern) - 1 if trailing else len(pattern)]
    if leading and trailing:
        return core in text
    if leading:
        return text.endswith(core)
    if trailing:
        return text.startswith(core)
    return text == pattern
