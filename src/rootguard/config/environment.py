"""``ROOTGUARD_*`` variables: each one that is set and not empty becomes part of a ``Layer``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from rootguard.config.durations import DurationError, days_error, whole_days
from rootguard.config.file import severity, validate_check_ids
from rootguard.config.layer import Layer
from rootguard.errors import ConfigError

ENVIRONMENT: dict[str, str] = {
    "ROOTGUARD_CONFIG": "the configuration file (instead of ./rootguard.toml)",
    "ROOTGUARD_WINDOW": "--window: days back that recent root use reaches",
    "ROOTGUARD_FAIL_ON": "--fail-on: lowest severity of a FAIL that makes the exit code 1",
    "ROOTGUARD_APPROVALS": "--approvals: the approvals file",
    "ROOTGUARD_CHECKS": "--checks: comma-separated check ids to run (default: all)",
    "ROOTGUARD_SKIP_CHECKS": "--skip-checks: comma-separated check ids not to run",
    "ROOTGUARD_UNUSED_CREDENTIALS_DAYS": "--unused-credentials-days (iam-unused-credentials)",
    "ROOTGUARD_KEY_ROTATION_DAYS": "--key-rotation-days (iam-key-rotation)",
    "ROOTGUARD_ATTESTATION_MAX_AGE_DAYS": "--attestation-max-age-days (break-glass)",
    "ROOTGUARD_ATHENA_WORKGROUP": "--athena-workgroup: the Athena workgroup of activity --athena",
    "ROOTGUARD_ATHENA_DATABASE": "--athena-database: the Glue database holding the CloudTrail table",
    "ROOTGUARD_ATHENA_OUTPUT": "--athena-output: s3:// location for Athena's query results",
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
        fail_on=severity(get("ROOTGUARD_FAIL_ON"), "ROOTGUARD_FAIL_ON"),
        approvals=Path(approvals) if approvals else None,
        unused_credentials_days=days("ROOTGUARD_UNUSED_CREDENTIALS_DAYS"),
        key_rotation_days=days("ROOTGUARD_KEY_ROTATION_DAYS"),
        attestation_max_age_days=days("ROOTGUARD_ATTESTATION_MAX_AGE_DAYS"),
        include_checks=ids("ROOTGUARD_CHECKS"),
        exclude_checks=ids("ROOTGUARD_SKIP_CHECKS"),
        athena_workgroup=get("ROOTGUARD_ATHENA_WORKGROUP"),
        athena_database=get("ROOTGUARD_ATHENA_DATABASE"),
        athena_output=get("ROOTGUARD_ATHENA_OUTPUT"),
    )


def parse_days(text: str, where: str) -> int:
    try:
        return whole_days(text)
    except DurationError:
        raise ConfigError(days_error(where, text)) from None


def split_check_ids(text: str, where: str) -> tuple[str, ...]:
    return validate_check_ids([part.strip() for part in text.split(",") if part.strip()], where)
