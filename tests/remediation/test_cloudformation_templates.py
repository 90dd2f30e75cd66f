"""The CloudFormation templates lint clean with cfn-lint and say what CIS 4.3, EventBridge and Config need."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from cfnlint.decode import decode
from remediation_files import CIS_ROOT_USAGE_PATTERN, CLOUDFORMATION, CONFIG_RULES, ROOT_DETAIL_TYPES

TEMPLATE_FILES = sorted(CLOUDFORMATION.glob("*.yaml"))

# Regions the templates are linted for: resource and property availability differs between them.
LINT_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]

# cfn-lint rule ids whose warnings are accepted, each with the reason. Errors are never accepted.
ALLOWED_WARNINGS: dict[str, str] = {}


def lint_findings(source: str) -> list[str]:
    matches = lint(source, config=ManualArgs(regions=LINT_REGIONS))
    return [
        f"{m.rule.id} ({m.rule.severity}) line {m.linenumber}: {m.message}"
        for m in matches
        if m.rule.severity == "error" or m.rule.id not in ALLOWED_WARNINGS
    ]


def load(name: str) -> dict[str, Any]:
    template, problems = decode(str(CLOUDFORMATION / name))
    assert not problems, problems
    assert template is not None
    return dict(template)


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == resource_type}


def only(template: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    [(name, resource)] = resources_of_type(template, resource_type).items()
    return name, resource["Properties"]


def test_there_are_three_templates() -> None:
    assert [p.name for p in TEMPLATE_FILES] == [
        "root-activity-eventbridge.yaml",
        "root-config-rules.yaml",
        "root-usage-alarm.yaml",
    ]


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: p.name)
def test_cfn_lint_reports_nothing(path: Path) -> None:
    assert lint_findings(path.read_text()) == []


def test_the_lint_helper_fails_on_a_broken_template() -> None:
    broken = (CLOUDFORMATION / "root-usage-alarm.yaml").read_text().replace("Statistic: Sum", "Statistic: Total")
    assert any(finding.startswith("E") for finding in lint_findings(broken))


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: p.name)
def test_every_template_explains_itself(path: Path) -> None:
    template = load(path.name)
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert "rootguard" in template["Description"]
    assert path.read_text().count("\n#") >= 2, "comments should say why"
    for name, parameter in template.get("Parameters", {}).items():
        assert parameter.get("Description"), name


# --- root-usage-alarm (CIS 4.3) ---


def test_usage_alarm_metric_filter_is_the_exact_cis_pattern() -> None:
    template = load("root-usage-alarm.yaml")
    _, metric_filter = only(template, "AWS::Logs::MetricFilter")
    assert metric_filter["FilterPattern"] == CIS_ROOT_USAGE_PATTERN
    assert metric_filter["LogGroupName"] == {"Ref": "LogGroupName"}
    [transformation] = metric_filter["MetricTransformations"]
    assert transformation == {
        "MetricNamespace": {"Ref": "MetricNamespace"},
        "MetricName": {"Ref": "MetricName"},
        "MetricValue": "1",
    }
    assert template["Parameters"]["MetricNamespace"]["Default"] == "CISBenchmark"
    assert template["Parameters"]["MetricName"]["Default"] == "RootAccountUsageCount"


def test_usage_alarm_settings_follow_the_cis_remediation() -> None:
    template = load("root-usage-alarm.yaml")
    _, alarm = only(template, "AWS::CloudWatch::Alarm")
    topic, _ = only(template, "AWS::SNS::Topic")
    assert alarm["Namespace"] == {"Ref": "MetricNamespace"}
    assert alarm["MetricName"] == {"Ref": "MetricName"}
    assert alarm["Statistic"] == "Sum"
    assert alarm["Period"] == 300
    assert alarm["Threshold"] == 1
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["EvaluationPeriods"] == 1
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["AlarmActions"] == [{"Ref": topic}]


def test_usage_alarm_topic_is_encrypted_and_cloudwatch_may_publish() -> None:
    template = load("root-usage-alarm.yaml")
    topic_name, topic = only(template, "AWS::SNS::Topic")
    key_name, key = only(template, "AWS::KMS::Key")
    # A customer managed key: CloudWatch cannot use the AWS managed alias/aws/sns.
    assert topic["KmsMasterKeyId"] == {"Ref": key_name}
    assert any(
        s["Principal"] == {"Service": "cloudwatch.amazonaws.com"} and "kms:GenerateDataKey*" in s["Action"]
        for s in key["KeyPolicy"]["Statement"]
    )
    _, policy = only(template, "AWS::SNS::TopicPolicy")
    assert policy["Topics"] == [{"Ref": topic_name}]
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert statement["Action"] == "sns:Publish"


def test_usage_alarm_subscribes_the_e_mail_address() -> None:
    template = load("root-usage-alarm.yaml")
    topic_name, _ = only(template, "AWS::SNS::Topic")
    _, subscription = only(template, "AWS::SNS::Subscription")
    assert subscription == {"TopicArn": {"Ref": topic_name}, "Protocol": "email", "Endpoint": {"Ref": "AlarmEmail"}}
    assert "confirm" in (CLOUDFORMATION / "root-usage-alarm.yaml").read_text()


@pytest.mark.parametrize(
    ("address", "valid"),
    [("secops@example.com", True), ("a.b+root@sub.example.org", True), ("not-an-address", False), ("a@b", False)],
)
def test_alarm_email_pattern(address: str, valid: bool) -> None:
    for name in ("root-usage-alarm.yaml", "root-activity-eventbridge.yaml"):
        pattern = load(name)["Parameters"]["AlarmEmail"]["AllowedPattern"]
        assert bool(re.fullmatch(pattern, address)) is valid, (name, address)


def test_usage_alarm_outputs() -> None:
    assert set(load("root-usage-alarm.yaml")["Outputs"]) >= {"AlarmArn", "TopicArn", "MetricFilterName"}


# --- root-activity-eventbridge ---


def test_eventbridge_pattern_matches_root_api_calls_and_sign_ins() -> None:
    template = load("root-activity-eventbridge.yaml")
    _, rule = only(template, "AWS::Events::Rule")
    pattern = rule["EventPattern"]
    assert pattern["detail-type"] == ROOT_DETAIL_TYPES
    assert pattern["detail"]["userIdentity"]["type"] == ["Root"]
    assert rule["EventBusName"] == {"Ref": "EventBusName"}
    assert template["Parameters"]["EventBusName"]["Default"] == "default"


def test_eventbridge_targets_the_topic_and_optionally_the_central_bus() -> None:
    template = load("root-activity-eventbridge.yaml")
    topic_name, _ = only(template, "AWS::SNS::Topic")
    _, rule = only(template, "AWS::Events::Rule")
    email_target, bus_target = (target["Fn::If"] for target in rule["Targets"])
    assert email_target[1]["Arn"] == {"Ref": topic_name}
    assert bus_target[1]["Arn"] == {"Ref": "CentralEventBusArn"}
    assert bus_target[1]["RoleArn"] == {"Fn::GetAtt": ["ForwardingRole", "Arn"]}
    assert template["Parameters"]["CentralEventBusArn"]["Default"] == ""
    assert template["Resources"]["ForwardingRole"]["Condition"] == "ForwardToCentralBus"


def test_eventbridge_topic_policy_lets_only_the_rule_publish() -> None:
    template = load("root-activity-eventbridge.yaml")
    rule_name, _ = only(template, "AWS::Events::Rule")
    _, policy = only(template, "AWS::SNS::TopicPolicy")
    [statement] = policy["PolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": [rule_name, "Arn"]}}}
    _, subscription = only(template, "AWS::SNS::Subscription")
    assert subscription["Protocol"] == "email"


def test_eventbridge_template_says_to_deploy_in_every_region() -> None:
    text = (CLOUDFORMATION / "root-activity-eventbridge.yaml").read_text()
    assert "EVERY Region" in text
    assert "StackSet" in text


@pytest.mark.parametrize(
    ("arn", "valid"),
    [
        ("", True),
        ("arn:aws:events:eu-west-1:123456789012:event-bus/security", True),
        ("arn:aws:sns:eu-west-1:123456789012:topic", False),
    ],
)
def test_central_event_bus_arn_pattern(arn: str, valid: bool) -> None:
    pattern = load("root-activity-eventbridge.yaml")["Parameters"]["CentralEventBusArn"]["AllowedPattern"]
    assert bool(re.fullmatch(pattern, arn)) is valid


# --- root-config-rules ---


def test_config_rules_are_the_three_managed_root_rules() -> None:
    template = load("root-config-rules.yaml")
    rules = resources_of_type(template, "AWS::Config::ConfigRule")
    identifiers = {}
    for resource in rules.values():
        properties = resource["Properties"]
        assert properties["Source"]["Owner"] == "AWS"
        assert properties["MaximumExecutionFrequency"] == {"Ref": "MaximumExecutionFrequency"}
        [name_template] = properties["ConfigRuleName"]["Fn::Sub"].split("}")[1:]
        identifiers[name_template] = properties["Source"]["SourceIdentifier"]
    assert identifiers == CONFIG_RULES
    assert template["Parameters"]["MaximumExecutionFrequency"]["Default"] == "TwentyFour_Hours"


def test_config_rules_template_says_a_recorder_must_exist() -> None:
    assert "configuration recorder" in (CLOUDFORMATION / "root-config-rules.yaml").read_text()
