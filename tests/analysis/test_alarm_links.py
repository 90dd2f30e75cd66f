"""Which alarm settings one root use trips: a table over statistic, comparison, threshold and datapoints."""

from __future__ import annotations

from typing import Any

import pytest

from rootguard.analysis.alarm_links import alarm_problems
from rootguard.model.alerting_metrics import MetricAlarm, MetricTransformation


def alarm(**overrides: Any) -> MetricAlarm:
    values: dict[str, Any] = {
        "name": "a",
        "arn": "",
        "metric_name": "m",
        "namespace": "n",
        "statistic": "Sum",
        "extended_statistic": None,
        "comparison": "GreaterThanOrEqualToThreshold",
        "threshold": 1.0,
        "evaluation_periods": 1,
        "datapoints_to_alarm": 1,
        "dimensions": (),
        "actions_enabled": True,
        "alarm_actions": (),
    }
    return MetricAlarm(**(values | overrides))


def metric(value: str = "1", dimensions: tuple[str, ...] = ()) -> MetricTransformation:
    return MetricTransformation("m", "n", value, dimensions)


TABLE: list[tuple[str, MetricAlarm, MetricTransformation, bool]] = [
    ("CIS settings", alarm(), metric(), True),
    ("> 0", alarm(comparison="GreaterThanThreshold", threshold=0.0), metric(), True),
    ("> 1 never trips on one use", alarm(comparison="GreaterThanThreshold"), metric(), False),
    (">= 5", alarm(threshold=5.0), metric(), False),
    ("value 5 reaches 5", alarm(threshold=5.0), metric("5"), True),
    ("Maximum", alarm(statistic="Maximum"), metric(), True),
    ("SampleCount counts the event whatever its value", alarm(statistic="SampleCount"), metric("$.x"), True),
    ("a value from the event is unknown for Sum", alarm(), metric("$.x"), False),
    ("a percentile", alarm(statistic=None, extended_statistic="p99"), metric(), True),
    ("falling", alarm(comparison="LessThanThreshold"), metric(), False),
    ("anomaly band", alarm(comparison="GreaterThanUpperThreshold", threshold=None), metric(), False),
    ("2 of 3", alarm(evaluation_periods=3, datapoints_to_alarm=2), metric(), False),
    ("1 of 3", alarm(evaluation_periods=3, datapoints_to_alarm=1), metric(), True),
    ("a dimension the filter never publishes", alarm(dimensions=("Account",)), metric(), False),
    ("the filter's dimension", alarm(dimensions=("Account",)), metric(dimensions=("Account",)), True),
]


@pytest.mark.parametrize(("name", "settings", "published", "trips"), TABLE, ids=[row[0] for row in TABLE])
def test_one_root_use_trips_the_alarm(
    name: str, settings: MetricAlarm, published: MetricTransformation, trips: bool
) -> None:
    assert (alarm_problems(settings, published) == []) is trips, name
