"""``root-activity`` (CIS AWS 3.0.0 1.7): did CloudTrail record root activity that no approval covers?

The credential report only says when root's password or keys were last used; CloudTrail says what
root did. Human use (sign-ins, avoidable actions) and failed root sign-ins fail high; root-only tasks
without an approval fail medium: found root use is found, whatever else is missing. "Nothing
unapproved" is only a PASS when the evidence covers the whole window in every Region read
(``analysis.coverage``): inputs that could not be read, or a window longer than the LookupEvents-only
evidence reaches, make it ERROR; time no evidence vouches for (gaps without digest files, a missing
digest hour or listed log file, an answer with a ``NextToken``, an enabled Region without an answer)
makes it MANUAL, with the uncovered time listed.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from rootguard.analysis.coverage import coverage
from rootguard.analysis.root_activity import analyze
from rootguard.checks.registry import EvaluationContext, Outcome, check, cis, errored, failed_at, passed
from rootguard.model.activity import (
    LOOKUP_EVENTS_REACH,
    ActivityEvent,
    Category,
    Coverage,
    Span,
    TrailScan,
    coverage_document,
)
from rootguard.model.evidence import AccountEvidence, Source
from rootguard.model.findings import Severity, Status
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.timestamps import format_timestamp, span

HUMAN = (Category.SIGN_IN, Category.SIGN_IN_FAILURE, Category.AVOIDABLE)
SHOWN = 5


def describe_event(event: ActivityEvent) -> str:
    """One event in a sentence: when, what, from where, with or without MFA."""
    mfa = {True: "with MFA", False: "without MFA", None: "MFA unknown"}[event.mfa]
    what = f"{event.event_source.removesuffix('.amazonaws.com')}:{event.event_name}"
    task = f" ({event.root_only_task})" if event.root_only_task else ""
    failed = f", failed: {event.error_code}" if event.error_code else ""
    shown = [f for f in event.flags if not (f == "failed" and event.error_code)]
    flags = f" [{', '.join(shown)}]" if shown else ""
    where = event.source_ip or "?"
    return (
        f"{format_timestamp(event.event_time)} {event.category.value} {what}{task} from {where}, {mfa}{failed}{flags}"
    )


NOUNS = {
    Category.SIGN_IN: "console sign-in(s)",
    Category.SIGN_IN_FAILURE: "failed sign-in(s)",
    Category.AVOIDABLE: "avoidable action(s)",
    Category.ROOT_ONLY_TASK: "root-only task(s)",
}


def _listing(events: list[ActivityEvent]) -> str:
    """Counts per category with their source addresses, then the latest few events in full."""
    parts = []
    for category, noun in NOUNS.items():
        group = [e for e in events if e.category is category]
        if group:
            ips = sorted({e.source_ip for e in group if e.source_ip})
            keys = sum(1 for e in group if "root-access-key" in e.flags)
            extra = f", {keys} with a root access key" if keys else ""
            parts.append(f"{len(group)} {noun} from {', '.join(ips) or 'unknown addresses'}{extra}")
    latest = sorted(events, key=lambda e: e.event_time, reverse=True)[:SHOWN]
    more = f" (and {len(events) - SHOWN} more: see `rootguard activity`)" if len(events) > SHOWN else ""
    return f"{'; '.join(parts)}. Latest: {'; '.join(describe_event(e) for e in latest)}{more}"


@check(
    "root-activity",
    needs=frozenset({Source.CLOUDTRAIL, Source.REGIONS}),
    title="No unapproved root activity in CloudTrail",
    severity=Severity.HIGH,
    frameworks=cis("1.7", "1.6", "2.6"),
    remediation=(
        "Find out who used root and why (`rootguard activity` shows the timeline and sessions). If it was not "
        "approved, treat it as an incident: change the root password, check root's MFA device and keys, and "
        "review what the sessions did. Do daily work with IAM roles instead, and record break-glass root use "
        "for root-only tasks in an --approvals file before it happens. When the evidence does not cover the "
        "window (MANUAL), add what covers the uncovered time (the trail's digest files, the missing log files, "
        "LookupEvents answers for the Regions named) or audit a window it covers."
    ),
)
def root_activity(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    scan = account.cloudtrail
    if isinstance(scan, Gap):
        return errored("What root did cannot be told without CloudTrail evidence.", scan)
    since = ctx.as_of - timedelta(days=ctx.window_days)
    activity = analyze(scan.root_records, approvals=ctx.approvals, since=since, until=ctx.as_of)
    events = [e for e in activity.events if e.account_id in ("", account.account_id)]
    counts = Counter(e.category.value for e in events)
    # Stored LookupEvents answers asked for the 90 days before collection (contract §5.2).
    asked = Span(ctx.collected_at - LOOKUP_EVENTS_REACH, ctx.collected_at)
    covered = coverage(scan.reads, since=since, until=ctx.as_of, account=account.account_id, lookup_period=asked)
    evidence = {
        "since": format_timestamp(since),
        "until": format_timestamp(ctx.as_of),
        "files": scan.files,
        "records_parsed": scan.records,
        "events_by_category": dict(sorted(counts.items())),
        "approved": sum(1 for e in events if e.approval is not None),
        "skipped": [{"path": s.path, "reason": s.reason} for s in scan.skipped],
        "earliest_log_file": format_timestamp(scan.earliest_delivery) if scan.earliest_delivery else None,
        "lookup_events_only": scan.lookup_only,
        "coverage": coverage_document(covered),
    }
    period = f"between {format_timestamp(since)} and {format_timestamp(ctx.as_of)}"
    human = [e for e in events if e.approval is None and e.category in HUMAN]
    tasks = [e for e in events if e.approval is None and e.category is Category.ROOT_ONLY_TASK]
    if human:
        also = f" Also {len(tasks)} unapproved root-only task(s)." if tasks else ""
        return failed_at(
            Severity.HIGH,
            f"{len(human)} unapproved human root event(s) {period}: {_listing(human)}.{also}",
            evidence,
        )
    if tasks:
        return failed_at(
            Severity.MEDIUM,
            f"{len(tasks)} root-only task(s) {period} with no approval on record: {_listing(tasks)}.",
            evidence,
        )
    if scan.skipped:
        shown = "; ".join(f"{s.path}: {s.reason}" for s in scan.skipped[:3])
        gap = Gap(
            GapKind.INCOMPLETE,
            f"{account.account_id}/cloudtrail-logs/",
            f"{len(scan.skipped)} CloudTrail input(s) could not be read ({shown}).",
            "replace or re-collect the inputs named, then audit again",
        )
        return errored(
            "No unapproved root activity in what could be read, but not everything could be.", gap, **evidence
        )
    reach = ctx.collected_at - LOOKUP_EVENTS_REACH
    if scan.lookup_only and since < reach - timedelta(hours=1):
        gap = Gap(
            GapKind.INCOMPLETE,
            f"{account.account_id}/cloudtrail-logs/lookup-events/",
            f"LookupEvents keeps 90 days, so the evidence reaches back only to {format_timestamp(reach)}.",
            "use --window 90 or less, or read the trail's S3 archive (rootguard activity --logs s3://…)",
        )
        return errored(
            f"No unapproved root activity since {format_timestamp(reach)}, but the window starts at "
            f"{format_timestamp(since)}.",
            gap,
            **evidence,
        )
    if not covered.complete:
        return Outcome(Status.MANUAL, _uncovered(covered, period), evidence)
    return passed(_quiet(events, scan, period, covered), **evidence)


SHOWN_SPANS = 3


def _uncovered(covered: Coverage, period: str) -> str:
    """MANUAL: nothing unapproved in what was read, and what the evidence leaves uncovered."""
    said = f"No unapproved root activity in what was read {period}, but the evidence does not cover all of it"
    if not covered.regions:
        return (
            f"{said}: none of the {covered.undated} input(s) read says which time it covers (no CloudTrail "
            "delivery stamp in its name, digest file or LookupEvents question). Confirm the period another way, "
            "or add the trail's log files as delivered (with their names) or LookupEvents answers."
        )
    gaps = [(region.region, gap) for region in covered.regions for gap in region.uncovered]
    unread = [item for region in covered.regions for item in region.unread] + list(covered.unread)
    regions = sorted({region.region for region in covered.regions if not region.complete})
    parts = []
    if gaps:
        totals: dict[str, timedelta] = {}
        for region, gap in gaps:
            totals[region] = totals.get(region, timedelta()) + (gap.end - gap.start)
        most = max(totals.values())
        amount = span(most) if most else "moments"
        total = f"{amount} in all" if len(totals) == 1 else f"up to {amount} in one Region"
        longest = sorted(gaps, key=lambda item: item[1].start - item[1].end)[:SHOWN_SPANS]
        shown = "; ".join(
            f"{region} {format_timestamp(gap.start)} to {format_timestamp(gap.end)}" for region, gap in longest
        )
        more = f" and {len(gaps) - SHOWN_SPANS} more" if len(gaps) > SHOWN_SPANS else ""
        parts.append(f"{len(gaps)} uncovered span(s), {total} ({shown}{more})")
    if covered.undated:
        parts.append(f"{covered.undated} input(s) read say nothing about the time they cover")
    if unread:
        shown = "; ".join(f"{item.path}: {item.reason}" for item in unread[:SHOWN_SPANS])
        more = f" and {len(unread) - SHOWN_SPANS} more" if len(unread) > SHOWN_SPANS else ""
        parts.append(f"{len(unread)} unread: {shown}{more}")
    return (
        f"{said}{' in ' + ', '.join(regions) if regions else ''}: {'; '.join(parts)}. Each span's reason is in the "
        "evidence (coverage). "
        "Confirm that time another way, or add the evidence that covers it."
    )


def _quiet(events: list[ActivityEvent], scan: TrailScan, period: str, covered: Coverage) -> str:
    regions = ", ".join(sorted({region.region for region in covered.regions}))
    sources = ", ".join(sorted({source for region in covered.regions for source in region.sources}))
    read = f"{scan.files} CloudTrail input(s) read"
    whole = f"the evidence ({sources}) covers all of it in {regions}"
    if not events:
        return f"CloudTrail records no root activity {period}, and {whole} ({read})."
    approved = [e for e in events if e.approval is not None]
    tickets = sorted({e.approval.ticket for e in approved if e.approval is not None})
    parts = [
        f"{sum(1 for e in events if e.category is Category.SERVICE_INVOKED)} service-invoked",
        f"{sum(1 for e in events if e.category is Category.ASSUMED_ROOT)} from AssumeRoot sessions",
        f"{len(approved)} approved" + (f" ({', '.join(tickets)})" if tickets else ""),
    ]
    return f"No unapproved human root activity {period}, and {whole}; root events seen: {', '.join(parts)} ({read})."
