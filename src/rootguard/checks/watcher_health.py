"""``root-watcher-health``: is rootguard's deployed root watcher failing?

The watcher (``rootguard remediate --watch``) is the Lambda function running rootguard's handler, in
any Region read. A failed invocation is a root use nobody was told about, so it is a finding of its own:
the function's ``AWS/Lambda`` ``Errors`` in the 24 hours before the evidence was read, and the messages
waiting in its dead-letter queue (the events EventBridge could not deliver, or the function failed on
after Lambda's retries).

PASS: a watcher is deployed, and every one had no error and an empty dead-letter queue. FAIL: one
failed, named by Region, with the count, the depth and what to do. NOT_APPLICABLE: every Region read
lists no watcher. ERROR: a listing, an errors file or a queue's depth is absent, refused or malformed,
and nothing failing was proven.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from rootguard.checks.registry import EvaluationContext, Outcome, check, errored, failed, not_applicable, passed
from rootguard.checks.root_usage_alarm import read_time
from rootguard.model.alerting import AccountAlerting
from rootguard.model.evidence import AccountEvidence, Source
from rootguard.model.findings import Severity
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import LIST_FUNCTIONS
from rootguard.model.timestamps import format_timestamp
from rootguard.model.watcher_health import Datapoint, RegionWatchers, WatcherFunction

WINDOW = timedelta(hours=24)


@check(
    "root-watcher-health",
    needs=frozenset({Source.ALERTING, Source.REGIONS}),
    title="The deployed root watcher is not failing (Lambda errors, dead-letter queue)",
    severity=Severity.HIGH,
    frameworks={},
    remediation=(
        "Read the watcher's log group (/aws/lambda/<function>) for the cause and fix it (the alert topic, the "
        "approvals file or parameter, the code zip from `rootguard package-watcher`); then read or redrive the "
        "dead-letter queue: its messages are root events nobody was told about. `rootguard watch --test` proves "
        "the path again. No watcher yet: `rootguard remediate --watch`."
    ),
)
def root_watcher_health(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    alerting = account.alerting
    if isinstance(alerting, Gap):
        return errored("Whether the root watcher is failing cannot be told without the alerting evidence.", alerting)
    until = read_time(ctx)
    gaps: list[Gap] = []
    failures: list[str] = []
    healthy: list[str] = []
    for region in sorted(alerting.own.regions):
        listed = _listing(alerting.own, region)
        if isinstance(listed.functions, Gap):
            gaps.append(listed.functions)
            continue
        for function in listed.functions:
            problems, notes = _judge(listed, function, until, gaps)
            where = f"{region}: {function.name}"
            if problems:
                failures.append(f"{where} {' and '.join(problems)}")
            elif notes is not None:
                healthy.append(f"{where} ({notes})")
    window = f"in the 24 hours before {format_timestamp(until)}"
    if failures:
        also = f" Also unread: {'; '.join(dict.fromkeys(g.source for g in gaps))}." if gaps else ""
        return failed(
            f"The root watcher is failing, so root use may not have reached anyone. {'; '.join(failures)} "
            f"({window}). Read each function's log group (/aws/lambda/<function name>) for the cause and fix it, "
            f"then read or redrive the dead-letter queue (its messages are unreported root events) and run "
            f"`rootguard watch --test`.{also}",
            failing=failures,
            gaps=[
                {"source": g.source, "kind": g.kind.value, "code": g.code, "reason": g.reason, "fix": g.fix}
                for g in dict.fromkeys(gaps)
            ],
        )
    if gaps:
        return errored("Whether the root watcher is failing cannot be told.", *dict.fromkeys(gaps))
    if not healthy:
        return not_applicable(
            f"No rootguard root watcher is deployed in the {len(alerting.own.regions)} Region(s) read (no Lambda "
            "function runs rootguard's handler). To have root use reach a person within a minute, already "
            "explained: `rootguard remediate --watch`."
        )
    return passed(f"The root watcher did not fail {window}: {'; '.join(healthy)}.")


def _listing(alerting: AccountAlerting, region: str) -> RegionWatchers:
    """The Region's watcher evidence; a Region read without it (an older bundle) is a gap, never "none"."""
    found = alerting.watchers.get(region)
    if found is not None:
        return found
    account = alerting.account_id
    return RegionWatchers(
        region,
        Gap(
            kind=GapKind.NOT_COLLECTED,
            source=LIST_FUNCTIONS.path(account, region),
            reason="the bundle does not say which Lambda functions run in this Region.",
            fix=LIST_FUNCTIONS.fix(account, region),
        ),
    )


def _judge(
    listed: RegionWatchers, function: WatcherFunction, until: datetime, gaps: list[Gap]
) -> tuple[list[str], str | None]:
    """What is wrong with one watcher (empty: nothing proven), and what held when nothing is (None: unknown)."""
    problems: list[str] = []
    errors = listed.errors.get(function.name, _unread(listed.region, f"the errors of {function.name}"))
    if isinstance(errors, Gap):
        gaps.append(errors)
    elif count := _errors(errors, until):
        problems.append(f"failed {count:g} time(s) (AWS/Lambda Errors)")
    queue = function.dead_letter_queue
    depth: int | Gap | None = None
    if queue is not None:
        depth = listed.dead_letters.get(queue[2], _unread(listed.region, f"the depth of {queue[2]}"))
        if isinstance(depth, Gap):
            gaps.append(depth)
        elif depth:
            problems.append(f"left {depth} message(s) in its dead-letter queue {queue[2]}")
    if problems or isinstance(errors, Gap) or isinstance(depth, Gap):
        return problems, None
    if queue is None:
        target = function.dead_letter_arn
        return [], f"no error; {'its dead-letter target is not an SQS queue' if target else 'no dead-letter queue set'}"
    return [], f"no error, dead-letter queue {queue[2]} empty"


def _unread(region: str, what: str) -> Gap:
    """Evidence a listed watcher should have and the bundle does not (never read as "no error")."""
    return Gap(GapKind.NOT_COLLECTED, region, f"{what} was not read.", "collect again with this rootguard")


def _errors(points: tuple[Datapoint, ...], until: datetime) -> float:
    return sum(point.total for point in points if until - WINDOW <= point.timestamp <= until)
