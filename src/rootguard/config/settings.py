"""One settings path: the command line over ``ROOTGUARD_*`` over ``rootguard.toml`` over the defaults.

Each source becomes a ``Layer`` (``None`` where it says nothing); ``merge`` lays them over the
defaults (defined once, beside the checks that use them) into one frozen ``Settings`` that every
command takes. ``load_settings`` is the one function that finds and reads the files.

Which file: ``--config FILE`` (must exist), else ``$ROOTGUARD_CONFIG`` (must exist), else
``./rootguard.toml`` when present, else none. ``--demo`` reads ``--config`` or the demo's own file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from rootguard.checks import check_ids, organization_check_ids
from rootguard.config.environment import env_layer
from rootguard.config.file import read_config
from rootguard.config.layer import Layer
from rootguard.errors import ApprovalsError, ConfigError
from rootguard.model.approvals import Approval, parse_approvals
from rootguard.model.break_glass import BreakGlass
from rootguard.model.findings import Severity
from rootguard.model.thresholds import DEFAULT_FAIL_ON, DEFAULT_WINDOW_DAYS, Thresholds

CONFIG_NAME = "rootguard.toml"


@dataclass(frozen=True)
class DemoFiles:
    """The demo's own settings: used by ``--demo`` unless ``--config`` names another file."""

    config: Path
    approvals: Path


@dataclass(frozen=True)
class Settings:
    """The merged configuration every command runs with."""

    window_days: int = DEFAULT_WINDOW_DAYS
    fail_on: Severity = DEFAULT_FAIL_ON
    approvals_file: Path | None = None
    approvals: tuple[Approval, ...] = ()
    """The approved windows read from ``approvals_file`` (or the demo's), by ``load_settings``."""
    thresholds: Thresholds = field(default_factory=Thresholds)
    include_checks: tuple[str, ...] | None = None
    """``None``: every check."""
    exclude_checks: tuple[str, ...] = ()
    break_glass: BreakGlass = field(default_factory=BreakGlass)
    config_file: Path | None = None

    @property
    def check_ids(self) -> tuple[str, ...]:
        """The checks to run, in report order: the included ones (all by default) less the excluded."""
        known = check_ids()
        wanted = set(self.include_checks) if self.include_checks is not None else set(known)
        return tuple(c for c in known if c in wanted and c not in self.exclude_checks)


LAYER_TO_SETTINGS = {"approvals": "approvals_file"}
"""Layer fields whose Settings field has another name (the layer holds the path, settings the windows)."""


def merge(*layers: Layer, config_file: Path | None = None) -> Settings:
    """Lay the sources over the defaults, lowest precedence first (no file is read here)."""
    values: dict[str, Any] = {}
    for layer in layers:
        values |= {f.name: getattr(layer, f.name) for f in fields(Layer) if getattr(layer, f.name) is not None}
    threshold_names = {f.name for f in fields(Thresholds)}
    thresholds = Thresholds(**{k: v for k, v in values.items() if k in threshold_names})
    settings = Settings(
        thresholds=thresholds,
        config_file=config_file,
        **{LAYER_TO_SETTINGS.get(k, k): v for k, v in values.items() if k not in threshold_names},
    )
    if not settings.check_ids and not (set(settings.include_checks or ()) & set(organization_check_ids())):
        raise ConfigError("the check selection leaves no check to run; include at least one check not excluded")
    return settings


def find_config(explicit: Path | None, env: Mapping[str, str], cwd: Path, demo: DemoFiles | None = None) -> Path | None:
    """The configuration file to read, if any (see the module docstring for the order).

    ``demo``: the demo's own files; when given, only ``explicit`` can replace its file, so a user's
    ROOTGUARD_CONFIG or ./rootguard.toml never changes what the demo shows.
    """
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"configuration file not found: {explicit} (from --config)")
        return explicit
    if demo is not None:
        return demo.config if demo.config.is_file() else None
    named = env.get("ROOTGUARD_CONFIG", "").strip()
    if named:
        path = Path(named)
        if not path.is_file():
            raise ConfigError(f"configuration file not found: {path} (from ROOTGUARD_CONFIG)")
        return path
    local = cwd / CONFIG_NAME
    return local if local.is_file() else None


def load_settings(
    cli: Layer,
    *,
    explicit: Path | None,
    env: Mapping[str, str],
    cwd: Path,
    demo: DemoFiles | None = None,
) -> Settings:
    """Find and read the file, merge (command line > environment > file > defaults), read the approvals.

    With ``demo`` and no approvals file from any source, the demo's approvals apply.
    """
    path = find_config(explicit, env, cwd, demo)
    file_layer = read_config(path) if path is not None else Layer()
    settings = merge(file_layer, env_layer(env), cli, config_file=path)
    if settings.approvals_file is not None:
        return _with_approvals(settings, load_approvals(settings.approvals_file), settings.approvals_file)
    if demo is not None:
        return _with_approvals(settings, _read_approvals(demo.approvals, "demo approvals"), None)
    return settings


def _with_approvals(settings: Settings, approvals: tuple[Approval, ...], path: Path | None) -> Settings:
    return replace(settings, approvals=approvals, approvals_file=path)


def load_approvals(path: Path) -> tuple[Approval, ...]:
    """An approvals file (contract §6); a missing or unreadable one is an ``ApprovalsError`` (exit 2)."""
    return _read_approvals(path, str(path))


def _read_approvals(path: Path, name: str) -> tuple[Approval, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ApprovalsError(f"approvals file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ApprovalsError(f"cannot read the approvals file {path}: {error}") from None
    return parse_approvals(text, name)
