"""The defaults of every tunable setting, defined once: the checks read them, settings override them."""

from __future__ import annotations

from dataclasses import dataclass

from rootguard.model.findings import Severity

DEFAULT_WINDOW_DAYS = 90
"""How far back recent root use reaches unless the user says otherwise (``window``)."""


@dataclass(frozen=True)
class Thresholds:
    """The checks' tunable limits, in days; the defaults here are the only ones (settings override them)."""

    unused_credentials_days: int = 45
    """CIS 1.12: a password or active access key unused this many days (or more) should be disabled."""
    key_rotation_days: int = 90
    """CIS 1.14: an active access key older than this many days is overdue for rotation."""
    attestation_max_age_days: int = 180
    """No benchmark sets it: twice a year catches a moved safe or a departed custodian within two quarters,
    and matches a semi-annual break-glass rehearsal. A break-glass attestation older than this (at as-of)
    no longer vouches for anything."""


DEFAULT_ORG_CONCURRENCY = 32
"""Members an organization run probes at once: each member is a chain of ~25 calls that waits on latency
(about 2.5 s at 50 ms a call), so 32 in flight keep a 500-account run at the AssumeRoot rate's floor
(bench/org_scale.py); the Organizations calls behind them are read a few at a time, throttling retried."""

DEFAULT_FAIL_ON = Severity.LOW
"""The lowest severity of a FAIL that makes the exit code 1 (contract §2)."""


@dataclass(frozen=True)
class AthenaDefaults:
    """Where ``activity --athena`` runs and what it may cost; settings override each (``[athena]``)."""

    workgroup: str = "primary"
    """Athena's default workgroup in every account."""
    database: str = "default"
    """The Glue database every account has."""
    table: str = "rootguard_cloudtrail"
    output: str | None = None
    """``s3://…`` for query results; ``None``: the workgroup's own result location."""
    max_scan_gb: float = 10.0
    """Above this estimate of bytes read, the query waits for a confirmation (about $0.05 at $5/TB)."""
    price_per_tb: float = 5.0
    """US dollars per TB scanned, Athena's SQL price in most Regions (https://aws.amazon.com/athena/pricing/)."""
