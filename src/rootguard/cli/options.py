"""The command line's side of configuration: the options, and the settings they merge into.

Options that a file or a ``ROOTGUARD_*`` variable can also set default to ``None`` here, so the
merge in ``rootguard.config.settings`` can tell "not given" from "given the default value".
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from rootguard.model.findings import Severity

if TYPE_CHECKING:
    from rootguard.config.settings import Settings

CONFIG_HELP = "settings file (default: $ROOTGUARD_CONFIG, else ./rootguard.toml if present)"


def _days(text: str) -> int:
    """A threshold in days; argparse names the option in front of the message."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a whole number of days, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1 day")
    return value


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="FILE", help=CONFIG_HELP)


def add_audit_options(parser: argparse.ArgumentParser) -> None:
    """--config, check selection and the thresholds of the IAM user and break-glass checks."""
    add_config_option(parser)
    group = parser.add_argument_group("check selection and thresholds (also in rootguard.toml and ROOTGUARD_*)")
    group.add_argument("--checks", metavar="IDS", help="comma-separated check ids to run (default: all)")
    group.add_argument("--skip-checks", metavar="IDS", help="comma-separated check ids not to run")
    group.add_argument(
        "--unused-credentials-days",
        type=_days,
        metavar="DAYS",
        help="iam-unused-credentials: idle days that fail a credential (default 45)",
    )
    group.add_argument(
        "--key-rotation-days",
        type=_days,
        metavar="DAYS",
        help="iam-key-rotation: oldest acceptable active access key, in days (default 90)",
    )
    group.add_argument(
        "--attestation-max-age-days",
        type=_days,
        metavar="DAYS",
        help="break-glass: oldest acceptable attestation, in days (default 180)",
    )


def settings(args: argparse.Namespace, *, demo_file: Path | None = None) -> Settings:
    """Merge the command line over ROOTGUARD_* over the file (``demo_file`` for ``--demo``)."""
    from rootguard.config.settings import Layer, load_settings, split_check_ids  # noqa: PLC0415 - the checks load on use

    checks, skip = getattr(args, "checks", None), getattr(args, "skip_checks", None)
    cli = Layer(
        window_days=args.window,
        fail_on=Severity(args.fail_on) if args.fail_on else None,
        approvals=args.approvals,
        unused_credentials_days=getattr(args, "unused_credentials_days", None),
        key_rotation_days=getattr(args, "key_rotation_days", None),
        attestation_max_age_days=getattr(args, "attestation_max_age_days", None),
        include_checks=split_check_ids(checks, "--checks") if checks is not None else None,
        exclude_checks=split_check_ids(skip, "--skip-checks") if skip is not None else None,
    )
    return load_settings(cli, explicit=args.config, env=os.environ, cwd=Path.cwd(), demo=demo_file)
