"""``rootguard.toml`` and ``ROOTGUARD_*`` variables: parsed, validated and merged (command line > environment > file).

Each source becomes a ``Layer`` (``None`` where it says nothing); ``merge`` lays them over the
defaults. Parsing is pure; ``find_config`` and ``read_config`` are the only functions that touch
the file system. Every error names the source, the key and what was expected (exit 2).

Which file: ``--config FILE`` (must exist), else ``$ROOTGUARD_CONFIG`` (must exist), else
``./rootguard.toml`` when present, else none. ``--demo`` reads ``--config`` or the demo's own file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rootguard.checks import ALL_CHECKS
from rootguard.errors import ConfigError
from rootguard.model.break_glass import Attestation, AttestationKind, BreakGlass, Principal, principal_problem
from rootguard.model.findings import Severity

CONFIG_NAME = "rootguard.toml"
KNOWN_CHECK_IDS = tuple(spec.check_id for spec in ALL_CHECKS)


@dataclass(frozen=True)
class Thresholds:
    unused_credentials_days: int = 45
    """CIS 1.12 says 45."""
    key_rotation_days: int = 90
    """CIS 1.14 says 90."""
    attestation_max_age_days: int = 180
    """No benchmark sets it: twice a year catches a moved safe or a departed custodian within two quarters,
    and matches a semi-annual break-glass rehearsal."""


@dataclass(frozen=True)
class Layer:
    """What one source sets; ``None``: this source is silent and a lower one decides."""

    window_days: int | None = None
    fail_on: Severity | None = None
    approvals: Path | None = None
    unused_credentials_days: int | None = None
    key_rotation_days: int | None = None
    attestation_max_age_days: int | None = None
    include_checks: tuple[str, ...] | None = None
    exclude_checks: tuple[str, ...] | None = None
    break_glass: BreakGlass | None = None


@dataclass(frozen=True)
class Settings:
    """The merged configuration an audit or activity run uses."""

    window_days: int = 90
    fail_on: Severity = Severity.LOW
    approvals: Path | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    include_checks: tuple[str, ...] | None = None
    """``None``: every check."""
    exclude_checks: tuple[str, ...] = ()
    break_glass: BreakGlass = field(default_factory=BreakGlass)
    config_file: Path | None = None

    @property
    def check_ids(self) -> tuple[str, ...]:
        """The checks to run, in report order: the included ones (all by default) less the excluded."""
        wanted = set(self.include_checks) if self.include_checks is not None else set(KNOWN_CHECK_IDS)
        return tuple(c for c in KNOWN_CHECK_IDS if c in wanted and c not in self.exclude_checks)


def merge(*layers: Layer, config_file: Path | None = None) -> Settings:
    """Lay the sources over the defaults, lowest precedence first."""
    values: dict[str, Any] = {}
    for layer in layers:
        values |= {f.name: getattr(layer, f.name) for f in fields(Layer) if getattr(layer, f.name) is not None}
    threshold_names = {f.name for f in fields(Thresholds)}
    thresholds = Thresholds(**{k: v for k, v in values.items() if k in threshold_names})
    settings = Settings(
        thresholds=thresholds,
        config_file=config_file,
        **{k: v for k, v in values.items() if k not in threshold_names},
    )
    if not settings.check_ids:
        raise ConfigError("the check selection leaves no check to run; include at least one check not excluded")
    return settings


# The file -------------------------------------------------------------------------------------------

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
        fail_on=_severity(document.get("fail_on"), f"{source}: fail_on"),
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
    value: int | None = _value(table, key, source, int, expected="a whole number of days (at least 1)", prefix=prefix)
    if value is not None and value < 1:
        raise ConfigError(f"{source}: {prefix}{key} must be a whole number of days (at least 1), not {value}")
    return value


def _severity(value: object, where: str) -> Severity | None:
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
    return check_ids(value, where)


def check_ids(values: list[str], where: str) -> tuple[str, ...]:
    """Validate check ids against the registry; an unknown id is an error listing the known ones."""
    unknown = [v for v in values if v not in KNOWN_CHECK_IDS]
    if unknown:
        raise ConfigError(f"{where}: unknown check id {unknown[0]!r} (known: {', '.join(KNOWN_CHECK_IDS)})")
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


# The environment ------------------------------------------------------------------------------------

ENVIRONMENT: dict[str, str] = {
    "ROOTGUARD_CONFIG": "the configuration file (instead of ./rootguard.toml)",
    "ROOTGUARD_WINDOW": "--window: days back that recent root use reaches",
    "ROOTGUARD_FAIL_ON": "--fail-on: lowest severity of a FAIL that makes the exit code 1",
    "ROOTGUARD_APPROVALS": "--approvals: the approvals file",
    "ROOTGUARD_CHECKS": "--checks: comma-separated check ids to run (default: all)",
    "ROOTGUARD_SKIP_CHECKS": "--skip-checks: comma-separated check ids not to run",
    "ROOTGUARD_UNUSED_CREDENTIALS_DAYS": "--unused-credentials-days (iam-unused-credentials, default 45)",
    "ROOTGUARD_KEY_ROTATION_DAYS": "--key-rotation-days (iam-key-rotation, default 90)",
    "ROOTGUARD_ATTESTATION_MAX_AGE_DAYS": "--attestation-max-age-days (break-glass, default 180)",
}


def env_layer(env: Mapping[str, str]) -> Layer:
    """The ``ROOTGUARD_*`` variables that are set and not empty."""

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    def days(name: str) -> int | None:
        text = get(name)
        return None if text is None else parse_days(text, name)

    def ids(name: str) -> tuple[str, ...] | None:
        text = get(name)
        return None if text is None else split_check_ids(text, name)

    approvals = get("ROOTGUARD_APPROVALS")
    return Layer(
        window_days=days("ROOTGUARD_WINDOW"),
        fail_on=_severity(get("ROOTGUARD_FAIL_ON"), "ROOTGUARD_FAIL_ON"),
        approvals=Path(approvals) if approvals else None,
        unused_credentials_days=days("ROOTGUARD_UNUSED_CREDENTIALS_DAYS"),
        key_rotation_days=days("ROOTGUARD_KEY_ROTATION_DAYS"),
        attestation_max_age_days=days("ROOTGUARD_ATTESTATION_MAX_AGE_DAYS"),
        include_checks=ids("ROOTGUARD_CHECKS"),
        exclude_checks=ids("ROOTGUARD_SKIP_CHECKS"),
    )


def parse_days(text: str, where: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{where} takes a whole number of days, not {text!r}") from None
    if value < 1:
        raise ConfigError(f"{where} must be at least 1 day, not {value}")
    return value


def split_check_ids(text: str, where: str) -> tuple[str, ...]:
    return check_ids([part.strip() for part in text.split(",") if part.strip()], where)


# Finding and reading the file ----------------------------------------------------------------------


def find_config(explicit: Path | None, env: Mapping[str, str], cwd: Path, demo: Path | None = None) -> Path | None:
    """The configuration file to read, if any (see the module docstring for the order).

    ``demo``: the demo's own file; when given, only ``explicit`` can replace it, so a user's
    ROOTGUARD_CONFIG or ./rootguard.toml never changes what the demo shows.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"configuration file not found: {explicit} (from --config)")
        return explicit
    if demo is not None:
        return demo if demo.is_file() else None
    named = env.get("ROOTGUARD_CONFIG", "").strip()
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"configuration file not found: {path} (from ROOTGUARD_CONFIG)")
        return path
    local = cwd / CONFIG_NAME
    return local if local.is_file() else None


def read_config(path: Path) -> Layer:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read the configuration file {path}: {error}") from None
    return parse_config(text, str(path), path.parent)


def load_settings(
    cli: Layer,
    *,
    explicit: Path | None,
    env: Mapping[str, str],
    cwd: Path,
    demo: Path | None = None,
) -> Settings:
    """Find and read the file, then merge: command line > environment > file > defaults."""
    path = find_config(explicit, env, cwd, demo)
    file_layer = read_config(path) if path is not None else Layer()
    return merge(file_layer, env_layer(env), cli, config_file=path)
