"""The alerting paths of the demo organisation (for build_demo.py: ``{**demo_alerting()}``).

Both accounts were collected in two enabled Regions, us-east-1 and eu-west-1, exactly as
``rootguard collect`` writes them (AWS CLI shapes):
- prod (210987654321): a working CIS 4.3 chain. The multi-Region trail ``org-audit`` (home
  us-east-1, logging, all management events) delivers to ``/aws/cloudtrail/org-audit``; the CIS
  root-usage filter feeds ``RootAccountUsage``; the alarm notifies ``security-alerts``, which
  security@example.com confirmed. EventBridge also sends root sign-ins to the same topic, GuardDuty is
  on in both Regions, and the three Config root rules agree with the credentials (MFA on but virtual,
  an active root key).
- sandbox (109876543210): the chain is built but alerts nobody: the only subscription to
  ``sandbox-alerts`` was never confirmed (``PendingConfirmation``). No EventBridge rule, no GuardDuty,
  no Config rules.
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
HOME, OTHER = "us-east-1", "eu-west-1"
REGIONS = (HOME, OTHER)
CIS_PATTERN = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
)
GUARDDUTY_ROLE = "AWSServiceRoleForAmazonGuardDuty"
ROOT_RULES = {
    "root-account-mfa-enabled": ("ROOT_ACCOUNT_MFA_ENABLED", "COMPLIANT"),
    "root-account-hardware-mfa-enabled": ("ROOT_ACCOUNT_HARDWARE_MFA_ENABLED", "NON_COMPLIANT"),
    "iam-root-access-key-check": ("IAM_ROOT_ACCESS_KEY_CHECK", "NON_COMPLIANT"),
}


def trail(account: str, name: str) -> dict[str, Any]:
    return {
        "Name": name,
        "S3BucketName": f"{name}-trail-{account}",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "HomeRegion": HOME,
        "TrailARN": f"arn:aws:cloudtrail:{HOME}:{account}:trail/{name}",
        "LogFileValidationEnabled": True,
        "CloudWatchLogsLogGroupArn": f"arn:aws:logs:{HOME}:{account}:log-group:/aws/cloudtrail/{name}:*",
        "CloudWatchLogsRoleArn": f"arn:aws:iam::{account}:role/{name}-cloudtrail-to-logs",
        "HasCustomEventSelectors": False,
        "HasInsightSelectors": False,
        "IsOrganizationTrail": False,
    }


def trail_status() -> dict[str, Any]:
    return {
        "IsLogging": True,
        "LatestDeliveryTime": "2026-11-20T11:57:12.402000+00:00",
        "StartLoggingTime": "2024-03-04T09:12:33.118000+00:00",
        "LatestCloudWatchLogsDeliveryTime": "2026-11-20T11:59:02.877000+00:00",
        "LatestDeliveryAttemptTime": "2026-11-20T11:57:12Z",
        "LatestNotificationAttemptTime": "",
        "LatestNotificationAttemptSucceeded": "",
        "LatestDeliveryAttemptSucceeded": "2026-11-20T11:57:12Z",
        "TimeLoggingStarted": "2024-03-04T09:12:33Z",
        "TimeLoggingStopped": "",
    }


def alarm(account: str, topic: str) -> dict[str, Any]:
    return {
        "AlarmName": "root-account-usage",
        "AlarmArn": f"arn:aws:cloudwatch:{HOME}:{account}:alarm:root-account-usage",
        "AlarmDescription": "CIS 4.3: any use of the root user",
        "AlarmConfigurationUpdatedTimestamp": "2024-03-04T09:31:40.551000+00:00",
        "ActionsEnabled": True,
        "OKActions": [],
        "AlarmActions": [f"arn:aws:sns:{HOME}:{account}:{topic}"],
        "InsufficientDataActions": [],
        "StateValue": "OK",
        "StateReason": (
            "Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated "
            "as [NonBreaching]."
        ),
        "StateUpdatedTimestamp": "2026-11-17T09:20:41.093000+00:00",
        "MetricName": "RootAccountUsage",
        "Namespace": "CISBenchmark",
        "Statistic": "Sum",
        "Dimensions": [],
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
        "TreatMissingData": "notBreaching",
        "StateTransitionedTimestamp": "2026-11-17T09:20:41.093000+00:00",
    }


def chain(account: str, name: str, topic: str, subscription: str) -> dict[str, Any]:
    """The CIS 4.3 chain of one account, homed in us-east-1; eu-west-1 sees the trail and nothing else."""
    arn = f"arn:aws:cloudtrail:{HOME}:{account}:trail/{name}"
    topic_arn = f"arn:aws:sns:{HOME}:{account}:{topic}"
    documents: dict[str, Any] = {}
    for region in REGIONS:
        documents[DESCRIBE_TRAILS.path(account, region)] = {"trailList": [trail(account, name)]}
        documents[METRIC_FILTERS.path(account, region)] = {"metricFilters": []}
        documents[ALARMS.path(account, region)] = {"MetricAlarms": [], "CompositeAlarms": []}
    documents[TRAIL_STATUS.path(account, HOME, name)] = trail_status()
    documents[EVENT_SELECTORS.path(account, HOME, name)] = {
        "TrailARN": arn,
        "EventSelectors": [
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [],
                "ExcludeManagementEventSources": [],
            }
        ],
    }
    documents[METRIC_FILTERS.path(account, HOME)] = {
        "metricFilters": [
            {
                "filterName": "root-account-usage",
                "filterPattern": CIS_PATTERN,
                "metricTransformations": [
                    {"metricName": "RootAccountUsage", "metricNamespace": "CISBenchmark", "metricValue": "1"}
                ],
                "creationTime": 1709544693000,
                "logGroupName": f"/aws/cloudtrail/{name}",
                "applyOnTransformedLogs": False,
            }
        ]
    }
    documents[ALARMS.path(account, HOME)] = {"MetricAlarms": [alarm(account, topic)], "CompositeAlarms": []}
    documents[TOPIC_SUBSCRIPTIONS.path(account, HOME, topic)] = {
        "Subscriptions": [
            {
                "SubscriptionArn": subscription,
                "Owner": account,
                "Protocol": "email",
                "Endpoint": "security@example.com",
                "TopicArn": topic_arn,
            }
        ]
    }
    return documents


def prod_extras() -> dict[str, Any]:
    """EventBridge on root sign-ins, GuardDuty in both Regions, the Config root rules (us-east-1)."""
    topic_arn = f"arn:aws:sns:{HOME}:{PROD}:security-alerts"
    pattern = {"detail-type": ["AWS Console Sign In via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}
    documents: dict[str, Any] = {
        EVENT_RULES.path(PROD, HOME): {
            "Rules": [
                {
                    "Name": "root-sign-in",
                    "Arn": f"arn:aws:events:{HOME}:{PROD}:rule/root-sign-in",
                    "EventPattern": json.dumps(pattern),
                    "State": "ENABLED",
                    "Description": "Tell security when root signs in",
                    "EventBusName": "default",
                }
            ]
        },
        RULE_TARGETS.path(PROD, HOME, "root-sign-in"): {"Targets": [{"Id": "security-alerts", "Arn": topic_arn}]},
        EVENT_RULES.path(PROD, OTHER): {"Rules": []},
    }
    for region, detector in ((HOME, "8ec6d1f2a3b4c5d6e7f8091a2b3c4d5e"), (OTHER, "4fa2c7e9b1d3f5a7c9e1b3d5f7a9c1e3")):
        documents[GUARDDUTY_DETECTORS.path(PROD, region)] = {"DetectorIds": [detector]}
        documents[GUARDDUTY_DETECTOR.path(PROD, region, detector)] = {
            "CreatedAt": "2024-03-04T09:40:02.311Z",
            "FindingPublishingFrequency": "FIFTEEN_MINUTES",
            "ServiceRole": f"arn:aws:iam::{PROD}:role/aws-service-role/guardduty.amazonaws.com/{GUARDDUTY_ROLE}",
            "Status": "ENABLED",
            "UpdatedAt": "2025-06-12T14:03:55.020Z",
            "Tags": {},
        }
    rules, compliance = [], []
    for number, (name, (identifier, verdict)) in enumerate(sorted(ROOT_RULES.items()), start=1):
        rule_id = f"config-rule-demo0{number}"
        rules.append(
            {
                "ConfigRuleName": name,
                "ConfigRuleArn": f"arn:aws:config:{HOME}:{PROD}:config-rule/{rule_id}",
                "ConfigRuleId": rule_id,
                "Source": {"Owner": "AWS", "SourceIdentifier": identifier},
                "MaximumExecutionFrequency": "TwentyFour_Hours",
                "ConfigRuleState": "ACTIVE",
                "EvaluationModes": [{"Mode": "DETECTIVE"}],
            }
        )
        entry: dict[str, Any] = {"ConfigRuleName": name, "Compliance": {"ComplianceType": verdict}}
        if verdict == "NON_COMPLIANT":
            entry["Compliance"]["ComplianceContributorCount"] = {"CappedCount": 1, "CapExceeded": False}
        compliance.append(entry)
    documents[CONFIG_RULES.path(PROD, HOME)] = {"ConfigRules": rules}
    documents[CONFIG_COMPLIANCE.path(PROD, HOME)] = {"ComplianceByConfigRules": compliance}
    documents[CONFIG_RULES.path(PROD, OTHER)] = {"ConfigRules": []}
    documents[CONFIG_COMPLIANCE.path(PROD, OTHER)] = {"ComplianceByConfigRules": []}
    return documents


def sandbox_extras() -> dict[str, Any]:
    documents: dict[str, Any] = {}
    for region in REGIONS:
        documents[EVENT_RULES.path(SANDBOX, region)] = {"Rules": []}
        documents[GUARDDUTY_DETECTORS.path(SANDBOX, region)] = {"DetectorIds": []}
        documents[CONFIG_RULES.path(SANDBOX, region)] = {"ConfigRules": []}
        documents[CONFIG_COMPLIANCE.path(SANDBOX, region)] = {"ComplianceByConfigRules": []}
    return documents


def demo_alerting() -> dict[str, Any]:
    """Bundle path → document for both demo accounts."""
    confirmed = f"arn:aws:sns:{HOME}:{PROD}:security-alerts:5f0e3a1c-7b2d-4c8e-9a61-0d4b2f8e7c13"
    return {
        **chain(PROD, "org-audit", "security-alerts", confirmed),
        **prod_extras(),
        **chain(SANDBOX, "sandbox-audit", "sandbox-alerts", "PendingConfirmation"),
        **sandbox_extras(),
    }
