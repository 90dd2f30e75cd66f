"""Follow the CIS 4.3 chain from a trail to a person, link by link (pure).

trail → logging → multi-Region → global service events → management events (read and write) →
CloudWatch Logs group in the trail's home Region → events delivered there → metric filter that catches
every root use the CIS filter catches → alarm in that Region on the filter's metric (name, namespace,
dimensions, unit) that one root use makes change state → actions enabled with an action that tells
someone → a person (subscribers.py: a confirmed e-mail, SMS, chat or paging subscription, or an
Incident Manager response plan).

Every trail × filter × metric × alarm combination is followed. Property links (logging, multi-Region,
global events, selectors, delivery, alarm settings, actions enabled) do not stop the walk, so a chain
reports all its breaks; structural links (no log group, no filter, no alarm, no notifying action) end
it. A link whose evidence is a Gap is UNKNOWN, never BROKEN: an unreadable file is no proof of absence.
A link rootguard can read but not decide is UNDECIDED: the chain then needs a person's confirmation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rootguard.analysis.alarm_links import (
    Link,
    LinkName,
    LinkState,
    judge_alarm,
    logging_link,
    multi_region_link,
    notifying_actions,
    recipients_link,
)
from rootguard.analysis.alarm_trail import delivery_link, global_events_link, management_events_link
from rootguard.analysis.filter_pattern_judge import Judgement, judge
from rootguard.model.alerting import AccountAlerting, AlertingEvidence, RegionAlerting
from rootguard.model.alerting_metrics import MetricFilter, MetricTransformation
from rootguard.model.alerting_trails import EventSelectors, LogGroupRef, Trail, TrailStatus
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import METRIC_FILTERS


class ChainState(StrEnum):
    COMPLETE = "complete"
    BROKEN = "broken"
    UNKNOWN = "unknown"
    """No link is broken, but at least one could not be judged (its evidence is a Gap)."""
    MANUAL = "manual"
    """No link is broken or unreadable, but rootguard cannot decide at least one: a person must confirm it."""


@dataclass(frozen=True)
class Chain:
    links: tuple[Link, ...]
    notes: tuple[str, ...] = ()
    judgement: Judgement | None = None
    """The metric filter's judgement, when the chain reached a filter."""

    @property
    def state(self) -> ChainState:
        if any(link.state is LinkState.BROKEN for link in self.links):
            return ChainState.BROKEN
        if (
            any(link.state is LinkState.UNKNOWN for link in self.links)
            or self.links[-1].name is not LinkName.SUBSCRIBER
        ):
            return ChainState.UNKNOWN
        if any(link.state is LinkState.UNDECIDED for link in self.links):
            return ChainState.MANUAL
        return ChainState.COMPLETE

    @property
    def progress(self) -> int:
        return sum(1 for link in self.links if link.state is LinkState.OK)

    @property
    def broken(self) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.state is LinkState.BROKEN)

    @property
    def undecided(self) -> tuple[Link, ...]:
        return tuple(link for link in self.links if link.state is LinkState.UNDECIDED)

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return tuple(gap for link in self.links for gap in link.gaps)


@dataclass(frozen=True)
class ChainReport:
    chains: tuple[Chain, ...]
    best: Chain
    """A complete chain if any; else the furthest that may still be complete once read (UNKNOWN); else the
    furthest that a person must confirm (MANUAL); else the furthest broken."""

    @property
    def state(self) -> ChainState:
        return self.best.state


RANK = {ChainState.COMPLETE: 3, ChainState.UNKNOWN: 2, ChainState.MANUAL: 1, ChainState.BROKEN: 0}


def follow(alerting: AlertingEvidence, read_at: datetime) -> ChainReport:
    """Every chain, and the best; ``read_at`` is when the evidence was read (trail delivery is judged against it)."""
    chains = tuple(_chains(alerting, read_at))

    def rank(chain: Chain) -> tuple[int, int, int]:
        return (RANK[chain.state], chain.progress, -len(chain.broken))

    return ChainReport(chains=chains, best=max(chains, key=rank))


def _chains(alerting: AlertingEvidence, read_at: datetime) -> Iterator[Chain]:
    own = alerting.own
    listings = [data.trails for data in own.regions.values()]
    readable = [listing for listing in listings if not isinstance(listing, Gap)]
    if not readable:
        gaps = tuple(listing for listing in listings if isinstance(listing, Gap))
        yield Chain((Link(LinkName.TRAIL, LinkState.UNKNOWN, "no describe-trails file could be read", gaps),))
        return
    # Multi-Region and organization trails are listed in every Region (shadow trails), so one readable
    # listing shows every trail that could qualify; a denied Region hides only single-Region trails.
    trails = {trail.arn: trail for listing in readable for trail in listing}
    if not trails:
        unread = {region: data.trails for region, data in own.regions.items() if isinstance(data.trails, Gap)}
        if unread:
            # "No trail" is proven only where describe-trails was read: an unread Region is named, never
            # taken as empty, and the verdict waits for it (ERROR), whatever the other Regions say.
            detail = (
                f"the trails of {', '.join(sorted(unread))} (no trail is listed in the {len(readable)} "
                "other Region(s) read)"
            )
            yield Chain((Link(LinkName.TRAIL, LinkState.UNKNOWN, detail, tuple(unread.values())),))
            return
        detail = f"no trail is listed in the {len(readable)} Region(s) read"
        yield Chain((Link(LinkName.TRAIL, LinkState.BROKEN, detail),))
        return
    for trail in trails.values():
        yield from _from_trail(alerting, trail, read_at)


def _from_trail(alerting: AlertingEvidence, trail: Trail, read_at: datetime) -> Iterator[Chain]:
    owner = "" if trail.account_id in {"", alerting.own.account_id} else f", owned by account {trail.account_id}"
    kind = "organization trail" if trail.organization_trail else "trail"
    links = [Link(LinkName.TRAIL, LinkState.OK, f"{kind} {trail.name} (home Region {trail.home_region}{owner})")]
    status = _status(alerting, trail)
    links.append(logging_link(trail, status))
    links.append(multi_region_link(trail))
    links.append(global_events_link(trail, alerting.own.account_id))
    links.append(management_events_link(trail, _selectors(alerting, trail)))
    group = trail.log_group
    if trail.log_group_arn is None or group is None:
        what = "has no CloudWatch Logs group" if trail.log_group_arn is None else "names no log group ARN"
        yield Chain(
            (*links, Link(LinkName.LOG_GROUP, LinkState.BROKEN, f"trail {trail.name} {what}", subject=trail.name))
        )
        return
    if group.region != trail.home_region:
        detail = (
            f"log group {group.name} is in {group.region}, but trail {trail.name} is homed in {trail.home_region} "
            "(CloudTrail delivers to a log group of the trail's home Region only)"
        )
        yield Chain((*links, Link(LinkName.LOG_GROUP, LinkState.BROKEN, detail, subject=trail.name)))
        return
    notes: list[str] = []
    account = alerting.account(group.account_id)
    if group.account_id != alerting.own.account_id:
        where = f"log group {group.name} in account {group.account_id} ({group.region})"
        if account is None:
            gap = Gap(
                GapKind.NOT_COLLECTED,
                METRIC_FILTERS.path(group.account_id, group.region),
                f"{kind} {trail.name} delivers to {where}, an account this bundle does not hold.",
                f"audit account {group.account_id} in the same bundle (its metric filters, alarms and topics "
                "decide whether root use alerts anyone)",
            )
            detail = f"the metric filters of {where}"
            yield Chain((*links, Link(LinkName.LOG_GROUP, LinkState.UNKNOWN, detail, (gap,))))
            return
        notes.append(f"{kind} {trail.name} delivers to {where}; the chain was followed in that account")
    links.append(Link(LinkName.LOG_GROUP, LinkState.OK, f"delivers to log group {group.name} ({group.region})"))
    delivery = delivery_link(trail, status, group.name, read_at)
    if delivery is not None:
        links.append(delivery)
    if account is None:  # pragma: no cover - the own account is always present
        return
    yield from _from_log_group(account, group, tuple(links), tuple(notes), alerting.own.account_id)


def _status(alerting: AlertingEvidence, trail: Trail) -> TrailStatus | Gap | None:
    found = alerting.own.trail_status.get(trail.arn)
    owner = alerting.account(trail.account_id)
    if isinstance(found, Gap) and owner is not None and isinstance(owner.trail_status.get(trail.arn), TrailStatus):
        return owner.trail_status[trail.arn]
    return found


def _selectors(alerting: AlertingEvidence, trail: Trail) -> EventSelectors | Gap | None:
    found = alerting.own.event_selectors.get(trail.arn)
    owner = alerting.account(trail.account_id)
    if (
        isinstance(found, Gap)
        and owner is not None
        and isinstance(owner.event_selectors.get(trail.arn), EventSelectors)
    ):
        return owner.event_selectors[trail.arn]
    return found


def _from_log_group(
    account: AccountAlerting, group: LogGroupRef, links: tuple[Link, ...], notes: tuple[str, ...], audited: str
) -> Iterator[Chain]:
    data = account.regions.get(group.region)
    filters = data.metric_filters if data is not None else _absent_region(account.account_id, group.region)
    if isinstance(filters, Gap):
        detail = f"the metric filters of log group {group.name}"
        yield Chain((*links, Link(LinkName.METRIC_FILTER, LinkState.UNKNOWN, detail, (filters,))), notes)
        return
    on_group = [f for f in filters if f.log_group_name == group.name]
    if not on_group:
        detail = f"log group {group.name} has no metric filter ({len(filters)} filter(s) elsewhere in {group.region})"
        yield Chain((*links, Link(LinkName.METRIC_FILTER, LinkState.BROKEN, detail, subject=group.name)), notes)
        return
    assert data is not None  # filters came from it
    for metric_filter in on_group:
        judgement = judge(metric_filter.pattern)
        link, extra = _filter_link(metric_filter, judgement, group.name)
        here = (*links, link)
        if link.state is LinkState.BROKEN or not metric_filter.transformations:
            if link.state is not LinkState.BROKEN:
                here = (
                    *links,
                    Link(
                        LinkName.METRIC_FILTER,
                        LinkState.BROKEN,
                        f"{link.detail}, but publishes no metric",
                        subject=group.name,
                    ),
                )
            yield Chain(here, (*notes, *extra), judgement)
            continue
        for transformation in metric_filter.transformations:
            for chain in _from_metric(account, data, transformation, here, audited):
                yield Chain(chain.links, (*notes, *extra), judgement)


def _absent_region(account_id: str, region: str) -> Gap:
    return Gap(
        GapKind.NOT_COLLECTED,
        METRIC_FILTERS.path(account_id, region),
        f"the bundle holds no {region} folder for account {account_id}.",
        METRIC_FILTERS.fix(account_id, region),
    )


def _filter_link(metric_filter: MetricFilter, judgement: Judgement, group: str) -> tuple[Link, tuple[str, ...]]:
    """Proven narrower: BROKEN (with a counterexample); not provable either way: UNDECIDED, never BROKEN."""
    name = f"metric filter {metric_filter.name}"
    if not judgement.parses or not judgement.decided:
        detail = (
            f"whether {name} catches every root use: rootguard cannot compare its pattern with the CIS filter "
            f"({judgement.error}): pattern {metric_filter.pattern!r}"
        )
        return Link(LinkName.METRIC_FILTER, LinkState.UNDECIDED, detail, subject=group), ()
    if not judgement.catches_all_cis:
        detail = f"{name} misses root use the CIS filter catches: {judgement.narrower[0]}"
        return Link(LinkName.METRIC_FILTER, LinkState.BROKEN, detail, subject=group), ()
    notes = []
    if judgement.matches_everything:
        notes.append(
            f"{name} has an empty pattern, which matches every log event: it catches every root use and will "
            "also alert on everything else"
        )
    elif judgement.noisy:
        notes.append(f"{name} is noisier than the CIS filter: it {judgement.noise[0]}")
    if judgement.matches_everything:
        verdict = "an empty pattern (matches every event, root use included)"
    elif judgement.equivalent:
        verdict = "equivalent to the CIS filter"
    else:
        verdict = "catches every root use the CIS filter does"
    return Link(LinkName.METRIC_FILTER, LinkState.OK, f"{name} is {verdict}"), tuple(notes)


def _from_metric(
    account: AccountAlerting,
    data: RegionAlerting,
    metric: MetricTransformation,
    links: tuple[Link, ...],
    audited: str,
) -> Iterator[Chain]:
    shown = f"{metric.namespace}/{metric.metric_name}"
    if isinstance(data.alarms, Gap):
        yield Chain((*links, Link(LinkName.ALARM, LinkState.UNKNOWN, f"the alarms on {shown}", (data.alarms,))))
        return
    alarms = [a for a in data.alarms if a.metric_name == metric.metric_name and a.namespace == metric.namespace]
    if not alarms:
        detail = f"no alarm in {data.region} watches metric {shown} ({len(data.alarms)} alarm(s) watch other metrics)"
        yield Chain((*links, Link(LinkName.ALARM, LinkState.BROKEN, detail, subject=shown)))
        return
    for alarm in alarms:
        verdict = judge_alarm(alarm, metric, audited)
        detail = f"alarm {alarm.name} on {shown}"
        if verdict.broken:
            detail += f" never notifies on one root use: {'; '.join(verdict.broken)}"
        elif verdict.undecided:
            detail = f"whether alarm {alarm.name} on {shown} notifies on one root use: {'; '.join(verdict.undecided)}"
        here = (*links, Link(LinkName.ALARM, verdict.state, detail, subject=alarm.name))
        notifying = notifying_actions(alarm.alarm_actions)
        if not notifying:
            others = f" (its actions: {', '.join(alarm.alarm_actions)})" if alarm.alarm_actions else ""
            detail = f"alarm {alarm.name} has no SNS action or other action that tells anyone{others}"
            yield Chain((*here, Link(LinkName.ALARM_ACTIONS, LinkState.BROKEN, detail, subject=alarm.name)))
            continue
        if alarm.actions_enabled:
            actions = Link(LinkName.ALARM_ACTIONS, LinkState.OK, f"notifies {', '.join(notifying)}")
        else:
            actions = Link(
                LinkName.ALARM_ACTIONS,
                LinkState.BROKEN,
                f"alarm {alarm.name} has its actions disabled",
                subject=alarm.name,
            )
        yield Chain((*here, actions, recipients_link(account, notifying)))
