"""Metric filters, CloudWatch alarms and SNS subscriptions, from AWS CLI JSON output.

Field meanings: MetricTransformation
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html),
MetricAlarm (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html),
Subscription (https://docs.aws.amazon.com/sns/latest/api/API_Subscription.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rootguard.model.aws_json import flag, items, number, optional_text, text, texts
from rootguard.model.gaps import MalformedEvidence


@dataclass(frozen=True)
class MetricTransformation:
    metric_name: str
    namespace: str
    value: str
    """``metricValue``: a number as text (``"1"``) or a ``$.field`` reference."""
    dimensions: tuple[tuple[str, str], ...]
    """``dimensions``: (name, ``$.field`` the value is taken from), sorted by name."""
    default_value: float | None = None
    """``defaultValue``: what the filter publishes for every log event it does not match; ``None``: nothing."""
    unit: str | None = None
    """``unit``; AWS publishes ``None`` (the unit called "None") when it is left out."""

    @property
    def dimension_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.dimensions)


@dataclass(frozen=True)
class MetricFilter:
    name: str
    log_group_name: str
    pattern: str
    transformations: tuple[MetricTransformation, ...]


def metric_filters_from_document(document: Any) -> tuple[MetricFilter, ...]:
    """From ``aws logs describe-metric-filters --output json``."""
    found = []
    for index, item in enumerate(items(document, "metricFilters")):
        where = f"metricFilters[{index}]"
        transformations = []
        for number_, transformation in enumerate(items(item, "metricTransformations")):
            here = f"{where}.metricTransformations[{number_}]"
            dimensions = transformation.get("dimensions") or {}
            if not isinstance(dimensions, dict) or not all(isinstance(v, str) for v in dimensions.values()):
                raise MalformedEvidence(f"{here}.dimensions is not an object of strings")
            transformations.append(
                MetricTransformation(
                    metric_name=text(transformation, "metricName", here),
                    namespace=text(transformation, "metricNamespace", here),
                    value=text(transformation, "metricValue", here),
                    dimensions=tuple(sorted((str(k), v) for k, v in dimensions.items())),
                    default_value=number(transformation, "defaultValue", here),
                    unit=optional_text(transformation, "unit", here),
                )
            )
        found.append(
            MetricFilter(
                name=text(item, "filterName", where),
                log_group_name=text(item, "logGroupName", where),
                # An empty pattern matches every event: the CLI prints it as "".
                pattern=optional_text(item, "filterPattern", where) or "",
                transformations=tuple(transformations),
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class MetricAlarm:
    name: str
    arn: str
    metric_name: str | None
    """``None`` for a metric-math alarm (``Metrics``), which rootguard does not follow."""
    namespace: str | None
    statistic: str | None
    """``Sum``, ``SampleCount`` …; ``None`` with an ``ExtendedStatistic`` (a percentile)."""
    extended_statistic: str | None
    comparison: str
    threshold: float | None
    """``None`` for anomaly-detection alarms (``ThresholdMetricId``)."""
    evaluation_periods: int
    datapoints_to_alarm: int
    dimensions: tuple[tuple[str, str], ...]
    """(name, value) pairs, sorted by name: the alarm watches only the metric with exactly these."""
    actions_enabled: bool
    alarm_actions: tuple[str, ...]
    unit: str | None = None
    """``Unit``: when set, the alarm sees only data published with that unit."""
    treat_missing_data: str | None = None
    """``TreatMissingData``: ``missing`` (the default when absent), ``notBreaching``, ``breaching``, ``ignore``."""

    @property
    def dimension_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.dimensions)


def alarms_from_document(document: Any) -> tuple[MetricAlarm, ...]:
    """``MetricAlarms`` of ``aws cloudwatch describe-alarms --output json`` (composite alarms are not followed)."""
    if isinstance(document, dict) and "MetricAlarms" not in document and "CompositeAlarms" in document:
        return ()
    return tuple(_alarm(item, f"MetricAlarms[{i}]") for i, item in enumerate(items(document, "MetricAlarms")))


def _alarm(item: Mapping[str, Any], where: str) -> MetricAlarm:
    periods = number(item, "EvaluationPeriods", where)
    datapoints = number(item, "DatapointsToAlarm", where)
    dimensions = item.get("Dimensions") or []
    if not isinstance(dimensions, list) or not all(
        isinstance(d, dict) and isinstance(d.get("Name"), str) and isinstance(d.get("Value", ""), str)
        for d in dimensions
    ):
        raise MalformedEvidence(f"{where}.Dimensions is not a list of objects with a Name and a Value")
    evaluation_periods = int(periods) if periods is not None else 1
    return MetricAlarm(
        name=text(item, "AlarmName", where),
        arn=optional_text(item, "AlarmArn", where) or "",
        metric_name=optional_text(item, "MetricName", where),
        namespace=optional_text(item, "Namespace", where),
        statistic=optional_text(item, "Statistic", where),
        extended_statistic=optional_text(item, "ExtendedStatistic", where),
        comparison=text(item, "ComparisonOperator", where),
        threshold=number(item, "Threshold", where),
        evaluation_periods=evaluation_periods,
        datapoints_to_alarm=int(datapoints) if datapoints is not None else evaluation_periods,
        dimensions=tuple(sorted((str(d["Name"]), str(d.get("Value", ""))) for d in dimensions)),
        actions_enabled=flag(item, "ActionsEnabled", where, default=True),
        alarm_actions=texts(item, "AlarmActions", where),
        unit=optional_text(item, "Unit", where),
        treat_missing_data=optional_text(item, "TreatMissingData", where),
    )


PENDING = "PendingConfirmation"


@dataclass(frozen=True)
class Subscription:
    arn: str
    """The subscription's ARN once confirmed; ``PendingConfirmation`` until the recipient confirms."""
    protocol: str
    endpoint: str

    @property
    def confirmed(self) -> bool:
        # "PendingConfirmation", "Deleted" and the like are not ARNs: nothing is delivered to them.
        return self.arn.startswith("arn:")


def subscriptions_from_document(document: Any) -> tuple[Subscription, ...]:
    """From ``aws sns list-subscriptions-by-topic --topic-arn <arn> --output json``."""
    found = []
    for index, item in enumerate(items(document, "Subscriptions")):
        where = f"Subscriptions[{index}]"
        found.append(
            Subscription(
                arn=text(item, "SubscriptionArn", where),
                protocol=optional_text(item, "Protocol", where) or "",
                endpoint=optional_text(item, "Endpoint", where) or "",
            )
        )
    return tuple(found)


def topic_region_account_name(arn: str) -> tuple[str, str, str] | None:
    """``arn:aws:sns:<region>:<account>:<name>`` → (region, account, name); ``None`` for anything else."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sns" or not parts[5]:
        return None
    return parts[3], parts[4], parts[5]
