"""Who a destination reaches: every row of the subscriber and action tables, both ways, and the table hygiene.

SNS protocols: https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html. Alarm actions:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html. EventBridge
targets: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html.
"""

from __future__ import annotations

import pytest

from rootguard.analysis.subscribers import (
    ACTIONS,
    CHAT_AND_PAGING,
    PROTOCOLS,
    Reaches,
    action_rule,
    chat_or_paging,
    destinations,
    subscription_delivery,
)
from rootguard.model.alerting import AccountAlerting
from rootguard.model.alerting_metrics import Subscription
from rootguard.model.gaps import Gap, GapKind

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:root-alerts"
CONFIRMED = f"{TOPIC}:6a1e6b0e-6f0b-4a4e-9d2f-2f1b0b9f0c11"


def sub(protocol: str, endpoint: str, arn: str = CONFIRMED) -> Subscription:
    return Subscription(arn=arn, protocol=protocol, endpoint=endpoint)


SUBSCRIPTIONS: list[tuple[str, Subscription, Reaches]] = [
    ("e-mail", sub("email", "security@example.com"), Reaches.PERSON),
    ("SMS", sub("sms", "+15555550100"), Reaches.PERSON),
    ("AWS Chatbot", sub("https", "https://global.sns-api.chatbot.amazonaws.com"), Reaches.PERSON),
    ("PagerDuty", sub("https", "https://events.pagerduty.com/integration/k/enqueue"), Reaches.PERSON),
    ("PagerDuty EU", sub("https", "https://events.eu.pagerduty.com/integration/k/enqueue"), Reaches.PERSON),
    ("Opsgenie", sub("https", "https://api.opsgenie.com/v1/json/amazonsns?apiKey=k"), Reaches.PERSON),
    ("Opsgenie EU", sub("https", "https://api.eu.opsgenie.com/v1/json/amazonsns?apiKey=k"), Reaches.PERSON),
    ("host case does not matter", sub("HTTPS", "https://Events.PagerDuty.com/integration/k/enqueue"), Reaches.PERSON),
    (
        "Splunk On-Call",
        sub("https", "https://alert.victorops.com/integrations/cloudwatch/2013/alert/k/r"),
        Reaches.PERSON,
    ),
    # not by themselves
    ("email-json", sub("email-json", "tickets@example.com"), Reaches.ELSEWHERE),
    ("another https host", sub("https", "https://hooks.example.com/sns"), Reaches.ELSEWHERE),
    ("http to a paging host", sub("http", "http://events.pagerduty.com/integration/k/enqueue"), Reaches.ELSEWHERE),
    ("a look-alike host", sub("https", "https://events.pagerduty.com.example.net/x"), Reaches.ELSEWHERE),
    ("a look-alike prefix", sub("https", "https://notevents.pagerduty.com/x"), Reaches.ELSEWHERE),
    ("a paging host as user-info", sub("https", "https://api.opsgenie.com@example.net/x"), Reaches.ELSEWHERE),
    ("an https protocol with an http URL", sub("https", "http://api.opsgenie.com/x"), Reaches.ELSEWHERE),
    ("sqs", sub("sqs", f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"), Reaches.ELSEWHERE),
    ("lambda", sub("lambda", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"), Reaches.ELSEWHERE),
    ("firehose", sub("firehose", f"arn:aws:firehose:us-east-1:{ACCOUNT}:deliverystream/s"), Reaches.ELSEWHERE),
    ("application", sub("application", f"arn:aws:sns:us-east-1:{ACCOUNT}:endpoint/APNS/app/1"), Reaches.ELSEWHERE),
    ("an unknown protocol", sub("carrier-pigeon", "loft 7"), Reaches.ELSEWHERE),
    # reaches no one
    ("pending e-mail", sub("email", "security@example.com", "PendingConfirmation"), Reaches.NOBODY),
    (
        "pending chat",
        sub("https", "https://global.sns-api.chatbot.amazonaws.com", "PendingConfirmation"),
        Reaches.NOBODY,
    ),
    ("deleted", sub("email", "security@example.com", "Deleted"), Reaches.NOBODY),
]


@pytest.mark.parametrize(("name", "subscription", "reaches"), SUBSCRIPTIONS, ids=[r[0] for r in SUBSCRIPTIONS])
def test_each_subscription_is_classified(name: str, subscription: Subscription, reaches: Reaches) -> None:
    delivery = subscription_delivery(subscription)
    assert delivery.reaches is reaches, name
    assert subscription.endpoint in delivery.text  # always says where it goes


ACTION_ARNS: list[tuple[str, Reaches, bool]] = [
    (TOPIC, Reaches.ELSEWHERE, True),  # decided by the topic's subscriptions
    (f"arn:aws:ssm-incidents::{ACCOUNT}:response-plan/root-use", Reaches.PERSON, False),
    (f"arn:aws:ssm-incidents::{ACCOUNT}:responseplan/root-use", Reaches.PERSON, False),
    (f"arn:aws:ssm-incidents::{ACCOUNT}:incident-record/x/1", Reaches.ELSEWHERE, False),  # not a plan: unknown
    (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:page-oncall", Reaches.ELSEWHERE, False),
    (f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:page-oncall:live", Reaches.ELSEWHERE, False),
    (f"arn:aws:ssm:us-east-1:{ACCOUNT}:opsitem:3#CATEGORY=Security", Reaches.ELSEWHERE, False),
    (f"arn:aws:sqs:us-east-1:{ACCOUNT}:q", Reaches.ELSEWHERE, False),
    (f"arn:aws:events:us-east-1:{ACCOUNT}:event-bus/central", Reaches.ELSEWHERE, False),
    (f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:root", Reaches.ELSEWHERE, False),  # unknown: say where
    ("arn:aws:automate:us-east-1:ec2:stop", Reaches.NOBODY, False),
    (f"arn:aws:swf:us-east-1:{ACCOUNT}:action/actions/AWS_EC2.InstanceId.Stop/1.0", Reaches.NOBODY, False),
    (
        f"arn:aws:autoscaling:us-east-1:{ACCOUNT}:scalingPolicy:1:autoScalingGroupName/g:policyName/p",
        Reaches.NOBODY,
        False,
    ),
]


@pytest.mark.parametrize(
    ("arn", "reaches", "topic"), ACTION_ARNS, ids=[a[0].split(":")[2] + a[0][-12:] for a in ACTION_ARNS]
)
def test_each_action_or_target_is_classified(arn: str, reaches: Reaches, topic: bool) -> None:
    row = action_rule(arn)
    if row is None:
        assert reaches is Reaches.ELSEWHERE  # unknown destinations are never taken to reach a person
        return
    assert row.topic is topic
    assert row.rule.reaches is reaches


def account(subscriptions: dict[str, tuple[Subscription, ...] | Gap]) -> AccountAlerting:
    return AccountAlerting(account_id=ACCOUNT, regions={}, subscriptions=subscriptions)


def test_a_topic_reaches_a_person_when_any_confirmed_subscription_does() -> None:
    found = destinations(account({TOPIC: (sub("sqs", "q"), sub("email", "a@example.com"))}), [TOPIC])
    assert found.reaches is Reaches.PERSON
    assert "e-mails a@example.com" in found.person[0]


def test_an_unread_topic_is_unknown_unless_another_destination_reaches_a_person() -> None:
    gap = Gap(GapKind.API_ERROR, "x.json", "denied.", "grant it")
    plan = f"arn:aws:ssm-incidents::{ACCOUNT}:response-plan/p"
    assert destinations(account({TOPIC: gap}), [TOPIC]).reaches is None
    assert destinations(account({TOPIC: gap}), [TOPIC, plan]).reaches is Reaches.PERSON
    function = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f"
    assert destinations(account({TOPIC: gap}), [TOPIC, function]).reaches is None


def test_a_topic_without_subscriptions_reaches_no_one() -> None:
    found = destinations(account({TOPIC: ()}), [TOPIC])
    assert found.reaches is Reaches.NOBODY
    assert found.nobody == (f"topic {TOPIC} (no subscription)",)


def test_the_tables_cite_their_sources_and_have_no_duplicate_keys() -> None:
    for table in (PROTOCOLS, CHAT_AND_PAGING):
        keys = [rule.key for rule in table]
        assert len(keys) == len(set(keys))
        assert all(rule.reason and rule.source.startswith("https://") for rule in table)
    assert all(row.rule.reason and row.rule.source.startswith("https://") for row in ACTIONS)
    assert {rule.key for rule in PROTOCOLS} == {
        "http",
        "https",
        "email",
        "email-json",
        "sms",
        "sqs",
        "application",
        "lambda",
        "firehose",
    }, "every SNS protocol of the Subscribe API is classified"
    assert all(rule.reaches is Reaches.PERSON for rule in CHAT_AND_PAGING)


def test_chat_or_paging_matches_exact_hosts_over_https_only() -> None:
    assert chat_or_paging("https://global.sns-api.chatbot.amazonaws.com") is not None
    assert chat_or_paging("https://global.sns-api.chatbot.amazonaws.com.") is not None  # fully qualified
    assert chat_or_paging("https://sns-api.chatbot.amazonaws.com") is None
    assert chat_or_paging("not a url") is None
    assert chat_or_paging("https://[::1") is None  # malformed: never a match
