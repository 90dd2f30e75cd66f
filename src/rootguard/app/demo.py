"""The demo shipped inside the package: a two-account bundle, its rootguard.toml and its approvals."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from rootguard.config.settings import DemoFiles


def _demo(name: str) -> Path:
    return Path(str(resources.files("rootguard") / "demo" / name))


def demo_bundle() -> Path:
    """The demo evidence bundle."""
    return _demo("bundle")


def demo_files() -> DemoFiles:
    """The demo's settings file (break-glass declared and attested) and approvals file."""
    return DemoFiles(config=_demo("rootguard.toml"), approvals=_demo("approvals.toml"))
