"""Who an alert reaches: SNS subscriptions, CloudWatch alarm actions and EventBridge targets (pure).

"Reaches a person" means a person: an e-mail or SMS, a chat channel or a paging service. Everything
else (a queue, a function, a stream, an unknown web hook) delivers somewhere rootguard cannot follow to
a person, and a subscription nobody confirmed delivers to no one. The three tables below hold every
rule with its reason and the AWS (or vendor) page it rests on; docs/CONTRACT.md §9.1 repeats them.

- ``PROTOCOLS``: an SNS subscription by its ``Protocol`` (SNS Subscribe,
  https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html).
- ``CHAT_AND_PAGING``: an ``https`` subscription whose endpoint host is a known chat or paging service.
- ``ACTIONS``: a CloudWatch alarm action or an EventBridge target by the service of its ARN
  (PutMetricAlarm ``AlarmActions``,
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html;
  EventBridge targets, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from rootguard.model.alerting import AccountAlerting
from rootguard.model.alerting_metrics import Subscription, topic_region_account_name
from rootguard.model.gaps import Gap


class Reaches(StrEnum):
    PERSON = "person"
    """Delivered to a person: a mailbox, a phone, a chat channel, an on-call rota."""
    ELSEWHERE = "elsewhere"
    """Delivered to something that may tell a person, or may not: a person must say which."""
    NOBODY = "nobody"
    """Delivered to no one: nobody confirmed the subscription, or the action notifies no one."""


SNS_SUBSCRIBE = "https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html"
SNS_CONFIRM = "https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html"
PUT_METRIC_ALARM = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
ALARM_ACTIONS = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-actions.html"
EVENTBRIDGE_TARGETS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html"


@dataclass(frozen=True)
class Rule:
    """One row of a table: what a destination does, whether it reaches a person, why, and the source."""

    key: str
    reaches: Reaches
    does: str
    """What it does with the alert, in words that take the endpoint or ARN after them."""
    reason: str
    source: str


PROTOCOLS: tuple[Rule, ...] = (
    Rule("email", Reaches.PERSON, "e-mails", "SNS sends the message to a mailbox a person reads.", SNS_SUBSCRIBE),
    Rule("sms", Reaches.PERSON, "texts", "SNS sends the message as an SMS to a phone.", SNS_SUBSCRIBE),
    Rule(
        "email-json",
        Reaches.ELSEWHERE,
        "mails the raw JSON document to",
        "SNS mails the JSON-encoded notification; such mailboxes usually feed a program (a ticketing system, a "
        "parser): confirm a person reads it.",
        SNS_SUBSCRIBE,
    ),
    Rule(
        "https",
        Reaches.ELSEWHERE,
        "posts to",
        "SNS posts JSON to a web hook; unless the host is a known chat or paging service (CHAT_AND_PAGING), "
        "rootguard cannot tell whether a person sees it.",
        SNS_SUBSCRIBE,
    ),
    Rule(
        "http",
        Reaches.ELSEWHERE,
        "posts (unencrypted) to",
        "SNS posts JSON to a web hook; rootguard cannot tell whether a person sees it.",
        SNS_SUBSCRIBE,
    ),
    Rule(
        "sqs",
        Reaches.ELSEWHERE,
        "queues it in",
        "A queue holds the message until a program reads it; nobody is told by the queue itself.",
        SNS_SUBSCRIBE,
    ),
    Rule(
        "lambda",
        Reaches.ELSEWHERE,
        "invokes",
        "A function receives the message; what it does with it is code rootguard does not read.",
        SNS_SUBSCRIBE,
    ),
    Rule(
        "firehose",
        Reaches.ELSEWHERE,
        "streams it to",
        "Firehose delivers to storage or an analytics service, not to a person.",
        SNS_SUBSCRIBE,
    ),
    Rule(
        "application",
        Reaches.ELSEWHERE,
        "pushes it to the mobile app endpoint",
        "A mobile push reaches whichever device registered the app endpoint: confirm it is a responder's.",
        SNS_SUBSCRIBE,
    ),
)
"""Every SNS subscription protocol (SNS Subscribe ``Protocol``)."""

UNKNOWN_PROTOCOL = Rule(
    "", Reaches.ELSEWHERE, "delivers to", "A protocol rootguard does not know: confirm where it goes.", SNS_SUBSCRIBE
)
PENDING = Rule(
    "PendingConfirmation",
    Reaches.NOBODY,
    "waits for confirmation by",
    "SNS delivers nothing to a subscription until the endpoint confirms it (SubscriptionArn PendingConfirmation).",
    SNS_CONFIRM,
)

CHAT_AND_PAGING: tuple[Rule, ...] = (
    Rule(
        "global.sns-api.chatbot.amazonaws.com",
        Reaches.PERSON,
        "posts to a chat channel through AWS Chatbot (Amazon Q Developer in chat applications):",
        "AWS Chatbot subscribes this https endpoint to the topics of a Slack, Microsoft Teams or Chime channel "
        "configuration and posts each notification in that channel.",
        "https://docs.aws.amazon.com/chatbot/latest/adminguide/what-is.html",
    ),
    Rule(
        "events.pagerduty.com",
        Reaches.PERSON,
        "pages the on-call through PagerDuty:",
        "PagerDuty's CloudWatch/SNS integration endpoint opens an incident and pages the service's on-call.",
        "https://www.pagerduty.com/docs/guides/aws-cloudwatch-integration-guide/",
    ),
    Rule(
        "events.eu.pagerduty.com",
        Reaches.PERSON,
        "pages the on-call through PagerDuty (EU):",
        "PagerDuty's EU service region endpoint for the same integration.",
        "https://www.pagerduty.com/docs/guides/aws-cloudwatch-integration-guide/",
    ),
    Rule(
        "api.opsgenie.com",
        Reaches.PERSON,
        "alerts the on-call through Opsgenie:",
        "Opsgenie's Amazon SNS integration endpoint creates an alert and notifies its responders.",
        "https://support.atlassian.com/opsgenie/docs/integrate-opsgenie-with-amazon-sns/",
    ),
    Rule(
        "api.eu.opsgenie.com",
        Reaches.PERSON,
        "alerts the on-call through Opsgenie (EU):",
        "Opsgenie's EU instance endpoint for the same integration.",
        "https://support.atlassian.com/opsgenie/docs/integrate-opsgenie-with-amazon-sns/",
    ),
    Rule(
        "alert.victorops.com",
        Reaches.PERSON,
        "pages the on-call through Splunk On-Call (VictorOps):",
        "Splunk On-Call's AWS CloudWatch integration endpoint opens an incident for the routing key's team.",
        "https://help.victorops.com/knowledge-base/victorops-aws-cloudwatch-integration/",
    ),
)
"""``https`` endpoints, matched by exact host name, that put a notification in front of a person."""


@dataclass(frozen=True)
class ActionRule:
    """A row of ``ACTIONS``: an ARN whose service is ``service`` and whose resource starts with ``resource``."""

    service: str
    resource: tuple[str, ...]
    """Resource prefixes after the account field (``function:``, ``response-plan/`` …); empty: any."""
    rule: Rule
    topic: bool = False
    """An SNS topic: its confirmed subscriptions decide, through ``PROTOCOLS`` and ``CHAT_AND_PAGING``."""


ACTIONS: tuple[ActionRule, ...] = (
    ActionRule(
        "sns",
        (),
        Rule(
            "sns",
            Reaches.ELSEWHERE,
            "publishes to SNS topic",
            "A topic reaches whoever its confirmed subscriptions reach.",
            PUT_METRIC_ALARM,
        ),
        topic=True,
    ),
    ActionRule(
        "ssm-incidents",
        ("response-plan/", "responseplan/"),
        Rule(
            "ssm-incidents",
            Reaches.PERSON,
            "starts an Incident Manager incident from response plan",
            "Incident Manager engages the contacts and on-call schedules the response plan names (e-mail, SMS, "
            "voice) when an alarm or a rule starts an incident.",
            "https://docs.aws.amazon.com/incident-manager/latest/userguide/response-plans.html",
        ),
    ),
    ActionRule(
        "lambda",
        (),
        Rule(
            "lambda",
            Reaches.ELSEWHERE,
            "invokes Lambda function",
            "A function runs; whom it tells is code rootguard does not read.",
            ALARM_ACTIONS,
        ),
    ),
    ActionRule(
        "ssm",
        ("opsitem",),
        Rule(
            "ssm",
            Reaches.ELSEWHERE,
            "creates a Systems Manager OpsCenter OpsItem",
            "An OpsItem waits in OpsCenter; it tells no one unless someone watches OpsCenter.",
            ALARM_ACTIONS,
        ),
    ),
    ActionRule(
        "automate",
        (),
        Rule(
            "ec2", Reaches.NOBODY, "acts on an EC2 instance:", "Stops, terminates, reboots or recovers.", ALARM_ACTIONS
        ),
    ),
    ActionRule(
        "swf",
        (),
        Rule(
            "ec2", Reaches.NOBODY, "acts on an EC2 instance:", "Stops, terminates, reboots or recovers.", ALARM_ACTIONS
        ),
    ),
    ActionRule(
        "autoscaling",
        (),
        Rule("autoscaling", Reaches.NOBODY, "scales", "An Auto Scaling action notifies no one.", ALARM_ACTIONS),
    ),
    ActionRule(
        "sqs",
        (),
        Rule(
            "sqs",
            Reaches.ELSEWHERE,
            "queues it in",
            "A queue holds the event until a program reads it.",
            EVENTBRIDGE_TARGETS,
        ),
    ),
    ActionRule(
        "events",
        (),
        Rule(
            "events",
            Reaches.ELSEWHERE,
            "sends it on to",
            "Another event bus or an API destination: its own rules or the web hook decide who hears of it.",
            EVENTBRIDGE_TARGETS,
        ),
    ),
)
"""Alarm actions and EventBridge targets, by the service of their ARN."""

UNKNOWN_ACTION = Rule(
    "",
    Reaches.ELSEWHERE,
    "sends it to",
    "A destination rootguard does not follow: confirm it tells a person.",
    EVENTBRIDGE_TARGETS,
)


def protocol_rule(protocol: str) -> Rule:
    return next((rule for rule in PROTOCOLS if rule.key == protocol.lower()), UNKNOWN_PROTOCOL)


def chat_or_paging(endpoint: str) -> Rule | None:
    """The ``CHAT_AND_PAGING`` row of an ``https`` URL, matched by its exact host (never a suffix)."""
    try:
        parts = urlsplit(endpoint.strip())
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if parts.scheme.lower() != "https":
        return None
    return next((rule for rule in CHAT_AND_PAGING if rule.key == host), None)


@dataclass(frozen=True)
class Delivery:
    """Where one subscription, action or target delivers, and why rootguard says so."""

    reaches: Reaches
    text: str
    rule: Rule


def subscription_delivery(subscription: Subscription) -> Delivery:
    where = f"{subscription.protocol or '?'} {subscription.endpoint}".strip()
    if not subscription.confirmed:
        return Delivery(Reaches.NOBODY, f"{where} ({subscription.arn or 'unconfirmed'})", PENDING)
    rule = protocol_rule(subscription.protocol)
    if rule.key == "https":
        known = chat_or_paging(subscription.endpoint)
        if known is not None:
            return Delivery(Reaches.PERSON, f"{known.does} {subscription.endpoint}", known)
    return Delivery(rule.reaches, f"{rule.does} {subscription.endpoint}".strip(), rule)


def action_rule(arn: str) -> ActionRule | None:
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    service, resource = parts[2], parts[5]
    for row in ACTIONS:
        if row.service == service and (not row.resource or resource.startswith(row.resource)):
            return row
    return None


@dataclass(frozen=True)
class Destinations:
    """Everything a list of alarm actions or rule targets delivers to, sorted by reach."""

    person: tuple[str, ...] = ()
    elsewhere: tuple[str, ...] = ()
    nobody: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()
    unread: tuple[str, ...] = ()
    """Topics whose subscriptions could not be read."""

    @property
    def reaches(self) -> Reaches | None:
        """PERSON if anything reaches one; ``None`` (unknown) if an unread topic still might; else the best."""
        if self.person:
            return Reaches.PERSON
        if self.gaps:
            return None
        return Reaches.ELSEWHERE if self.elsewhere else Reaches.NOBODY


def destinations(account: AccountAlerting, arns: Iterable[str]) -> Destinations:
    """Classify each ARN by ``ACTIONS``; an SNS topic by each of its subscriptions."""
    person: list[str] = []
    elsewhere: list[str] = []
    nobody: list[str] = []
    gaps: list[Gap] = []
    unread: list[str] = []
    for arn in arns:
        row = action_rule(arn)
        if row is not None and row.topic and topic_region_account_name(arn):
            found = account.subscriptions.get(arn)
            if isinstance(found, Gap):
                gaps.append(found)
                unread.append(arn)
                continue
            subscriptions = found or ()
            if not subscriptions:
                nobody.append(f"topic {arn} (no subscription)")
                continue
            deliveries = [subscription_delivery(s) for s in subscriptions]
            reached = [d.text for d in deliveries if d.reaches is Reaches.PERSON]
            other = [d.text for d in deliveries if d.reaches is Reaches.ELSEWHERE]
            pending = [d for d in deliveries if d.reaches is Reaches.NOBODY]
            if reached:
                person.append(f"topic {arn}: {'; '.join(reached)}")
            if other:
                elsewhere.append(f"topic {arn}: {'; '.join(other)}")
            if pending and not reached and not other:
                nobody.append(f"{arn} ({len(pending)} subscription(s), none confirmed: PendingConfirmation)")
            continue
        rule = row.rule if row is not None else UNKNOWN_ACTION
        text = f"{rule.does} {arn}"
        {Reaches.PERSON: person, Reaches.ELSEWHERE: elsewhere, Reaches.NOBODY: nobody}[rule.reaches].append(text)
    return Destinations(tuple(person), tuple(elsewhere), tuple(nobody), tuple(dict.fromkeys(gaps)), tuple(unread))
