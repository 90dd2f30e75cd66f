"""Messages never claim more than the evidence: the demo, and every check on damaged evidence."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from builders import AS_OF, DENIED, AccountBuilder, context
from message_rules import message_problems, text_problems
from rootguard.app.evaluate import evaluate
from rootguard.cli.main import main
from rootguard.model.evidence import Evidence
from rootguard.report.json_report import report_document


def test_the_demo_messages_keep_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    main(["audit", "--demo", "--format", "json"])
    assert message_problems(json.loads(capsys.readouterr().out)) == []


BUILDS = {
    "clean": AccountBuilder,
    "report denied": lambda: AccountBuilder().report(DENIED),
    "report missing": lambda: AccountBuilder().report(None),
    "summary denied": lambda: AccountBuilder().summary(DENIED),
    "summary silent": lambda: AccountBuilder().summary(mfa=0, password=None),
    "everything denied": lambda: AccountBuilder().report(DENIED).summary(DENIED),
}


@pytest.mark.parametrize("name", sorted(BUILDS))
@pytest.mark.parametrize("shift", [timedelta(0), timedelta(days=-30), timedelta(days=100)])
def test_every_check_keeps_the_rules_on_damaged_evidence(name: str, shift: timedelta) -> None:
    account = BUILDS[name]().evidence()
    ctx = context(as_of=AS_OF + shift)
    report = evaluate(Evidence(collected_at=AS_OF, accounts=(account,), source="test"), ctx)
    assert message_problems(report_document(report)) == []


@pytest.mark.parametrize(
    "message",
    [
        "The trails could not be read could not be read.",
        "The report was generated 300 hours before collection.",
        "Root's password was used at 2026-12-01T00:00:00Z, 3 days after, inside the 90-day window.",
        "Two  spaces.",
        "No full stop",
    ],
)
def test_the_rules_catch_what_they_are_for(message: str) -> None:
    assert text_problems(message, AS_OF) != []


def test_a_list_of_region_names_is_not_a_stutter() -> None:
    assert text_problems("Read in eu-west-1, ap-northeast-1, ap-northeast-2 and ap-northeast-3.", AS_OF) == []


def test_the_rules_pass_a_plain_message() -> None:
    assert text_problems("Root's password was used at 2026-11-17T08:14:52Z, 3 days before the as-of time.", AS_OF) == []
