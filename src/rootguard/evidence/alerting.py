"""Bundle documents → AlertingEvidence: every Region folder, then the per-resource files they name.

Listings come first (trails, alarms, rules, detectors); the per-resource files are read for what the
listings name: a trail's status and selectors in its home Region, each SNS topic an alarm or a rule
notifies (in the topic's own account and Region), each rule's targets, each detector; and the
deployed root watcher's health (``evidence/watcher_health``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from rootguard.evidence import store as parsing
from rootguard.evidence.store import DocumentStore
from rootguard.evidence.watcher_health import load_watchers
from rootguard.model.alerting import AccountAlerting, AlertingEvidence, RegionAlerting
from rootguard.model.alerting_metrics import (
    alarms_from_document,
    metric_filters_from_document,
    subscriptions_from_document,
    topic_region_account_name,
)
from rootguard.model.alerting_routing import (
    Detector,
    compliance_from_document,
    config_rules_from_document,
    detector_from_document,
    detector_ids_from_document,
    event_rules_from_document,
    rule_targets_from_document,
)
from rootguard.model.alerting_trails import (
    Trail,
    event_selectors_from_document,
    trail_status_from_document,
    trails_from_document,
)
from rootguard.model.evidence import AccountEvidence
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import (
    ALARMS,
    CONFIG_COMPLIANCE,
    CONFIG_RULES,
    DESCRIBE_TRAILS,
    EVENT_RULES,
    EVENT_SELECTORS,
    GUARDDUTY_DETECTOR,
    GUARDDUTY_DETECTORS,
    METRIC_FILTERS,
    RULE_TARGETS,
    TOPIC_SUBSCRIPTIONS,
    TRAIL_STATUS,
    Operation,
)

T = TypeVar("T")


def load_alerting(store: DocumentStore, account_id: str) -> AlertingEvidence | Gap:
    """The account's alerting evidence, or a Gap when the bundle holds no Region folder at all."""
    regions = store.regions(account_id)
    if not regions:
        return Gap(
            kind=GapKind.NOT_COLLECTED,
            source=f"{account_id}/<region>/",
            reason="the bundle holds no Region folder: trails, metric filters, alarms and the other "
            "alerting evidence were not collected.",
            fix=f"collect again with a rootguard that reads them, or save the output of "
            f"`{DESCRIBE_TRAILS.command('us-east-1')}` (and the other files of contract §5) as "
            f"{DESCRIBE_TRAILS.path(account_id, 'us-east-1')}",
        )
    return AlertingEvidence(own=load_account(store, account_id, regions))


def share_alerting(accounts: Sequence[AccountEvidence]) -> tuple[AccountEvidence, ...]:
    """Let every account see the others' alerting evidence (an organization trail's log group is elsewhere)."""
    bundle = {a.account_id: a.alerting.own for a in accounts if isinstance(a.alerting, AlertingEvidence)}
    return tuple(
        replace(a, alerting=replace(a.alerting, bundle=bundle)) if isinstance(a.alerting, AlertingEvidence) else a
        for a in accounts
    )


def load_account(store: DocumentStore, account_id: str, regions: Iterable[str]) -> AccountAlerting:
    regions = tuple(regions)
    per_region = {region: _region(store, account_id, region) for region in regions}
    trails: dict[str, Trail] = {}
    for data in per_region.values():
        if not isinstance(data.trails, Gap):
            for trail in data.trails:
                trails.setdefault(trail.arn, trail)
    return AccountAlerting(
        account_id=account_id,
        regions=per_region,
        trail_status={t.arn: _status(store, account_id, t) for t in trails.values()},
        event_selectors={t.arn: _selectors(store, account_id, t) for t in trails.values()},
        subscriptions={arn: _subscriptions(store, arn) for arn in sorted(_topics(per_region.values()))},
        watchers=load_watchers(store, account_id, regions),
    )


def _region(store: DocumentStore, account_id: str, region: str) -> RegionAlerting:
    rules = parse(store, EVENT_RULES, account_id, region, event_rules_from_document)
    detector_ids = parse(store, GUARDDUTY_DETECTORS, account_id, region, detector_ids_from_document)
    detectors: tuple[Detector | Gap, ...] | Gap = (
        detector_ids
        if isinstance(detector_ids, Gap)
        else tuple(
            parse(store, GUARDDUTY_DETECTOR, account_id, region, _detector_parser(i), resource=i) for i in detector_ids
        )
    )
    return RegionAlerting(
        region=region,
        trails=parse(store, DESCRIBE_TRAILS, account_id, region, trails_from_document),
        metric_filters=parse(store, METRIC_FILTERS, account_id, region, metric_filters_from_document),
        alarms=parse(store, ALARMS, account_id, region, alarms_from_document),
        rules=rules,
        targets={} if isinstance(rules, Gap) else {r.name: _targets(store, account_id, region, r.name) for r in rules},
        detectors=detectors,
        config_rules=parse(store, CONFIG_RULES, account_id, region, config_rules_from_document),
        config_compliance=parse(store, CONFIG_COMPLIANCE, account_id, region, compliance_from_document),
    )


def _status(store: DocumentStore, account_id: str, trail: Trail) -> Any:
    return parse(store, TRAIL_STATUS, account_id, trail.home_region, trail_status_from_document, resource=trail.name)


def _selectors(store: DocumentStore, account_id: str, trail: Trail) -> Any:
    return parse(
        store, EVENT_SELECTORS, account_id, trail.home_region, event_selectors_from_document, resource=trail.name
    )


def _targets(store: DocumentStore, account_id: str, region: str, rule: str) -> Any:
    return parse(store, RULE_TARGETS, account_id, region, rule_targets_from_document, resource=rule)


def _detector_parser(detector_id: str) -> Callable[[Any], Detector]:
    return lambda document: detector_from_document(document, detector_id)


def _topics(regions: Iterable[RegionAlerting]) -> set[str]:
    """Every SNS topic an alarm or an EventBridge rule of these Regions notifies."""
    found: set[str] = set()
    for data in regions:
        if not isinstance(data.alarms, Gap):
            found.update(a for alarm in data.alarms for a in alarm.alarm_actions if topic_region_account_name(a))
        for targets in data.targets.values():
            if not isinstance(targets, Gap):
                found.update(t.arn for t in targets if topic_region_account_name(t.arn))
    return found


def _subscriptions(store: DocumentStore, topic_arn: str) -> Any:
    parts = topic_region_account_name(topic_arn)
    assert parts is not None  # _topics keeps SNS ARNs only
    region, account, name = parts
    found = parse(store, TOPIC_SUBSCRIPTIONS, account, region, subscriptions_from_document, resource=name)
    if isinstance(found, Gap) and found.kind is GapKind.NOT_COLLECTED:
        # The CLI option takes the topic's ARN, the file is named after the topic.
        return replace(found, fix=TOPIC_SUBSCRIPTIONS.fix(account, region, name, argument=topic_arn))
    return found


def parse(
    store: DocumentStore,
    operation: Operation,
    account_id: str,
    region: str,
    parser: Callable[[Any], T],
    *,
    resource: str | None = None,
) -> T | Gap:
    """The parsed document, or the Gap saying why there is none (a parser complaint becomes MALFORMED)."""
    return parsing.parse(store, operation, account_id, parser, region, resource=resource)
