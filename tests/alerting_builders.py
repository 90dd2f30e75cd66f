"""Builders for the alerting files of a bundle (contract §5), shaped as the AWS CLI prints them.

``alerting(builder)`` adds a complete, working setup to an AccountBuilder: a logging multi-Region
trail homed in us-east-1 delivering to a log group, the CIS metric filter, an alarm (Sum >= 1) with an
SNS action, a confirmed e-mail subscriber, the three Config rules COMPLIANT, no EventBridge rule and no
GuardDuty. Tests then break one thing with ``put`` (a document, DENIED, GARBAGE or None for absent).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from builders import ACCOUNT, AccountBuilder
from rootguard.analysis.filter_pattern_judge import CIS_ROOT_USAGE_PATTERN
from rootguard.model.operations import (
    ALARMS,
    CONFIG_COMPLIANCE,
    CONFIG_RULES,
    DEAD_LETTER_DEPTH,
    DESCRIBE_TRAILS,
    EVENT_RULES,
    EVENT_SELECTORS,
    GUARDDUTY_DETECTOR,
    GUARDDUTY_DETECTORS,
    LIST_FUNCTIONS,
    METRIC_FILTERS,
    RULE_TARGETS,
    TOPIC_SUBSCRIPTIONS,
    TRAIL_STATUS,
    WATCHER_ERRORS,
    Operation,
)
from rootguard.model.watcher_health import WATCHER_HANDLER

HOME = "us-east-1"
OTHER = "eu-west-1"
REGIONS = (HOME, OTHER)
TRAIL = "main-trail"
LOG_GROUP = "aws-cloudtrail-logs-main"
TOPIC_NAME = "root-alerts"
METRIC, NAMESPACE = "RootAccountUsage", "CISBenchmark"


WATCHER, WATCHER_QUEUE = "rootguard-watch-root-watcher", "rootguard-watch-DeadLetterQueue-ABC"
GARBAGE = {"unexpected": "shape"}
"""A document that is valid JSON but not the operation's output: parsers must call it malformed."""


def topic_arn(account: str = ACCOUNT, region: str = HOME, name: str = TOPIC_NAME) -> str:
    return f"arn:aws:sns:{region}:{account}:{name}"


def log_group_arn(account: str = ACCOUNT, region: str = HOME, name: str = LOG_GROUP) -> str:
    return f"arn:aws:logs:{region}:{account}:log-group:{name}:*"


def trail_entry(
    name: str = TRAIL,
    account: str = ACCOUNT,
    home: str = HOME,
    *,
    multi_region: bool = True,
    organization: bool = False,
    log_group: str | None = "default",
    global_events: bool | None = True,
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Name": name,
        "S3BucketName": f"cloudtrail-{account}",
        "IncludeGlobalServiceEvents": global_events,
        "IsMultiRegionTrail": multi_region,
        "HomeRegion": home,
        "TrailARN": f"arn:aws:cloudtrail:{home}:{account}:trail/{name}",
        "LogFileValidationEnabled": True,
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": organization,
    }
    if global_events is None:
        del entry["IncludeGlobalServiceEvents"]
    if log_group is not None:
        entry["CloudWatchLogsLogGroupArn"] = log_group_arn(account, home) if log_group == "default" else log_group
        entry["CloudWatchLogsRoleArn"] = f"arn:aws:iam::{account}:role/CloudTrailToLogs"
    return entry


def trail_status(
    logging: bool = True,
    *,
    delivered: str | None = "2026-11-20T11:55:03.104000+00:00",
    s3: str | None = "2026-11-20T11:55:02.512000+00:00",
    error: str | None = None,
) -> dict[str, Any]:
    """GetTrailStatus as the CLI prints it; ``delivered``: LatestCloudWatchLogsDeliveryTime (None: absent)."""
    status: dict[str, Any] = {"IsLogging": logging, "StartLoggingTime": "2024-01-10T09:00:00+00:00"}
    if s3 is not None:
        status["LatestDeliveryTime"] = s3
    if delivered is not None:
        status["LatestCloudWatchLogsDeliveryTime"] = delivered
    if error is not None:
        status["LatestCloudWatchLogsDeliveryError"] = error
    return status


def basic_selectors(
    read_write: str = "All", management: bool = True, *, exclude: tuple[str, ...] = (), also: tuple[str, ...] = ()
) -> dict[str, Any]:
    """One basic selector (``also``: more selectors of these ReadWriteTypes, same settings)."""

    def selector(kind: str) -> dict[str, Any]:
        item: dict[str, Any] = {"ReadWriteType": kind, "IncludeManagementEvents": management, "DataResources": []}
        item["ExcludeManagementEventSources"] = list(exclude)
        return item

    return {
        "TrailARN": f"arn:aws:cloudtrail:{HOME}:{ACCOUNT}:trail/{TRAIL}",
        "EventSelectors": [selector(read_write), *(selector(kind) for kind in also)],
    }


def advanced_selectors(*field_sets: list[dict[str, Any]]) -> dict[str, Any]:
    """One advanced selector per list of field selectors (default: all management events)."""
    sets = field_sets or ([{"Field": "eventCategory", "Equals": ["Management"]}],)
    return {
        "TrailARN": f"arn:aws:cloudtrail:{HOME}:{ACCOUNT}:trail/{TRAIL}",
        "AdvancedEventSelectors": [
            {"Name": f"selector {i}", "FieldSelectors": fields} for i, fields in enumerate(sets)
        ],
    }


def metric_filter(
    pattern: str = CIS_ROOT_USAGE_PATTERN,
    log_group: str = LOG_GROUP,
    metric: str = METRIC,
    namespace: str = NAMESPACE,
    name: str = "RootAccountUsage",
    **transformation: Any,
) -> dict[str, Any]:
    """``transformation``: more metricTransformations keys (``defaultValue``, ``unit``, ``dimensions``)."""
    return {
        "filterName": name,
        "filterPattern": pattern,
        "metricTransformations": [
            {"metricName": metric, "metricNamespace": namespace, "metricValue": "1"} | transformation
        ],
        "creationTime": 1704877200000,
        "logGroupName": log_group,
    }


def alarm(
    name: str = "RootAccountUsageAlarm",
    metric: str = METRIC,
    namespace: str = NAMESPACE,
    actions: list[str] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "AlarmName": name,
        "AlarmArn": f"arn:aws:cloudwatch:{HOME}:{ACCOUNT}:alarm:{name}",
        "AlarmConfigurationUpdatedTimestamp": "2024-01-10T09:10:00.000000+00:00",
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": [topic_arn()] if actions is None else actions,
        "InsufficientDataActions": [],
        "StateValue": "OK",
        "StateReason": "Threshold Crossed: no datapoints were received for 1 period",
        "StateUpdatedTimestamp": "2026-11-01T00:00:00.000000+00:00",
        "MetricName": metric,
        "Namespace": namespace,
        "Statistic": "Sum",
        "Dimensions": [],
        "Period": 300,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
    }
    return document | overrides


def subscription(
    confirmed: bool = True, topic: str | None = None, endpoint: str = "security@example.com", protocol: str = "email"
) -> dict[str, Any]:
    arn = topic or topic_arn()
    return {
        "SubscriptionArn": f"{arn}:6a1e6b0e-6f0b-4a4e-9d2f-2f1b0b9f0c11" if confirmed else "PendingConfirmation",
        "Owner": ACCOUNT,
        "Protocol": protocol,
        "Endpoint": endpoint,
        "TopicArn": arn,
    }


def config_rule(identifier: str, state: str = "ACTIVE") -> dict[str, Any]:
    name = identifier.lower().replace("_", "-")
    return {
        "ConfigRuleName": name,
        "ConfigRuleArn": f"arn:aws:config:{HOME}:{ACCOUNT}:config-rule/config-rule-{name[:6]}",
        "ConfigRuleId": f"config-rule-{name[:6]}",
        "Source": {"Owner": "AWS", "SourceIdentifier": identifier},
        "MaximumExecutionFrequency": "TwentyFour_Hours",
        "ConfigRuleState": state,
    }


CONFIG_IDS = ("ROOT_ACCOUNT_MFA_ENABLED", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", "IAM_ROOT_ACCESS_KEY_CHECK")


def compliance(**by_rule: str) -> dict[str, Any]:
    """ComplianceByConfigRules: every managed root rule COMPLIANT unless named (rule name → ComplianceType)."""
    names = [i.lower().replace("_", "-") for i in CONFIG_IDS]
    return {
        "ComplianceByConfigRules": [
            {"ConfigRuleName": n, "Compliance": {"ComplianceType": by_rule.get(n.replace("-", "_"), "COMPLIANT")}}
            for n in names
        ]
    }


def root_rule(
    name: str = "root-activity", pattern: dict[str, Any] | None = None, state: str = "ENABLED"
) -> dict[str, Any]:
    """A list-rules entry; the default pattern is the root-activity-eventbridge template's."""
    chosen = pattern or {
        "detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"],
        "detail": {"userIdentity": {"type": ["Root"]}},
    }
    return {
        "Name": name,
        "Arn": f"arn:aws:events:{HOME}:{ACCOUNT}:rule/{name}",
        "EventPattern": json.dumps(chosen),
        "State": state,
        "EventBusName": "default",
    }


def targets(*arns: str) -> dict[str, Any]:
    return {"Targets": [{"Id": f"t{i}", "Arn": arn} for i, arn in enumerate(arns)]}


def put(
    builder: AccountBuilder, op: Operation, region: str, document: Any, resource: str | None = None
) -> AccountBuilder:
    """Replace one file (``None`` leaves it out)."""
    path = op.path(builder.account, region, resource)
    if document is None:
        builder.documents.pop(path, None)
    else:
        builder.documents[path] = copy.deepcopy(document)
    return builder


def alerting(builder: AccountBuilder | None = None, regions: tuple[str, ...] = REGIONS) -> AccountBuilder:
    """A working CIS chain in ``HOME`` (the trail shadowed in every Region), Config rules compliant."""
    b = builder or AccountBuilder()
    account = b.account
    for region in regions:
        put(b, DESCRIBE_TRAILS, region, {"trailList": [trail_entry(account=account)]})
        put(b, METRIC_FILTERS, region, {"metricFilters": []})
        put(b, ALARMS, region, {"MetricAlarms": [], "CompositeAlarms": []})
        put(b, EVENT_RULES, region, {"Rules": []})
        put(b, GUARDDUTY_DETECTORS, region, {"DetectorIds": []})
        put(b, CONFIG_RULES, region, {"ConfigRules": []})
        put(b, CONFIG_COMPLIANCE, region, {"ComplianceByConfigRules": []})
        put(b, LIST_FUNCTIONS, region, {"Functions": []})
    put(b, TRAIL_STATUS, HOME, trail_status(), TRAIL)
    put(b, EVENT_SELECTORS, HOME, basic_selectors(), TRAIL)
    put(b, METRIC_FILTERS, HOME, {"metricFilters": [metric_filter()]})
    put(b, ALARMS, HOME, {"MetricAlarms": [alarm()], "CompositeAlarms": []})
    put(b, TOPIC_SUBSCRIPTIONS, HOME, {"Subscriptions": [subscription()]}, TOPIC_NAME)
    put(b, CONFIG_RULES, HOME, {"ConfigRules": [config_rule(i) for i in CONFIG_IDS]})
    put(b, CONFIG_COMPLIANCE, HOME, compliance())
    return healthy_watcher(b)


def watcher_function(region: str = HOME, queue: str | None = WATCHER_QUEUE, **extra: Any) -> dict[str, Any]:
    """One ``list-functions`` entry: rootguard's watcher (its handler) with an SQS dead-letter queue."""
    found: dict[str, Any] = {
        "FunctionName": WATCHER,
        "FunctionArn": f"arn:aws:lambda:{region}:{ACCOUNT}:function:{WATCHER}",
        "Handler": WATCHER_HANDLER,
        **extra,
    }
    if queue is not None:
        found["DeadLetterConfig"] = {"TargetArn": f"arn:aws:sqs:{region}:{ACCOUNT}:{queue}"}
    return found


def healthy_watcher(builder: AccountBuilder, region: str = HOME) -> AccountBuilder:
    """rootguard's watcher deployed in ``region``: no error in 24 hours, an empty dead-letter queue."""
    put(builder, LIST_FUNCTIONS, region, {"Functions": [watcher_function(region)]})
    put(builder, WATCHER_ERRORS, region, {"Label": "Errors", "Datapoints": []}, WATCHER)
    put(builder, DEAD_LETTER_DEPTH, region, {"Attributes": {"ApproximateNumberOfMessages": "0"}}, WATCHER_QUEUE)
    return builder


def no_alerting(builder: AccountBuilder) -> AccountBuilder:
    """No Region folder at all: nothing about alerting was collected."""
    for path in [p for p in builder.documents if p.split("/")[1] not in {"global", "cloudtrail-logs"}]:
        del builder.documents[path]
    return builder


def without_chain(builder: AccountBuilder) -> AccountBuilder:
    """No trail anywhere: the CIS chain is certainly broken."""
    for region in REGIONS:
        put(builder, DESCRIBE_TRAILS, region, {"trailList": []})
    return builder


def eventbridge(
    builder: AccountBuilder, *target_arns: str, pattern: dict[str, Any] | None = None, state: str = "ENABLED"
) -> AccountBuilder:
    """A root-activity rule in every Region, each with the given targets (default: the confirmed topic)."""
    for region in REGIONS:
        put(builder, EVENT_RULES, region, {"Rules": [root_rule(pattern=pattern, state=state)]})
        chosen = target_arns or (topic_arn(region=region),)
        put(builder, RULE_TARGETS, region, targets(*chosen), "root-activity")
        for arn in chosen:
            if ":sns:" in arn:
                put(
                    builder,
                    TOPIC_SUBSCRIPTIONS,
                    region,
                    {"Subscriptions": [subscription(topic=arn)]},
                    arn.rsplit(":", 1)[1],
                )
    return builder


def guardduty(builder: AccountBuilder, status: str = "ENABLED") -> AccountBuilder:
    for region in REGIONS:
        put(builder, GUARDDUTY_DETECTORS, region, {"DetectorIds": [f"det{region.replace('-', '')}"]})
        put(
            builder,
            GUARDDUTY_DETECTOR,
            region,
            {"Status": status, "ServiceRole": "x", "FindingPublishingFrequency": "SIX_HOURS"},
            f"det{region.replace('-', '')}",
        )
    return builder
