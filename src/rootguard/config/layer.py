"""What one source of settings says: the command line, the environment, or rootguard.toml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rootguard.model.break_glass import BreakGlass
from rootguard.model.findings import Severity


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
    athena_workgroup: str | None = None
    athena_database: str | None = None
    athena_table: str | None = None
    athena_output: str | None = None
    athena_max_scan_gb: float | None = None
    athena_price_per_tb: float | None = None
