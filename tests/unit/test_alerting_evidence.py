"""Alerting files → typed evidence: real CLI shapes accepted, wrong shapes malformed, per-resource files found."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from alerting_builders import HOME, OTHER, TRAIL, alerting, put, trail_entry, trail_status
from builders import AccountBuilder
from rootguard.cli.main import main
from rootguard.evidence.alerting import load_alerting
from rootguard.evidence.store import MemoryStore
from rootguard.model.alerting import AlertingEvidence
from rootguard.model.alerting_metrics import (
    alarms_from_document,
    metric_filters_from_document,
    subscriptions_from_document,
)
from rootguard.model.alerting_routing import (
    compliance_from_document,
    config_rules_from_document,
    detector_from_document,
    detector_ids_from_document,
    event_rules_from_document,
    rule_targets_from_document,
)
from rootguard.model.alerting_trails import (
    event_selectors_from_document,
    log_group_from_arn,
    trail_status_from_document,
    trails_from_document,
)
from rootguard.model.gaps import Gap, GapKind, MalformedEvidence
from rootguard.model.operations import ALARMS, DESCRIBE_TRAILS, TRAIL_STATUS


def test_a_minimal_trail_as_the_cli_prints_it() -> None:
    (trail,) = trails_from_document(
        {"trailList": [{"Name": "t", "HomeRegion": "eu-west-1", "TrailARN": "arn:aws:cloudtrail:eu-west-1:1:trail/t"}]}
    )
    assert (trail.multi_region, trail.organization_trail, trail.log_group) == (False, False, None)
    assert trail.account_id == "1"


def test_a_log_group_arn_is_read_with_or_without_the_star() -> None:
    group = log_group_from_arn("arn:aws:logs:eu-west-1:111122223333:log-group:CloudTrail/Default:*")
    assert group is not None and (group.region, group.account_id, group.name) == (
        "eu-west-1",
        "111122223333",
        "CloudTrail/Default",
    )
    assert log_group_from_arn("arn:aws:logs:eu-west-1:111122223333:log-group:x") is not None
    assert log_group_from_arn("arn:aws:s3:::bucket") is None


def test_an_alarm_without_optional_keys_gets_aws_defaults() -> None:
    (alarm,) = alarms_from_document(
        {
            "MetricAlarms": [
                {
                    "AlarmName": "a",
                    "MetricName": "m",
                    "Namespace": "n",
                    "Statistic": "Sum",
                    "Threshold": 1,
                    "EvaluationPeriods": 2,
                    "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                }
            ]
        }
    )
    assert alarm.datapoints_to_alarm == 2 and alarm.actions_enabled and alarm.alarm_actions == ()
    assert alarms_from_document({"CompositeAlarms": []}) == ()


def test_pending_and_deleted_subscriptions_are_not_confirmed() -> None:
    subscriptions = subscriptions_from_document(
        {
            "Subscriptions": [
                {"SubscriptionArn": "PendingConfirmation", "Protocol": "email", "Endpoint": "a@example.com"},
                {"SubscriptionArn": "Deleted", "Protocol": "email", "Endpoint": "b@example.com"},
                {"SubscriptionArn": "arn:aws:sns:us-east-1:1:t:abc", "Protocol": "sqs", "Endpoint": "arn:aws:sqs:x"},
            ]
        }
    )
    assert [s.confirmed for s in subscriptions] == [False, False, True]


def test_event_patterns_are_decoded_and_garbled_ones_kept_with_the_reason() -> None:
    rules = event_rules_from_document(
        {
            "Rules": [
                {"Name": "a", "EventPattern": '{"source": ["aws.signin"]}', "State": "ENABLED"},
                {"Name": "b", "EventPattern": "{oops", "State": "ENABLED"},
                {"Name": "c", "ScheduleExpression": "rate(1 day)", "State": "DISABLED"},
            ]
        }
    )
    assert rules[0].pattern == {"source": ["aws.signin"]} and rules[0].enabled
    assert rules[1].pattern is None and rules[1].pattern_error
    assert rules[2].pattern is None and not rules[2].enabled


MALFORMED: list[tuple[Callable[[Any], Any], Any]] = [
    (trails_from_document, {"trails": []}),
    (trails_from_document, {"trailList": [{"Name": "t"}]}),  # no HomeRegion
    (trails_from_document, {"trailList": [{"Name": "t", "HomeRegion": "x", "IsMultiRegionTrail": "yes"}]}),
    (trail_status_from_document, {"IsLogging": "true"}),
    (event_selectors_from_document, {"TrailARN": "x"}),
    (event_selectors_from_document, {"AdvancedEventSelectors": [{"Name": "x"}]}),
    (metric_filters_from_document, {"metricFilters": [{"filterName": "f", "logGroupName": "g"}]}),
    (metric_filters_from_document, [1, 2]),
    (alarms_from_document, {"MetricAlarms": [{"AlarmName": "a", "Threshold": "one", "ComparisonOperator": "x"}]}),
    (alarms_from_document, {"MetricAlarms": [{"AlarmName": "a", "ComparisonOperator": "x", "AlarmActions": "arn"}]}),
    (subscriptions_from_document, {"Subscriptions": [{"Protocol": "email"}]}),
    (event_rules_from_document, {"Rules": [{"State": "ENABLED"}]}),
    (rule_targets_from_document, {"Targets": [{"Id": "t"}]}),
    (detector_ids_from_document, {"DetectorIds": [1]}),
    (lambda d: detector_from_document(d, "x"), {"Status": None}),
    (config_rules_from_document, {"ConfigRules": [{"ConfigRuleName": "r"}]}),
    (compliance_from_document, {"ComplianceByConfigRules": [{"Compliance": {}}]}),
]


@pytest.mark.parametrize(("parser", "document"), MALFORMED)
def test_wrong_shapes_are_malformed(parser: Callable[[Any], Any], document: Any) -> None:
    with pytest.raises(MalformedEvidence):
        parser(document)


def test_no_region_folder_is_a_gap_that_says_what_to_collect() -> None:
    found = load_alerting(MemoryStore({}), "123456789012")
    assert isinstance(found, Gap) and found.kind is GapKind.NOT_COLLECTED
    assert "describe-trails" in found.fix


def test_trail_status_is_read_in_the_trails_home_region() -> None:
    builder = alerting()
    homed_elsewhere = trail_entry("eu-trail", home=OTHER)
    for region in (HOME, OTHER):
        put(builder, DESCRIBE_TRAILS, region, {"trailList": [trail_entry(), homed_elsewhere]})
    put(builder, TRAIL_STATUS, OTHER, trail_status(logging=False), "eu-trail")
    found = load_alerting(MemoryStore(builder.documents), builder.account)
    assert isinstance(found, AlertingEvidence)
    statuses = found.own.trail_status
    assert {arn.rsplit("/", 1)[1]: getattr(s, "is_logging", None) for arn, s in statuses.items()} == {
        TRAIL: True,
        "eu-trail": False,
    }


def test_one_malformed_file_is_a_gap_only_where_it_is_needed() -> None:
    builder = put(alerting(), ALARMS, HOME, {"MetricAlarms": "nope"})
    found = load_alerting(MemoryStore(builder.documents), builder.account)
    assert isinstance(found, AlertingEvidence)
    assert isinstance(found.own.regions[HOME].alarms, Gap)
    assert found.own.regions[HOME].alarms.kind is GapKind.MALFORMED
    assert not isinstance(found.own.regions[OTHER].alarms, Gap)
    assert not isinstance(found.own.regions[HOME].metric_filters, Gap)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(list(argv))
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {f["check_id"]: f["status"] for f in report["accounts"][0]["findings"]}


ALERTING_CHECKS = ("root-usage-alarm", "root-alerting", "root-config-rules")


def test_a_bundle_directory_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = AccountBuilder().write(tmp_path / "b")
    code, report = run(capsys, "audit", "--evidence", str(bundle), "--format", "json")
    assert code == 0
    assert {k: v for k, v in statuses(report).items() if k in ALERTING_CHECKS} == dict.fromkeys(ALERTING_CHECKS, "PASS")


def test_a_truncated_file_in_a_bundle_directory_errors_only_what_needs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = AccountBuilder().write(tmp_path / "b")
    alarms = bundle / ALARMS.path("123456789012", HOME)
    alarms.write_bytes(alarms.read_bytes()[:40])
    (bundle / "manifest.json").write_text(
        json.dumps({k: v for k, v in json.loads((bundle / "manifest.json").read_text()).items() if k != "sha256"})
    )
    code, report = run(capsys, "audit", "--evidence", str(bundle), "--format", "json")
    found = {f["check_id"]: f for f in report["accounts"][0]["findings"]}
    assert code == 3
    assert found["root-usage-alarm"]["status"] == "ERROR"
    assert "123456789012/us-east-1/cloudwatch/describe-alarms.json" in found["root-usage-alarm"]["message"]
    assert "cannot be read as JSON" in found["root-usage-alarm"]["message"]
    assert found["root-alerting"]["status"] == "ERROR"
    assert found["root-config-rules"]["status"] == "PASS"
