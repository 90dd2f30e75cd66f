"""Judge a metric-filter pattern against the CIS root-usage filter by meaning, not by text.

Peers match the CIS 4.3 (v3.0.0) pattern with ordered regexes or exact string equality, so clause
reordering fails them and an extra narrowing clause or ``||`` passes them (research/prowler.md §1.6,
research/anchors.md §1.4, §2.2). Here both patterns are parsed and compared on records: a filter
"catches all CIS" when no record matched by the CIS filter escapes it, and is "noisy" when it also
matches records the CIS filter leaves out. Each finding carries a counterexample record.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rootguard.analysis.filter_pattern_ast import (
    Check,
    ErrorKind,
    Existence,
    Expr,
    FilterPatternError,
    Or,
    conjuncts,
    render,
    render_expr,
)
from rootguard.analysis.filter_pattern_parser import parse
from rootguard.analysis.filter_pattern_search import TooComplex, witness
from rootguard.analysis.filter_pattern_semantics import evaluate

CIS_ROOT_USAGE_PATTERN = (
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }'
)
"""CIS AWS Foundations 3.0.0 rec 4.3 (same text from v1.2 3.3 to v6 5.3; research/anchors.md §6.2)."""
CIS_ROOT_USAGE = parse(CIS_ROOT_USAGE_PATTERN)

_CIS_CLAUSE_MEANING = {
    '$.userIdentity.type = "Root"': "identities other than the root user",
    "$.userIdentity.invokedBy NOT EXISTS": "root actions an AWS service made on the user's behalf (invokedBy set)",
    '$.eventType != "AwsServiceEvent"': "AwsServiceEvent records (AWS acting, not a person)",
}


def old_console_action() -> dict[str, Any]:
    """A root console action as CloudTrail recorded it before ~2020: ``invokedBy`` is ``signin.amazonaws.com``.

    The CIS filter's ``invokedBy NOT EXISTS`` clause excludes such records, so a filter that copies it
    never counted root console use in those logs (research: classifier decoys, old console shape).
    """
    return {
        "eventVersion": "1.05",
        "userIdentity": {
            "type": "Root",
            "principalId": "123456789012",
            "arn": "arn:aws:iam::123456789012:root",
            "accountId": "123456789012",
            "invokedBy": "signin.amazonaws.com",
            "sessionContext": {"attributes": {"mfaAuthenticated": "false", "creationDate": "2019-03-01T10:00:00Z"}},
        },
        "eventTime": "2019-03-01T10:05:00Z",
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "signin.amazonaws.com",
        "userAgent": "signin.amazonaws.com",
        "requestParameters": None,
        "responseElements": None,
        "eventID": "00000000-0000-4000-8000-000000000001",
        "eventType": "AwsApiCall",
        "recipientAccountId": "123456789012",
    }


def misses_console_actions(expr: Expr) -> bool:
    """Whether the filter fails to match an old-shape root console action (the CIS filter itself does)."""
    return not evaluate(expr, old_console_action())


@dataclass(frozen=True)
class Judgement:
    """How a filter pattern compares with the CIS root-usage filter."""

    pattern: str
    parses: bool
    error: str | None = None
    error_kind: ErrorKind | None = None
    """``NOT_JSON``/``EMPTY``/``UNSUPPORTED``: "cannot be judged"; ``SYNTAX``: malformed."""
    error_position: int | None = None
    expr: Expr | None = None
    decided: bool = False
    """False when the pattern did not parse or was too complex to search exhaustively."""
    catches_all_cis: bool = False
    """Every record the CIS filter matches, this filter matches too."""
    narrower: tuple[str, ...] = ()
    """One explanation per clause that rejects CIS-matched records, each with a counterexample."""
    noisy: bool = False
    """It also matches records the CIS filter does not."""
    noise: tuple[str, ...] = ()
    """One explanation per CIS clause it does not enforce, each with an example record."""
    equivalent: bool = False
    misses_console_actions: bool = field(default=False)
    """It does not match an old-shape root console action (``invokedBy: signin.amazonaws.com``)."""
    matches_everything: bool = False
    """An empty pattern: CloudWatch Logs matches every log event with it, root use included."""


MATCH_ALL: Expr = Or((Existence(("eventVersion",), Check.EXISTS), Existence(("eventVersion",), Check.NOT_EXISTS)))
"""What an empty pattern means, as a tree: true of every record (used to replay it on CloudTrail)."""
EVERYTHING = "matches every log event, so it also alerts on everything that is not root use"


def judge(pattern_text: str, reference: Expr = CIS_ROOT_USAGE) -> Judgement:
    """Parse the pattern and compare what it matches with what ``reference`` (the CIS filter) matches.

    An empty pattern matches every log event (CloudWatch Logs filter pattern syntax,
    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html): it catches
    every root use, and everything else too.
    """
    try:
        expr = parse(pattern_text)
    except FilterPatternError as error:
        if error.kind is ErrorKind.EMPTY:
            return Judgement(
                pattern_text,
                parses=True,
                expr=MATCH_ALL,
                decided=True,
                catches_all_cis=True,
                noisy=True,
                noise=(EVERYTHING,),
                matches_everything=True,
            )
        return Judgement(pattern_text, False, error.message, error.kind, error.position)
    console = misses_console_actions(expr)
    try:
        narrower = _narrower(expr, reference)
        noise = _noise(expr, reference)
    except TooComplex:
        message = "too many independent clauses to compare exhaustively"
        return Judgement(pattern_text, True, message, expr=expr, misses_console_actions=console)
    return Judgement(
        pattern_text,
        parses=True,
        expr=expr,
        decided=True,
        catches_all_cis=not narrower,
        narrower=narrower,
        noisy=bool(noise),
        noise=noise,
        equivalent=not narrower and not noise,
        misses_console_actions=console,
    )


def _narrower(expr: Expr, reference: Expr) -> tuple[str, ...]:
    """For each top-level clause of the filter, a reference-matched record it rejects, if any."""
    found: list[str] = []
    for clause in dict.fromkeys(conjuncts(expr)):
        record = witness([reference], [clause])
        if record is not None:
            found.append(f"`{render_expr(clause)}` rejects records the CIS filter matches, e.g. {_compact(record)}")
    return tuple(found)


def _noise(expr: Expr, reference: Expr) -> tuple[str, ...]:
    """For each top-level clause of the reference, a record the filter matches though that clause fails.

    The example keeps the reference's other clauses true where it can, so it shows the one thing the
    filter lets through (a service-invoked *root* action, not any service-invoked action).
    """
    clauses = tuple(dict.fromkeys(conjuncts(reference)))
    found: list[str] = []
    for clause in clauses:
        others = [c for c in clauses if c != clause]
        record = witness([expr, *others], [clause]) or witness([expr], [clause])
        if record is not None:
            text = render_expr(clause)
            meaning = _CIS_CLAUSE_MEANING.get(text, f"records failing `{text}`")
            found.append(f"also matches {meaning}, e.g. {_compact(record)}")
    return tuple(found)


def _compact(record: Mapping[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(", ", ": "))


def describe(judgement: Judgement) -> str:
    """One line for a report: the verdict, then the reasons."""
    if not judgement.parses:
        return f"cannot be judged: {judgement.error}"
    if not judgement.decided:
        return f"not decided: {judgement.error}"
    if judgement.equivalent:
        verdict = "equivalent to the CIS filter"
    elif judgement.catches_all_cis:
        verdict = "catches every record the CIS filter catches, and more"
    else:
        verdict = "misses records the CIS filter catches"
    reasons = "; ".join((*judgement.narrower, *judgement.noise))
    if judgement.matches_everything:
        return f"an empty pattern: {EVERYTHING}"
    shown = render(judgement.expr) if judgement.expr is not None else judgement.pattern
    return f"{shown}: {verdict}" + (f" ({reasons})" if reasons else "")
