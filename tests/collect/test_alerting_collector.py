"""The alerting collector against moto: the files a working chain yields, refusals, paging, home Regions.

moto's gaps (Config compliance, unconfirmed SNS subscriptions, trail delivery times, metric-filter
paging, IAM refusals) are filled by tests/moto_alerting.py; DescribeRegions lists two enabled Regions
(tests/moto_root.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import boto3
import botocore.exceptions
import pytest
from moto import mock_aws

from moto_alerting import (
    BREAKS,
    ROOT_RULES,
    AlertingState,
    Chain,
    ClientFactory,
    alerting_moto,
    build_chain,
    unconfirm_subscription,
)
from moto_root import ENABLED_REGIONS, NOT_OPTED_IN, CloudTrailState, cloudtrail_history
from rootguard.collect import alerting
from rootguard.collect.alerting import collect_alerting, topics_named
from rootguard.collect.aws import Aws, call, paginate
from rootguard.collect.cloudtrail import RegionListing
from rootguard.errors import CredentialsError

ACCOUNT = "123456789012"
REGION_FILES = (
    "cloudtrail/describe-trails.json",
    "logs/describe-metric-filters.json",
    "cloudwatch/describe-alarms.json",
    "events/list-rules.json",
    "guardduty/list-detectors.json",
    "configservice/describe-config-rules.json",
    "configservice/describe-compliance-by-config-rule.json",
    "lambda/list-functions.json",
)


def region_files(region: str) -> set[str]:
    return {f"{ACCOUNT}/{region}/{name}" for name in REGION_FILES}


def chain_files(chain: Chain) -> set[str]:
    """The per-resource files of a chain built in ``chain.region``."""
    base = f"{ACCOUNT}/{chain.region}"
    return {
        f"{base}/cloudtrail/get-trail-status/{chain.trail}.json",
        f"{base}/cloudtrail/get-event-selectors/{chain.trail}.json",
        f"{base}/sns/list-subscriptions-by-topic/root-usage-alerts.json",
        f"{base}/sns/list-subscriptions-by-topic/root-usage-sign-in-alerts.json",
        f"{base}/events/list-targets-by-rule/{chain.rule}.json",
        f"{base}/guardduty/get-detector/{chain.detector_id}.json",
    }


@pytest.fixture
def moto(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[AlertingState]:
    """Fake credentials, moto intercepting every call, two enabled Regions, the alerting patches."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    with mock_aws(), cloudtrail_history(CloudTrailState()), alerting_moto() as state:
        yield state


def client(service: str, region: str) -> Any:
    return boto3.client(service, region_name=region)


CLIENT: ClientFactory = client


def collect(calls: list[str] | None = None, **options: Any) -> dict[str, Any]:
    aws = Aws(region="us-east-1", recorder=calls.append if calls is not None else None)
    return collect_alerting(aws, ACCOUNT, **options)


# --- a working chain ---------------------------------------------------------------------------


@pytest.mark.parametrize("home", ENABLED_REGIONS)
def test_a_working_chain_yields_exactly_the_contract_files(moto: AlertingState, home: str) -> None:
    chain = build_chain(CLIENT, home)
    messages: list[str] = []

    documents = collect(progress=messages.append)

    expected = region_files("us-east-1") | region_files("eu-west-1") | chain_files(chain)
    assert set(documents) == expected, "status and selectors once, in the trail's home Region only"
    assert not any(NOT_OPTED_IN in path for path in documents)
    json.dumps(documents)  # no datetimes or bytes left
    assert "ResponseMetadata" not in json.dumps(documents)
    assert any("Regions" in message for message in messages)

    base = f"{ACCOUNT}/{home}"
    for region in ENABLED_REGIONS:
        trails = documents[f"{ACCOUNT}/{region}/cloudtrail/describe-trails.json"]["trailList"]
        assert [t["TrailARN"] for t in trails] == [chain.trail_arn], "the multi-Region trail is listed everywhere"
    status = documents[f"{base}/cloudtrail/get-trail-status/{chain.trail}.json"]
    assert status["IsLogging"] is True
    assert status["LatestCloudWatchLogsDeliveryTime"].endswith("+00:00"), "timestamps as the CLI prints them"
    selectors = documents[f"{base}/cloudtrail/get-event-selectors/{chain.trail}.json"]
    assert selectors["EventSelectors"][0]["ReadWriteType"] == "All"
    filters = documents[f"{base}/logs/describe-metric-filters.json"]
    assert set(filters) == {"metricFilters"}
    assert filters["metricFilters"][0]["logGroupName"] == chain.log_group
    alarms = documents[f"{base}/cloudwatch/describe-alarms.json"]
    assert set(alarms) == {"MetricAlarms", "CompositeAlarms"}
    assert alarms["MetricAlarms"][0]["AlarmActions"] == [chain.topic_arn]
    assert isinstance(alarms["MetricAlarms"][0]["StateUpdatedTimestamp"], str)
    subscribers = documents[f"{base}/sns/list-subscriptions-by-topic/root-usage-alerts.json"]
    assert subscribers == {
        "Subscriptions": [
            {
                "SubscriptionArn": chain.subscription_arn,
                "Owner": ACCOUNT,
                "Protocol": "email",
                "Endpoint": "security@example.com",
                "TopicArn": chain.topic_arn,
            }
        ]
    }
    targets = documents[f"{base}/events/list-targets-by-rule/{chain.rule}.json"]
    assert targets == {"Targets": [{"Id": "notify", "Arn": chain.rule_topic_arn}]}
    assert documents[f"{base}/guardduty/list-detectors.json"] == {"DetectorIds": [chain.detector_id]}
    assert documents[f"{base}/guardduty/get-detector/{chain.detector_id}.json"]["Status"] == "ENABLED"
    rules = documents[f"{base}/configservice/describe-config-rules.json"]["ConfigRules"]
    assert sorted(rule["ConfigRuleName"] for rule in rules) == sorted(ROOT_RULES)
    compliance = documents[f"{base}/configservice/describe-compliance-by-config-rule.json"]
    assert {c["ConfigRuleName"] for c in compliance["ComplianceByConfigRules"]} == set(ROOT_RULES)


def test_an_unconfirmed_subscription_is_stored_as_aws_lists_it(moto: AlertingState) -> None:
    chain = build_chain(CLIENT)
    unconfirm_subscription(moto, chain)

    documents = collect()

    listed = documents[f"{ACCOUNT}/us-east-1/sns/list-subscriptions-by-topic/root-usage-alerts.json"]
    assert [s["SubscriptionArn"] for s in listed["Subscriptions"]] == ["PendingConfirmation"]


def test_a_topic_in_another_account_is_tried_and_its_refusal_stored(moto: AlertingState) -> None:
    build_chain(CLIENT)
    central = "arn:aws:sns:us-east-1:999999999999:central-alerts"
    client("cloudwatch", "us-east-1").put_metric_alarm(
        AlarmName="to-central", MetricName="RootAccountUsage", Namespace="CISBenchmark", Statistic="Sum",
        Period=300, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=[central],
    )  # fmt: skip

    documents = collect()

    stored = documents[f"{ACCOUNT}/us-east-1/sns/list-subscriptions-by-topic/central-alerts.json"]
    assert set(stored) == {"Error"}, "moto says NotFound where AWS says AuthorizationError: either is a gap"


# --- refusals ----------------------------------------------------------------------------------


def test_a_denied_region_yields_error_documents_for_that_region_only(moto: AlertingState) -> None:
    chain = build_chain(CLIENT, "us-east-1")
    build_chain(CLIENT, "eu-west-1", prefix="eu")
    moto.denied.add("eu-west-1")

    documents = collect()

    for path in region_files("eu-west-1"):
        error = documents[path]["Error"]
        assert error["Code"] in {"AccessDeniedException", "AccessDenied"}, path
        assert "not authorized" in error["Message"]
    # The eu trail is multi-Region: us-east-1 lists it, so its status is asked in its home Region, and refused.
    eu_trail = {
        f"{ACCOUNT}/eu-west-1/cloudtrail/{op}/eu-trail.json" for op in ("get-trail-status", "get-event-selectors")
    }
    assert {p for p in documents if p.startswith(f"{ACCOUNT}/eu-west-1/")} == region_files("eu-west-1") | eu_trail
    assert all(documents[path]["Error"]["Code"] == "AccessDeniedException" for path in eu_trail)
    assert {path for path in documents if "/us-east-1/" in path} == region_files("us-east-1") | chain_files(chain)
    assert not any("Error" in documents[path] for path in region_files("us-east-1") | chain_files(chain))
    assert {region for _, region in moto.refused} == {"eu-west-1"}


def test_a_denied_home_region_stores_the_trail_refusals_there(moto: AlertingState) -> None:
    chain = build_chain(CLIENT, "eu-west-1")
    moto.denied.add("eu-west-1")

    documents = collect()

    status = documents[f"{ACCOUNT}/eu-west-1/cloudtrail/get-trail-status/{chain.trail}.json"]
    assert status["Error"]["Code"] == "AccessDeniedException"
    assert f"{ACCOUNT}/us-east-1/cloudtrail/get-trail-status/{chain.trail}.json" not in documents


def test_regions_that_cannot_be_listed_make_the_session_region_files_errors(
    moto: AlertingState, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = {"Error": {"Code": "UnauthorizedOperation", "Message": "not authorized to ec2:DescribeRegions"}}
    monkeypatch.setattr(alerting, "enabled_regions", lambda *_: RegionListing(error=refusal))

    documents = collect()

    assert set(documents) == region_files("us-east-1")
    for document in documents.values():
        assert document["Error"]["Code"] == "UnauthorizedOperation"
        assert "ec2:DescribeRegions" in document["Error"]["Message"]


def test_expired_credentials_stop_the_collection() -> None:
    def expired(**_: Any) -> Any:
        raise botocore.exceptions.ClientError(
            {"Error": {"Code": "ExpiredToken", "Message": "The security token is expired"}}, "DescribeTrails"
        )

    with pytest.raises(CredentialsError, match="ExpiredToken"):
        call(expired, regional=True)


def test_a_next_token_loop_is_stored_as_an_error_never_as_a_partial_list() -> None:
    class Pages:
        """A service that sends the same NextToken forever (moto's DescribeMetricFilters does)."""

        def __init__(self) -> None:
            self.calls = 0

        def describe_metric_filters(self, **_: Any) -> Any:
            self.calls += 1
            return {"metricFilters": [{"filterName": f"f{self.calls}"}], "nextToken": "same"}

    logs = boto3.client("logs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    pages = Pages()
    logs.meta.events.register(
        "before-call.logs.DescribeMetricFilters", lambda **_: (_ok(), pages.describe_metric_filters())
    )

    document = paginate(logs.get_paginator("describe_metric_filters"), regional=True)

    assert document["Error"]["Code"] == "PaginationError"
    assert pages.calls == 2


def _ok() -> Any:
    class Response:
        status_code = 200
        headers: ClassVar[dict[str, str]] = {}

    return Response()


# --- paging ------------------------------------------------------------------------------------


def test_every_page_is_merged_as_the_cli_merges_it(moto: AlertingState) -> None:
    chain = build_chain(CLIENT)
    logs, sns, config = client("logs", "us-east-1"), client("sns", "us-east-1"), client("config", "us-east-1")
    for n in range(5):
        logs.put_metric_filter(
            logGroupName=chain.log_group, filterName=f"extra-{n}", filterPattern="ERROR",
            metricTransformations=[{"metricName": f"Errors{n}", "metricNamespace": "App", "metricValue": "1"}],
        )  # fmt: skip
    for n in range(120):  # moto pages ListSubscriptionsByTopic by 100
        sns.subscribe(TopicArn=chain.topic_arn, Protocol="email", Endpoint=f"person{n}@example.com")
    for n in range(30):  # and DescribeConfigRules by 25
        source = {"Owner": "AWS", "SourceIdentifier": "S3_BUCKET_VERSIONING_ENABLED"}
        config.put_config_rule(ConfigRule={"ConfigRuleName": f"rule-{n:02}", "Source": source})
    moto.page_size = 2
    calls: list[str] = []

    documents = collect(calls)

    base = f"{ACCOUNT}/us-east-1"
    filters = documents[f"{base}/logs/describe-metric-filters.json"]
    assert len(filters["metricFilters"]) == 6 and set(filters) == {"metricFilters"}
    subscribers = documents[f"{base}/sns/list-subscriptions-by-topic/root-usage-alerts.json"]
    assert len(subscribers["Subscriptions"]) == 121 and set(subscribers) == {"Subscriptions"}
    rules = documents[f"{base}/configservice/describe-config-rules.json"]
    assert len(rules["ConfigRules"]) == 33 and set(rules) == {"ConfigRules"}
    compliance = documents[f"{base}/configservice/describe-compliance-by-config-rule.json"]
    assert len(compliance["ComplianceByConfigRules"]) == 33
    assert calls.count("logs:DescribeMetricFilters") == 3 + 1, "three pages in us-east-1, one in eu-west-1"
    assert calls.count("config:DescribeConfigRules") == 2 + 1


# --- what the listings name --------------------------------------------------------------------


def test_topics_come_from_alarm_actions_and_rule_targets_and_the_own_account_wins_a_name() -> None:
    own = "arn:aws:sns:eu-west-1:123456789012:alerts"
    other = "arn:aws:sns:eu-west-1:999999999999:alerts"
    documents = {
        f"{ACCOUNT}/us-east-1/cloudwatch/describe-alarms.json": {
            "MetricAlarms": [{"AlarmActions": [other, "arn:aws:autoscaling:us-east-1:1:scalingPolicy:x"]}],
            "CompositeAlarms": [{"OKActions": [own]}],
        },
        f"{ACCOUNT}/us-east-1/events/list-targets-by-rule/r.json": {
            "Targets": [{"Id": "1", "Arn": "arn:aws:sns:us-east-1:123456789012:rule-topic"}]
        },
        f"{ACCOUNT}/eu-west-1/cloudwatch/describe-alarms.json": {"Error": {"Code": "AccessDenied", "Message": ""}},
    }

    topics = topics_named(documents, ACCOUNT, ENABLED_REGIONS)

    assert [(t.region, t.name, t.arn) for t in topics] == [
        ("eu-west-1", "alerts", own),
        ("us-east-1", "rule-topic", "arn:aws:sns:us-east-1:123456789012:rule-topic"),
    ]


# --- the broken links of tests/moto_alerting.py, as the evidence shows them ---------------------


def _home(documents: dict[str, Any], chain: Chain, path: str) -> Any:
    return documents[f"{ACCOUNT}/{chain.region}/{path}"]


BROKEN_EVIDENCE = {
    "stop-logging": lambda d, c: _home(d, c, f"cloudtrail/get-trail-status/{c.trail}.json")["IsLogging"] is False,
    "single-region-trail": lambda d, c: (
        _home(d, c, "cloudtrail/describe-trails.json")["trailList"][0]["IsMultiRegionTrail"] is False
        and d[f"{ACCOUNT}/eu-west-1/cloudtrail/describe-trails.json"] == {"trailList": []}
    ),
    "no-log-group": lambda d, c: _home(d, c, "logs/describe-metric-filters.json") == {"metricFilters": []},
    "narrow-filter": lambda d, c: (
        "sourceIPAddress" in _home(d, c, "logs/describe-metric-filters.json")["metricFilters"][0]["filterPattern"]
    ),
    "alarm-actions-disabled": lambda d, c: (
        _home(d, c, "cloudwatch/describe-alarms.json")["MetricAlarms"][0]["ActionsEnabled"] is False
    ),
    "alarm-without-sns": lambda d, c: (
        _home(d, c, "cloudwatch/describe-alarms.json")["MetricAlarms"][0]["AlarmActions"] == []
        and f"{ACCOUNT}/{c.region}/sns/list-subscriptions-by-topic/root-usage-alerts.json" not in d
    ),
    "no-subscription": lambda d, c: (
        _home(d, c, "sns/list-subscriptions-by-topic/root-usage-alerts.json") == {"Subscriptions": []}
    ),
}


def test_a_working_chain_shows_no_broken_link(moto: AlertingState) -> None:
    chain = build_chain(CLIENT)

    documents = collect()

    assert [link for link, broken in BROKEN_EVIDENCE.items() if broken(documents, chain)] == []


@pytest.mark.parametrize("link", sorted(BREAKS))
def test_each_broken_link_shows_in_the_evidence(moto: AlertingState, link: str) -> None:
    chain = build_chain(CLIENT)

    BREAKS[link](CLIENT, chain)
    documents = collect()

    assert BROKEN_EVIDENCE[link](documents, chain), link
    assert not [path for path, document in documents.items() if "Error" in document], "a broken link is no error"
