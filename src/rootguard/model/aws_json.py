"""Small readers for AWS CLI JSON: each raises MalformedEvidence naming the key that is wrong.

Optional keys may be absent (the CLI drops empty fields); a key that is present with the wrong
type is malformed, because guessing would turn a broken file into a verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rootguard.model.gaps import MalformedEvidence


def items(document: Any, key: str) -> list[Mapping[str, Any]]:
    """``document[key]``: a list of objects (an absent key is malformed: the CLI always prints it)."""
    if not isinstance(document, dict):
        raise MalformedEvidence(f"expected a JSON object with a {key} list")
    found = document.get(key)
    if not isinstance(found, list):
        raise MalformedEvidence(f"expected a JSON object with a {key} list")
    for index, item in enumerate(found):
        if not isinstance(item, dict):
            raise MalformedEvidence(f"{key}[{index}] is not a JSON object")
    return found


def text(item: Mapping[str, Any], key: str, where: str) -> str:
    """A required string."""
    value = item.get(key)
    if not isinstance(value, str):
        raise MalformedEvidence(f"{where}.{key} is missing or not a string")
    return value


def optional_text(item: Mapping[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedEvidence(f"{where}.{key} is not a string")
    return value


def flag(item: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
    value = item.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise MalformedEvidence(f"{where}.{key} is {value!r}, not true or false")
    return value


def number(item: Mapping[str, Any], key: str, where: str) -> float | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedEvidence(f"{where}.{key} is {value!r}, not a number")
    return float(value)


def texts(item: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    """An optional list of strings."""
    value = item.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise MalformedEvidence(f"{where}.{key} is not a list of strings")
    return tuple(value)
