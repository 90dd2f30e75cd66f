"""CloudTrail trails, their status and their event selectors, from AWS CLI JSON output.

Field meanings: Trail (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html),
GetTrailStatus (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html),
EventSelector and AdvancedFieldSelector
(https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rootguard.model.aws_json import flag, items, optional_text, text, texts
from rootguard.model.gaps import MalformedEvidence
from rootguard.model.timestamps import parse_timestamp


@dataclass(frozen=True)
class LogGroupRef:
    """Where a trail delivers in CloudWatch Logs, read from ``CloudWatchLogsLogGroupArn``."""

    arn: str
    region: str
    account_id: str
    name: str


def log_group_from_arn(arn: str) -> LogGroupRef | None:
    """``arn:aws:logs:<region>:<account>:log-group:<name>[:*]``; ``None`` when it is not that shape."""
    parts = arn.split(":")
    if len(parts) < 7 or parts[0] != "arn" or parts[2] != "logs" or parts[5] != "log-group" or not parts[6]:
        return None
    return LogGroupRef(arn=arn, region=parts[3], account_id=parts[4], name=parts[6])


@dataclass(frozen=True)
class Trail:
    """One entry of ``describe-trails`` (shadow copies of multi-Region and organization trails included)."""

    name: str
    arn: str
    home_region: str
    multi_region: bool
    organization_trail: bool
    log_group_arn: str | None
    include_global_service_events: bool | None = None
    """``IncludeGlobalServiceEvents``; ``None`` when the listing leaves it out."""

    @property
    def account_id(self) -> str:
        """The account that owns the trail (the management account for an organization trail)."""
        parts = self.arn.split(":")
        return parts[4] if len(parts) > 4 else ""

    @property
    def log_group(self) -> LogGroupRef | None:
        return log_group_from_arn(self.log_group_arn) if self.log_group_arn else None


def trails_from_document(document: Any) -> tuple[Trail, ...]:
    """From ``aws cloudtrail describe-trails --output json``."""
    trails = []
    for index, item in enumerate(items(document, "trailList")):
        where = f"trailList[{index}]"
        name = text(item, "Name", where)
        trails.append(
            Trail(
                name=name,
                arn=optional_text(item, "TrailARN", where) or name,
                home_region=text(item, "HomeRegion", where),
                multi_region=flag(item, "IsMultiRegionTrail", where),
                organization_trail=flag(item, "IsOrganizationTrail", where),
                log_group_arn=optional_text(item, "CloudWatchLogsLogGroupArn", where) or None,
                include_global_service_events=_optional_flag(item, "IncludeGlobalServiceEvents", where),
            )
        )
    return tuple(trails)


def _optional_flag(item: Mapping[str, Any], key: str, where: str) -> bool | None:
    return None if item.get(key) is None else flag(item, key, where)


@dataclass(frozen=True)
class TrailStatus:
    is_logging: bool
    cloudwatch_delivery_error: str | None
    """``LatestCloudWatchLogsDeliveryError``: why the last delivery to the log group failed, if it did."""
    cloudwatch_delivery_time: datetime | None = None
    """``LatestCloudWatchLogsDeliveryTime``: when CloudTrail last delivered events to the log group."""
    delivery_time: datetime | None = None
    """``LatestDeliveryTime``: when CloudTrail last delivered a log file to the S3 bucket."""


def trail_status_from_document(document: Any) -> TrailStatus:
    """From ``aws cloudtrail get-trail-status --name <trail> --output json``."""
    if not isinstance(document, dict) or not isinstance(document.get("IsLogging"), bool):
        raise MalformedEvidence("expected a JSON object with IsLogging true or false")
    return TrailStatus(
        is_logging=document["IsLogging"],
        cloudwatch_delivery_error=optional_text(document, "LatestCloudWatchLogsDeliveryError", "status") or None,
        cloudwatch_delivery_time=_moment(document, "LatestCloudWatchLogsDeliveryTime"),
        delivery_time=_moment(document, "LatestDeliveryTime"),
    )


def _moment(document: Mapping[str, Any], key: str) -> datetime | None:
    """A timestamp as the CLI prints it (ISO 8601) or as the JSON protocol carries it (epoch seconds)."""
    value = document.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return parse_timestamp(value)
        except ValueError as problem:
            raise MalformedEvidence(f"status.{key} is {value!r}: {problem}") from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC)
    raise MalformedEvidence(f"status.{key} is {value!r}, not a timestamp")


@dataclass(frozen=True)
class BasicSelector:
    read_write_type: str
    """``All``, ``ReadOnly`` or ``WriteOnly``."""
    include_management_events: bool
    excluded_sources: tuple[str, ...]


@dataclass(frozen=True)
class FieldSelector:
    """One ``FieldSelectors`` entry: a field and its operators (each a list of values)."""

    field: str
    equals: tuple[str, ...]
    not_equals: tuple[str, ...]
    starts_with: tuple[str, ...] = ()
    not_starts_with: tuple[str, ...] = ()
    ends_with: tuple[str, ...] = ()
    not_ends_with: tuple[str, ...] = ()


@dataclass(frozen=True)
class AdvancedSelector:
    name: str
    fields: tuple[FieldSelector, ...]

    def values(self, field: str) -> tuple[str, ...] | None:
        """The ``Equals`` values of a field, ``None`` when the selector does not restrict it by Equals."""
        found = [f for f in self.fields if f.field == field and f.equals]
        return tuple(v for f in found for v in f.equals) if found else None


@dataclass(frozen=True)
class EventSelectors:
    basic: tuple[BasicSelector, ...]
    advanced: tuple[AdvancedSelector, ...]


def event_selectors_from_document(document: Any) -> EventSelectors:
    """From ``aws cloudtrail get-event-selectors --trail-name <trail> --output json``: basic or advanced."""
    if not isinstance(document, dict) or not ("EventSelectors" in document or "AdvancedEventSelectors" in document):
        raise MalformedEvidence("expected a JSON object with EventSelectors or AdvancedEventSelectors")
    basic = tuple(
        _basic(item, f"EventSelectors[{i}]")
        for i, item in enumerate(items(document, "EventSelectors") if "EventSelectors" in document else [])
    )
    advanced = tuple(
        _advanced(item, f"AdvancedEventSelectors[{i}]")
        for i, item in enumerate(
            items(document, "AdvancedEventSelectors") if "AdvancedEventSelectors" in document else []
        )
    )
    return EventSelectors(basic=basic, advanced=advanced)


def _basic(item: Mapping[str, Any], where: str) -> BasicSelector:
    return BasicSelector(
        read_write_type=optional_text(item, "ReadWriteType", where) or "All",
        include_management_events=flag(item, "IncludeManagementEvents", where, default=True),
        excluded_sources=texts(item, "ExcludeManagementEventSources", where),
    )


def _advanced(item: Mapping[str, Any], where: str) -> AdvancedSelector:
    fields = []
    for index, field in enumerate(items(item, "FieldSelectors")):
        here = f"{where}.FieldSelectors[{index}]"
        fields.append(
            FieldSelector(
                field=text(field, "Field", here),
                equals=texts(field, "Equals", here),
                not_equals=texts(field, "NotEquals", here),
                starts_with=texts(field, "StartsWith", here),
                not_starts_with=texts(field, "NotStartsWith", here),
                ends_with=texts(field, "EndsWith", here),
                not_ends_with=texts(field, "NotEndsWith", here),
            )
        )
    return AdvancedSelector(name=optional_text(item, "Name", where) or "", fields=tuple(fields))
