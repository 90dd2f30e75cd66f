"""Whether one root use makes an alarm on a filter's metric notify: a table over every setting that matters.

Sources: PutMetricAlarm (Statistic, ExtendedStatistic, ComparisonOperator, Unit, Dimensions,
TreatMissingData), https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html;
MetricTransformation (metricValue, defaultValue, unit, dimensions),
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html;
missing data, https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html.
"""

from __future__ import annotations

from typing import Any

import pytest

from rootguard.analysis.alarm_links import LinkState, alarm_problems, judge_alarm
from rootguard.model.alerting_metrics import MetricAlarm, MetricTransformation

ACCOUNT = "123456789012"


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


def metric(
    value: str = "1",
    dimensions: tuple[tuple[str, str], ...] = (),
    default: float | None = None,
    unit: str | None = None,
) -> MetricTransformation:
    return MetricTransformation("m", "n", value, dimensions, default, unit)


OK, BROKEN, UNDECIDED = LinkState.OK, LinkState.BROKEN, LinkState.UNDECIDED
ACCOUNT_DIMENSION = (("Account", "$.recipientAccountId"),)

TABLE: list[tuple[str, MetricAlarm, MetricTransformation, LinkState]] = [
    ("CIS settings", alarm(), metric(), OK),
    # statistic and threshold
    ("> 0", alarm(comparison="GreaterThanThreshold", threshold=0.0), metric(), OK),
    ("> 1 never trips on one use", alarm(comparison="GreaterThanThreshold"), metric(), BROKEN),
    (">= 5", alarm(threshold=5.0), metric(), BROKEN),
    ("value 5 reaches 5", alarm(threshold=5.0), metric("5"), OK),
    ("Maximum", alarm(statistic="Maximum"), metric(), OK),
    ("Minimum alone in its period", alarm(statistic="Minimum"), metric(), OK),
    ("Average alone in its period", alarm(statistic="Average"), metric(), OK),
    ("SampleCount counts the event whatever its value", alarm(statistic="SampleCount"), metric("$.x"), OK),
    ("a value from the event is unknown for Sum", alarm(), metric("$.x"), UNDECIDED),
    ("a percentile", alarm(statistic=None, extended_statistic="p99"), metric(), OK),
    ("a trimmed mean is not judged", alarm(statistic=None, extended_statistic="TM(10%:90%)"), metric(), UNDECIDED),
    ("< 1 on one use of 1", alarm(comparison="LessThanThreshold"), metric(), BROKEN),
    ("< 5 on one use of 1 breaches", alarm(comparison="LessThanThreshold", threshold=5.0), metric(), OK),
    ("anomaly band", alarm(comparison="GreaterThanUpperThreshold", threshold=None), metric(), UNDECIDED),
    ("2 of 3", alarm(evaluation_periods=3, datapoints_to_alarm=2), metric(), BROKEN),
    ("1 of 3", alarm(evaluation_periods=3, datapoints_to_alarm=1), metric(), OK),
    # dimensions identify the metric
    ("a dimension the filter never publishes", alarm(dimensions=(("Account", ACCOUNT),)), metric(), BROKEN),
    ("a dimension the alarm leaves out", alarm(), metric(dimensions=ACCOUNT_DIMENSION), BROKEN),
    ("this account's value", alarm(dimensions=(("Account", ACCOUNT),)), metric(dimensions=ACCOUNT_DIMENSION), OK),
    (
        "another account's value",
        alarm(dimensions=(("Account", "999999999999"),)),
        metric(dimensions=ACCOUNT_DIMENSION),
        UNDECIDED,
    ),
    (
        "one value of a field that varies",
        alarm(dimensions=(("Source", "iam.amazonaws.com"),)),
        metric(dimensions=(("Source", "$.eventSource"),)),
        UNDECIDED,
    ),
    # unit
    ("no Unit sees every unit", alarm(), metric(unit="Count"), OK),
    ("Unit None, filter leaves unit out", alarm(unit="None"), metric(), OK),
    ("Unit Count, filter leaves unit out (None)", alarm(unit="Count"), metric(), BROKEN),
    ("Unit Count, filter publishes Count", alarm(unit="Count"), metric(unit="Count"), OK),
    ("Unit Seconds, filter publishes Count", alarm(unit="Seconds"), metric(unit="Count"), BROKEN),
    # missing data on a sparse metric
    ("TreatMissingData missing", alarm(treat_missing_data="missing"), metric(), OK),
    ("TreatMissingData notBreaching", alarm(treat_missing_data="notBreaching"), metric(), OK),
    ("TreatMissingData breaching", alarm(treat_missing_data="breaching"), metric(), BROKEN),
    ("TreatMissingData ignore", alarm(treat_missing_data="ignore"), metric(), UNDECIDED),
    ("breaching with a defaultValue", alarm(treat_missing_data="breaching"), metric(default=0.0), OK),
    # a defaultValue publishes for every other log event
    ("Sum with defaultValue 0", alarm(), metric(default=0.0), OK),
    ("Maximum with defaultValue 0", alarm(statistic="Maximum"), metric(default=0.0), OK),
    (">= 0 with defaultValue 0 breaches every period", alarm(threshold=0.0), metric(default=0.0), BROKEN),
    ("Minimum with defaultValue 0", alarm(statistic="Minimum"), metric(default=0.0), UNDECIDED),
    ("Average with defaultValue 0", alarm(statistic="Average"), metric(default=0.0), UNDECIDED),
    ("SampleCount with defaultValue 0", alarm(statistic="SampleCount"), metric(default=0.0), UNDECIDED),
    ("Sum with defaultValue 1", alarm(), metric(default=1.0), UNDECIDED),
]


@pytest.mark.parametrize(("name", "settings", "published", "state"), TABLE, ids=[row[0] for row in TABLE])
def test_one_root_use_makes_the_alarm_notify(
    name: str, settings: MetricAlarm, published: MetricTransformation, state: LinkState
) -> None:
    verdict = judge_alarm(settings, published, ACCOUNT)
    assert verdict.state is state, (name, verdict)
    assert (alarm_problems(settings, published, ACCOUNT) == []) is (state is OK)
