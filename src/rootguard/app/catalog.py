"""``rootguard checks``: every registered check with the evidence it reads and the IAM actions behind it.

Which evidence each check reads is declared here, per ``AccountEvidence`` field (and, for the alerting
paths, per ``RegionAlerting``/``AccountAlerting`` field); tests/unit/test_catalog.py runs every check on
the demo with every read recorded and fails when a check reads something not declared here, or when a
declaration is stale. The files and actions come from ``model/operations.py``, the same declarations
the collectors, ``rootguard permissions`` and the ERROR messages use.
"""

from __future__ import annotations

from collections.abc import Mapping

from rootguard.checks import ALL_CHECKS, ORGANIZATION_CHECKS, CheckSpec
from rootguard.collect.cloudtrail import REQUIRED_ACTIONS as LOOKUP_ACTIONS
from rootguard.evidence.cloudtrail import LOGS_FOLDER
from rootguard.model import operations as op
from rootguard.model import organization_operations as org
from rootguard.model.catalog import CheckEntry
from rootguard.model.evidence import Source

CLOUDTRAIL = "cloudtrail"
"""Root records: delivered log files, or LookupEvents answers live (``cloudtrail-logs/`` in a bundle)."""
REGION_LISTING = "ec2:DescribeRegions"
"""The alerting paths and LookupEvents are read in every enabled Region, listed first."""

FIELD_OPERATIONS: Mapping[str, tuple[op.Operation, ...]] = {
    "caller_identity": (op.CALLER_IDENTITY,),
    "credential_report": (op.CREDENTIAL_REPORT,),
    "account_summary": (op.ACCOUNT_SUMMARY,),
    "virtual_mfa_devices": (op.VIRTUAL_MFA_DEVICES,),
    "authorization": (op.AUTHORIZATION_DETAILS,),
    "password_policy": (op.PASSWORD_POLICY,),
    "account_aliases": (op.ACCOUNT_ALIASES,),
    "identity_center": (op.SSO_INSTANCES,),
    "admin_simulations": (op.SIMULATE_PRINCIPAL,),
    "alerting.trails": (op.DESCRIBE_TRAILS,),
    "alerting.trail_status": (op.TRAIL_STATUS,),
    "alerting.event_selectors": (op.EVENT_SELECTORS,),
    "alerting.metric_filters": (op.METRIC_FILTERS,),
    "alerting.alarms": (op.ALARMS,),
    "alerting.subscriptions": (op.TOPIC_SUBSCRIPTIONS,),
    "alerting.rules": (op.EVENT_RULES,),
    "alerting.targets": (op.RULE_TARGETS,),
    "alerting.detectors": (op.GUARDDUTY_DETECTORS, op.GUARDDUTY_DETECTOR),
    "alerting.config_rules": (op.CONFIG_RULES,),
    "alerting.config_compliance": (op.CONFIG_COMPLIANCE,),
    "alerting.watchers": op.WATCHER_OPERATIONS,
}
"""Evidence fields → the operations whose files fill them."""

REGIONAL = frozenset({*op.ALERTING_OPERATIONS, op.SSO_INSTANCES})
"""Operations stored under ``<region>/`` (contract §5); the others under ``global/``."""

_ROOT = ("credential_report", "account_summary")
_USAGE_ALARM = (
    "alerting.trails",
    "alerting.trail_status",
    "alerting.event_selectors",
    "alerting.metric_filters",
    "alerting.alarms",
    "alerting.subscriptions",
)
CHECK_READS: Mapping[str, tuple[str, ...]] = {
    "root-recent-use": ("credential_report",),
    "root-activity": (CLOUDTRAIL,),
    "root-access-keys": _ROOT,
    "root-mfa": ("caller_identity", *_ROOT),
    "root-hardware-mfa": ("caller_identity", *_ROOT, "virtual_mfa_devices"),
    "root-signing-certs": _ROOT,
    "root-usage-alarm": _USAGE_ALARM,
    "root-alerting": (*_USAGE_ALARM, "alerting.rules", "alerting.targets", "alerting.detectors"),
    "root-watcher-health": ("alerting.watchers",),
    "root-config-rules": ("alerting.config_rules", "alerting.config_compliance"),
    "break-glass": ("credential_report", "authorization"),
    "admin-principals": ("credential_report", "authorization", "identity_center"),
    "admin-root-adjacent": ("authorization", "admin_simulations"),
    "iam-user-mfa": ("credential_report",),
    "iam-unused-credentials": ("credential_report",),
    "iam-key-rotation": ("credential_report",),
    "iam-policies-via-groups": ("authorization",),
}
"""Check id → the evidence it reads (``FIELD_OPERATIONS`` keys, or ``CLOUDTRAIL``)."""

SKIP_FLAGS = {Source.CLOUDTRAIL: "--no-cloudtrail", Source.ALERTING: "--no-alerting"}

_PLACEMENT = (org.LIST_ACCOUNTS, org.LIST_ROOTS, org.OUS_FOR_PARENT, org.ACCOUNTS_FOR_PARENT)
ORGANIZATION_READS: Mapping[str, tuple[op.Operation | str, ...]] = {
    "org-root-credentials-centralized": (org.DESCRIBE_ORGANIZATION, org.ORGANIZATIONS_FEATURES, org.LIST_ACCOUNTS),
    "org-member-root-credentials": (
        org.ASSUME_ROOT,
        org.LOGIN_PROFILE,
        org.ROOT_ACCESS_KEYS,
        org.ROOT_ACCESS_KEY_LAST_USED,
        org.ROOT_MFA_DEVICES,
        org.ROOT_SIGNING_CERTIFICATES,
        org.ROOT_ACCOUNT_SUMMARY,
    ),
    "org-scp-deny-root": (*_PLACEMENT, org.POLICIES_FOR_TARGET, org.DESCRIBE_POLICY),
    "org-root-activity": (org.LIST_ACCOUNTS, CLOUDTRAIL),
}
"""Organization check id → the contract §5.7 files it reads (paths from the bundle's top: the organization's
answers under ``organization/``, each member's AssumeRoot probe under ``<account>/assume-root/``), or
``CLOUDTRAIL`` (every account's ``cloudtrail-logs/``, an organization trail's records by ``recipientAccountId``)."""


def check_catalog() -> tuple[CheckEntry, ...]:
    """Every registered check, in report order: the single-account checks, then the organization checks."""
    return (
        *(catalog_entry(spec) for spec in ALL_CHECKS),
        *(organization_entry(spec) for spec in ORGANIZATION_CHECKS),
    )


def organization_entry(spec: CheckSpec) -> CheckEntry:
    reads = ORGANIZATION_READS.get(spec.check_id)
    if reads is None:
        raise KeyError(f"{spec.check_id}: declare the evidence it reads in app/catalog.py ORGANIZATION_READS")
    files: list[str] = []
    actions: set[str] = set()
    for read in reads:
        if isinstance(read, str):
            files.append(f"<account>/{LOGS_FOLDER}/…")
            actions |= set(LOOKUP_ACTIONS)
            continue
        resource = "<name>" if read.resource_option else None
        place = "<account>" if isinstance(read, org.AssumeRootOperation) else org.ORGANIZATION_FOLDER
        files.append(read.path(place, resource=resource).replace("%3C", "<").replace("%3E", ">"))
        actions |= set(read.actions)
    return _entry(spec, files, actions, scope="organization")


def catalog_entry(spec: CheckSpec) -> CheckEntry:
    reads = CHECK_READS.get(spec.check_id)
    if reads is None:
        raise KeyError(f"{spec.check_id}: declare the evidence it reads in app/catalog.py CHECK_READS")
    files: list[str] = []
    actions: set[str] = set()
    for name in reads:
        if name == CLOUDTRAIL:
            files += [f"{LOGS_FOLDER}/…"]
            actions |= set(LOOKUP_ACTIONS)
            continue
        for operation in FIELD_OPERATIONS[name]:
            files.append(bundle_file(operation))
            actions |= set(operation.actions)
            if operation in REGIONAL and operation is not op.SSO_INSTANCES:
                actions.add(REGION_LISTING)
    return _entry(spec, files, actions)


def _entry(spec: CheckSpec, files: list[str], actions: set[str], *, scope: str = "account") -> CheckEntry:
    return CheckEntry(
        check_id=spec.check_id,
        title=spec.title,
        severity=spec.severity,
        frameworks=spec.frameworks,
        evidence=tuple(dict.fromkeys(files)),
        actions=tuple(sorted(actions)),
        skipped_by=tuple(flag for source, flag in SKIP_FLAGS.items() if source in spec.needs),
        scope=scope,
    )


def bundle_file(operation: op.Operation) -> str:
    """Where the operation's output lies in an account's folder (contract §5), placeholders in ``<>``."""
    place = "<region>" if operation in REGIONAL else op.GLOBAL
    if operation.resource_option:
        return f"{place}/{operation.service}/{operation.name}/<name>.json"
    return f"{place}/{operation.service}/{operation.name}.json"
