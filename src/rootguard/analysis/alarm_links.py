"""One link of the CIS 4.3 chain at a time: its name, its verdict and the judges of single links (pure).

A link whose evidence is a Gap is UNKNOWN, never BROKEN: an unreadable file is no proof of absence.
A link rootguard can read but not decide is UNDECIDED (MANUAL), never BROKEN: FAIL needs a proof.

The alarm (``judge_alarm``) follows CloudWatch's documented behaviour:

- An alarm watches one metric: name, namespace and the exact dimensions
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension);
  with a ``Unit`` it sees only data published with that unit, and a metric filter publishes its
  ``unit`` or ``None`` (PutMetricAlarm ``Unit``,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html;
  MetricTransformation ``unit`` and ``defaultValue``,
  https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html).
- One root use is one datapoint of the filter's ``metricValue``; a filter with a ``defaultValue`` also
  publishes that value for every other log event, so the period's statistic depends on them.
- Alarms act on state changes only (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html).
  ``TreatMissingData`` (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html):
  ``breaching`` on a filter that publishes nothing between root uses keeps the alarm in ALARM, so a
  root use changes nothing and notifies no one; ``ignore`` keeps whatever state the last use left
  (ALARM); ``missing`` rests in INSUFFICIENT_DATA between uses, which is normal, and ``notBreaching`` in OK.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from rootguard.analysis.subscribers import Reaches, action_rule, destinations
from rootguard.model.alerting import AccountAlerting
from rootguard.model.alerting_metrics import MetricAlarm, MetricTransformation, topic_region_account_name
from rootguard.model.alerting_trails import Trail, TrailStatus
from rootguard.model.gaps import Gap


class LinkState(StrEnum):
    OK = "ok"
    BROKEN = "broken"
    """Proven not to work (the detail says why; a fix exists)."""
    UNKNOWN = "unknown"
    """Its evidence is missing, denied or malformed (a Gap): ERROR, never BROKEN."""
    UNDECIDED = "undecided"
    """Its evidence is readable but rootguard cannot decide it: a person must confirm (MANUAL)."""


class LinkName(StrEnum):
    TRAIL = "trail"
    LOGGING = "logging"
    MULTI_REGION = "multi-region"
    GLOBAL_EVENTS = "global-events"
    MANAGEMENT_EVENTS = "management-events"
    LOG_GROUP = "log-group"
    DELIVERY = "delivery"
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
    return Link(LinkName.LOGGING, LinkState.OK, "logging")


def multi_region_link(trail: Trail) -> Link:
    if trail.multi_region:
        return Link(LinkName.MULTI_REGION, LinkState.OK, "multi-Region")
    detail = f"trail {trail.name} records {trail.home_region} only (IsMultiRegionTrail false)"
    return Link(LinkName.MULTI_REGION, LinkState.BROKEN, detail, subject=trail.name)


# --- the alarm ----------------------------------------------------------------------------------

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": operator.ge,
    "GreaterThanThreshold": operator.gt,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}
"""Static-threshold comparisons: datapoint <op> threshold breaches."""
STATISTICS = frozenset({"Sum", "SampleCount", "Maximum", "Minimum", "Average"})
_PERCENTILE = re.compile(r"^p(\d{1,2}(\.\d+)?|100)$")
ACCOUNT_FIELDS = frozenset({"$.recipientAccountId", "$.userIdentity.accountId"})
"""Event fields that hold the account a root use happened in."""
UNIT_NONE = "None"


@dataclass(frozen=True)
class AlarmVerdict:
    """Why one root use would not, or might not, make the alarm notify."""

    broken: tuple[str, ...] = ()
    """Proven: the alarm never notifies on one root use for these reasons."""
    undecided: tuple[str, ...] = ()
    """rootguard cannot tell: these depend on something it cannot see."""

    @property
    def state(self) -> LinkState:
        if self.broken:
            return LinkState.BROKEN
        return LinkState.UNDECIDED if self.undecided else LinkState.OK


def judge_alarm(alarm: MetricAlarm, metric: MetricTransformation, account_id: str = "") -> AlarmVerdict:
    """Whether one root use (one matched log event) makes this alarm on the filter's metric change state."""
    broken: list[str] = []
    undecided: list[str] = []
    _dimensions(alarm, metric, account_id, broken, undecided)
    published = metric.unit or UNIT_NONE
    if alarm.unit is not None and alarm.unit != published:
        shown = f"unit {metric.unit}" if metric.unit else "no unit (None)"
        broken.append(f"it asks for unit {alarm.unit}, the filter publishes {shown}, so it never sees its data")
    _statistic(alarm, metric, broken, undecided)
    if metric.default_value is None:
        missing = alarm.treat_missing_data or "missing"
        if missing == "breaching":
            broken.append(
                "TreatMissingData is breaching and the filter publishes no defaultValue: every period without root "
                "use breaches, so the alarm stays in ALARM and a root use changes nothing (alarms notify on state "
                "changes only)"
            )
        elif missing == "ignore":
            undecided.append(
                "TreatMissingData is ignore and the filter publishes nothing between root uses: after one use the "
                "alarm keeps its ALARM state, so later uses may change nothing and notify no one"
            )
        elif missing not in {"missing", "notBreaching"}:
            undecided.append(f"TreatMissingData {missing} is not judged")
    if alarm.datapoints_to_alarm > 1:
        broken.append(
            f"it needs {alarm.datapoints_to_alarm} breaching datapoints out of {alarm.evaluation_periods}, "
            "one use gives one"
        )
    return AlarmVerdict(tuple(broken), tuple(undecided))


def alarm_problems(alarm: MetricAlarm, metric: MetricTransformation, account_id: str = "") -> list[str]:
    """Every reason one root use might not trip the alarm (empty: it certainly trips)."""
    verdict = judge_alarm(alarm, metric, account_id)
    return [*verdict.broken, *verdict.undecided]


def _dimensions(
    alarm: MetricAlarm, metric: MetricTransformation, account_id: str, broken: list[str], undecided: list[str]
) -> None:
    if alarm.dimension_names != metric.dimension_names:
        broken.append(
            f"it watches dimensions {list(alarm.dimension_names)}, the filter publishes "
            f"{list(metric.dimension_names)}, so it never sees the filter's data"
        )
        return
    fields = dict(metric.dimensions)
    for name, value in alarm.dimensions:
        field = fields[name]
        if field in ACCOUNT_FIELDS and account_id and value == account_id:
            continue
        undecided.append(
            f"it watches only {name}={value}, a dimension the filter takes from {field}: root use with another "
            "value is counted elsewhere"
        )


def _statistic(alarm: MetricAlarm, metric: MetricTransformation, broken: list[str], undecided: list[str]) -> None:
    statistic = alarm.statistic or alarm.extended_statistic or "?"
    percentile = alarm.statistic is None and bool(_PERCENTILE.match(alarm.extended_statistic or ""))
    if alarm.statistic not in STATISTICS and not percentile:
        undecided.append(f"statistic {statistic} is not judged")
        return
    compare = COMPARISONS.get(alarm.comparison)
    if alarm.threshold is None or compare is None:
        what = "no static threshold" if alarm.threshold is None else f"comparison {alarm.comparison}"
        undecided.append(f"it has {what} (anomaly detection bands are not judged)")
        return
    try:
        value: float | None = float(metric.value)
    except ValueError:
        value = None
    default = metric.default_value
    if default is not None and default != 0:
        undecided.append(
            f"the filter publishes defaultValue {default:g} for every other log event, so {statistic} over a period "
            "depends on how many other events it holds"
        )
        return
    if default == 0:
        if compare(0.0, alarm.threshold) and statistic != "SampleCount":
            broken.append(
                f"every period without root use gives 0 (the filter's defaultValue), which already is "
                f"{alarm.comparison} {alarm.threshold:g}: the alarm stays in ALARM and a root use changes nothing"
            )
            return
        if statistic == "SampleCount":
            undecided.append(
                "SampleCount counts every log event (the filter publishes defaultValue 0 for each one it does not "
                "match), not root use"
            )
            return
        if statistic not in {"Sum", "Maximum"}:
            undecided.append(
                f"{statistic} over a period mixes the use with the 0 the filter publishes (defaultValue) for every "
                "other log event, so whether one use trips it depends on them"
            )
            return
    datapoint = 1.0 if statistic == "SampleCount" else value
    if datapoint is None:
        undecided.append(f"the filter's metric value {metric.value!r} comes from the event: one use's value is unknown")
        return
    if statistic == "Maximum" and default == 0:
        datapoint = max(datapoint, 0.0)
    if not compare(datapoint, alarm.threshold):
        broken.append(f"one use gives {datapoint:g}, which is not {alarm.comparison} {alarm.threshold:g}")


# --- who the alarm reaches ------------------------------------------------------------------------


def notifying_actions(actions: Iterable[str]) -> list[str]:
    """The actions that may tell someone: SNS topics, Incident Manager, Lambda, OpsItems, anything unknown."""
    found = []
    for arn in actions:
        row = action_rule(arn)
        if row is None or row.topic or row.rule.reaches is not Reaches.NOBODY:
            found.append(arn)
    return found


def recipients_link(account: AccountAlerting, arns: list[str]) -> Link:
    """Whether the actions or targets reach a person (subscribers.py classifies each destination)."""
    found = destinations(account, arns)
    reach = found.reaches
    topics = [a for a in arns if topic_region_account_name(a)]
    subject = topics[0] if topics else (arns[0] if arns else "")
    if reach is Reaches.PERSON:
        return Link(LinkName.SUBSCRIBER, LinkState.OK, f"reaches a person: {'; '.join(found.person)}")
    if reach is None:
        return Link(
            LinkName.SUBSCRIBER, LinkState.UNKNOWN, f"the subscriptions of {', '.join(found.unread)}", found.gaps
        )
    if reach is Reaches.ELSEWHERE:
        rest = f"; and nobody else: {'; '.join(found.nobody)}" if found.nobody else ""
        detail = (
            f"who the alarm reaches: it goes only where rootguard cannot see a person ({'; '.join(found.elsewhere)})"
            f"{rest}; confirm a person receives it"
        )
        return Link(LinkName.SUBSCRIBER, LinkState.UNDECIDED, detail, subject=subject)
    return Link(
        LinkName.SUBSCRIBER, LinkState.BROKEN, f"nobody receives the alarm: {'; '.join(found.nobody)}", subject=subject
    )


def subscriber_link(account: AccountAlerting, topics: list[str]) -> Link:
    """``recipients_link`` under its former name."""
    return recipients_link(account, topics)
