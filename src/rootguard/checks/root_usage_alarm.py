"""``root-usage-alarm`` (CIS AWS 3.0.0 4.3): does root use trip an alarm that reaches a confirmed subscriber?

The chain is followed link by link (analysis/alarm_chain.py); the best chain is reported. A complete
chain passes; a chain that could be complete but for unreadable evidence is an ERROR naming the files;
otherwise the furthest chain's broken links fail, each with what fixes it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from rootguard.analysis.alarm_chain import Chain, ChainReport, ChainState, follow
from rootguard.analysis.alarm_links import Link, LinkName, LinkState
from rootguard.analysis.alarm_replay import describe_replay, replay
from rootguard.checks.registry import EvaluationContext, Outcome, check, cis, errored, failed, passed
from rootguard.model.activity import TrailScan
from rootguard.model.evidence import AccountEvidence, Source
from rootguard.model.findings import Severity
from rootguard.model.gaps import Gap
from rootguard.remediation.catalog import remediation_hint

TEMPLATE = "root-usage-alarm"

FIXES = {
    LinkName.TRAIL: "create a multi-Region trail that sends management events to CloudWatch Logs "
    "(`aws cloudtrail create-trail --is-multi-region-trail --cloud-watch-logs-log-group-arn …`)",
    LinkName.LOGGING: "start it: `aws cloudtrail start-logging --name <subject>`",
    LinkName.MULTI_REGION: "make it multi-Region: "
    "`aws cloudtrail update-trail --name <subject> --is-multi-region-trail`",
    LinkName.MANAGEMENT_EVENTS: "record all management events: `aws cloudtrail put-event-selectors --trail-name "
    '<subject> --event-selectors \'[{"ReadWriteType": "All", "IncludeManagementEvents": true}]\'`',
    LinkName.LOG_GROUP: "send the trail to a log group in its home Region: `aws cloudtrail update-trail --name "
    "<subject> --cloud-watch-logs-log-group-arn … --cloud-watch-logs-role-arn …`",
    LinkName.METRIC_FILTER: f"put the CIS metric filter on log group <subject> (the {TEMPLATE} template)",
    LinkName.ALARM: f"alarm on the filter's metric with Sum >= 1 over one period (the {TEMPLATE} template)",
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
    report = follow(alerting)
    chain = report.best
    evidence = _evidence(report)
    if chain.state is ChainState.COMPLETE:
        notes = " ".join(_notes(chain, account, ctx))
        return passed(f"Root use alerts a person: {describe_chain(chain)}. {notes}".strip(), **evidence)
    if chain.state is ChainState.UNKNOWN:
        unknown = [link.detail for link in chain.links if link.state is LinkState.UNKNOWN]
        broken = _furthest_broken(report)
        also = f" The furthest chain that is certainly broken: {_broken_text(broken)}." if broken else ""
        return errored(
            f"The alarm chain {describe_chain(chain)} could not be judged: {'; '.join(unknown)} could not be read."
            f"{also}",
            *_unique(chain.gaps),
            **evidence,
        )
    notes = " ".join(f"Note: {note}." for note in chain.notes)
    return failed(
        f"No working root-usage alarm chain ({len(report.chains)} considered). Furthest: {_broken_text(chain)}. "
        f"{notes}".strip(),
        **evidence,
    )


def describe_chain(chain: Chain) -> str:
    return " → ".join(link.detail for link in chain.links if link.state is LinkState.OK) or "(no trail)"


def summarize(chain: Chain) -> str:
    """The working chain, or what stops it (for other checks' messages)."""
    if chain.state is ChainState.COMPLETE:
        return describe_chain(chain)
    stops = [link for link in chain.links if link.state is not LinkState.OK]
    return "; ".join(("could not read " if link.state is LinkState.UNKNOWN else "") + link.detail for link in stops)


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
