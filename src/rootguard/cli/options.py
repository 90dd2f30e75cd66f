"""What the commands share: the parser class, option types, option groups, and the settings they merge into.

Options that a file or a ``ROOTGUARD_*`` variable can also set default to ``None`` here, so the
merge in ``rootguard.config.settings`` can tell "not given" from "given the default value". Help
texts quote the defaults from ``rootguard.model.thresholds``, where they are defined once.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from rootguard.config.durations import DurationError, parse_duration, whole_days
from rootguard.model.findings import Severity
from rootguard.model.thresholds import DEFAULT_FAIL_ON, DEFAULT_WINDOW_DAYS, Thresholds
from rootguard.model.timestamps import parse_timestamp

if TYPE_CHECKING:
    from rootguard.config.settings import DemoFiles, Settings

CONFIG_HELP = "settings file (default: $ROOTGUARD_CONFIG, else ./rootguard.toml if present)"
DEFAULTS = Thresholds()


class Parser(argparse.ArgumentParser):
    """Usage errors exit 2 with one ``rootguard: error:`` line (contract §2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"rootguard: error: {message}\n")


if TYPE_CHECKING:
    Commands = argparse._SubParsersAction[Parser]


def days(text: str) -> int:
    """A day-valued option (``90``, ``90d``, ``P90D``); argparse names the option in front of the message."""
    try:
        return whole_days(text)
    except DurationError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


TIMEOUT_HELP = (
    "live runs: stop asking AWS after this long (90, 90s, 2m, PT2M); calls left are recorded as not "
    "attempted and the report still comes out (default: no limit)"
)


def seconds(text: str) -> float:
    """A time limit (``--timeout``): a bare number is seconds; any duration form of at least 1 second."""
    try:
        duration = parse_duration(text, bare_unit="s").total_seconds()
    except DurationError:
        duration = 0.0
    if duration <= 0:
        raise argparse.ArgumentTypeError(
            f"takes a duration of at least 1 second, such as 90, 90s, 2m or PT2M, not {text!r}"
        )
    return duration


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a whole number (at least 1), not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"takes a whole number (at least 1), not {text!r}")
    return value


def as_of(text: str) -> datetime:
    try:
        return parse_timestamp(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--as-of takes an ISO 8601 timestamp such as 2026-11-20T12:00:00Z, not {text!r}"
        ) from None


def aws_parent() -> Parser:
    """The options of every command that may call AWS."""
    aws = Parser(add_help=False)
    group = aws.add_argument_group("AWS access (standard credential chain; AWS_ENDPOINT_URL is honoured)")
    group.add_argument("--profile", help="AWS profile to use")
    group.add_argument("--region", help="Region for the STS and IAM endpoints (default: the profile's, else us-east-1)")
    group.add_argument("--quiet", action="store_true", help="no progress display on stderr")
    return aws


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE", help=CONFIG_HELP)


def add_verdict_options(parser: argparse.ArgumentParser) -> None:
    """--window, --approvals and --fail-on: what counts as recent, approved, and failing the run."""
    parser.add_argument(
        "--window",
        type=days,
        metavar="DAYS",
        help=f"how far back recent root use reaches (default {DEFAULT_WINDOW_DAYS}; also 90d or P90D)",
    )
    parser.add_argument("--approvals", type=Path, metavar="FILE", help="TOML file of approved root-use windows")
    parser.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help=f"lowest severity of a FAIL that makes the exit code 1 (default: {DEFAULT_FAIL_ON.value})",
    )


def add_check_options(parser: argparse.ArgumentParser) -> None:
    """--config, check selection and the thresholds of the IAM user and break-glass checks."""
    add_config_option(parser)
    group = parser.add_argument_group("check selection and thresholds (also in rootguard.toml and ROOTGUARD_*)")
    group.add_argument("--checks", metavar="IDS", help="comma-separated check ids to run (default: all)")
    group.add_argument("--skip-checks", metavar="IDS", help="comma-separated check ids not to run")
    group.add_argument(
        "--unused-credentials-days",
        type=days,
        metavar="DAYS",
        help=f"iam-unused-credentials: idle days that fail a credential (default {DEFAULTS.unused_credentials_days})",
    )
    group.add_argument(
        "--key-rotation-days",
        type=days,
        metavar="DAYS",
        help=f"iam-key-rotation: oldest acceptable active access key, in days (default {DEFAULTS.key_rotation_days})",
    )
    group.add_argument(
        "--attestation-max-age-days",
        type=days,
        metavar="DAYS",
        help=f"break-glass: oldest acceptable attestation, in days (default {DEFAULTS.attestation_max_age_days})",
    )


def settings(args: argparse.Namespace, *, demo: DemoFiles | None = None) -> Settings:
    """The one settings path: this command line over ROOTGUARD_* over the file over the defaults."""
    from rootguard.config.environment import split_check_ids  # noqa: PLC0415 - the checks load on use
    from rootguard.config.layer import Layer  # noqa: PLC0415
    from rootguard.config.settings import load_settings  # noqa: PLC0415

    checks, skip = getattr(args, "checks", None), getattr(args, "skip_checks", None)
    fail_on = getattr(args, "fail_on", None)
    cli = Layer(
        window_days=getattr(args, "window", None),
        fail_on=Severity(fail_on) if fail_on else None,
        approvals=getattr(args, "approvals", None),
        unused_credentials_days=getattr(args, "unused_credentials_days", None),
        key_rotation_days=getattr(args, "key_rotation_days", None),
        attestation_max_age_days=getattr(args, "attestation_max_age_days", None),
        include_checks=split_check_ids(checks, "--checks") if checks is not None else None,
        exclude_checks=split_check_ids(skip, "--skip-checks") if skip is not None else None,
        athena_workgroup=getattr(args, "athena_workgroup", None),
        athena_database=getattr(args, "athena_database", None),
        athena_table=getattr(args, "athena_table", None),
        athena_output=getattr(args, "athena_output", None),
        athena_max_scan_gb=getattr(args, "max_scan_gb", None),
    )
    return load_settings(cli, explicit=getattr(args, "config", None), env=os.environ, cwd=Path.cwd(), demo=demo)
