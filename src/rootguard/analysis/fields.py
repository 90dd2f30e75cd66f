"""Lenient reads of CloudTrail record fields.

CloudTrail records are loosely typed: fields go missing across event versions, ``requestParameters``
is ``null`` or a mapping, anonymised datasets hold impossible values, and ingestion pipelines turn
``"Yes"`` into ``true``. Every read here answers with a plain value and never raises, so one odd
record cannot stop the analysis of the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_TRUE = frozenset({"true", "yes"})
_FALSE = frozenset({"false", "no"})


def dig(record: Any, *path: str) -> Any:
    """The value at ``path`` inside nested mappings, or ``None`` when any step is missing or not a mapping."""
    node = record
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def text(record: Any, *path: str) -> str:
    """The string at ``path``; ``""`` when absent or of another type.

    Integers are kept as their digits because YAML and some pipelines turn account ids into numbers.
    """
    value = dig(record, *path)
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def truth(value: Any) -> bool | None:
    """``Yes``/``true``/``True``/``YES``/``true`` (bool) → True, the negatives → False, anything else → None."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        folded = value.strip().lower()
        if folded in _TRUE:
            return True
        if folded in _FALSE:
            return False
    return None


def dotted(path: str) -> tuple[str, ...]:
    """``"VersioningConfiguration.MfaDelete"`` → ``("VersioningConfiguration", "MfaDelete")``."""
    return tuple(part for part in path.split(".") if part)


def arn_account(arn: str) -> str:
    """The account field of an ARN (``arn:aws:iam::123456789012:root`` → ``123456789012``), or ``""``."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else ""
