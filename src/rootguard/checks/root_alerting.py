"""``root-alerting``: is there at least one working path from a root use to a person?

Three paths count: the CIS 4.3 alarm chain; EventBridge rules whose patterns match root API calls and
root console sign-ins, in every Region collected, with a target; GuardDuty, whose
Policy:IAMUser/RootCredentialUsage finding reaches a person only if a rule routes it.

PASS: a path reaches a person (analysis/subscribers.py: a confirmed e-mail, SMS, chat or paging
subscription, or an Incident Manager response plan). MANUAL: the best path ends where rootguard cannot
see a person (a Lambda or SQS target, another event bus, a topic whose subscribers are queues or web
hooks, GuardDuty findings nothing here routes, an alarm chain with a link rootguard cannot decide): a
human must attest where it leads. ERROR: evidence is missing where a path might work. FAIL: every path
is proven not to work.
"""

from __future__ import annotations

from rootguard.analysis.alarm_chain import ChainState, follow
from rootguard.analysis.root_paths import Outcome as PathOutcome
from rootguard.analysis.root_paths import Reach, eventbridge_path, guardduty_path, read_only_note
from rootguard.checks.registry import EvaluationContext, Outcome, check, errored, failed, passed
from rootguard.checks.root_usage_alarm import read_time, summarize
from rootguard.model.evidence import AccountEvidence, Source
from rootguard.model.findings import Severity, Status
from rootguard.model.gaps import Gap
from rootguard.remediation.catalog import remediation_hint

_CHAIN_REACH = {
    ChainState.COMPLETE: Reach.PERSON,
    ChainState.UNKNOWN: Reach.UNKNOWN,
    ChainState.MANUAL: Reach.ROUTED,
    ChainState.BROKEN: Reach.NONE,
}


@check(
    "root-alerting",
    needs=frozenset({Source.ALERTING, Source.REGIONS}),
    title="A root use reaches a person (alarm, EventBridge rule or routed GuardDuty finding)",
    severity=Severity.HIGH,
    frameworks={},
    remediation=(
        "Make root use notify a person in every Region: an EventBridge rule on userIdentity.type Root for API "
        "calls and console sign-ins with a confirmed SNS subscriber. "
        + remediation_hint("root-activity-eventbridge")
        + " Or the CIS alarm chain: "
        + remediation_hint("root-usage-alarm")
    ),
)
def root_alerting(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    alerting = account.alerting
    if isinstance(alerting, Gap):
        return errored("Whether root use reaches anyone cannot be told without the alerting evidence.", alerting)
    chain = follow(alerting, read_time(ctx)).best
    paths = {
        "CIS alarm chain": PathOutcome(_CHAIN_REACH[chain.state], summarize(chain), chain.gaps),
        "EventBridge": eventbridge_path(alerting),
        "GuardDuty": guardduty_path(alerting),
    }
    evidence = {name: {"reach": path.reach.value, "detail": path.detail} for name, path in paths.items()}
    summary = "; ".join(f"{name}: {_say(path)}" for name, path in paths.items())
    note = read_only_note(alerting) if paths["EventBridge"].reach is Reach.PERSON else None
    reaching = [name for name, path in paths.items() if path.reach is Reach.PERSON]
    if reaching:
        tail = f" {note}" if note else ""
        return passed(
            f"Root use reaches a person through {' and '.join(reaching)}. Path by path: {summary}.{tail}",
            paths=evidence,
        )
    if any(path.reach is Reach.UNKNOWN for path in paths.values()):
        gaps = tuple(dict.fromkeys(g for path in paths.values() for g in path.gaps))
        return errored(f"No path is proven to reach a person, and some could not be judged. {summary}.", *gaps)
    if any(path.reach is Reach.ROUTED for path in paths.values()):
        return Outcome(
            Status.MANUAL,
            f"Root use is routed somewhere rootguard cannot follow; attest that it reaches a person. {summary}.",
            {"paths": evidence},
        )
    return failed(f"No path tells a person that root was used. {summary}.", paths=evidence)


def _say(path: PathOutcome) -> str:
    words = {
        Reach.PERSON: "works",
        Reach.ROUTED: "ends beyond rootguard's sight",
        Reach.UNKNOWN: "could not be judged",
        Reach.NONE: "does not work",
    }
    return f"{words[path.reach]} ({path.detail})"
