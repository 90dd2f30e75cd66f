"""The trail links of the CIS 4.3 chain: global service events, management events, delivery to the log group.

Each judge returns a Link (analysis/alarm_links.py): OK, BROKEN (proven, with the reason), UNKNOWN
(evidence missing or inconsistent: a Gap) or UNDECIDED (readable, but rootguard cannot decide it).

- Global service events. Root's console sign-in is recorded in us-east-1
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-aws-console-sign-in-events.html),
  and since November 2021 IAM, STS and CloudFront events are recorded in us-east-1 only, so a
  single-Region trail elsewhere never sees them
  (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-global-service-events).
  A multi-Region trail always includes them: CloudTrail rejects ``IncludeGlobalServiceEvents false`` on one
  (InvalidParameterCombinationException,
  https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_UpdateTrail.html), so a listing that
  says so is inconsistent evidence (UNKNOWN), never coverage.
- Management events. Basic selectors (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html):
  ``ReadWriteType`` All, or a ReadOnly and a WriteOnly selector together, with ``IncludeManagementEvents``;
  ``ExcludeManagementEventSources`` leaves those sources out. Advanced selectors
  (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html):
  ``eventCategory`` Management, optionally ``readOnly`` and ``eventSource`` (NotEquals, NotStartsWith …
  leave sources out). Selectors are ORed: an event is recorded when any selector takes it. AWS Config's
  multi-region-cloudtrail-enabled rule treats any excluded source as non-compliant
  (https://docs.aws.amazon.com/config/latest/developerguide/multi-region-cloudtrail-enabled.html).
- Delivery. ``LatestCloudWatchLogsDeliveryError`` is the error of CloudTrail's last attempt to deliver
  to the log group; ``LatestCloudWatchLogsDeliveryTime`` when it last succeeded
  (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rootguard.analysis.alarm_links import Link, LinkName, LinkState
from rootguard.model.alerting_trails import EventSelectors, FieldSelector, Trail, TrailStatus
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import DESCRIBE_TRAILS
from rootguard.model.timestamps import span

GLOBAL_REGION = "us-east-1"
"""Where CloudTrail records root's console sign-in and the IAM, STS and CloudFront events."""

STALE_DELIVERY = timedelta(hours=24)
"""A trail that logs and has not delivered to its log group for this long is not delivering."""
S3_AHEAD = timedelta(hours=1)
"""S3 delivery this much later than the last CloudWatch Logs delivery proves events still flow."""


# --- global service events ----------------------------------------------------------------------


def global_events_link(trail: Trail, account_id: str) -> Link:
    name = LinkName.GLOBAL_EVENTS
    included = trail.include_global_service_events
    if trail.multi_region:
        if included is False:
            gap = Gap(
                GapKind.MALFORMED,
                DESCRIBE_TRAILS.path(account_id, trail.home_region),
                f"trail {trail.name} is listed as multi-Region with IncludeGlobalServiceEvents false, a combination "
                "CloudTrail rejects (a multi-Region trail always records global service events), so this listing "
                "is inconsistent and cannot show what the trail records.",
                f"collect describe-trails again (`{DESCRIBE_TRAILS.command(trail.home_region)}`) and check the "
                f"trail with `aws cloudtrail get-trail --name {trail.arn}`",
            )
            detail = f"whether trail {trail.name} records global service events (its listing is inconsistent)"
            return Link(name, LinkState.UNKNOWN, detail, (gap,))
        return Link(name, LinkState.OK, "with global service events")
    if trail.home_region != GLOBAL_REGION:
        detail = (
            f"trail {trail.name} records {trail.home_region} only, so it misses global service events such as "
            f"root's console sign-in, which CloudTrail records in {GLOBAL_REGION}"
        )
        return Link(name, LinkState.BROKEN, detail, subject=trail.name)
    if included is False:
        detail = (
            f"trail {trail.name} has IncludeGlobalServiceEvents false, so it misses root's console sign-in "
            f"(recorded in {GLOBAL_REGION} as a global service event)"
        )
        return Link(name, LinkState.BROKEN, detail, subject=trail.name)
    if included is None:
        detail = f"whether trail {trail.name} records global service events (IncludeGlobalServiceEvents is absent)"
        return Link(name, LinkState.UNDECIDED, detail, subject=trail.name)
    return Link(name, LinkState.OK, f"with global service events (homed in {GLOBAL_REGION})")


# --- delivery to the log group ------------------------------------------------------------------


def delivery_link(trail: Trail, status: TrailStatus | Gap | None, group: str, read_at: datetime) -> Link | None:
    """Whether events reach the log group; ``None`` when the logging link already settles it."""
    if not isinstance(status, TrailStatus) or not status.is_logging:
        return None
    name = LinkName.DELIVERY
    if status.cloudwatch_delivery_error:
        detail = (
            f"CloudTrail cannot deliver trail {trail.name}'s events to log group {group} "
            f"(LatestCloudWatchLogsDeliveryError: {status.cloudwatch_delivery_error})"
        )
        return Link(name, LinkState.BROKEN, detail, subject=trail.name)
    last = status.cloudwatch_delivery_time
    if last is None:
        detail = (
            f"whether trail {trail.name}'s events reach log group {group}: CloudTrail reports no delivery to "
            "CloudWatch Logs (no LatestCloudWatchLogsDeliveryTime); confirm the log group receives events"
        )
        return Link(name, LinkState.UNDECIDED, detail, subject=trail.name)
    age = read_at - last
    if age <= STALE_DELIVERY:
        when = (
            "when the evidence was read" if age < timedelta(minutes=1) else f"{span(age)} before the evidence was read"
        )
        return Link(name, LinkState.OK, f"events arrive there (last delivery {when})")
    s3 = status.delivery_time
    if s3 is not None and s3 - last > S3_AHEAD:
        detail = (
            f"events of trail {trail.name} are not reaching log group {group}: the last CloudWatch Logs delivery "
            f"was {span(age)} before the evidence was read, while CloudTrail delivered to S3 {span(s3 - last)} "
            "later"
        )
        return Link(name, LinkState.BROKEN, detail, subject=trail.name)
    detail = (
        f"whether trail {trail.name}'s events reach log group {group}: the last CloudWatch Logs delivery was "
        f"{span(age)} before the evidence was read (and S3 delivery is no later): either the account was idle "
        "or delivery stopped; confirm the log group receives events"
    )
    return Link(name, LinkState.UNDECIDED, detail, subject=trail.name)


# --- management events --------------------------------------------------------------------------

Maybe = bool | None
"""True, False, or None when the selector's match cannot be told (an unknown field or operator mix)."""

READ_VALUES = ("true", "false")
_KIND = {"true": "read-only", "false": "write"}
_SOURCES = (
    "signin.amazonaws.com",
    "iam.amazonaws.com",
    "sts.amazonaws.com",
    "ec2.amazonaws.com",
    "kms.amazonaws.com",
    "rdsdata.amazonaws.com",
)
"""Event sources always tried: where root's sign-in and typical root calls are recorded, and the two AWS lets
trails exclude."""
_FRESH = "some-other-service.amazonaws.com"

Predicate = Callable[[str, str], Maybe]
"""(readOnly "true"/"false", eventSource) → whether a selector records that management event."""


@dataclass(frozen=True)
class _Selector:
    matches: Predicate
    source_free: bool
    """Its match does not depend on the event source."""
    exact: bool
    """Its source conditions are Equals/NotEquals only, so the sources it names plus one other decide it."""
    sources: tuple[str, ...]
    label: str
    """How a finding names what restricts it (``ExcludeManagementEventSources``, ``eventSource NotEquals``)."""


def _all_of(values: Sequence[Maybe]) -> Maybe:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def _field(selector: FieldSelector, value: str) -> Maybe:
    """One field condition: a value must match some positive operator and no negative one."""
    positive = (
        [value == v for v in selector.equals]
        + [value.startswith(v) for v in selector.starts_with]
        + [value.endswith(v) for v in selector.ends_with]
    )
    negative = (
        [value == v for v in selector.not_equals]
        + [value.startswith(v) for v in selector.not_starts_with]
        + [value.endswith(v) for v in selector.not_ends_with]
    )
    included = any(positive) if positive else True
    excluded = any(negative)
    if positive and negative and included != (not excluded):
        return None  # mixing both kinds on one field: AWS's combination rule is not modelled
    return included and not excluded


def _basic(read_write: str, management: bool, excluded: tuple[str, ...]) -> _Selector:
    kinds = {"All": READ_VALUES, "ReadOnly": ("true",), "WriteOnly": ("false",)}.get(read_write)

    def matches(read_only: str, source: str) -> Maybe:
        if not management:
            return False
        if kinds is None:
            return None
        return read_only in kinds and source not in excluded

    return _Selector(matches, not excluded, True, excluded, "ExcludeManagementEventSources")


def _advanced(fields: tuple[FieldSelector, ...]) -> _Selector:
    known = {"eventCategory", "readOnly", "eventSource"}
    source_fields = [f for f in fields if f.field == "eventSource"]

    def matches(read_only: str, source: str) -> Maybe:
        values = {"eventCategory": "Management", "readOnly": read_only, "eventSource": source}
        results: list[Maybe] = [_field(f, values[f.field]) if f.field in known else None for f in fields]
        if not any(f.field == "eventCategory" for f in fields):
            results.append(None)  # AWS requires eventCategory; without it the selector's scope is unclear
        return _all_of(results)

    exact = all(not (f.starts_with or f.not_starts_with or f.ends_with or f.not_ends_with) for f in source_fields)
    named = tuple(
        v
        for f in source_fields
        for v in (*f.equals, *f.not_equals, *f.starts_with, *f.not_starts_with, *f.ends_with, *f.not_ends_with)
    )
    operators = sorted(
        {
            op
            for f in source_fields
            for op, values in (
                ("Equals", f.equals),
                ("NotEquals", f.not_equals),
                ("StartsWith", f.starts_with),
                ("NotStartsWith", f.not_starts_with),
                ("EndsWith", f.ends_with),
                ("NotEndsWith", f.not_ends_with),
            )
            if values
        }
    )
    label = f"eventSource {'/'.join(operators)}" if operators else "advanced selectors"
    return _Selector(matches, not source_fields, exact, named, label)


def _candidates(selectors: Sequence[_Selector]) -> tuple[tuple[str, ...], frozenset[str]]:
    """The event sources to try, and which of them are real names (not made-up variants)."""
    named = [s for selector in selectors for s in selector.sources]
    variants = [f"x{s}" for s in named] + [f"{s}x" for s in named]
    real = frozenset((*_SOURCES, *(s for s in named if s.endswith(".amazonaws.com") and "." in s[:-14])))
    return tuple(dict.fromkeys((*_SOURCES, *named, *variants, _FRESH))), real


def management_events_link(trail: Trail, selectors: EventSelectors | Gap | None) -> Link:
    name = LinkName.MANAGEMENT_EVENTS
    if selectors is None or isinstance(selectors, Gap):
        gaps = (selectors,) if isinstance(selectors, Gap) else ()
        return Link(name, LinkState.UNKNOWN, f"which events trail {trail.name} records", gaps)
    chosen = [_basic(b.read_write_type, b.include_management_events, b.excluded_sources) for b in selectors.basic]
    chosen += [_advanced(a.fields) for a in selectors.advanced]
    sources, real = _candidates(chosen)
    grid = {(r, s): [sel.matches(r, s) for sel in chosen] for r in READ_VALUES for s in sources}
    missed = [(r, s) for (r, s), results in grid.items() if all(v is False for v in results)]
    label = ", ".join(dict.fromkeys(sel.label for sel in chosen if sel.sources))
    if missed:
        detail = _missed_detail(trail, selectors, missed, (sources, real), label)
        return Link(name, LinkState.BROKEN, detail, subject=trail.name)
    certain = all(any(v is True for v in results) for results in grid.values())
    proven = certain and all(
        any(sel.source_free and sel.matches(r, _FRESH) is True for sel in chosen) or all(sel.exact for sel in chosen)
        for r in READ_VALUES
    )
    if proven:
        kind = "advanced selectors, read and write" if selectors.advanced else "read and write"
        return Link(name, LinkState.OK, f"records all management events ({kind})")
    detail = (
        f"whether trail {trail.name} records all management events: its selectors ({label or 'conditions'}) are "
        "more than rootguard can prove complete"
    )
    return Link(name, LinkState.UNDECIDED, detail, subject=trail.name)


def _missed_detail(
    trail: Trail,
    selectors: EventSelectors,
    missed: list[tuple[str, str]],
    tried: tuple[tuple[str, ...], frozenset[str]],
    label: str,
) -> str:
    sources, real = tried
    gone = {r for r in READ_VALUES if all((r, s) in missed for s in sources)}
    if gone == set(READ_VALUES):
        return f"trail {trail.name} records no management events"
    if gone:
        if selectors.basic and not selectors.advanced:
            kinds = ", ".join(sorted({s.read_write_type for s in selectors.basic if s.include_management_events}))
            return f"trail {trail.name} records {kinds} management events only"
        (left,) = set(READ_VALUES) - gone
        return f"trail {trail.name} records {_KIND[left]} management events only"
    by_source: dict[str, set[str]] = {}
    for r, s in missed:
        by_source.setdefault(s, set()).add(r)
    named = [s for s in by_source if s in real][:3]
    shown = ", ".join(
        f"{s}" + ("" if by_source[s] == set(READ_VALUES) else f" ({_KIND[next(iter(by_source[s]))]})") for s in named
    )
    if not named:
        shown = "sources its selectors do not name"
    because = f" ({label})" if label else ""
    return f"trail {trail.name} does not record all management events: it leaves out events from {shown}{because}"
