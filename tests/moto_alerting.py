"""The alerting paths (CIS 4.3 chain, EventBridge, GuardDuty, Config) in a moto account, and ways to break them.

``build_chain`` sets up a working chain in one Region through the API, so it works for ``mock_aws``
and for the in-process server of tests/moto_root.py alike (pass a client factory). Each ``break_*``
function then breaks one link, so end-to-end tests can drive ``rootguard collect``/``audit`` over
every way the chain fails.

What stock moto 5.2.5 lacks, patched by ``install_alerting`` (undone with its ``MonkeyPatch``):

- **Config DescribeComplianceByConfigRule** is not implemented (HTTP 500). Answered here from the
  rules moto holds, each rule's compliance taken from ``AlertingState.compliance`` (default
  ``INSUFFICIENT_DATA``, what AWS says before a periodic rule first runs), 25 per page.
- **SNS never has an unconfirmed subscription**: Subscribe returns a real ARN for every protocol and
  ListSubscriptionsByTopic lists it. AWS lists an email subscription that nobody confirmed with
  ``SubscriptionArn: "PendingConfirmation"``; subscriptions named in ``AlertingState.pending`` are
  listed that way here. (moto's topic attribute ``SubscriptionsConfirmed`` is always "0": rootguard
  must not read it, and never asks for it.)
- **CloudTrail GetTrailStatus has no ``LatestCloudWatchLogsDeliveryTime``**: added (now, epoch
  seconds as the JSON protocol carries it) for a logging trail that delivers to CloudWatch Logs.
- **Logs DescribeMetricFilters never pages and echoes the nextToken it is sent** (a client that
  follows it loops forever): with ``AlertingState.page_size`` set, filters are served in pages of
  that size with a real token, as AWS pages them.
- **Lambda drops a function's ``DeadLetterConfig``**: kept from CreateFunction and listed by
  ListFunctions, as AWS lists it (``deploy_watcher`` relies on it).
- **Access denied**: moto allows everything. ``AlertingState.denied`` Regions answer every call of
  the alerting services with the code the real service uses for an IAM refusal.
"""

from __future__ import annotations

import base64
import io
import json
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto.awslambda.models import LambdaFunction
from moto.cloudtrail.models import cloudtrail_backends
from moto.cloudtrail.responses import CloudTrailResponse
from moto.config.models import config_backends
from moto.config.responses import ConfigResponse
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse
from moto.logs.responses import LogsResponse
from moto.sns.responses import SNSResponse

from rootguard.model.watcher_health import WATCHER_HANDLER

ACCOUNT_ID = "123456789012"
CIS_PATTERN = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
)
"""The filter CIS AWS Foundations v3.0.0 4.3 prescribes."""
ROOT_RULES = ("root-account-mfa-enabled", "root-account-hardware-mfa-enabled", "iam-root-access-key-check")
ROOT_RULE_SOURCES = {
    "root-account-mfa-enabled": "ROOT_ACCOUNT_MFA_ENABLED",
    "root-account-hardware-mfa-enabled": "ROOT_ACCOUNT_HARDWARE_MFA_ENABLED",
    "iam-root-access-key-check": "IAM_ROOT_ACCESS_KEY_CHECK",
}
ROOT_EVENT_PATTERN = {
    "detail-type": ["AWS Console Sign In via CloudTrail"],
    "detail": {"userIdentity": {"type": ["Root"]}},
}

DENIED_CODES = {
    "cloudtrail": "AccessDeniedException",
    "logs": "AccessDeniedException",
    "events": "AccessDeniedException",
    "guardduty": "AccessDeniedException",
    "config": "AccessDeniedException",
    "cloudwatch": "AccessDenied",
    "sns": "AuthorizationError",
    "awslambda": "AccessDeniedException",
}
"""What each alerting service answers when IAM refuses the call."""

ClientFactory = Callable[[str, str], Any]
"""``(service, region) → boto3 client`` against moto (``mock_aws`` or the server)."""


@dataclass
class AlertingState:
    """What moto cannot hold itself: compliance, unconfirmed subscriptions, refusals, page sizes."""

    compliance: dict[str, str] = field(default_factory=dict)
    """Config rule name → COMPLIANT | NON_COMPLIANT | NOT_APPLICABLE | INSUFFICIENT_DATA."""
    pending: set[str] = field(default_factory=set)
    """Subscription ARNs listed as ``PendingConfirmation`` (nobody confirmed them)."""
    denied: set[str] = field(default_factory=set)
    """Regions where every alerting call is refused."""
    page_size: int | None = None
    """DescribeMetricFilters page size (moto pages nothing itself)."""
    refused: list[tuple[str, str]] = field(default_factory=list)
    """(service, Region) of each refused call."""


def install_alerting(patches: pytest.MonkeyPatch, state: AlertingState) -> None:
    """Patch moto's responses as the module docstring says."""
    _install_compliance(patches, state)
    _install_pending(patches, state)
    _install_delivery_time(patches)
    _install_filter_pages(patches, state)
    _install_denial(patches, state)
    _keep_dead_letter_config(patches)


@contextmanager
def alerting_moto(state: AlertingState | None = None) -> Iterator[AlertingState]:
    """``install_alerting`` for a ``with`` block (``mock_aws`` tests), undone on exit."""
    state = state or AlertingState()
    with pytest.MonkeyPatch.context() as patches:
        install_alerting(patches, state)
        yield state


def _install_compliance(patches: pytest.MonkeyPatch, state: AlertingState) -> None:
    def describe_compliance_by_config_rule(self: ConfigResponse) -> str:
        rules = sorted(config_backends[self.current_account][self.region].config_rules)
        asked = self._get_param("ConfigRuleNames") or rules
        start = int(self._get_param("NextToken") or 0)
        page = [name for name in rules if name in asked][start : start + 25]
        answer: dict[str, Any] = {
            "ComplianceByConfigRules": [
                {
                    "ConfigRuleName": name,
                    "Compliance": {"ComplianceType": state.compliance.get(name, "INSUFFICIENT_DATA")},
                }
                for name in page
            ]
        }
        if start + 25 < len([name for name in rules if name in asked]):
            answer["NextToken"] = str(start + 25)
        return json.dumps(answer)

    patches.setattr(
        ConfigResponse, "describe_compliance_by_config_rule", describe_compliance_by_config_rule, raising=False
    )


def _install_pending(patches: pytest.MonkeyPatch, state: AlertingState) -> None:
    original = SNSResponse.list_subscriptions_by_topic

    def list_subscriptions_by_topic(self: SNSResponse) -> ActionResult:
        result = original(self)
        listed = result.result
        assert isinstance(listed, dict)
        listed["Subscriptions"] = [
            {
                "SubscriptionArn": "PendingConfirmation" if sub.arn in state.pending else sub.arn,
                "Owner": sub.owner,
                "Protocol": sub.protocol,
                "Endpoint": sub.endpoint,
                "TopicArn": sub.topic_arn,
            }
            for sub in listed["Subscriptions"]
        ]
        return result

    patches.setattr(SNSResponse, "list_subscriptions_by_topic", list_subscriptions_by_topic)


def _install_delivery_time(patches: pytest.MonkeyPatch) -> None:
    original = CloudTrailResponse.get_trail_status

    def get_trail_status(self: CloudTrailResponse) -> str:
        status = json.loads(original(self))
        name = self._get_param("Name")
        trails = [
            trail
            for backend in cloudtrail_backends[self.current_account].values()
            for trail in backend.trails.values()
            if name in (trail.trail_name, trail.arn)
        ]
        if status.get("IsLogging") and trails and trails[0].cw_log_group_arn:
            status["LatestCloudWatchLogsDeliveryTime"] = int(datetime.now(UTC).timestamp())
        return json.dumps(status)

    patches.setattr(CloudTrailResponse, "get_trail_status", get_trail_status)


def _install_filter_pages(patches: pytest.MonkeyPatch, state: AlertingState) -> None:
    original = LogsResponse.describe_metric_filters

    def describe_metric_filters(self: LogsResponse) -> str:
        if state.page_size is None:
            return original(self)
        token = self._get_param("nextToken")
        every = self.logs_backend.describe_metric_filters(
            self._get_param("filterNamePrefix"),
            self._get_param("logGroupName"),
            self._get_param("metricName"),
            self._get_param("metricNamespace"),
        )
        start = int(base64.b64decode(token)) if token else 0
        answer: dict[str, Any] = {"metricFilters": every[start : start + state.page_size]}
        if start + state.page_size < len(every):
            answer["nextToken"] = base64.b64encode(str(start + state.page_size).encode()).decode()
        return json.dumps(answer)

    patches.setattr(LogsResponse, "describe_metric_filters", describe_metric_filters)


class Refusal(ServiceException):
    """An IAM refusal. moto serializes an error with the model of the service its class's module names
    (``moto.<service>…``); a module outside moto makes it use the model of the service being called."""


Refusal.__module__ = "rootguard_tests.refusal"


def _install_denial(patches: pytest.MonkeyPatch, state: AlertingState) -> None:
    original = BaseResponse.call_action

    def call_action(self: BaseResponse) -> Any:
        service = self.service_name or ""
        if service in DENIED_CODES and getattr(self, "region", None) in state.denied:
            state.refused.append((service, self.region))
            action = self._get_action()
            refusal = Refusal(
                DENIED_CODES[service],
                f"User: arn:aws:iam::{ACCOUNT_ID}:user/auditor is not authorized to perform: {service}:{action} "
                f"because an explicit deny in a service control policy denies {self.region}",
            )
            # moto warns that the code is not in the service model (IAM refusals are not modelled there);
            # it is what AWS says. Set per call: pytest resets the filters for each test.
            warnings.filterwarnings("ignore", message=r"Exception\(Refusal\)", category=UserWarning)
            status, headers, body = self.serialized(ActionResult(refusal))
            return status, headers, body
        return original(self)

    patches.setattr(BaseResponse, "call_action", call_action)


# --- a working chain, and the ways to break it ------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """What ``build_chain`` made, by name and ARN."""

    region: str
    trail: str
    trail_arn: str
    bucket: str
    log_group: str
    log_group_arn: str
    role_arn: str
    metric_filter: str
    metric: str
    namespace: str
    alarm: str
    topic_arn: str
    subscription_arn: str
    rule: str
    rule_topic_arn: str
    detector_id: str


def build_chain(client: ClientFactory, region: str = "us-east-1", *, prefix: str = "root-usage") -> Chain:
    """A chain that alerts a person, plus an EventBridge rule, a GuardDuty detector and the Config root rules."""
    trail, bucket, log_group = f"{prefix}-trail", f"{prefix}-trail-logs-{ACCOUNT_ID}", f"/aws/cloudtrail/{prefix}"
    s3 = client("s3", region)
    if region == "us-east-1":
        s3.create_bucket(Bucket=bucket)
    else:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    logs = client("logs", region)
    logs.create_log_group(logGroupName=log_group)
    log_group_arn = next(group["arn"] for group in logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"])
    role = client("iam", region).create_role(
        RoleName=f"{prefix}-cloudtrail-to-logs",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    cloudtrail = client("cloudtrail", region)
    trail_arn = cloudtrail.create_trail(
        Name=trail,
        S3BucketName=bucket,
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        CloudWatchLogsLogGroupArn=log_group_arn,
        CloudWatchLogsRoleArn=role,
    )["TrailARN"]
    cloudtrail.put_event_selectors(
        TrailName=trail,
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}],
    )
    cloudtrail.start_logging(Name=trail)
    metric, namespace = "RootAccountUsage", "CISBenchmark"
    metric_filter = f"{prefix}-filter"
    logs.put_metric_filter(
        logGroupName=log_group,
        filterName=metric_filter,
        filterPattern=CIS_PATTERN,
        metricTransformations=[{"metricName": metric, "metricNamespace": namespace, "metricValue": "1"}],
    )
    sns = client("sns", region)
    topic_arn = sns.create_topic(Name=f"{prefix}-alerts")["TopicArn"]
    subscription_arn = sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="security@example.com")[
        "SubscriptionArn"
    ]
    alarm = f"{prefix}-alarm"
    _put_alarm(client, region, alarm, metric, namespace, [topic_arn])
    rule_topic_arn = sns.create_topic(Name=f"{prefix}-sign-in-alerts")["TopicArn"]
    sns.subscribe(TopicArn=rule_topic_arn, Protocol="email", Endpoint="oncall@example.com")
    events = client("events", region)
    rule = f"{prefix}-sign-in"
    events.put_rule(Name=rule, EventPattern=json.dumps(ROOT_EVENT_PATTERN), State="ENABLED")
    events.put_targets(Rule=rule, Targets=[{"Id": "notify", "Arn": rule_topic_arn}])
    detector_id = client("guardduty", region).create_detector(Enable=True)["DetectorId"]
    config = client("config", region)
    for name in ROOT_RULES:
        config.put_config_rule(
            ConfigRule={
                "ConfigRuleName": name,
                "Source": {"Owner": "AWS", "SourceIdentifier": ROOT_RULE_SOURCES[name]},
                "MaximumExecutionFrequency": "TwentyFour_Hours",
            }
        )
    return Chain(
        region=region, trail=trail, trail_arn=trail_arn, bucket=bucket, log_group=log_group,
        log_group_arn=log_group_arn, role_arn=role, metric_filter=metric_filter, metric=metric,
        namespace=namespace, alarm=alarm, topic_arn=topic_arn, subscription_arn=subscription_arn, rule=rule,
        rule_topic_arn=rule_topic_arn, detector_id=detector_id,
    )  # fmt: skip


def _put_alarm(
    client: ClientFactory, region: str, alarm: str, metric: str, namespace: str, actions: list[str], **extra: Any
) -> None:
    client("cloudwatch", region).put_metric_alarm(
        AlarmName=alarm,
        MetricName=metric,
        Namespace=namespace,
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        AlarmActions=actions,
        **extra,
    )


def stop_logging(client: ClientFactory, chain: Chain) -> None:
    client("cloudtrail", chain.region).stop_logging(Name=chain.trail)


def single_region_trail(client: ClientFactory, chain: Chain) -> None:
    client("cloudtrail", chain.region).update_trail(Name=chain.trail, IsMultiRegionTrail=False)


def no_log_group(client: ClientFactory, chain: Chain) -> None:
    """The trail's log group is gone (deleted after the trail was pointed at it).

    AWS deletes a group's metric filters with it; moto keeps them, so they are deleted first.
    """
    logs = client("logs", chain.region)
    logs.delete_metric_filter(logGroupName=chain.log_group, filterName=chain.metric_filter)
    logs.delete_log_group(logGroupName=chain.log_group)


def narrow_filter(client: ClientFactory, chain: Chain) -> None:
    """The filter only catches root use from one address: most root use goes unnoticed."""
    narrowed = CIS_PATTERN.removesuffix(" }") + ' && $.sourceIPAddress = "198.51.100.7" }'
    logs = client("logs", chain.region)
    # AWS replaces a filter put under an existing name; moto appends a second one, so delete it first.
    logs.delete_metric_filter(logGroupName=chain.log_group, filterName=chain.metric_filter)
    logs.put_metric_filter(
        logGroupName=chain.log_group,
        filterName=chain.metric_filter,
        filterPattern=narrowed,
        metricTransformations=[{"metricName": chain.metric, "metricNamespace": chain.namespace, "metricValue": "1"}],
    )


def disable_alarm_actions(client: ClientFactory, chain: Chain) -> None:
    client("cloudwatch", chain.region).disable_alarm_actions(AlarmNames=[chain.alarm])


def alarm_without_sns(client: ClientFactory, chain: Chain) -> None:
    """The alarm changes state and tells nobody."""
    _put_alarm(client, chain.region, chain.alarm, chain.metric, chain.namespace, [])


def unconfirm_subscription(state: AlertingState, chain: Chain) -> None:
    """Nobody clicked the confirmation link: AWS lists the subscription as PendingConfirmation."""
    state.pending.add(chain.subscription_arn)


def no_subscription(client: ClientFactory, chain: Chain) -> None:
    client("sns", chain.region).unsubscribe(SubscriptionArn=chain.subscription_arn)


BREAKS: dict[str, Callable[[ClientFactory, Chain], None]] = {
    "stop-logging": stop_logging,
    "single-region-trail": single_region_trail,
    "no-log-group": no_log_group,
    "narrow-filter": narrow_filter,
    "alarm-actions-disabled": disable_alarm_actions,
    "alarm-without-sns": alarm_without_sns,
    "no-subscription": no_subscription,
}
"""Each way to break one link through the API (``unconfirm_subscription`` needs the state instead)."""


# --- rootguard's deployed watcher (root-watcher-health) --------------------------------------------

WATCHER, WATCHER_QUEUE = "rootguard-watch-root-watcher", "rootguard-watch-dead-letters"


def _keep_dead_letter_config(patches: pytest.MonkeyPatch) -> None:
    created, configuration = LambdaFunction.__init__, LambdaFunction.get_configuration

    def init(self: LambdaFunction, account_id: str, spec: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        created(self, account_id, spec, *args, **kwargs)
        self.__dict__["dead_letter_config"] = spec.get("DeadLetterConfig")

    def get_configuration(self: LambdaFunction, *args: Any, **kwargs: Any) -> dict[str, Any]:
        found = configuration(self, *args, **kwargs)
        if self.__dict__.get("dead_letter_config"):
            found["DeadLetterConfig"] = self.__dict__["dead_letter_config"]
        return found

    patches.setattr(LambdaFunction, "__init__", init)
    patches.setattr(LambdaFunction, "get_configuration", get_configuration)


def _watcher_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("rootguard/watch/handler.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def deploy_watcher(
    client: ClientFactory, region: str = "us-east-1", *, errors: float = 0, dead_letters: int = 0, now: datetime
) -> None:
    """rootguard's watcher as the templates deploy it (its handler, an SQS dead-letter queue), beside an
    unrelated function with a secret in its environment; ``errors`` published as Lambda would, 2 hours
    before ``now``, and ``dead_letters`` messages waiting in the queue."""
    statement = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    role = client("iam", region).create_role(
        RoleName=f"rootguard-watcher-{region}",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )["Role"]["Arn"]
    sqs = client("sqs", region)
    url = sqs.create_queue(QueueName=WATCHER_QUEUE)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    functions = client("lambda", region)
    common: dict[str, Any] = {"Runtime": "python3.12", "Role": role, "Code": {"ZipFile": _watcher_zip()}}
    functions.create_function(
        FunctionName=WATCHER, Handler=WATCHER_HANDLER, DeadLetterConfig={"TargetArn": queue_arn}, **common
    )
    functions.create_function(
        FunctionName="orders-api",
        Handler="app.handler",
        Environment={"Variables": {"DB_PASSWORD": "hunter2"}},
        **common,
    )
    for _ in range(dead_letters):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"source": "aws.signin"}))
    if errors:
        datum = {
            "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": WATCHER}],
            "Timestamp": now - timedelta(hours=2),
            "Value": errors,
            "Unit": "Count",
        }
        client("cloudwatch", region).put_metric_data(Namespace="AWS/Lambda", MetricData=[datum])
