"""``root-usage-alarm`` (CIS AWS 3.0.0 4.3): does root use trip an alarm that reaches a person?

The chain is followed link by link (analysis/alarm_chain.py); the best chain is reported. A complete
chain passes; a chain that could be complete but for unreadable or inconsistent evidence is an ERROR
naming the files; a chain whose only open links are ones rootguard cannot decide (a filter pattern it
cannot compare, a subscriber it cannot follow to a person, an alarm whose firing depends on other
events) is MANUAL, saying what to confirm; otherwise the furthest chain's broken links fail, each with
what fixes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from rootguard.analysis.alarm_chain import Chain, ChainReport, ChainState, follow
from rootguard.analysis.alarm_links import Link, LinkName, LinkState
from rootguard.analysis.alarm_replay import describe_replay, replay
from rootguard.checks.registry import EvaluationContext, Outcome, check, cis, errored, failed, passed
from rootguard.model.activity import TrailScan
from rootguard.model.evidence import AccountEvidence, Source
from rootguard.model.findings import Severity, Status
from rootguard.model.gaps import Gap
from rootguard.remediation.catalog import remediation_hint

TEMPLATE = "root-usage-alarm"

FIXES = {
    LinkName.TRAIL: "create a multi-Region trail that sends management events to CloudWatch Logs "
    "(`aws cloudtrail create-trail --is-multi-region-trail --cloud-watch-logs-log-group-arn …`)",
    LinkName.LOGGING: "start it: `aws cloudtrail start-logging --name <subject>`",
    LinkName.MULTI_REGION: "make it multi-Region: "
    "`aws cloudtrail update-trail --name <subject> --is-multi-region-trail`",
    LinkName.GLOBAL_EVENTS: "record global service events (root's console sign-in is recorded in us-east-1): "
    "`aws cloudtrail update-trail --name <subject> --is-multi-region-trail --include-global-service-events`",
    LinkName.MANAGEMENT_EVENTS: "record all management events: `aws cloudtrail put-event-selectors --trail-name "
    '<subject> --event-selectors \'[{"ReadWriteType": "All", "IncludeManagementEvents": true}]\'`',
    LinkName.LOG_GROUP: "send the trail to a log group in its home Region: `aws cloudtrail update-trail --name "
    "<subject> --cloud-watch-logs-log-group-arn … --cloud-watch-logs-role-arn …`",
    LinkName.DELIVERY: "make CloudTrail deliver to the log group again: check that the log group exists and that "
    "the trail's CloudWatchLogsRoleArn may logs:CreateLogStream and logs:PutLogEvents on it, then "
    "`aws cloudtrail get-trail-status --name <subject>` shows no LatestCloudWatchLogsDeliveryError",
    LinkName.METRIC_FILTER: f"put the CIS metric filter on log group <subject> (the {TEMPLATE} template)",
    LinkName.ALARM: "alarm on the filter's metric (same dimensions, no other Unit) with Sum >= 1 over one period "
    f"and TreatMissingData notBreaching (the {TEMPLATE} template)",
    LinkName.ALARM_ACTIONS: "enable the alarm's actions (`aws cloudwatch enable-alarm-actions --alarm-names "
    f"<subject>`) and give it an SNS topic (the {TEMPLATE} template)",
    LinkName.SUBSCRIBER: "have the recipient confirm the subscription (the link in AWS's confirmation e-mail), or "
    "subscribe someone: `aws sns subscribe --topic-arn <subject> --protocol email --notification-endpoint …`",
}
"""What fixes each broken link; ``<subject>`` is replaced by the link's trail, log group, alarm or topic."""


def fix_for(link: Link) -> str:
    return FIXES[link.name].replace("<subject>", link.subject or "…")


@check(
    "root-usage-alarm",
    needs=frozenset({Source.ALERTING}),
    title="Root use trips a CloudWatch alarm that reaches a confirmed subscriber",
    severity=Severity.MEDIUM,
    frameworks=cis("4.3", "4.3", "5.3"),
    remediation=(
        "Build the CIS 4.3 chain: a logging multi-Region trail recording all management events into a CloudWatch "
        "Logs group, the CIS root-usage metric filter on that group, an alarm (Sum >= 1, one period) with an SNS "
        "action, and a confirmed subscriber. " + remediation_hint(TEMPLATE) + " The recipient must confirm the "
        "subscription e-mail."
    ),
)
def root_usage_alarm(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    alerting = account.alerting
    if isinstance(alerting, Gap):
        return errored("Whether an alarm watches root use cannot be told without the alerting evidence.", alerting)
    report = follow(alerting, read_time(ctx))
    chain = report.best
    evidence = _evidence(report)
    if chain.state is ChainState.COMPLETE:
        notes = " ".join(_notes(chain, account, ctx))
        return passed(f"Root use alerts a person: {describe_chain(chain)}. {notes}".strip(), **evidence)
    if chain.state is ChainState.UNKNOWN:
        unknown = [link.detail for link in chain.links if link.state is LinkState.UNKNOWN]
        broken = _furthest_broken(report)
        also = f" The furthest chain that is certainly broken: {_broken_text(broken)}." if broken else ""
        if chain.undecided:
            also += f" rootguard could not decide either: {'; '.join(link.detail for link in chain.undecided)}."
        return errored(
            f"The alarm chain {describe_chain(chain)} could not be judged: {'; '.join(unknown)} could not be read."
            f"{also}",
            *_unique(chain.gaps),
            **evidence,
        )
    if chain.state is ChainState.MANUAL:
        notes = " ".join(f"Note: {note}." for note in chain.notes)
        return Outcome(
            Status.MANUAL,
            f"The alarm chain {describe_chain(chain)} may alert a person, but rootguard cannot decide "
            f"{'; '.join(link.detail for link in chain.undecided)}. Confirm it, or fix it so that it can be "
            f"checked. {notes}".strip(),
            evidence,
        )
    notes = " ".join(f"Note: {note}." for note in chain.notes)
    return failed(
        f"No working root-usage alarm chain ({len(report.chains)} considered). Furthest: {_broken_text(chain)}. "
        f"{notes}".strip(),
        **evidence,
    )


def read_time(ctx: EvaluationContext) -> datetime:
    """When the evidence was read: the collection time, or the as-of time when that is earlier."""
    return min(ctx.as_of, ctx.collected_at)


def describe_chain(chain: Chain) -> str:
    return " → ".join(link.detail for link in chain.links if link.state is LinkState.OK) or "(no trail)"


def summarize(chain: Chain) -> str:
    """The working chain, or what stops it (for other checks' messages)."""
    if chain.state is ChainState.COMPLETE:
        return describe_chain(chain)
    stops = [link for link in chain.links if link.state is not LinkState.OK]
    prefix = {LinkState.UNKNOWN: "could not read ", LinkState.UNDECIDED: "cannot decide "}
    return "; ".join(prefix.get(link.state, "") + link.detail for link in stops)


def _broken_text(chain: Chain) -> str:
    reached = describe_chain(chain)
    breaks = "; ".join(f"{link.detail} (fix: {fix_for(link)})" for link in chain.broken)
    return f"{reached}; broken: {breaks}"


def _furthest_broken(report: ChainReport) -> Chain | None:
    broken = [c for c in report.chains if c.state is ChainState.BROKEN]
    return max(broken, key=lambda c: (c.progress, -len(c.broken))) if broken else None


def _notes(chain: Chain, account: AccountEvidence, ctx: EvaluationContext) -> list[str]:
    notes = [f"Note: {note}." for note in chain.notes]
    judgement = chain.judgement
    if judgement is None or judgement.expr is None or not judgement.catches_all_cis:
        return notes
    if judgement.misses_console_actions:
        notes.append(
            "Like the CIS filter, it ignores records with invokedBy, so root console actions that CloudTrail "
            "logged with invokedBy signin.amazonaws.com (before about 2021) never reached the metric."
        )
    if isinstance(account.cloudtrail, TrailScan):
        since = ctx.as_of - timedelta(days=ctx.window_days)
        notes.append(describe_replay(replay(judgement.expr, account.cloudtrail, account.account_id, since, ctx.as_of)))
    return notes


def _unique(gaps: tuple[Gap, ...]) -> tuple[Gap, ...]:
    return tuple(dict.fromkeys(gaps))


def _link(link: Link) -> dict[str, Any]:
    return {"link": link.name.value, "state": link.state.value, "detail": link.detail}


def _evidence(report: ChainReport) -> dict[str, Any]:
    chain = report.best
    return {
        "chain": [_link(link) for link in chain.links],
        "chain_state": chain.state.value,
        "chains_considered": len(report.chains),
        "notes": list(chain.notes),
    }
