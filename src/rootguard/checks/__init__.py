"""Every check rootguard runs, registered explicitly in the order reports show them."""

from __future__ import annotations

from rootguard.checks.admins import admin_principals, admin_root_adjacent
from rootguard.checks.break_glass import break_glass
from rootguard.checks.iam_groups import iam_policies_via_groups
from rootguard.checks.org_activity import org_root_activity
from rootguard.checks.org_root import org_member_root_credentials, org_root_credentials_centralized
from rootguard.checks.org_scp import org_scp_deny_root
from rootguard.checks.registry import CheckSpec, EvaluationContext, Outcome
from rootguard.checks.root_activity import root_activity
from rootguard.checks.root_alerting import root_alerting
from rootguard.checks.root_config_rules import root_config_rules
from rootguard.checks.root_credentials import (
    root_access_keys,
    root_hardware_mfa,
    root_mfa,
    root_signing_certs,
)
from rootguard.checks.root_usage import root_recent_use
from rootguard.checks.root_usage_alarm import root_usage_alarm
from rootguard.checks.user_credentials import iam_key_rotation, iam_unused_credentials
from rootguard.checks.user_mfa import iam_user_mfa
from rootguard.checks.watcher_health import root_watcher_health

ALL_CHECKS: tuple[CheckSpec, ...] = (
    root_recent_use,
    root_activity,
    root_access_keys,
    root_mfa,
    root_hardware_mfa,
    root_signing_certs,
    root_usage_alarm,
    root_alerting,
    root_watcher_health,
    root_config_rules,
    break_glass,
    admin_principals,
    admin_root_adjacent,
    iam_user_mfa,
    iam_unused_credentials,
    iam_key_rotation,
    iam_policies_via_groups,
)

ORGANIZATION_CHECKS: tuple[CheckSpec, ...] = (
    org_root_credentials_centralized,
    org_member_root_credentials,
    org_scp_deny_root,
    org_root_activity,
)
"""Run only on organization bundles (contract §5.7, §9.2), after the single-account checks; a single-account
audit never shows them, so its report is unchanged."""

__all__ = [
    "ALL_CHECKS",
    "ORGANIZATION_CHECKS",
    "CheckSpec",
    "EvaluationContext",
    "Outcome",
    "check_ids",
    "organization_check_ids",
]


def check_ids() -> tuple[str, ...]:
    """Every registered check id, in report order."""
    return tuple(spec.check_id for spec in ALL_CHECKS)


def organization_check_ids() -> tuple[str, ...]:
    """The organization checks' ids, in report order (after the single-account checks)."""
    return tuple(spec.check_id for spec in ORGANIZATION_CHECKS)
