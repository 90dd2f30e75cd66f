"""``rootguard.toml``: parsed and validated into a ``Layer`` (pure; ``read_config`` reads the file).

Every error names the file, the key and what was expected (``ConfigError``, exit 2).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rootguard.checks import check_ids, organization_check_ids
from rootguard.config.durations import DurationError, days_error, whole_days
from rootguard.config.layer import Layer
from rootguard.errors import ConfigError
from rootguard.model.break_glass import Attestation, AttestationKind, BreakGlass, Principal, principal_problem
from rootguard.model.findings import Severity
from rootguard.model.thresholds import Thresholds

TOP_KEYS = {"window", "fail_on", "approvals", "thresholds", "checks", "break_glass"}
THRESHOLD_KEYS = {f.name for f in fields(Thresholds)}


def parse_config(text: str, source: str, base: Path) -> Layer:
    """Parse a ``rootguard.toml``; a relative ``approvals`` path is relative to ``base`` (the file's folder)."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{source} is not valid TOML: {error}") from None
    _no_unknown(document, TOP_KEYS, source, "")
    thresholds = _table(document, "thresholds", source)
    _no_unknown(thresholds, THRESHOLD_KEYS, source, "thresholds.")
    checks = _table(document, "checks", source)
    _no_unknown(checks, {"include", "exclude"}, source, "checks.")
    approvals: str | None = _value(document, "approvals", source, str, expected="a file path string")
    return Layer(
        window_days=_days(document, "window", source),
        fail_on=severity(document.get("fail_on"), f"{source}: fail_on"),
        approvals=(base / approvals) if approvals is not None else None,
        unused_credentials_days=_days(thresholds, "unused_credentials_days", source, "thresholds."),
        key_rotation_days=_days(thresholds, "key_rotation_days", source, "thresholds."),
        attestation_max_age_days=_days(thresholds, "attestation_max_age_days", source, "thresholds."),
        include_checks=_check_ids(checks.get("include"), f"{source}: checks.include"),
        exclude_checks=_check_ids(checks.get("exclude"), f"{source}: checks.exclude"),
        break_glass=_break_glass(document, source),
    )


def _no_unknown(table: Mapping[str, Any], known: set[str], source: str, prefix: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"{source}: unknown key {prefix}{unknown[0]} (known: {', '.join(prefix + k for k in sorted(known))})"
        )


def _kind(value: object) -> str:
    return {bool: "a boolean", int: "an integer", str: "a string", list: "an array", dict: "a table"}.get(
        type(value), type(value).__name__
    )


def _table(document: Mapping[str, Any], key: str, source: str) -> dict[str, Any]:
    value = document.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: {key} must be a table ([{key}]), not {_kind(value)}")
    return value


def _value(table: Mapping[str, Any], key: str, source: str, kind: type, *, expected: str, prefix: str = "") -> Any:
    """The key's value when it has the expected type (booleans are not integers here), else an error."""
    value = table.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
        raise ConfigError(f"{source}: {prefix}{key} must be {expected}, not {_kind(value)} {value!r}")
    return value


def _days(table: Mapping[str, Any], key: str, source: str, prefix: str = "") -> int | None:
    """A day-valued key: a whole number (``90``) or a duration string (``"90d"``, ``"P90D"``)."""
    value = table.get(key)
    if value is None:
        return None
    where = f"{source}: {prefix}{key}"
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ConfigError(days_error(where, value))
    try:
        return whole_days(str(value))
    except DurationError:
        raise ConfigError(days_error(where, value)) from None


def severity(value: object, where: str) -> Severity | None:
    if value is None:
        return None
    choices = ", ".join(s.value for s in Severity)
    if not isinstance(value, str) or value not in {s.value for s in Severity}:
        raise ConfigError(f"{where} must be one of {choices}, not {value!r}")
    return Severity(value)


def _check_ids(value: object, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be an array of check ids (strings), not {_kind(value)} {value!r}")
    return validate_check_ids(value, where)


def validate_check_ids(values: list[str], where: str) -> tuple[str, ...]:
    """Validate check ids against the registry; an unknown id is an error listing the known ones."""
    known = (*check_ids(), *organization_check_ids())
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ConfigError(f"{where}: unknown check id {unknown[0]!r} (known: {', '.join(known)})")
    return tuple(values)


ATTESTATION_KEYS = {"kind", "attested_by", "attested_at", "accounts", "note"}


def _break_glass(document: Mapping[str, Any], source: str) -> BreakGlass | None:
    if "break_glass" not in document:
        return None
    table = _table(document, "break_glass", source)
    _no_unknown(table, {"principals", "attestation"}, source, "break_glass.")
    principals = table.get("principals", [])
    if not isinstance(principals, list) or not all(isinstance(p, str) for p in principals):
        raise ConfigError(f"{source}: break_glass.principals must be an array of strings, not {_kind(principals)}")
    for text in principals:
        problem = principal_problem(text)
        if problem:
            raise ConfigError(f"{source}: break_glass.principals: {text!r}: {problem}")
    entries = table.get("attestation", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{source}: break_glass.attestation must be [[break_glass.attestation]] tables")
    attestations = tuple(
        _attestation(entry, f"{source}: break_glass.attestation #{n}") for n, entry in enumerate(entries, 1)
    )
    return BreakGlass(tuple(Principal(p) for p in principals), attestations)


def _attestation(entry: object, where: str) -> Attestation:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a table, not {_kind(entry)}")
    _no_unknown(entry, ATTESTATION_KEYS, where, "")
    kinds = ", ".join(k.value for k in AttestationKind)
    kind = entry.get("kind")
    if kind not in {k.value for k in AttestationKind}:
        raise ConfigError(f"{where}: kind must be one of {kinds}, not {kind!r}")
    attested_by = entry.get("attested_by")
    if not isinstance(attested_by, str) or not attested_by.strip():
        raise ConfigError(f"{where}: attested_by must be a non-empty string (who vouches)")
    note = entry.get("note", "")
    if not isinstance(note, str):
        raise ConfigError(f"{where}: note must be a string, not {_kind(note)}")
    accounts = entry.get("accounts")
    if accounts is not None and (
        not isinstance(accounts, list) or not all(isinstance(a, str) and re.fullmatch(r"\d{12}", a) for a in accounts)
    ):
        raise ConfigError(f"{where}: accounts must be an array of 12-digit account ids as strings")
    return Attestation(
        kind=AttestationKind(kind),
        attested_by=attested_by,
        attested_at=_moment(entry.get("attested_at"), f"{where}: attested_at"),
        accounts=frozenset(accounts) if accounts is not None else None,
        note=note,
    )


def _moment(value: object, where: str) -> datetime:
    moment: datetime | None = None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise ConfigError(f"{where} must be a date and time with a time zone, such as 2026-10-01T09:00:00Z")
    if moment.tzinfo is None:
        raise ConfigError(f"{where} has no time zone; write it with Z or an offset")
    return moment.astimezone(UTC)


def read_config(path: Path) -> Layer:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the configuration file {path}: {error}") from None
    return parse_config(text, str(path), path.parent)
