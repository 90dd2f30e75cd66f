"""The catalogue of tasks that require the root user, kept as data (``root_tasks.toml``).

Each row cites the AWS page it comes from; rows whose event mapping is an inference say so in
``note``. The catalogue is read once per process from the installed package.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from rootguard.analysis.fields import dig, dotted, text

_TASK_KEYS = frozenset(
    {
        "id",
        "task",
        "event_source",
        "event_names",
        "source",
        "note",
        "request_parameter_absent",
        "request_parameter_present",
        "request_parameter_equals",
    }
)
_EXCLUSION_KEYS = frozenset({"id", "task", "event_source", "event_names", "source", "reason"})


@dataclass(frozen=True)
class RootTask:
    """One task AWS documents as requiring root, and how its CloudTrail event is recognised."""

    id: str
    task: str
    event_sources: frozenset[str]
    event_names: frozenset[str]
    source: str
    note: str | None = None
    absent: tuple[tuple[str, ...], ...] = ()
    """``requestParameters`` paths that must be missing, null or empty."""
    present: tuple[tuple[str, ...], ...] = ()
    """``requestParameters`` paths that must be there (any value)."""
    equals: tuple[tuple[tuple[str, ...], str], ...] = ()
    """``requestParameters`` paths and the value each must hold (compared case-insensitively)."""

    def matches(self, record: Mapping[str, Any]) -> bool:
        if text(record, "eventSource") not in self.event_sources or text(record, "eventName") not in self.event_names:
            return False
        parameters = dig(record, "requestParameters")
        if any(dig(parameters, *path) not in (None, "") for path in self.absent):
            return False
        if any(dig(parameters, *path) is None for path in self.present):
            return False
        return all(_same(dig(parameters, *path), value) for path, value in self.equals)


@dataclass(frozen=True)
class NotRootOnly:
    """A task that looks like it needs root but does not (documentation and test data)."""

    id: str
    task: str
    event_sources: frozenset[str]
    event_names: frozenset[str]
    source: str
    reason: str


@dataclass(frozen=True)
class Catalogue:
    tasks: tuple[RootTask, ...]
    not_root_only: tuple[NotRootOnly, ...]

    def match(self, record: Mapping[str, Any]) -> RootTask | None:
        """The first task whose event the record is, if any."""
        return next((task for task in self.tasks if task.matches(record)), None)


@cache
def load_catalogue() -> Catalogue:
    """The catalogue shipped with the package (read and validated once)."""
    text = resources.files("rootguard.analysis").joinpath("root_tasks.toml").read_text(encoding="utf-8")
    return parse_catalogue(text)


def match_root_task(record: Mapping[str, Any]) -> RootTask | None:
    """The shipped catalogue's task for this record, if any."""
    return load_catalogue().match(record)


def parse_catalogue(text: str) -> Catalogue:
    """Parse and validate a catalogue document. A bad row is a packaging bug: raises ``ValueError``."""
    document = tomllib.loads(text)
    tasks = tuple(_task(row) for row in _rows(document, "task"))
    exclusions = tuple(_exclusion(row) for row in _rows(document, "not_root_only"))
    ids = [t.id for t in tasks] + [e.id for e in exclusions]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"root task catalogue: duplicate ids {duplicates}")
    return Catalogue(tasks=tasks, not_root_only=exclusions)


def _rows(document: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    rows = document.get(key, [])
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise ValueError(f"root task catalogue: use [[{key}]] tables")
    return rows


def _task(row: Mapping[str, Any]) -> RootTask:
    where = _where(row)
    _no_unknown_keys(row, _TASK_KEYS, where)
    equals = row.get("request_parameter_equals")
    pairs: list[tuple[tuple[str, ...], str]] = []
    if equals is not None:
        if not isinstance(equals, Mapping) or not isinstance(equals.get("value"), str):
            raise ValueError(f"{where}: request_parameter_equals needs {{path = …, value = …}}")
        pairs.append((_path(equals.get("path"), where), equals["value"]))
    note = row.get("note")
    if note is not None and not isinstance(note, str):
        raise ValueError(f"{where}: note must be a string")
    return RootTask(
        id=_string(row, "id", where),
        task=_string(row, "task", where),
        event_sources=_strings(row, "event_source", where),
        event_names=_strings(row, "event_names", where),
        source=_url(row, where),
        note=note,
        absent=_paths(row.get("request_parameter_absent"), where),
        present=_paths(row.get("request_parameter_present"), where),
        equals=tuple(pairs),
    )


def _exclusion(row: Mapping[str, Any]) -> NotRootOnly:
    where = _where(row)
    _no_unknown_keys(row, _EXCLUSION_KEYS, where)
    return NotRootOnly(
        id=_string(row, "id", where),
        task=_string(row, "task", where),
        event_sources=_strings(row, "event_source", where),
        event_names=_strings(row, "event_names", where),
        source=_url(row, where),
        reason=_string(row, "reason", where),
    )


def _where(row: Mapping[str, Any]) -> str:
    return f"root task catalogue row {row.get('id', '?')!r}"


def _no_unknown_keys(row: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    # A misspelt condition would silently widen a row, so unknown keys are refused.
    unknown = sorted(set(row) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown}")


def _string(row: Mapping[str, Any], key: str, where: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key} is required")
    return value


def _strings(row: Mapping[str, Any], key: str, where: str) -> frozenset[str]:
    value = row.get(key)
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"{where}: {key} must be a non-empty string or list of strings")
    return frozenset(values)


def _url(row: Mapping[str, Any], where: str) -> str:
    url = _string(row, "source", where)
    if not url.startswith("https://docs.aws.amazon.com/"):
        raise ValueError(f"{where}: source must be an AWS documentation URL, got {url!r}")
    return url


def _path(value: Any, where: str) -> tuple[str, ...]:
    path = dotted(value) if isinstance(value, str) else ()
    if not path:
        raise ValueError(f"{where}: a request parameter path must be a non-empty dotted string")
    return path


def _paths(value: Any, where: str) -> tuple[tuple[str, ...], ...]:
    if value is None:
        return ()
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        raise ValueError(f"{where}: request parameter paths must be a string or a list of strings")
    return tuple(_path(v, where) for v in values)


def _same(actual: Any, expected: str) -> bool:
    return isinstance(actual, str) and actual.strip().casefold() == expected.casefold()
