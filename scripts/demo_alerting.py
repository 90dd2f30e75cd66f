"""The alerting files of the demo organisation (called from build_demo.py: ``**demo_alerting()``).

What a reader of `rootguard audit --demo` should find:
- prod (210987654321): the CIS 4.3 chain is built in eu-west-1 (the multi-Region trail, a metric filter
  written the way Security Hub's remediation writes it, a Sum >= 1 alarm, an SNS topic) but the only
  subscriber never confirmed the e-mail: root-usage-alarm FAILs at the last link. GuardDuty is on with
  nothing routing its findings, so root-alerting is MANUAL. The Config root rules run and agree with
  rootguard: the root access key and the virtual MFA device make two of them NON_COMPLIANT.
- sandbox (109876543210): its trail writes to S3 only (root-usage-alarm FAILs at the log-group link), but
  the root-activity EventBridge rule of rootguard's template runs in both Regions with a confirmed
  subscriber, so root-alerting PASSes through EventBridge. The Config root rules are COMPLIANT.
"""

from __future__ import annotations

import json
from typing import Any

from rootguard.model.operations import (
    ALARMS,
    CONFIG_COMPLIANCE,
    CONFIG_RULES,
    DESCRIBE_TRAILS,
    EVENT_RULES,
    EVENT_SELECTORS,
    GUARDDUTY_DETECTOR,
    GUARDDUTY_DETECTORS,
    METRIC_FILTERS,
    RULE_TARGETS,
    TOPIC_SUBSCRIPTIONS,
    TRAIL_STATUS,
)

PROD, SANDBOX = "210987654321", "109876543210"
REGIONS = ("eu-west-1", "us-east-1")
# Security Hub's remediation text: no spaces, namespace LogMetrics; the same meaning as the CIS filter.
SECURITY_HUB_PATTERN = (
    '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}'
)
GUARDDUTY_ROLE = "AWSServiceRoleForAmazonGuardDuty"
CONFIG_IDS = ("ROOT_ACCOUNT_MFA_ENABLED", "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", "IAM_ROOT_ACCESS_KEY_CHECK")


def _trail(account: str, name: str, home: str, log_group: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "Name": name,
        "S3BucketName": f"cloudtrail-{account}",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "HomeRegion": home,
        "TrailARN": f"arn:aws:cloudtrail:{home}:{account}:trail/{name}",
        "LogFileValidationEnabled": True,
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": False,
    }
    if log_group is not None:
        entry["CloudWatchLogsLogGroupArn"] = f"arn:aws:logs:{home}:{account}:log-group:{log_group}:*"
        entry["CloudWatchLogsRoleArn"] = f"arn:aws:iam::{account}:role/CloudTrailToCloudWatchLogs"
    return entry


def _status() -> dict[str, Any]:
    return {
        "IsLogging": True,
        "LatestDeliveryTime": "2026-11-20T11:52:14.118000+00:00",
        "LatestDigestDeliveryTime": "2026-11-20T11:20:03.540000+00:00",
        "StartLoggingTime": "2023-09-12T15:20:00.000000+00:00",
        "TimeLoggingStarted": "2023-09-12T15:20:00Z",
        "TimeLoggingStopped": "",
    }


def _selectors(account: str, home: str, name: str) -> dict[str, Any]:
    return {
        "TrailARN": f"arn:aws:cloudtrail:{home}:{account}:trail/{name}",
        "EventSelectors": [
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [],
                "ExcludeManagementEventSources": [],
            }
        ],
    }


def _config(account: str, region: str, compliance: dict[str, str]) -> dict[str, Any]:
    rules = []
    for number, identifier in enumerate(CONFIG_IDS):
        name = identifier.lower().replace("_", "-")
        rules.append(
            {
                "ConfigRuleName": name,
                "ConfigRuleArn": f"arn:aws:config:{region}:{account}:config-rule/config-rule-{account[:4]}{number}a",
                "ConfigRuleId": f"config-rule-{account[:4]}{number}a",
                "Source": {"Owner": "AWS", "SourceIdentifier": identifier},
                "InputParameters": "{}",
                "MaximumExecutionFrequency": "TwentyFour_Hours",
                "ConfigRuleState": "ACTIVE",
            }
        )
    return {
        CONFIG_RULES.path(account, region): {"ConfigRules": rules},
        CONFIG_COMPLIANCE.path(account, region): {
            "ComplianceByConfigRules": [
                {"ConfigRuleName": rule["ConfigRuleName"], "Compliance": {"ComplianceType": compliance.get(
                    rule["ConfigRuleName"], "COMPLIANT")}}
                for rule in rules
            ]
        },
    }  # fmt: skip


def _empty(account: str, region: str) -> dict[str, Any]:
    """What every collected Region holds when nothing is configured there."""
    return {
        METRIC_FILTERS.path(account, region): {"metricFilters": []},
        ALARMS.path(account, region): {"MetricAlarms": [], "CompositeAlarms": []},
        EVENT_RULES.path(account, region): {"Rules": []},
        GUARDDUTY_DETECTORS.path(account, region): {"DetectorIds": []},
        CONFIG_RULES.path(account, region): {"ConfigRules": []},
        CONFIG_COMPLIANCE.path(account, region): {"ComplianceByConfigRules": []},
    }


def prod() -> dict[str, Any]:
    home, trail, group, topic = "eu-west-1", "management-events", "aws-cloudtrail-logs-prod", "security-alerts"
    topic_arn = f"arn:aws:sns:{home}:{PROD}:{topic}"
    documents: dict[str, Any] = {}
    for region in REGIONS:
        documents |= _empty(PROD, region)
        documents[DESCRIBE_TRAILS.path(PROD, region)] = {"trailList": [_trail(PROD, trail, home, group)]}
        detector = f"c2b6f1e0a8d4{region.replace('-', '')}"
        documents[GUARDDUTY_DETECTORS.path(PROD, region)] = {"DetectorIds": [detector]}
        documents[GUARDDUTY_DETECTOR.path(PROD, region, detector)] = {
            "CreatedAt": "2024-02-01T10:00:00.000Z",
            "FindingPublishingFrequency": "SIX_HOURS",
            "ServiceRole": f"arn:aws:iam::{PROD}:role/aws-service-role/guardduty.amazonaws.com/{GUARDDUTY_ROLE}",
            "Status": "ENABLED",
            "UpdatedAt": "2026-06-01T10:00:00.000Z",
        }
    documents[TRAIL_STATUS.path(PROD, home, trail)] = _status() | {
        "LatestCloudWatchLogsDeliveryTime": "2026-11-20T11:52:15.002000+00:00"
    }
    documents[EVENT_SELECTORS.path(PROD, home, trail)] = _selectors(PROD, home, trail)
    documents[METRIC_FILTERS.path(PROD, home)] = {
        "metricFilters": [
            {
                "filterName": "RootAccountUsage",
                "filterPattern": SECURITY_HUB_PATTERN,
                "metricTransformations": [
                    {"metricName": "RootAccountUsage", "metricNamespace": "LogMetrics", "metricValue": "1"}
                ],
                "creationTime": 1717236000000,
                "logGroupName": group,
            }
        ]
    }
    documents[ALARMS.path(PROD, home)] = {
        "MetricAlarms": [
            {
                "AlarmName": "root-account-usage",
                "AlarmArn": f"arn:aws:cloudwatch:{home}:{PROD}:alarm:root-account-usage",
                "AlarmDescription": "CIS 4.3: the root user was used",
                "AlarmConfigurationUpdatedTimestamp": "2024-06-01T10:05:00.000000+00:00",
                "ActionsEnabled": True,
                "OKActions": [],
                "AlarmActions": [topic_arn],
                "InsufficientDataActions": [],
                "StateValue": "ALARM",
                "StateReason": "Threshold Crossed: 1 datapoint [4.0 (17/11/26 08:10:00)] was >= the threshold (1.0).",
                "StateUpdatedTimestamp": "2026-11-17T08:15:40.000000+00:00",
                "MetricName": "RootAccountUsage",
                "Namespace": "LogMetrics",
                "Statistic": "Sum",
                "Dimensions": [],
                "Period": 300,
                "EvaluationPeriods": 1,
                "DatapointsToAlarm": 1,
                "Threshold": 1.0,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
                "TreatMissingData": "notBreaching",
            }
        ],
        "CompositeAlarms": [],
    }
    # The alarm fired on 2026-11-17, and the e-mail went nowhere: nobody confirmed the subscription.
    documents[TOPIC_SUBSCRIPTIONS.path(PROD, home, topic)] = {
        "Subscriptions": [
            {
                "SubscriptionArn": "PendingConfirmation",
                "Owner": PROD,
                "Protocol": "email",
                "Endpoint": "secops@example.com",
                "TopicArn": topic_arn,
            }
        ]
    }
    documents |= _config(
        PROD,
        home,
        {"root-account-hardware-mfa-enabled": "NON_COMPLIANT", "iam-root-access-key-check": "NON_COMPLIANT"},
    )
    return documents


def sandbox() -> dict[str, Any]:
    home, trail, topic = "us-east-1", "sandbox-trail", "root-activity-alerts"
    documents: dict[str, Any] = {}
    pattern = {
        "detail-type": ["AWS API Call via CloudTrail", "AWS Console Sign In via CloudTrail"],
        "detail": {"userIdentity": {"type": ["Root"]}},
    }
    for region in REGIONS:
        documents |= _empty(SANDBOX, region)
        documents[DESCRIBE_TRAILS.path(SANDBOX, region)] = {"trailList": [_trail(SANDBOX, trail, home, None)]}
        topic_arn = f"arn:aws:sns:{region}:{SANDBOX}:{topic}"
        documents[EVENT_RULES.path(SANDBOX, region)] = {
            "Rules": [
                {
                    "Name": "rootguard-root-activity",
                    "Arn": f"arn:aws:events:{region}:{SANDBOX}:rule/rootguard-root-activity",
                    "EventPattern": json.dumps(pattern),
                    "State": "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
                    "Description": "API calls and console sign-ins by the AWS root user (userIdentity.type Root).",
                    "EventBusName": "default",
                }
            ]
        }
        documents[RULE_TARGETS.path(SANDBOX, region, "rootguard-root-activity")] = {
            "Targets": [{"Id": "email", "Arn": topic_arn}]
        }
        documents[TOPIC_SUBSCRIPTIONS.path(SANDBOX, region, topic)] = {
            "Subscriptions": [
                {
                    "SubscriptionArn": f"{topic_arn}:0d3c9f1e-5b7a-4c61-9e0b-{region.replace('-', '')[:8]}0001",
                    "Owner": SANDBOX,
                    "Protocol": "email",
                    "Endpoint": "sandbox-owners@example.com",
                    "TopicArn": topic_arn,
                }
            ]
        }
    documents[TRAIL_STATUS.path(SANDBOX, home, trail)] = _status()
    documents[EVENT_SELECTORS.path(SANDBOX, home, trail)] = _selectors(SANDBOX, home, trail)
    documents |= _config(SANDBOX, home, {})
    return documents


def demo_alerting() -> dict[str, Any]:
    """Bundle path → document for both demo accounts."""
    return {**prod(), **sandbox()}
