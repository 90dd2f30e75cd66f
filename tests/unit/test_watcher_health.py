"""root-watcher-health: rootguard's deployed watcher found by its handler, its errors and dead letters judged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from alerting_builders import (
    GARBAGE,
    HOME,
    OTHER,
    WATCHER,
    WATCHER_QUEUE,
    alerting,
    healthy_watcher,
    put,
    watcher_function,
)
from builders import ACCOUNT, AS_OF, DENIED, AccountBuilder, context, iso
from rootguard.app.evaluate import evaluate
from rootguard.checks.registry import Outcome
from rootguard.checks.watcher_health import root_watcher_health
from rootguard.model.alerting import AlertingEvidence
from rootguard.model.evidence import Evidence, Source
from rootguard.model.findings import Status
from rootguard.model.operations import DEAD_LETTER_DEPTH, LIST_FUNCTIONS, WATCHER_ERRORS
from rootguard.model.watcher_health import watcher_listing

FUNCTION, QUEUE = WATCHER, WATCHER_QUEUE


def verdict(builder: AccountBuilder) -> Outcome:
    return root_watcher_health.evaluate(builder.evidence(), context())


def errors(*sums: tuple[timedelta, float]) -> dict[str, Any]:
    """``get-metric-statistics`` output: one datapoint per (how long before AS_OF, Sum)."""
    points = [{"Timestamp": iso(AS_OF - ago), "Sum": n, "Unit": "Count"} for ago, n in sums]
    return {"Label": "Errors", "Datapoints": points}


def depth(visible: int) -> dict[str, Any]:
    return {"Attributes": {"ApproximateNumberOfMessages": str(visible)}}


def watcher(region: str = HOME, error_doc: Any = None, depth_doc: Any = None) -> AccountBuilder:
    """``alerting()`` with the watcher only in ``region`` (no error, an empty queue unless told)."""
    b = no_watcher()
    healthy_watcher(b, region)
    if error_doc is not None:
        put(b, WATCHER_ERRORS, region, error_doc, FUNCTION)
    if depth_doc is not None:
        put(b, DEAD_LETTER_DEPTH, region, depth_doc, QUEUE)
    return b


def no_watcher() -> AccountBuilder:
    b = alerting()
    for region in (HOME, OTHER):
        put(b, LIST_FUNCTIONS, region, {"Functions": []})
    return b


def test_a_healthy_watcher_passes() -> None:
    outcome = verdict(watcher(OTHER))
    assert outcome.status is Status.PASS
    assert verdict(alerting()).status is Status.PASS
    assert f"{OTHER}: {FUNCTION} (no error, dead-letter queue {QUEUE} empty)" in outcome.message


def test_errors_in_the_last_24_hours_fail_naming_region_count_and_what_to_do() -> None:
    outcome = verdict(watcher(error_doc=errors((timedelta(hours=3), 2), (timedelta(hours=20), 1))))
    assert outcome.status is Status.FAIL
    assert f"{HOME}: {FUNCTION} failed 3 time(s)" in outcome.message
    assert "/aws/lambda/" in outcome.message and "rootguard watch --test" in outcome.message


def test_errors_older_than_24_hours_do_not_count() -> None:
    assert verdict(watcher(error_doc=errors((timedelta(hours=25), 4)))).status is Status.PASS


def test_a_dead_letter_fails_even_without_errors() -> None:
    outcome = verdict(watcher(OTHER, depth_doc=depth(5)))
    assert outcome.status is Status.FAIL
    assert f"{OTHER}: {FUNCTION} left 5 message(s) in its dead-letter queue {QUEUE}" in outcome.message


def test_a_failure_stands_even_when_other_evidence_is_missing() -> None:
    builder = watcher(depth_doc=depth(1))
    put(builder, LIST_FUNCTIONS, OTHER, DENIED)
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL
    assert "lambda:ListFunctions" in outcome.evidence["gaps"][0]["fix"]
    assert f"Also unread: {ACCOUNT}/{OTHER}/lambda/list-functions.json." in outcome.message


def test_no_watcher_anywhere_is_not_applicable_with_the_hint() -> None:
    outcome = verdict(no_watcher())
    assert outcome.status is Status.NOT_APPLICABLE
    assert "rootguard remediate --watch" in outcome.message


def test_other_functions_are_not_the_watcher() -> None:
    other = {"FunctionName": "orders", "FunctionArn": f"arn:aws:lambda:{HOME}:{ACCOUNT}:function:orders"}
    builder = put(no_watcher(), LIST_FUNCTIONS, HOME, {"Functions": [{**other, "Handler": "app.handler"}]})
    assert verdict(builder).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize(
    ("operation", "resource", "document", "named"),
    [
        (LIST_FUNCTIONS, None, DENIED, "lambda:ListFunctions"),
        (LIST_FUNCTIONS, None, GARBAGE, "list-functions.json"),
        (LIST_FUNCTIONS, None, None, "list-functions.json"),
        (WATCHER_ERRORS, FUNCTION, DENIED, "cloudwatch:GetMetricStatistics"),
        (WATCHER_ERRORS, FUNCTION, {"Datapoints": [{"Timestamp": "soon", "Sum": 1}]}, "Timestamp"),
        (WATCHER_ERRORS, FUNCTION, None, "Name=FunctionName,Value=rootguard-watch-root-watcher"),
        (DEAD_LETTER_DEPTH, QUEUE, DENIED, "sqs:GetQueueAttributes"),
        (DEAD_LETTER_DEPTH, QUEUE, {"Attributes": {}}, "ApproximateNumberOfMessages"),
        (DEAD_LETTER_DEPTH, QUEUE, None, f"https://sqs.{HOME}.amazonaws.com/{ACCOUNT}/{QUEUE}"),
    ],
)
def test_absent_denied_or_malformed_evidence_is_an_error_never_a_pass(
    operation: Any, resource: str | None, document: Any, named: str
) -> None:
    builder = put(watcher(), operation, HOME, document, resource)
    outcome = verdict(builder)
    assert outcome.status is Status.ERROR
    assert named in outcome.message


def test_an_unlisted_region_is_an_error_not_no_watcher() -> None:
    """A denied listing in one Region: a watcher may be there, so neither NOT_APPLICABLE nor PASS."""
    builder = watcher()
    put(builder, LIST_FUNCTIONS, OTHER, DENIED)
    assert verdict(builder).status is Status.ERROR
    assert verdict(put(no_watcher(), LIST_FUNCTIONS, OTHER, DENIED)).status is Status.ERROR


def test_a_bundle_from_before_the_check_is_an_error() -> None:
    builder = alerting()
    for region in (HOME, OTHER):
        put(builder, LIST_FUNCTIONS, region, None)
    evidence = builder.evidence()
    assert isinstance(evidence.alerting, AlertingEvidence)
    outcome = root_watcher_health.evaluate(evidence, context())
    assert outcome.status is Status.ERROR
    assert "lambda:ListFunctions" in outcome.message


def test_without_alerting_evidence_it_is_an_error() -> None:
    builder = AccountBuilder()
    for path in [p for p in builder.documents if p.split("/")[1] not in {"global", "cloudtrail-logs"}]:
        del builder.documents[path]
    assert verdict(builder).status is Status.ERROR


def test_no_alerting_skips_it() -> None:
    evidence = Evidence(
        collected_at=AS_OF,
        accounts=(watcher(depth_doc=depth(3)).evidence(),),
        source="test",
        skipped={Source.ALERTING: "--no-alerting was given"},
    )
    finding = next(
        f for f in evaluate(evidence, context()).accounts[0].findings if f.check_id == root_watcher_health.check_id
    )
    assert finding.status is Status.SKIPPED
    assert finding.message.startswith("Not evaluated: --no-alerting was given.")


def test_a_pass_over_some_regions_is_skipped() -> None:
    evidence = Evidence(
        collected_at=AS_OF,
        accounts=(watcher().evidence(),),
        source="test",
        skipped={Source.REGIONS: "--regions limited the scan to us-east-1, eu-west-1"},
    )
    finding = next(
        f for f in evaluate(evidence, context()).accounts[0].findings if f.check_id == root_watcher_health.check_id
    )
    assert finding.status is Status.SKIPPED


def test_the_listing_keeps_only_watchers_and_never_their_environment() -> None:
    listing = {
        "Functions": [
            watcher_function(Environment={"Variables": {"ROOTGUARD_WATCH_TOPIC_ARN": "arn"}}, Runtime="python3.12"),
            {"FunctionName": "payments", "Handler": "app.handler", "Environment": {"Variables": {"DB_PASSWORD": "x"}}},
        ]
    }
    reduced = watcher_listing(listing)
    assert reduced == {"Functions": [watcher_function()]}
