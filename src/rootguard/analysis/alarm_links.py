"""One link of the CIS 4.3 chain at a time: its name, its verdict and the judges of single links (pure).

A link whose evidence is a Gap is UNKNOWN, never BROKEN: an unreadable file is no proof of absence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rootguard.model.alerting import AccountAlerting
from rootguard.model.alerting_metrics import MetricAlarm, MetricTransformation
from rootguard.model.alerting_trails import EventSelectors, Trail, TrailStatus
from rootguard.model.gaps import Gap


class LinkState(StrEnum):
    OK = "ok"
    BROKEN = "broken"
    UNKNOWN = "unknown"


class LinkName(StrEnum):
    TRAIL = "trail"
    LOGGING = "logging"
    MULTI_REGION = "multi-region"
    MANAGEMENT_EVENTS = "management-events"
    LOG_GROUP = "log-group"
    METRIC_FILTER = "metric-filter"
    ALARM = "alarm"
    ALARM_ACTIONS = "alarm-actions"
    SUBSCRIBER = "subscriber"


@dataclass(frozen=True)
class Link:
    name: LinkName
    state: LinkState
    detail: str
    gaps: tuple[Gap, ...] = ()
    subject: str = ""
    """What a fix acts on: the trail, log group, alarm or topic (used to fill in the fix command)."""


def logging_link(trail: Trail, status: TrailStatus | Gap | None) -> Link:
    if status is None or isinstance(status, Gap):
        gaps = (status,) if isinstance(status, Gap) else ()
        return Link(LinkName.LOGGING, LinkState.UNKNOWN, f"whether trail {trail.name} is logging", gaps)
    if not status.is_logging:
        return Link(
            LinkName.LOGGING,
            LinkState.BROKEN,
            f"trail {trail.name} is not logging (IsLogging false)",
            subject=trail.name,
        )
    error = f" (last CloudWatch Logs delivery error: {status.cloudwatch_delivery_error})"
    return Link(LinkName.LOGGING, LinkState.OK, "logging" + (error if status.cloudwatch_delivery_error else ""))


def multi_region_link(trail: Trail) -> Link:
    if trail.multi_region:
        return Link(LinkName.MULTI_REGION, LinkState.OK, "multi-Region")
    detail = f"trail {trail.name} records {trail.home_region} only (IsMultiRegionTrail false)"
    return Link(LinkName.MULTI_REGION, LinkState.BROKEN, detail, subject=trail.name)


def management_events_link(trail: Trail, selectors: EventSelectors | Gap | None) -> Link:
    name = LinkName.MANAGEMENT_EVENTS
    if selectors is None or isinstance(selectors, Gap):
        gaps = (selectors,) if isinstance(selectors, Gap) else ()
        return Link(name, LinkState.UNKNOWN, f"which events trail {trail.name} records", gaps)
    for selector in selectors.basic:
        if selector.include_management_events and selector.read_write_type == "All":
            excluded = f", except {', '.join(selector.excluded_sources)}" if selector.excluded_sources else ""
            return Link(name, LinkState.OK, f"records all management events (read and write{excluded})")
    covered: set[str] = set()
    for advanced in selectors.advanced:
        categories = advanced.values("eventCategory")
        if categories is not None and "Management" in categories:
            read_only = advanced.values("readOnly")
            covered.update(read_only if read_only is not None else ("true", "false"))
    if {"true", "false"} <= covered:
        return Link(name, LinkState.OK, "records all management events (advanced selectors, read and write)")
    if covered:
        only = "read-only" if "true" in covered else "write"
        return Link(
            name, LinkState.BROKEN, f"trail {trail.name} records {only} management events only", subject=trail.name
        )
    if selectors.basic and any(s.include_management_events for s in selectors.basic):
        kinds = ", ".join(sorted({s.read_write_type for s in selectors.basic if s.include_management_events}))
        return Link(
            name, LinkState.BROKEN, f"trail {trail.name} records {kinds} management events only", subject=trail.name
        )
    return Link(name, LinkState.BROKEN, f"trail {trail.name} records no management events", subject=trail.name)


def alarm_problems(alarm: MetricAlarm, metric: MetricTransformation) -> list[str]:
    """Why one root use (one datapoint of the filter's value in one period) would not trip the alarm.

    Accepted: statistic Sum, SampleCount, Maximum, Minimum, Average or a percentile; comparison
    ``>=`` or ``>`` a static threshold the datapoint reaches; one datapoint to alarm; the same dimensions.
    """
    problems = []
    try:
        value: float | None = float(metric.value)
    except ValueError:
        value = None
    datapoint = 1.0 if alarm.statistic == "SampleCount" else value
    if datapoint is None:
        problems.append(f"the filter's metric value {metric.value!r} comes from the event: one use's value is unknown")
    if alarm.statistic not in {None, "Sum", "SampleCount", "Maximum", "Minimum", "Average"}:
        problems.append(f"statistic {alarm.statistic} is not judged")
    if alarm.threshold is None:
        problems.append("it has no static threshold (anomaly detection is not judged)")
    elif datapoint is not None:
        trips = {
            "GreaterThanOrEqualToThreshold": datapoint >= alarm.threshold,
            "GreaterThanThreshold": datapoint > alarm.threshold,
        }.get(alarm.comparison)
        if trips is None:
            problems.append(f"comparison {alarm.comparison} does not fire on a rise")
        elif not trips:
            problems.append(f"one use gives {datapoint:g}, which is not {alarm.comparison} {alarm.threshold:g}")
    if alarm.datapoints_to_alarm > 1:
        problems.append(
            f"it needs {alarm.datapoints_to_alarm} breaching datapoints out of {alarm.evaluation_periods}, "
            "one use gives one"
        )
    if alarm.dimensions != metric.dimensions:
        problems.append(
            f"it watches dimensions {list(alarm.dimensions)}, the filter publishes {list(metric.dimensions)}"
        )
    return problems


def subscriber_link(account: AccountAlerting, topics: list[str]) -> Link:
    """Whether at least one of the topics has a confirmed subscription."""
    gaps: list[Gap] = []
    pending: list[str] = []
    for topic in topics:
        found = account.subscriptions.get(topic)
        if isinstance(found, Gap):
            gaps.append(found)
            continue
        subscriptions = found or ()
        confirmed = [s for s in subscriptions if s.confirmed]
        if confirmed:
            who = ", ".join(f"{s.protocol} {s.endpoint}".strip() for s in confirmed)
            return Link(
                LinkName.SUBSCRIBER,
                LinkState.OK,
                f"topic {topic} has {len(confirmed)} confirmed subscription(s): {who}",
            )
        if subscriptions:
            pending.append(f"{topic} ({len(subscriptions)} subscription(s), none confirmed: PendingConfirmation)")
        else:
            pending.append(f"{topic} (no subscription)")
    if gaps:
        return Link(LinkName.SUBSCRIBER, LinkState.UNKNOWN, f"the subscriptions of {', '.join(topics)}", tuple(gaps))
    return Link(
        LinkName.SUBSCRIBER, LinkState.BROKEN, f"nobody receives the alarm: {'; '.join(pending)}", subject=topics[0]
    )
