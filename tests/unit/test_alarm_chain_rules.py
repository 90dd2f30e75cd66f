"""Links of the root-usage alarm chain that can silently break, and who counts as "a person".

Each rule is tested both ways: a case built from AWS's documented behaviour that must not PASS (FAIL
when proven, MANUAL when rootguard cannot decide, ERROR when the evidence is inconsistent), and the
nearest case that must still PASS. The AWS page each rule rests on is cited above its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from alerting_builders import (
    HOME,
    LOG_GROUP,
    METRIC,
    NAMESPACE,
    OTHER,
    REGIONS,
    TOPIC_NAME,
    TRAIL,
    advanced_selectors,
    alarm,
    alerting,
    basic_selectors,
    eventbridge,
    log_group_arn,
    metric_filter,
    put,
    subscription,
    targets,
    topic_arn,
    trail_entry,
    trail_status,
    without_chain,
)
from builders import ACCOUNT, AccountBuilder, context
from rootguard.checks.registry import Outcome
from rootguard.checks.root_alerting import root_alerting
from rootguard.checks.root_usage_alarm import root_usage_alarm
from rootguard.model.findings import Status
from rootguard.model.operations import (
    ALARMS,
    DESCRIBE_TRAILS,
    EVENT_SELECTORS,
    METRIC_FILTERS,
    RULE_TARGETS,
    TOPIC_SUBSCRIPTIONS,
    TRAIL_STATUS,
)

Change = Callable[[AccountBuilder], Any]


def verdict(builder: AccountBuilder) -> Outcome:
    return root_usage_alarm.evaluate(builder.evidence(), context())


def alerting_verdict(builder: AccountBuilder) -> Outcome:
    return root_alerting.evaluate(builder.evidence(), context())


def changed(*changes: Change) -> AccountBuilder:
    builder = alerting()
    for change in changes:
        change(builder)
    return builder


def trails(*entries: dict[str, Any], regions: tuple[str, ...] = REGIONS) -> Change:
    def change(builder: AccountBuilder) -> None:
        for region in regions:
            put(builder, DESCRIBE_TRAILS, region, {"trailList": list(entries)})

    return change


def status(**settings: Any) -> Change:
    return lambda b: put(b, TRAIL_STATUS, HOME, trail_status(**settings), TRAIL)


def selectors(document: dict[str, Any]) -> Change:
    return lambda b: put(b, EVENT_SELECTORS, HOME, document, TRAIL)


def the_filter(**settings: Any) -> Change:
    return lambda b: put(b, METRIC_FILTERS, HOME, {"metricFilters": [metric_filter(**settings)]})


def the_alarm(**settings: Any) -> Change:
    return lambda b: put(b, ALARMS, HOME, {"MetricAlarms": [alarm(**settings)], "CompositeAlarms": []})


def subscribers(*items: dict[str, Any], topic: str = TOPIC_NAME, region: str = HOME) -> Change:
    return lambda b: put(b, TOPIC_SUBSCRIPTIONS, region, {"Subscriptions": list(items)}, topic)


def only(protocol: str, endpoint: str, confirmed: bool = True) -> Change:
    return subscribers(subscription(confirmed, endpoint=endpoint, protocol=protocol))


def link_state(outcome: Outcome, name: str) -> str:
    return next(item["state"] for item in outcome.evidence["chain"] if item["link"] == name)


# Each case: (changes, the status it must get, words the message must hold, the link and its state).
Case = tuple[tuple[Change, ...], Status, str, tuple[str, str] | None]


def check(case: Case) -> Outcome:
    changes, expected, words, link = case
    outcome = verdict(changed(*changes))
    assert outcome.status is expected, outcome.message
    assert words in outcome.message, outcome.message
    if link is not None:
        assert link_state(outcome, link[0]) == link[1], outcome.evidence["chain"]
    return outcome


# --- the trail delivers to its log group --------------------------------------------------------
# GetTrailStatus: LatestCloudWatchLogsDeliveryError is "any CloudWatch Logs error that CloudTrail
# encountered when attempting to deliver logs", LatestCloudWatchLogsDeliveryTime "the most recent date and
# time when CloudTrail delivered logs to CloudWatch Logs".
# https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html

DELIVERY: dict[str, Case] = {
    "a delivery error: events do not reach the log group": (
        (status(error="Access denied. Verify in IAM that the role has adequate permissions."),),
        Status.FAIL,
        "LatestCloudWatchLogsDeliveryError: Access denied",
        ("delivery", "broken"),
    ),
    "last delivered a month ago while S3 delivery goes on": (
        (status(delivered="2026-10-20T11:00:00+00:00"),),
        Status.FAIL,
        "are not reaching log group aws-cloudtrail-logs-main",
        ("delivery", "broken"),
    ),
    "last delivered a month ago, S3 as long ago (idle, or stopped?)": (
        (status(delivered="2026-10-20T11:00:00+00:00", s3="2026-10-20T10:59:00+00:00"),),
        Status.MANUAL,
        "either the account was idle or delivery stopped",
        ("delivery", "undecided"),
    ),
    "no delivery to CloudWatch Logs ever reported": (
        (status(delivered=None),),
        Status.MANUAL,
        "no LatestCloudWatchLogsDeliveryTime",
        ("delivery", "undecided"),
    ),
    "epoch seconds, as the JSON protocol carries it, a month old": (
        (
            lambda b: put(
                b, TRAIL_STATUS, HOME, {"IsLogging": True, "LatestCloudWatchLogsDeliveryTime": 1792000000}, TRAIL
            ),
        ),
        Status.MANUAL,
        "either the account was idle or delivery stopped",
        ("delivery", "undecided"),
    ),
    # must still pass
    "delivered minutes before the evidence was read": ((), Status.PASS, "last delivery 4 minutes before", None),
    "delivered 23 hours before, S3 later": (
        (status(delivered="2026-11-19T13:00:00+00:00"),),
        Status.PASS,
        "last delivery 23 hours before",
        ("delivery", "ok"),
    ),
}


@pytest.mark.parametrize("name", DELIVERY)
def test_delivery_to_the_log_group(name: str) -> None:
    check(DELIVERY[name])


def test_delivery_is_judged_against_when_the_evidence_was_read_not_a_later_as_of() -> None:
    """Auditing an archived bundle later does not make its trail stale."""
    later = context(as_of=context().as_of.replace(year=2027))
    outcome = root_usage_alarm.evaluate(alerting().evidence(), later)
    assert outcome.status is Status.PASS, outcome.message


# --- global service events ----------------------------------------------------------------------
# Root's console sign-in is recorded in us-east-1:
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html
# Global service events are recorded in us-east-1 only (since 22 November 2021), so a single-Region trail
# elsewhere misses them; a multi-Region trail cannot turn them off (UpdateTrail rejects the combination):
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail-by-using-the-aws-cli-update-trail.html

SINGLE_ELSEWHERE = trail_entry(home=OTHER, multi_region=False, log_group=log_group_arn(region=OTHER))

GLOBAL: dict[str, Case] = {
    "single-Region trail outside us-east-1": (
        (trails(SINGLE_ELSEWHERE, regions=(OTHER,)), trails(regions=(HOME,))),
        Status.FAIL,
        "misses global service events such as root's console sign-in, which CloudTrail records in us-east-1",
        ("global-events", "broken"),
    ),
    "single-Region trail in us-east-1 without global service events": (
        (trails(trail_entry(multi_region=False, global_events=False)),),
        Status.FAIL,
        "IncludeGlobalServiceEvents false, so it misses root's console sign-in",
        ("global-events", "broken"),
    ),
    "multi-Region with IncludeGlobalServiceEvents false: a listing AWS cannot produce": (
        (trails(trail_entry(global_events=False)),),
        Status.ERROR,
        "a combination CloudTrail rejects",
        ("global-events", "unknown"),
    ),
    # must still pass
    "multi-Region trail homed outside us-east-1": (
        (
            trails(trail_entry(home=OTHER, log_group=log_group_arn(region=OTHER))),
            lambda b: put(b, TRAIL_STATUS, OTHER, trail_status(), TRAIL),
            lambda b: put(b, EVENT_SELECTORS, OTHER, basic_selectors(), TRAIL),
            lambda b: put(b, METRIC_FILTERS, OTHER, {"metricFilters": [metric_filter()]}),
            lambda b: put(
                b, ALARMS, OTHER, {"MetricAlarms": [alarm(actions=[topic_arn(region=OTHER)])], "CompositeAlarms": []}
            ),
            subscribers(subscription(topic=topic_arn(region=OTHER)), region=OTHER),
        ),
        Status.PASS,
        "with global service events",
        ("global-events", "ok"),
    ),
}


@pytest.mark.parametrize("name", GLOBAL)
def test_global_service_events(name: str) -> None:
    outcome = check(GLOBAL[name])
    if outcome.status is Status.ERROR:
        assert outcome.evidence["gaps"][0]["source"] == DESCRIBE_TRAILS.path(ACCOUNT, HOME)
        assert outcome.evidence["gaps"][0]["kind"] == "malformed"


# --- all management events ----------------------------------------------------------------------
# Basic selectors: ReadWriteType, IncludeManagementEvents, ExcludeManagementEventSources
# https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html
# Advanced selectors: eventCategory Management, readOnly, eventSource NotEquals/NotStartsWith …
# https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
# https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html

MANAGEMENT = {"Field": "eventCategory", "Equals": ["Management"]}


def read_only(value: str) -> dict[str, Any]:
    return {"Field": "readOnly", "Equals": [value]}


SELECTORS: dict[str, Case] = {
    "ExcludeManagementEventSources kms": (
        (selectors(basic_selectors(exclude=("kms.amazonaws.com",))),),
        Status.FAIL,
        "leaves out events from kms.amazonaws.com (ExcludeManagementEventSources)",
        ("management-events", "broken"),
    ),
    "advanced eventSource NotEquals rdsdata": (
        (
            selectors(
                advanced_selectors([MANAGEMENT, {"Field": "eventSource", "NotEquals": ["rdsdata.amazonaws.com"]}])
            ),
        ),
        Status.FAIL,
        "leaves out events from rdsdata.amazonaws.com (eventSource NotEquals)",
        ("management-events", "broken"),
    ),
    "advanced eventSource NotStartsWith kms": (
        (selectors(advanced_selectors([MANAGEMENT, {"Field": "eventSource", "NotStartsWith": ["kms."]}])),),
        Status.FAIL,
        "leaves out events from kms.amazonaws.com",
        ("management-events", "broken"),
    ),
    "advanced eventSource Equals iam only": (
        (selectors(advanced_selectors([MANAGEMENT, {"Field": "eventSource", "Equals": ["iam.amazonaws.com"]}])),),
        Status.FAIL,
        "leaves out events from signin.amazonaws.com",
        ("management-events", "broken"),
    ),
    "ReadOnly selector plus a WriteOnly selector excluding kms": (
        (
            selectors(
                {
                    "EventSelectors": [
                        {"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True},
                        {
                            "ReadWriteType": "WriteOnly",
                            "IncludeManagementEvents": True,
                            "ExcludeManagementEventSources": ["kms.amazonaws.com"],
                        },
                    ]
                }
            ),
        ),
        Status.FAIL,
        "kms.amazonaws.com (write)",
        ("management-events", "broken"),
    ),
    "a selector rootguard cannot read to the end": (
        (
            selectors(
                advanced_selectors(
                    [MANAGEMENT, {"Field": "eventSource", "StartsWith": ["a", "b", "c", "d", "e", "f", "g"]}],
                    [MANAGEMENT, {"Field": "eventSource", "NotStartsWith": ["a", "b", "c", "d", "e", "f", "g"]}],
                )
            ),
        ),
        Status.MANUAL,
        "more than rootguard can prove complete",
        ("management-events", "undecided"),
    ),
    # must still pass
    "a ReadOnly selector and a WriteOnly selector": (
        (selectors(basic_selectors("ReadOnly", also=("WriteOnly",))),),
        Status.PASS,
        "records all management events (read and write)",
        ("management-events", "ok"),
    ),
    "advanced readOnly true and readOnly false": (
        (selectors(advanced_selectors([MANAGEMENT, read_only("true")], [MANAGEMENT, read_only("false")])),),
        Status.PASS,
        "records all management events (advanced selectors, read and write)",
        ("management-events", "ok"),
    ),
    "advanced: all but kms, and kms on its own": (
        (
            selectors(
                advanced_selectors(
                    [MANAGEMENT, {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}],
                    [MANAGEMENT, {"Field": "eventSource", "Equals": ["kms.amazonaws.com"]}],
                )
            ),
        ),
        Status.PASS,
        "records all management events",
        ("management-events", "ok"),
    ),
    "an empty ExcludeManagementEventSources": (
        (selectors(basic_selectors(exclude=())),),
        Status.PASS,
        "records all management events",
        ("management-events", "ok"),
    ),
}


@pytest.mark.parametrize("name", SELECTORS)
def test_management_event_selectors(name: str) -> None:
    check(SELECTORS[name])


# --- the metric filter --------------------------------------------------------------------------
# An empty pattern matches every log event; a pattern rootguard cannot compare with the CIS filter is
# MANUAL, never FAIL. https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html

FILTERS: dict[str, Case] = {
    "a term pattern": (
        (the_filter(pattern='"Root"'),),
        Status.MANUAL,
        "rootguard cannot compare its pattern with the CIS filter",
        ("metric-filter", "undecided"),
    ),
    "a space-delimited pattern": (
        (the_filter(pattern="[version, account, eventName = ConsoleLogin]"),),
        Status.MANUAL,
        "not a JSON filter pattern",
        ("metric-filter", "undecided"),
    ),
    "a regex value": (
        (the_filter(pattern="{ $.userIdentity.type = %Ro+t% }"),),
        Status.MANUAL,
        "regex values",
        ("metric-filter", "undecided"),
    ),
    "a proven narrower pattern": (
        (the_filter(pattern='{ $.userIdentity.type = "Root" && $.eventName = "ConsoleLogin" }'),),
        Status.FAIL,
        "misses root use the CIS filter catches",
        ("metric-filter", "broken"),
    ),
    # must still pass (and say what it does)
    "an empty pattern catches root use, and everything else": (
        (the_filter(pattern=""),),
        Status.PASS,
        "matches every log event: it catches every root use and will also alert on everything else",
        ("metric-filter", "ok"),
    ),
}


@pytest.mark.parametrize("name", FILTERS)
def test_metric_filter_patterns(name: str) -> None:
    check(FILTERS[name])


def test_an_undecided_filter_still_reports_a_proven_break_further_on() -> None:
    outcome = verdict(changed(the_filter(pattern='"Root"'), subscribers()))
    assert outcome.status is Status.FAIL, outcome.message
    assert "(no subscription)" in outcome.message


# --- the alarm sees the filter's metric ---------------------------------------------------------
# Dimensions identify a metric: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_concepts.html#Dimension
# An alarm with a Unit sees only data published with it; a metric filter publishes its unit, or None:
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html

ACCOUNT_DIMENSION = {"dimensions": {"Account": "$.recipientAccountId"}}

METRIC_MATCH: dict[str, Case] = {
    "alarm Unit Count, filter publishes no unit (None)": (
        (the_alarm(Unit="Count"),),
        Status.FAIL,
        "it asks for unit Count, the filter publishes no unit (None)",
        ("alarm", "broken"),
    ),
    "alarm Unit Seconds, filter publishes Count": (
        (the_filter(unit="Count"), the_alarm(Unit="Seconds")),
        Status.FAIL,
        "it asks for unit Seconds, the filter publishes unit Count",
        ("alarm", "broken"),
    ),
    "alarm on a dimension the filter does not publish": (
        (the_alarm(Dimensions=[{"Name": "Account", "Value": ACCOUNT}]),),
        Status.FAIL,
        "it watches dimensions ['Account'], the filter publishes []",
        ("alarm", "broken"),
    ),
    "filter publishes a dimension, alarm watches none": (
        (the_filter(**ACCOUNT_DIMENSION),),
        Status.FAIL,
        "it watches dimensions [], the filter publishes ['Account']",
        ("alarm", "broken"),
    ),
    "alarm on one value of a dimension taken from the event name": (
        (
            the_filter(dimensions={"Event": "$.eventName"}),
            the_alarm(Dimensions=[{"Name": "Event", "Value": "ConsoleLogin"}]),
        ),
        Status.MANUAL,
        "it watches only Event=ConsoleLogin, a dimension the filter takes from $.eventName",
        ("alarm", "undecided"),
    ),
    # must still pass
    "alarm Unit Count, filter publishes Count": (
        (the_filter(unit="Count"), the_alarm(Unit="Count")),
        Status.PASS,
        "alarm RootAccountUsageAlarm",
        ("alarm", "ok"),
    ),
    "alarm Unit None, filter publishes no unit": ((the_alarm(Unit="None"),), Status.PASS, "alarm", ("alarm", "ok")),
    "alarm on this account's value of an account dimension": (
        (the_filter(**ACCOUNT_DIMENSION), the_alarm(Dimensions=[{"Name": "Account", "Value": ACCOUNT}])),
        Status.PASS,
        "alarm",
        ("alarm", "ok"),
    ),
}


@pytest.mark.parametrize("name", METRIC_MATCH)
def test_the_alarm_watches_what_the_filter_publishes(name: str) -> None:
    check(METRIC_MATCH[name])


# --- one root use makes the alarm change state --------------------------------------------------
# Alarm actions run on state changes only: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html
# TreatMissingData: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
# defaultValue is published for every log event the pattern does not match:
# https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricTransformation.html

FIRES: dict[str, Case] = {
    "TreatMissingData breaching on a sparse filter metric: stuck in ALARM": (
        (the_alarm(TreatMissingData="breaching"),),
        Status.FAIL,
        "TreatMissingData is breaching and the filter publishes no defaultValue",
        ("alarm", "broken"),
    ),
    "TreatMissingData ignore: ALARM kept after the first use": (
        (the_alarm(TreatMissingData="ignore"),),
        Status.MANUAL,
        "TreatMissingData is ignore",
        ("alarm", "undecided"),
    ),
    "defaultValue 0 and threshold >= 0: every period breaches": (
        (the_filter(defaultValue=0), the_alarm(Threshold=0.0)),
        Status.FAIL,
        "every period without root use gives 0 (the filter's defaultValue)",
        ("alarm", "broken"),
    ),
    "Average with defaultValue 0: diluted by the other events": (
        (the_filter(defaultValue=0), the_alarm(Statistic="Average")),
        Status.MANUAL,
        "Average over a period mixes the use with the 0",
        ("alarm", "undecided"),
    ),
    "SampleCount with defaultValue 0 counts every log event": (
        (the_filter(defaultValue=0), the_alarm(Statistic="SampleCount")),
        Status.MANUAL,
        "SampleCount counts every log event",
        ("alarm", "undecided"),
    ),
    "threshold 2: one use gives 1": ((the_alarm(Threshold=2.0),), Status.FAIL, "one use gives 1", ("alarm", "broken")),
    "anomaly detection band": (
        (the_alarm(ComparisonOperator="GreaterThanUpperThreshold", Threshold=None, ThresholdMetricId="ad1"),),
        Status.MANUAL,
        "anomaly detection bands are not judged",
        ("alarm", "undecided"),
    ),
    "alarm actions disabled": (
        (the_alarm(ActionsEnabled=False),),
        Status.FAIL,
        "has its actions disabled",
        ("alarm-actions", "broken"),
    ),
    # must still pass
    "TreatMissingData missing: resting in INSUFFICIENT_DATA is normal": (
        (the_alarm(TreatMissingData="missing", StateValue="INSUFFICIENT_DATA"),),
        Status.PASS,
        "alarm RootAccountUsageAlarm",
        ("alarm", "ok"),
    ),
    "TreatMissingData left out (missing)": (
        (lambda b: put(b, ALARMS, HOME, {"MetricAlarms": [_without(alarm(), "TreatMissingData")]}),),
        Status.PASS,
        "alarm",
        ("alarm", "ok"),
    ),
    "TreatMissingData breaching with a defaultValue: the data is not missing": (
        (the_filter(defaultValue=0), the_alarm(TreatMissingData="breaching")),
        Status.PASS,
        "alarm",
        ("alarm", "ok"),
    ),
    "Sum >= 1 with defaultValue 0": ((the_filter(defaultValue=0),), Status.PASS, "alarm", ("alarm", "ok")),
    "Maximum > 0": (
        (the_alarm(Statistic="Maximum", ComparisonOperator="GreaterThanThreshold", Threshold=0.0),),
        Status.PASS,
        "alarm",
        ("alarm", "ok"),
    ),
}


def _without(document: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != key}


@pytest.mark.parametrize("name", FIRES)
def test_one_root_use_makes_the_alarm_notify(name: str) -> None:
    check(FIRES[name])


# --- who the alarm reaches ----------------------------------------------------------------------
# SNS protocols: https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
# Alarm actions (SNS, Lambda, Incident Manager, OpsCenter, EC2, Auto Scaling):
# https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
# Incident Manager response plans engage contacts: https://docs.aws.amazon.com/incident-manager/latest/userguide/response-plans.html

QUEUE = f"arn:aws:sqs:{HOME}:{ACCOUNT}:root-events"
FUNCTION = f"arn:aws:lambda:{HOME}:{ACCOUNT}:function:page-oncall"
PLAN = f"arn:aws:ssm-incidents::{ACCOUNT}:response-plan/root-use"
CHATBOT = "https://global.sns-api.chatbot.amazonaws.com"
PAGERDUTY = "https://events.pagerduty.com/integration/0123456789abcdef/enqueue"

REACH: dict[str, Case] = {
    "only an SQS queue": (
        (only("sqs", QUEUE),),
        Status.MANUAL,
        f"queues it in {QUEUE}",
        ("subscriber", "undecided"),
    ),
    "only a Lambda function": (
        (only("lambda", FUNCTION),),
        Status.MANUAL,
        f"invokes {FUNCTION}",
        ("subscriber", "undecided"),
    ),
    "only Firehose": (
        (only("firehose", f"arn:aws:firehose:{HOME}:{ACCOUNT}:deliverystream/archive"),),
        Status.MANUAL,
        "streams it to",
        ("subscriber", "undecided"),
    ),
    "only a mobile push endpoint": (
        (only("application", f"arn:aws:sns:{HOME}:{ACCOUNT}:endpoint/GCM/app/1234"),),
        Status.MANUAL,
        "mobile app endpoint",
        ("subscriber", "undecided"),
    ),
    "only an unknown https web hook": (
        (only("https", "https://hooks.example.com/sns"),),
        Status.MANUAL,
        "posts to https://hooks.example.com/sns",
        ("subscriber", "undecided"),
    ),
    "only an http web hook": (
        (only("http", "http://events.pagerduty.com/integration/x/enqueue"),),
        Status.MANUAL,
        "posts (unencrypted) to",
        ("subscriber", "undecided"),
    ),
    "a host that only ends like PagerDuty's": (
        (only("https", "https://events.pagerduty.com.attacker.example/enqueue"),),
        Status.MANUAL,
        "posts to",
        ("subscriber", "undecided"),
    ),
    "a PagerDuty host in the user-info part": (
        (only("https", "https://events.pagerduty.com@attacker.example/enqueue"),),
        Status.MANUAL,
        "posts to",
        ("subscriber", "undecided"),
    ),
    "only email-json": (
        (only("email-json", "tickets@example.com"),),
        Status.MANUAL,
        "mails the raw JSON document to tickets@example.com",
        ("subscriber", "undecided"),
    ),
    "a pending chat subscription": (
        (only("https", CHATBOT, confirmed=False),),
        Status.FAIL,
        "none confirmed: PendingConfirmation",
        ("subscriber", "broken"),
    ),
    "a Lambda alarm action, no topic": (
        (the_alarm(actions=[FUNCTION]),),
        Status.MANUAL,
        f"invokes Lambda function {FUNCTION}",
        ("subscriber", "undecided"),
    ),
    "an OpsCenter alarm action, no topic": (
        (the_alarm(actions=[f"arn:aws:ssm:{HOME}:{ACCOUNT}:opsitem:3#CATEGORY=Security"]),),
        Status.MANUAL,
        "creates a Systems Manager OpsCenter OpsItem",
        ("subscriber", "undecided"),
    ),
    "only EC2 and Auto Scaling alarm actions": (
        (
            the_alarm(
                actions=[
                    f"arn:aws:automate:{HOME}:ec2:stop",
                    f"arn:aws:autoscaling:{HOME}:{ACCOUNT}:scalingPolicy:1:autoScalingGroupName/g:policyName/p",
                ]
            ),
        ),
        Status.FAIL,
        "has no SNS action or other action that tells anyone",
        ("alarm-actions", "broken"),
    ),
    # must still pass
    "e-mail": ((), Status.PASS, "e-mails security@example.com", ("subscriber", "ok")),
    "SMS": ((only("sms", "+15555550100"),), Status.PASS, "texts +15555550100", ("subscriber", "ok")),
    "AWS Chatbot": ((only("https", CHATBOT),), Status.PASS, "AWS Chatbot", ("subscriber", "ok")),
    "PagerDuty": ((only("https", PAGERDUTY),), Status.PASS, "pages the on-call through PagerDuty", None),
    "Opsgenie EU": (
        (only("https", "https://api.eu.opsgenie.com/v1/json/amazonsns?apiKey=k"),),
        Status.PASS,
        "Opsgenie (EU)",
        ("subscriber", "ok"),
    ),
    "Splunk On-Call": (
        (only("https", "https://alert.victorops.com/integrations/cloudwatch/20131130/alert/k/root"),),
        Status.PASS,
        "Splunk On-Call",
        ("subscriber", "ok"),
    ),
    "a queue and an e-mail on one topic": (
        (subscribers(subscription(endpoint=QUEUE, protocol="sqs"), subscription()),),
        Status.PASS,
        "e-mails security@example.com",
        ("subscriber", "ok"),
    ),
    "an Incident Manager response plan as the alarm's only action": (
        (the_alarm(actions=[PLAN]),),
        Status.PASS,
        "starts an Incident Manager incident from response plan",
        ("subscriber", "ok"),
    ),
}


@pytest.mark.parametrize("name", REACH)
def test_who_the_alarm_reaches(name: str) -> None:
    check(REACH[name])


# --- root-alerting: the same tables for EventBridge targets -------------------------------------


def rule_targets(*arns: str) -> Change:
    def change(builder: AccountBuilder) -> None:
        for region in REGIONS:
            put(builder, RULE_TARGETS, region, targets(*arns), "root-activity")

    return change


def rule_topic_subscribers(*items: Callable[[str], dict[str, Any]]) -> Change:
    def change(builder: AccountBuilder) -> None:
        for region in REGIONS:
            arn = topic_arn(region=region)
            put(builder, TOPIC_SUBSCRIPTIONS, region, {"Subscriptions": [i(arn) for i in items]}, TOPIC_NAME)

    return change


def eventbridge_only(*changes: Change) -> AccountBuilder:
    builder = eventbridge(without_chain(alerting()))
    for change in changes:
        change(builder)
    return builder


def test_an_eventbridge_topic_that_only_feeds_a_queue_is_manual() -> None:
    outcome = alerting_verdict(
        eventbridge_only(rule_topic_subscribers(lambda arn: subscription(topic=arn, endpoint=QUEUE, protocol="sqs")))
    )
    assert outcome.status is Status.MANUAL, outcome.message
    assert f"queues it in {QUEUE}" in outcome.message


def test_an_eventbridge_topic_with_chatbot_reaches_a_person() -> None:
    outcome = alerting_verdict(
        eventbridge_only(
            rule_topic_subscribers(lambda arn: subscription(topic=arn, endpoint=CHATBOT, protocol="https"))
        )
    )
    assert outcome.status is Status.PASS, outcome.message
    assert "AWS Chatbot" in outcome.message


def test_an_eventbridge_response_plan_target_reaches_a_person() -> None:
    outcome = alerting_verdict(eventbridge_only(rule_targets(PLAN)))
    assert outcome.status is Status.PASS, outcome.message
    assert "Incident Manager" in outcome.message


def test_an_eventbridge_lambda_target_still_needs_an_attestation() -> None:
    outcome = alerting_verdict(eventbridge_only(rule_targets(FUNCTION)))
    assert outcome.status is Status.MANUAL, outcome.message


def test_an_alarm_chain_rootguard_cannot_decide_makes_root_alerting_manual() -> None:
    outcome = alerting_verdict(changed(only("sqs", QUEUE)))
    assert outcome.status is Status.MANUAL, outcome.message
    assert "CIS alarm chain: ends beyond rootguard's sight" in outcome.message


def test_an_alarm_with_a_response_plan_passes_root_alerting() -> None:
    outcome = alerting_verdict(changed(the_alarm(actions=[PLAN])))
    assert outcome.status is Status.PASS, outcome.message
    assert "through CIS alarm chain" in outcome.message


def test_an_eventbridge_rule_with_no_target_reaches_no_one() -> None:
    outcome = alerting_verdict(
        eventbridge_only(lambda b: [put(b, RULE_TARGETS, r, targets(), "root-activity") for r in REGIONS])
    )
    assert outcome.status is Status.FAIL, outcome.message
    assert "has no target" in outcome.message


def test_rules_are_evaluated_per_region() -> None:
    """A person reached in one Region does not cover another whose rule only feeds a queue."""
    builder = eventbridge_only()
    put(builder, RULE_TARGETS, OTHER, targets(QUEUE), "root-activity")
    outcome = alerting_verdict(builder)
    assert outcome.status is Status.MANUAL, outcome.message
    assert f"{OTHER}: rule root-activity → queues it in {QUEUE}" in outcome.message


def test_the_working_chain_uses_every_default_of_the_builders() -> None:
    """The builders' chain is the CIS remediation itself: a guard that the cases above change one thing each."""
    outcome = verdict(alerting())
    assert outcome.status is Status.PASS, outcome.message
    assert f"log group {LOG_GROUP}" in outcome.message and f"{NAMESPACE}/{METRIC}" in outcome.message
