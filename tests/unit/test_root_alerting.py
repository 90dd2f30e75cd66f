"""root-alerting: the CIS chain, EventBridge rules (every Region) and GuardDuty, each alone and missing."""

from __future__ import annotations

import json
from typing import Any

from alerting_builders import (
    HOME,
    OTHER,
    REGIONS,
    alerting,
    eventbridge,
    guardduty,
    put,
    root_rule,
    subscription,
    targets,
    topic_arn,
    without_chain,
)
from builders import DENIED, AccountBuilder, context
from rootguard.checks.registry import Outcome
from rootguard.checks.root_alerting import root_alerting
from rootguard.model.findings import Status
from rootguard.model.operations import (
    ALARMS,
    EVENT_RULES,
    GUARDDUTY_DETECTOR,
    GUARDDUTY_DETECTORS,
    RULE_TARGETS,
    TOPIC_SUBSCRIPTIONS,
)

LAMBDA = "arn:aws:lambda:{region}:123456789012:function:page-oncall"


def verdict(builder: AccountBuilder) -> Outcome:
    return root_alerting.evaluate(builder.evidence(), context())


def no_chain() -> AccountBuilder:
    return without_chain(alerting())


def test_the_cis_chain_is_a_path() -> None:
    outcome = verdict(alerting())
    assert outcome.status is Status.PASS
    assert "through CIS alarm chain" in outcome.message


def test_nothing_in_place_fails_and_says_why_for_each_path() -> None:
    outcome = verdict(no_chain())
    assert outcome.status is Status.FAIL
    assert "CIS alarm chain: does not work" in outcome.message
    assert "no enabled rule matches" in outcome.message
    assert "GuardDuty is not enabled" in outcome.message


def test_an_eventbridge_rule_in_every_region_with_a_confirmed_subscriber_passes() -> None:
    outcome = verdict(eventbridge(no_chain()))
    assert outcome.status is Status.PASS, outcome.message
    assert "through EventBridge" in outcome.message
    assert "do not receive read-only root calls" in outcome.message


def test_the_read_only_note_goes_with_all_management_events() -> None:
    outcome = verdict(eventbridge(no_chain(), state="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"))
    assert outcome.status is Status.PASS
    assert "read-only" not in outcome.message


def test_a_region_without_the_rule_fails() -> None:
    builder = put(eventbridge(no_chain()), EVENT_RULES, OTHER, {"Rules": []})
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL
    assert "eu-west-1: no enabled rule matches" in outcome.message


def test_a_rule_on_api_calls_only_misses_console_sign_in() -> None:
    pattern = {"detail-type": ["AWS API Call via CloudTrail"], "detail": {"userIdentity": {"type": ["Root"]}}}
    outcome = verdict(eventbridge(no_chain(), pattern=pattern))
    assert outcome.status is Status.FAIL
    assert "root console sign-in" in outcome.message


def test_a_rule_narrowed_to_one_service_misses_the_others() -> None:
    pattern = {"source": ["aws.iam", "aws.signin"], "detail": {"userIdentity": {"type": ["Root"]}}}
    outcome = verdict(eventbridge(no_chain(), pattern=pattern))
    assert outcome.status is Status.FAIL
    assert "ec2:RunInstances" in outcome.message


def test_a_disabled_rule_does_not_count() -> None:
    assert verdict(eventbridge(no_chain(), state="DISABLED")).status is Status.FAIL


def test_a_pattern_rootguard_cannot_read_is_not_taken_to_match() -> None:
    pattern = {"detail": {"userIdentity": {"type": ["Root"]}, "sourceIPAddress": [{"cidr": "0.0.0.0/0"}]}}
    assert verdict(eventbridge(no_chain(), pattern=pattern)).status is Status.FAIL


def test_a_rule_with_a_garbled_pattern_does_not_count() -> None:
    builder = eventbridge(no_chain())
    for region in REGIONS:
        rule = root_rule() | {"EventPattern": "{not json"}
        put(builder, EVENT_RULES, region, {"Rules": [rule]})
    assert verdict(builder).status is Status.FAIL


def test_a_lambda_target_needs_a_human_attestation() -> None:
    builder = no_chain()
    for region in REGIONS:
        put(builder, EVENT_RULES, region, {"Rules": [root_rule()]})
        put(builder, RULE_TARGETS, region, targets(LAMBDA.format(region=region)), "root-activity")
    outcome = verdict(builder)
    assert outcome.status is Status.MANUAL
    assert "page-oncall" in outcome.message


def test_a_topic_with_only_pending_subscriptions_reaches_no_one() -> None:
    builder = eventbridge(no_chain())
    for region in REGIONS:
        document = {"Subscriptions": [subscription(confirmed=False, topic=topic_arn(region=region))]}
        put(builder, TOPIC_SUBSCRIPTIONS, region, document, "root-alerts")
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL
    assert "PendingConfirmation" in outcome.message


def test_unreadable_targets_are_an_error() -> None:
    builder = put(eventbridge(no_chain()), RULE_TARGETS, OTHER, DENIED, "root-activity")
    outcome = verdict(builder)
    assert outcome.status is Status.ERROR
    assert "events:ListTargetsByRule" in outcome.message


def test_unreadable_rules_are_an_error_when_nothing_else_works() -> None:
    builder = put(eventbridge(no_chain()), EVENT_RULES, OTHER, DENIED)
    outcome = verdict(builder)
    assert outcome.status is Status.ERROR
    assert "events:ListRules" in outcome.message


def test_unreadable_alarms_do_not_matter_when_eventbridge_works() -> None:
    builder = put(eventbridge(alerting()), ALARMS, HOME, DENIED)
    assert verdict(builder).status is Status.PASS


def test_unreadable_alarms_are_an_error_when_nothing_else_works() -> None:
    outcome = verdict(put(alerting(), ALARMS, HOME, DENIED))
    assert outcome.status is Status.ERROR
    assert "cloudwatch:DescribeAlarms" in outcome.message


def test_guardduty_alone_needs_an_attestation_that_findings_reach_someone() -> None:
    outcome = verdict(guardduty(no_chain()))
    assert outcome.status is Status.MANUAL
    assert "no EventBridge rule sends its RootCredentialUsage finding to a person" in outcome.message


def test_guardduty_findings_routed_to_a_confirmed_subscriber_pass() -> None:
    finding_rule: dict[str, Any] = {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]}
    builder = guardduty(no_chain())
    for region in REGIONS:
        rule = root_rule("guardduty-findings", pattern=finding_rule)
        put(builder, EVENT_RULES, region, {"Rules": [rule]})
        put(builder, RULE_TARGETS, region, targets(topic_arn(region=region)), "guardduty-findings")
        put(
            builder,
            TOPIC_SUBSCRIPTIONS,
            region,
            {"Subscriptions": [subscription(topic=topic_arn(region=region))]},
            "root-alerts",
        )
    outcome = verdict(builder)
    assert outcome.status is Status.PASS, outcome.message
    assert "through GuardDuty" in outcome.message


def test_a_guardduty_rule_on_high_severity_does_not_route_the_low_root_finding() -> None:
    high_only = {"source": ["aws.guardduty"], "detail": {"severity": [{"numeric": [">=", 7]}]}}
    builder = guardduty(no_chain())
    for region in REGIONS:
        put(builder, EVENT_RULES, region, {"Rules": [root_rule("high", pattern=high_only)]})
        put(builder, RULE_TARGETS, region, targets(topic_arn(region=region)), "high")
    assert verdict(builder).status is Status.MANUAL


def test_guardduty_off_in_one_region_is_no_path() -> None:
    builder = guardduty(no_chain())
    put(builder, GUARDDUTY_DETECTORS, OTHER, {"DetectorIds": []})
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL
    assert "eu-west-1: GuardDuty is not enabled" in outcome.message


def test_a_disabled_detector_is_no_path() -> None:
    assert verdict(guardduty(no_chain(), status="DISABLED")).status is Status.FAIL


def test_an_unreadable_detector_is_an_error() -> None:
    builder = guardduty(no_chain())
    put(builder, GUARDDUTY_DETECTOR, OTHER, DENIED, "deteuwest1")
    outcome = verdict(builder)
    assert outcome.status is Status.ERROR
    assert "guardduty:GetDetector" in outcome.message


def test_evidence_lists_each_path() -> None:
    outcome = verdict(alerting())
    assert set(outcome.evidence["paths"]) == {"CIS alarm chain", "EventBridge", "GuardDuty"}
    assert json.dumps(outcome.evidence)  # serialisable for the JSON report
