"""The trail links: which selectors record all management events, global service events, delivery; the parsers.

Selectors: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html and
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html. Trail
fields: https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html. Status:
https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from rootguard.analysis.alarm_links import LinkState
from rootguard.analysis.alarm_trail import delivery_link, global_events_link, management_events_link
from rootguard.model.alerting_trails import (
    Trail,
    TrailStatus,
    event_selectors_from_document,
    trail_status_from_document,
    trails_from_document,
)
from rootguard.model.gaps import MalformedEvidence

ACCOUNT = "123456789012"
READ = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def trail(home: str = "us-east-1", multi: bool = True, global_events: bool | None = True) -> Trail:
    return Trail("t", f"arn:aws:cloudtrail:{home}:{ACCOUNT}:trail/t", home, multi, False, None, global_events)


MANAGEMENT = {"Field": "eventCategory", "Equals": ["Management"]}


def basic(*items: dict[str, Any]) -> dict[str, Any]:
    return {"EventSelectors": list(items)}


def advanced(*field_sets: list[dict[str, Any]]) -> dict[str, Any]:
    return {"AdvancedEventSelectors": [{"Name": str(i), "FieldSelectors": f} for i, f in enumerate(field_sets)]}


def rw(kind: str, management: bool = True, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "ReadWriteType": kind,
        "IncludeManagementEvents": management,
        "ExcludeManagementEventSources": list(exclude),
    }


def source(op: str, *values: str) -> dict[str, Any]:
    return {"Field": "eventSource", op: list(values)}


OK, BROKEN, UNDECIDED = LinkState.OK, LinkState.BROKEN, LinkState.UNDECIDED

SELECTORS: list[tuple[str, dict[str, Any], LinkState]] = [
    ("All", basic(rw("All")), OK),
    ("ReadOnly + WriteOnly", basic(rw("ReadOnly"), rw("WriteOnly")), OK),
    ("WriteOnly + ReadOnly + a data-only selector", basic(rw("WriteOnly"), rw("ReadOnly"), rw("All", False)), OK),
    ("All excluding kms", basic(rw("All", exclude=("kms.amazonaws.com",))), BROKEN),
    ("All excluding kms, plus All", basic(rw("All", exclude=("kms.amazonaws.com",)), rw("All")), OK),
    ("ReadOnly only", basic(rw("ReadOnly")), BROKEN),
    ("no management events", basic(rw("All", False)), BROKEN),
    ("an unknown ReadWriteType", basic(rw("Sometimes")), UNDECIDED),
    ("advanced: Management", advanced([MANAGEMENT]), OK),
    ("advanced: readOnly both values", advanced([MANAGEMENT, {"Field": "readOnly", "Equals": ["true", "false"]}]), OK),
    ("advanced: read-only only", advanced([MANAGEMENT, {"Field": "readOnly", "Equals": ["true"]}]), BROKEN),
    ("advanced: NotEquals kms", advanced([MANAGEMENT, source("NotEquals", "kms.amazonaws.com")]), BROKEN),
    ("advanced: NotStartsWith rds", advanced([MANAGEMENT, source("NotStartsWith", "rdsdata.")]), BROKEN),
    ("advanced: NotEndsWith", advanced([MANAGEMENT, source("NotEndsWith", "kms.amazonaws.com")]), BROKEN),
    ("advanced: Equals one source", advanced([MANAGEMENT, source("Equals", "iam.amazonaws.com")]), BROKEN),
    (
        "advanced: all but kms, plus kms",
        advanced(
            [MANAGEMENT, source("NotEquals", "kms.amazonaws.com")], [MANAGEMENT, source("Equals", "kms.amazonaws.com")]
        ),
        OK,
    ),
    (
        "advanced: prefixes that together cover all (not provable here)",
        advanced([MANAGEMENT, source("StartsWith", "a")], [MANAGEMENT, source("NotStartsWith", "a")]),
        UNDECIDED,
    ),
    (
        "advanced: a field trails do not support",
        advanced([MANAGEMENT, {"Field": "eventName", "Equals": ["X"]}]),
        UNDECIDED,
    ),
    ("advanced: data events only", advanced([{"Field": "eventCategory", "Equals": ["Data"]}]), BROKEN),
    ("advanced: no eventCategory, read-only", advanced([{"Field": "readOnly", "Equals": ["true"]}]), BROKEN),
    ("advanced: no eventCategory", advanced([{"Field": "readOnly", "Equals": ["true", "false"]}]), UNDECIDED),
    (
        "advanced: Equals and NotEquals mixed on one field",
        advanced(
            [MANAGEMENT, {"Field": "eventSource", "Equals": ["iam.amazonaws.com"], "NotEquals": ["kms.amazonaws.com"]}]
        ),
        BROKEN,  # kms.amazonaws.com is left out whether AWS ANDs or ORs the two operators
    ),
    ("no selector at all", {"EventSelectors": []}, BROKEN),
]


@pytest.mark.parametrize(("name", "document", "state"), SELECTORS, ids=[s[0] for s in SELECTORS])
def test_which_selectors_record_all_management_events(name: str, document: dict[str, Any], state: LinkState) -> None:
    link = management_events_link(trail(), event_selectors_from_document(document))
    assert link.state is state, (name, link.detail)


GLOBAL: list[tuple[str, Trail, LinkState]] = [
    ("multi-Region", trail(), OK),
    ("multi-Region homed elsewhere", trail("eu-west-1"), OK),
    ("multi-Region, field left out", trail(global_events=None), OK),
    ("multi-Region with global events off: inconsistent", trail(global_events=False), LinkState.UNKNOWN),
    ("single-Region in us-east-1 with global events", trail(multi=False), OK),
    ("single-Region in us-east-1 without", trail(multi=False, global_events=False), BROKEN),
    ("single-Region elsewhere, global events on", trail("eu-west-1", multi=False), BROKEN),
    ("single-Region in us-east-1, field left out", trail(multi=False, global_events=None), UNDECIDED),
]


@pytest.mark.parametrize(("name", "subject", "state"), GLOBAL, ids=[g[0] for g in GLOBAL])
def test_global_service_events(name: str, subject: Trail, state: LinkState) -> None:
    link = global_events_link(subject, ACCOUNT)
    assert link.state is state, (name, link.detail)
    if state is LinkState.UNKNOWN:
        assert link.gaps and link.gaps[0].source == f"{ACCOUNT}/us-east-1/cloudtrail/describe-trails.json"


def status(**values: Any) -> TrailStatus:
    return TrailStatus(**({"is_logging": True, "cloudwatch_delivery_error": None} | values))


HOUR = timedelta(hours=1)
DELIVERY: list[tuple[str, TrailStatus, LinkState | None]] = [
    ("recent", status(cloudwatch_delivery_time=READ - 5 * timedelta(minutes=1)), OK),
    ("just under a day", status(cloudwatch_delivery_time=READ - 23 * HOUR), OK),
    ("after the read time (an earlier as-of)", status(cloudwatch_delivery_time=READ + HOUR), OK),
    ("an error", status(cloudwatch_delivery_time=READ, cloudwatch_delivery_error="AccessDenied"), BROKEN),
    ("stale while S3 goes on", status(cloudwatch_delivery_time=READ - 48 * HOUR, delivery_time=READ), BROKEN),
    (
        "stale, S3 as stale",
        status(cloudwatch_delivery_time=READ - 48 * HOUR, delivery_time=READ - 48 * HOUR),
        UNDECIDED,
    ),
    ("stale, no S3 time", status(cloudwatch_delivery_time=READ - 48 * HOUR), UNDECIDED),
    ("never delivered", status(), UNDECIDED),
    ("not logging: the logging link says so", status(is_logging=False), None),
]


@pytest.mark.parametrize(("name", "given", "state"), DELIVERY, ids=[d[0] for d in DELIVERY])
def test_delivery_to_the_log_group(name: str, given: TrailStatus, state: LinkState | None) -> None:
    link = delivery_link(trail(), given, "group", READ)
    assert (link.state if link is not None else None) is state, (name, link)


def test_trail_status_timestamps_are_read_as_the_cli_prints_them_or_as_epoch_seconds() -> None:
    printed = trail_status_from_document(
        {"IsLogging": True, "LatestCloudWatchLogsDeliveryTime": "2026-11-20T11:55:03.104000+00:00"}
    )
    assert printed.cloudwatch_delivery_time == datetime(2026, 11, 20, 11, 55, 3, 104000, tzinfo=UTC)
    epoch = trail_status_from_document({"IsLogging": True, "LatestDeliveryTime": 1792000000})
    assert epoch.delivery_time == datetime.fromtimestamp(1792000000, UTC)
    assert (
        trail_status_from_document({"IsLogging": True, "LatestCloudWatchLogsDeliveryTime": ""}).cloudwatch_delivery_time
        is None
    )
    for wrong in ("yesterday", True, [1]):
        with pytest.raises(MalformedEvidence):
            trail_status_from_document({"IsLogging": True, "LatestCloudWatchLogsDeliveryTime": wrong})


def test_include_global_service_events_is_read_and_checked() -> None:
    entry = {"Name": "t", "HomeRegion": "us-east-1", "IsMultiRegionTrail": False}
    assert trails_from_document({"trailList": [entry]})[0].include_global_service_events is None
    listed = trails_from_document({"trailList": [entry | {"IncludeGlobalServiceEvents": False}]})
    assert listed[0].include_global_service_events is False
    with pytest.raises(MalformedEvidence):
        trails_from_document({"trailList": [entry | {"IncludeGlobalServiceEvents": "no"}]})
