"""root-usage-alarm: every link of the CIS 4.3 chain, broken and fixed, and every file it needs, unreadable."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from alerting_builders import (
    GARBAGE,
    HOME,
    LOG_GROUP,
    OTHER,
    REGIONS,
    TOPIC_NAME,
    TRAIL,
    advanced_selectors,
    alarm,
    alerting,
    basic_selectors,
    log_group_arn,
    metric_filter,
    put,
    subscription,
    topic_arn,
    trail_entry,
    trail_status,
)
from builders import AS_OF, DENIED, AccountBuilder, context, trail_record
from rootguard.checks.registry import Outcome
from rootguard.checks.root_usage_alarm import FIXES, root_usage_alarm
from rootguard.evidence.assemble import assemble
from rootguard.evidence.store import MemoryStore
from rootguard.model.findings import Status
from rootguard.model.operations import (
    ALARMS,
    DESCRIBE_TRAILS,
    EVENT_SELECTORS,
    METRIC_FILTERS,
    TOPIC_SUBSCRIPTIONS,
    TRAIL_STATUS,
    Operation,
)

Break = Callable[[AccountBuilder], Any]


def verdict(builder: AccountBuilder) -> Outcome:
    return root_usage_alarm.evaluate(builder.evidence(), context())


def trails(builder: AccountBuilder, *entries: dict[str, Any], regions: tuple[str, ...] = REGIONS) -> None:
    for region in regions:
        put(builder, DESCRIBE_TRAILS, region, {"trailList": list(entries)})


def alarms(builder: AccountBuilder, *items: dict[str, Any]) -> None:
    put(builder, ALARMS, HOME, {"MetricAlarms": list(items), "CompositeAlarms": []})


def filters(builder: AccountBuilder, *items: dict[str, Any]) -> None:
    put(builder, METRIC_FILTERS, HOME, {"metricFilters": list(items)})


def test_a_working_chain_passes_and_shows_each_link() -> None:
    outcome = verdict(alerting())
    assert outcome.status is Status.PASS, outcome.message
    assert [link["link"] for link in outcome.evidence["chain"]] == [
        "trail",
        "logging",
        "multi-region",
        "global-events",
        "management-events",
        "log-group",
        "delivery",
        "metric-filter",
        "alarm",
        "alarm-actions",
        "subscriber",
    ]
    assert [link["state"] for link in outcome.evidence["chain"]] == ["ok"] * 11
    assert "main-trail" in outcome.message
    assert "security@example.com" in outcome.message
    assert "equivalent to the CIS filter" in outcome.message


BREAKS: dict[str, tuple[Break, str, str]] = {
    # name: (how to break it, what the message says, which link's fix it names)
    "no trail": (trails, "no trail is listed", "trail"),
    "not logging": (lambda b: put(b, TRAIL_STATUS, HOME, trail_status(logging=False), TRAIL), "not logging", "logging"),
    "single Region": (
        lambda b: trails(b, trail_entry(multi_region=False), regions=(HOME,)),
        "records us-east-1 only",
        "multi-region",
    ),
    "write-only": (
        lambda b: put(b, EVENT_SELECTORS, HOME, basic_selectors("WriteOnly"), TRAIL),
        "records WriteOnly management events only",
        "management-events",
    ),
    "no management events": (
        lambda b: put(b, EVENT_SELECTORS, HOME, basic_selectors(management=False), TRAIL),
        "records no management events",
        "management-events",
    ),
    "advanced read-only": (
        lambda b: put(
            b,
            EVENT_SELECTORS,
            HOME,
            advanced_selectors(
                [{"Field": "eventCategory", "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}]
            ),
            TRAIL,
        ),
        "records read-only management events only",
        "management-events",
    ),
    "advanced data only": (
        lambda b: put(
            b,
            EVENT_SELECTORS,
            HOME,
            advanced_selectors(
                [
                    {"Field": "eventCategory", "Equals": ["Data"]},
                    {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                ]
            ),
            TRAIL,
        ),
        "records no management events",
        "management-events",
    ),
    "no log group": (lambda b: trails(b, trail_entry(log_group=None)), "has no CloudWatch Logs group", "log-group"),
    "log group in another Region": (
        lambda b: trails(b, trail_entry(log_group=log_group_arn(region=OTHER))),
        "is in eu-west-1, but trail main-trail is homed in us-east-1",
        "log-group",
    ),
    "no metric filter": (filters, "has no metric filter", "metric-filter"),
    "filter on another log group": (
        lambda b: filters(b, metric_filter(log_group="some-other-group")),
        "has no metric filter",
        "metric-filter",
    ),
    "narrowed filter": (
        lambda b: filters(
            b,
            metric_filter(
                '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && '
                '$.eventType != "AwsServiceEvent" && $.sourceIPAddress = "203.0.113.9" }'
            ),
        ),
        'misses root use the CIS filter catches: `$.sourceIPAddress = "203.0.113.9"` rejects',
        "metric-filter",
    ),
    "no alarm": (alarms, "no alarm in us-east-1 watches metric CISBenchmark/RootAccountUsage", "alarm"),
    "alarm on another metric": (lambda b: alarms(b, alarm(metric="ConsoleSignInFailures")), "no alarm", "alarm"),
    "alarm in another namespace": (lambda b: alarms(b, alarm(namespace="LogMetrics")), "no alarm", "alarm"),
    "threshold above one use": (lambda b: alarms(b, alarm(Threshold=2.0)), "one use gives 1", "alarm"),
    "falling comparison": (
        lambda b: alarms(b, alarm(ComparisonOperator="LessThanThreshold")),
        "one use gives 1, which is not LessThanThreshold 1",
        "alarm",
    ),
    "two datapoints needed": (
        lambda b: alarms(b, alarm(EvaluationPeriods=3, DatapointsToAlarm=2)),
        "needs 2 breaching datapoints out of 3",
        "alarm",
    ),
    "actions disabled": (lambda b: alarms(b, alarm(ActionsEnabled=False)), "has its actions disabled", "alarm-actions"),
    "no SNS action": (
        lambda b: alarms(b, alarm(actions=["arn:aws:automate:us-east-1:ec2:stop"])),
        "has no SNS action",
        "alarm-actions",
    ),
    "only PendingConfirmation": (
        lambda b: put(b, TOPIC_SUBSCRIPTIONS, HOME, {"Subscriptions": [subscription(confirmed=False)]}, TOPIC_NAME),
        "none confirmed: PendingConfirmation",
        "subscriber",
    ),
    "no subscription": (
        lambda b: put(b, TOPIC_SUBSCRIPTIONS, HOME, {"Subscriptions": []}, TOPIC_NAME),
        "(no subscription)",
        "subscriber",
    ),
}


@pytest.mark.parametrize("name", BREAKS)
def test_each_broken_link_fails_and_names_its_fix(name: str) -> None:
    breaking, said, link = BREAKS[name]
    builder = alerting()
    breaking(builder)
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL, outcome.message
    assert said in outcome.message
    fix = next(text for link_name, text in FIXES.items() if link_name.value == link)
    assert fix.split("<subject>")[0] in outcome.message
    assert "<subject>" not in outcome.message
    assert any(item["link"] == link and item["state"] == "broken" for item in outcome.evidence["chain"])


def test_fixing_the_link_makes_it_pass_again() -> None:
    builder = alerting()
    put(builder, TOPIC_SUBSCRIPTIONS, HOME, {"Subscriptions": [subscription(confirmed=False)]}, TOPIC_NAME)
    assert verdict(builder).status is Status.FAIL
    put(
        builder,
        TOPIC_SUBSCRIPTIONS,
        HOME,
        {"Subscriptions": [subscription(confirmed=False), subscription()]},
        TOPIC_NAME,
    )
    assert verdict(builder).status is Status.PASS


def test_all_breaks_of_a_trail_are_reported_together() -> None:
    builder = alerting()
    put(builder, TRAIL_STATUS, HOME, trail_status(logging=False), TRAIL)
    put(builder, EVENT_SELECTORS, HOME, basic_selectors("ReadOnly"), TRAIL)
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL
    assert "not logging" in outcome.message and "ReadOnly management events only" in outcome.message


NEEDED: dict[str, tuple[Operation, str | None]] = {
    "trail status": (TRAIL_STATUS, TRAIL),
    "event selectors": (EVENT_SELECTORS, TRAIL),
    "metric filters": (METRIC_FILTERS, None),
    "alarms": (ALARMS, None),
    "subscriptions": (TOPIC_SUBSCRIPTIONS, TOPIC_NAME),
}


@pytest.mark.parametrize("document", [None, DENIED, GARBAGE], ids=["absent", "denied", "malformed"])
@pytest.mark.parametrize("name", NEEDED)
def test_each_unreadable_file_is_an_error_never_a_fail(name: str, document: Any) -> None:
    operation, resource = NEEDED[name]
    builder = put(alerting(), operation, HOME, document, resource)
    outcome = verdict(builder)
    assert outcome.status is Status.ERROR, outcome.message
    path = operation.path(builder.account, HOME, resource)
    assert path in outcome.message
    assert "Fix:" in outcome.message
    if document is DENIED:
        assert operation.actions[0] in outcome.message


def test_a_denied_subscription_file_names_the_topic_arn_in_its_fix() -> None:
    outcome = verdict(put(alerting(), TOPIC_SUBSCRIPTIONS, HOME, None, TOPIC_NAME))
    assert f"--topic-arn {topic_arn()}" in outcome.message


def test_describe_trails_denied_in_one_region_is_covered_by_the_shadow_listing() -> None:
    builder = put(alerting(), DESCRIBE_TRAILS, OTHER, DENIED)
    assert verdict(builder).status is Status.PASS


@pytest.mark.parametrize("document", [None, DENIED, GARBAGE], ids=["absent", "denied", "malformed"])
def test_describe_trails_unreadable_everywhere_is_an_error(document: Any) -> None:
    builder = alerting()
    for region in REGIONS:
        put(builder, DESCRIBE_TRAILS, region, document)
    outcome = verdict(builder)
    assert outcome.status is Status.ERROR
    assert "describe-trails" in outcome.message


def test_unreadable_evidence_beats_a_broken_chain_elsewhere() -> None:
    """A second trail without a log group is broken; the first could still work: ERROR, naming both."""
    builder = alerting()
    trails(builder, trail_entry(), trail_entry("audit-trail", log_group=None))
    put(builder, ALARMS, HOME, DENIED)
    outcome = verdict(builder)
    assert outcome.status is Status.ERROR
    assert "cloudwatch:DescribeAlarms" in outcome.message
    assert "certainly broken" in outcome.message


def test_the_working_trail_among_several_passes() -> None:
    builder = alerting()
    trails(builder, trail_entry("audit-trail", log_group=None), trail_entry())
    assert verdict(builder).status is Status.PASS


def test_the_chain_that_gets_furthest_is_reported() -> None:
    builder = alerting()
    trails(builder, trail_entry("no-logs", log_group=None), trail_entry())
    put(builder, TOPIC_SUBSCRIPTIONS, HOME, {"Subscriptions": []}, TOPIC_NAME)
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL
    assert "no subscription" in outcome.message
    assert outcome.evidence["chains_considered"] == 2


def test_advanced_selectors_for_all_management_events_pass() -> None:
    builder = put(alerting(), EVENT_SELECTORS, HOME, advanced_selectors(), TRAIL)
    assert verdict(builder).status is Status.PASS


def test_advanced_selectors_split_by_read_only_together_cover_everything() -> None:
    management = {"Field": "eventCategory", "Equals": ["Management"]}
    selectors = advanced_selectors(
        [management, {"Field": "readOnly", "Equals": ["true"]}],
        [management, {"Field": "readOnly", "Equals": ["false"]}],
    )
    assert verdict(put(alerting(), EVENT_SELECTORS, HOME, selectors, TRAIL)).status is Status.PASS


def test_a_noisy_filter_works_and_says_so() -> None:
    builder = alerting()
    filters(builder, metric_filter('{ $.userIdentity.type = "Root" }'))
    outcome = verdict(builder)
    assert outcome.status is Status.PASS
    assert "noisier than the CIS filter" in outcome.message
    assert "service made on the user's behalf" in outcome.message


def test_a_reordered_filter_is_judged_by_meaning() -> None:
    builder = alerting()
    filters(
        builder,
        metric_filter(
            '{($.eventType!="AwsServiceEvent")&&($.userIdentity.invokedBy NOT EXISTS)&&($.userIdentity.type="Root")}'
        ),
    )
    assert verdict(builder).status is Status.PASS


def test_the_filter_is_replayed_on_the_root_events_cloudtrail_holds() -> None:
    old_console = trail_record(
        AS_OF - timedelta(days=3),
        name="RunInstances",
        source="ec2.amazonaws.com",
        identity={
            "type": "Root",
            "principalId": "123456789012",
            "arn": "arn:aws:iam::123456789012:root",
            "accountId": "123456789012",
            "invokedBy": "signin.amazonaws.com",
        },
        userAgent="signin.amazonaws.com",
    )
    sign_in = trail_record(
        AS_OF - timedelta(days=3, minutes=5),
        name="ConsoleLogin",
        source="signin.amazonaws.com",
        eventType="AwsConsoleSignIn",
        responseElements={"ConsoleLogin": "Success"},
    )
    outcome = verdict(alerting().cloudtrail(old_console, sign_in))
    assert outcome.status is Status.PASS
    assert "would not have counted 1 of the 2 root event(s)" in outcome.message
    assert "invokedBy signin.amazonaws.com" in outcome.message


MGMT = "999999999999"


def org_member() -> AccountBuilder:
    """A member account that sees the organization trail; its log group is in the management account."""
    builder = alerting()
    org_trail = trail_entry("org-trail", MGMT, organization=True, log_group=log_group_arn(MGMT))
    trails(builder, org_trail)
    put(builder, TRAIL_STATUS, HOME, trail_status(), "org-trail")
    put(builder, EVENT_SELECTORS, HOME, basic_selectors(), "org-trail")
    return builder


def management(pending: bool = False) -> AccountBuilder:
    builder = alerting(AccountBuilder(MGMT))
    org_trail = trail_entry("org-trail", MGMT, organization=True)
    trails(builder, org_trail)
    put(builder, TRAIL_STATUS, HOME, trail_status(), "org-trail")
    put(builder, EVENT_SELECTORS, HOME, basic_selectors(), "org-trail")
    alarms(builder, alarm(actions=[topic_arn(MGMT)]))
    put(builder, TOPIC_SUBSCRIPTIONS, HOME, {"Subscriptions": [subscription(not pending, topic_arn(MGMT))]}, TOPIC_NAME)
    return builder


def audit_member(*builders: AccountBuilder) -> Outcome:
    documents = {path: doc for b in builders for path, doc in b.documents.items()}
    evidence = assemble(MemoryStore(documents), [b.account for b in builders], AS_OF, "test")
    member = next(a for a in evidence.accounts if a.account_id == builders[0].account)
    return root_usage_alarm.evaluate(member, context())


def test_an_organization_trail_into_an_account_the_bundle_lacks_is_an_error_that_says_so() -> None:
    outcome = audit_member(org_member())
    assert outcome.status is Status.ERROR
    assert f"log group {LOG_GROUP} in account {MGMT}" in outcome.message
    assert "this bundle does not hold" in outcome.message
    assert f"audit account {MGMT} in the same bundle" in outcome.message


def test_an_organization_trail_is_followed_into_the_management_account() -> None:
    outcome = audit_member(org_member(), management())
    assert outcome.status is Status.PASS, outcome.message
    assert f"organization trail org-trail delivers to log group {LOG_GROUP} in account {MGMT}" in outcome.message


def test_an_organization_trail_whose_chain_breaks_in_the_management_account_fails() -> None:
    outcome = audit_member(org_member(), management(pending=True))
    assert outcome.status is Status.FAIL
    assert "PendingConfirmation" in outcome.message


def test_fixes_name_what_they_act_on() -> None:
    builder = put(alerting(), TRAIL_STATUS, HOME, trail_status(logging=False), TRAIL)
    assert f"aws cloudtrail start-logging --name {TRAIL}" in verdict(builder).message
    pending = put(alerting(), TOPIC_SUBSCRIPTIONS, HOME, {"Subscriptions": [subscription(confirmed=False)]}, TOPIC_NAME)
    assert f"aws sns subscribe --topic-arn {topic_arn()} " in verdict(pending).message


def test_no_trail_where_a_region_was_unread_is_an_error_naming_that_region() -> None:
    """A Region whose describe-trails failed is never taken as empty: not FAIL, but ERROR naming it."""
    builder = alerting()
    trails(builder, regions=(HOME,))
    put(builder, DESCRIBE_TRAILS, OTHER, DENIED)
    outcome = verdict(builder)
    assert outcome.status is Status.ERROR, outcome.message
    assert f"the trails of {OTHER}" in outcome.message
    assert "no trail is listed in the 1 other Region(s) read" in outcome.message
    assert [g["source"] for g in outcome.evidence["gaps"]] == [DESCRIBE_TRAILS.path(builder.account, OTHER)]
    # The opposite: with every Region read and empty, the chain is proven broken.
    trails(builder)
    assert verdict(builder).status is Status.FAIL
