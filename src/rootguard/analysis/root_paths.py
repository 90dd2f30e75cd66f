"""Paths from a root use to a person other than the CIS chain: EventBridge rules and GuardDuty (pure).

Coverage: EventBridge delivers a CloudTrail event only to rules in the Region where the call or sign-in
was recorded, and root calls land in the Region of the endpoint used, sign-ins in us-east-1 or a
Regional sign-in endpoint (research/detections.md §2.8). So a path counts only when it works in every
Region the bundle holds (the Regions rootguard collected). GuardDuty is Regional in the same way.

Reach of a path, from best to worst: PERSON (a target that reaches a person by the tables of
subscribers.py: an SNS topic with a confirmed e-mail, SMS, chat or paging subscription, or an Incident
Manager response plan), ROUTED (a target rootguard cannot follow to a person: Lambda, SQS, another
event bus, an SNS topic whose subscriptions are all queues or web hooks …; or GuardDuty findings nothing
here routes), NONE. UNKNOWN means evidence is missing where it could still be PERSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rootguard.analysis.event_pattern import PatternUnsupported, matches
from rootguard.analysis.root_event_samples import guardduty_root_finding, root_samples
from rootguard.analysis.subscribers import Reaches, destinations
from rootguard.model.alerting import AccountAlerting, AlertingEvidence, RegionAlerting
from rootguard.model.alerting_routing import Detector, EventRule
from rootguard.model.gaps import Gap


class Reach(StrEnum):
    PERSON = "person"
    UNKNOWN = "unknown"
    ROUTED = "routed"
    NONE = "none"


_BEST = {Reach.NONE: 0, Reach.ROUTED: 1, Reach.UNKNOWN: 2, Reach.PERSON: 3}
"""Choosing among alternatives: an UNKNOWN one may still turn out PERSON."""
_WORST = {Reach.NONE: 0, Reach.UNKNOWN: 1, Reach.ROUTED: 2, Reach.PERSON: 3}
"""Requiring all (every Region, every sample): one NONE sinks it; UNKNOWN beats ROUTED as the weaker claim."""


@dataclass(frozen=True)
class Outcome:
    reach: Reach
    detail: str
    gaps: tuple[Gap, ...] = ()


def best(outcomes: Iterable[Outcome], otherwise: Outcome) -> Outcome:
    found = list(outcomes)
    if not found:
        return otherwise
    top = max(_BEST[o.reach] for o in found)
    chosen = [o for o in found if _BEST[o.reach] == top]
    return Outcome(chosen[0].reach, chosen[0].detail, tuple(g for o in chosen for g in o.gaps))


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    found = list(outcomes)
    bottom = min(_WORST[o.reach] for o in found)
    chosen = [o for o in found if _WORST[o.reach] == bottom]
    details = "; ".join(dict.fromkeys(o.detail for o in chosen))
    return Outcome(chosen[0].reach, details, tuple(dict.fromkeys(g for o in chosen for g in o.gaps)))


def across_regions(by_region: Mapping[str, Outcome]) -> Outcome:
    """Every Region must work: the worst Regions, those with the same story named together."""
    bottom = min(_WORST[o.reach] for o in by_region.values())
    grouped: dict[str, list[str]] = {}
    for region, outcome in by_region.items():
        if _WORST[outcome.reach] == bottom:
            grouped.setdefault(outcome.detail, []).append(region)
    detail = "; ".join(f"{', '.join(regions)}: {text}" for text, regions in grouped.items())
    chosen = [o for o in by_region.values() if _WORST[o.reach] == bottom]
    return Outcome(chosen[0].reach, detail, tuple(dict.fromkeys(g for o in chosen for g in o.gaps)))


def eventbridge_path(alerting: AlertingEvidence) -> Outcome:
    """Whether EventBridge rules tell a person about root API calls and root sign-ins in every Region."""
    own = alerting.own
    return across_regions({region: _rules_in_region(own, data) for region, data in own.regions.items()})


def _rules_in_region(account: AccountAlerting, data: RegionAlerting) -> Outcome:
    if isinstance(data.rules, Gap):
        return Outcome(Reach.UNKNOWN, "the EventBridge rules could not be read", (data.rules,))
    results: dict[str, Outcome] = {}
    for label, event in root_samples(account.account_id, data.region):
        matching = [r for r in data.rules if r.enabled and _matches(r, event)]
        results[label] = best((_rule_reach(account, data, r) for r in matching), Outcome(Reach.NONE, ""))
    unmatched = [label for label, outcome in results.items() if outcome.reach is Reach.NONE and not outcome.detail]
    if unmatched:
        return Outcome(Reach.NONE, f"no enabled rule matches a {' or a '.join(unmatched)}")
    return worst(results.values())


def _matches(rule: EventRule, event: Mapping[str, Any]) -> bool:
    if rule.pattern is None:
        return False
    try:
        return matches(rule.pattern, event)
    except PatternUnsupported:
        return False  # a pattern rootguard cannot read is never taken to match


def _rule_reach(account: AccountAlerting, data: RegionAlerting, rule: EventRule) -> Outcome:
    targets = data.targets.get(rule.name)
    prefix = f"rule {rule.name}"
    if targets is None or isinstance(targets, Gap):
        gaps = (targets,) if isinstance(targets, Gap) else ()
        return Outcome(Reach.UNKNOWN, f"{prefix}: its targets could not be read", gaps)
    if not targets:
        return Outcome(Reach.NONE, f"{prefix} has no target")
    found = destinations(account, [t.arn for t in targets])
    reach = found.reaches
    if reach is Reaches.PERSON:
        return Outcome(Reach.PERSON, f"{prefix} → reaches a person: {'; '.join(found.person)}")
    if reach is None:
        return Outcome(Reach.UNKNOWN, f"{prefix} → the subscriptions of {', '.join(found.unread)}", found.gaps)
    if reach is Reaches.ELSEWHERE:
        return Outcome(Reach.ROUTED, f"{prefix} → {'; '.join(found.elsewhere)} (rootguard cannot see who that reaches)")
    return Outcome(Reach.NONE, f"{prefix} → nobody receives it: {'; '.join(found.nobody)}")


def read_only_note(alerting: AlertingEvidence) -> str | None:
    """Rules in state ENABLED do not receive read-only calls (Describe*, List*, Get*) from CloudTrail."""
    plain = sorted(
        {
            f"{data.region}:{rule.name}"
            for data in alerting.own.regions.values()
            if not isinstance(data.rules, Gap)
            for rule in data.rules
            if rule.state == "ENABLED" and rule.pattern is not None
        }
    )
    if not plain:
        return None
    return (
        f"Rules in state ENABLED ({', '.join(plain[:3])}) do not receive read-only root calls; "
        "state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS does."
    )


def guardduty_path(alerting: AlertingEvidence) -> Outcome:
    """GuardDuty raises Policy:IAMUser/RootCredentialUsage where it is enabled; does a rule route it to a person?"""
    own = alerting.own
    return across_regions({region: _guardduty_in_region(own, data) for region, data in own.regions.items()})


def _guardduty_in_region(account: AccountAlerting, data: RegionAlerting) -> Outcome:
    if isinstance(data.detectors, Gap):
        return Outcome(Reach.UNKNOWN, "GuardDuty detectors could not be read", (data.detectors,))
    enabled = [d for d in data.detectors if isinstance(d, Detector) and d.status == "ENABLED"]
    unread = [d for d in data.detectors if isinstance(d, Gap)]
    if not enabled:
        if unread:
            return Outcome(Reach.UNKNOWN, "a GuardDuty detector could not be read", tuple(unread))
        return Outcome(Reach.NONE, "GuardDuty is not enabled")
    finding = guardduty_root_finding(account.account_id, data.region)
    stays = Outcome(
        Reach.ROUTED,
        "GuardDuty is enabled, but no EventBridge rule sends its RootCredentialUsage finding to a person",
    )
    if isinstance(data.rules, Gap):
        return Outcome(Reach.UNKNOWN, "the EventBridge rules could not be read", (data.rules,))
    matching = [r for r in data.rules if r.enabled and _matches(r, finding)]
    routed = best((_rule_reach(account, data, r) for r in matching), stays)
    if routed is stays or routed.reach is Reach.NONE:
        return stays
    return Outcome(routed.reach, f"GuardDuty finding → {routed.detail}", routed.gaps)
