"""What an account has in place to tell a person that root was used (CIS 4.3 and other paths).

Each document is the data or a Gap, per Region and per resource, so one denied or missing file only
affects the verdicts that need it. The parsers live in ``alerting_trails``, ``alerting_metrics`` and
``alerting_routing``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rootguard.model.alerting_metrics import MetricAlarm, MetricFilter, Subscription
from rootguard.model.alerting_routing import ConfigRule, Detector, EventRule, RuleTarget
from rootguard.model.alerting_trails import EventSelectors, Trail, TrailStatus
from rootguard.model.gaps import Gap
from rootguard.model.watcher_health import RegionWatchers


@dataclass(frozen=True)
class RegionAlerting:
    """The per-Region documents of one account."""

    region: str
    trails: tuple[Trail, ...] | Gap
    metric_filters: tuple[MetricFilter, ...] | Gap
    alarms: tuple[MetricAlarm, ...] | Gap
    rules: tuple[EventRule, ...] | Gap
    targets: Mapping[str, tuple[RuleTarget, ...] | Gap]
    """Rule name → its targets, for every rule of ``rules``."""
    detectors: tuple[Detector | Gap, ...] | Gap
    """``list-detectors`` failed (Gap), or one entry per detector id (``get-detector`` or its Gap)."""
    config_rules: tuple[ConfigRule, ...] | Gap
    config_compliance: Mapping[str, str] | Gap
    """Config rule name → ComplianceType."""


@dataclass(frozen=True)
class AccountAlerting:
    account_id: str
    regions: Mapping[str, RegionAlerting]
    trail_status: Mapping[str, TrailStatus | Gap] = field(default_factory=dict)
    """Trail ARN → ``get-trail-status`` read in the trail's home Region."""
    event_selectors: Mapping[str, EventSelectors | Gap] = field(default_factory=dict)
    """Trail ARN → ``get-event-selectors`` read in the trail's home Region."""
    subscriptions: Mapping[str, tuple[Subscription, ...] | Gap] = field(default_factory=dict)
    """Topic ARN → its subscriptions, for every SNS topic an alarm or a rule of this account notifies."""
    watchers: Mapping[str, RegionWatchers] = field(default_factory=dict)
    """Region → rootguard's deployed watcher there and its health; a Region missing here was not read."""


@dataclass(frozen=True)
class AlertingEvidence:
    own: AccountAlerting
    bundle: Mapping[str, AccountAlerting] = field(default_factory=dict)
    """Every account of the bundle, so an organization trail's log group can be followed to its account."""

    def account(self, account_id: str) -> AccountAlerting | None:
        if account_id == self.own.account_id:
            return self.own
        return self.bundle.get(account_id)
