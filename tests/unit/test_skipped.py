"""SKIPPED: what the user chose not to collect is named, and neither fails nor errors the run."""

from __future__ import annotations

from dataclasses import replace

from builders import AS_OF, AccountBuilder, context
from rootguard.app.evaluate import evaluate
from rootguard.checks import ALL_CHECKS
from rootguard.model.evidence import Evidence, Source
from rootguard.model.findings import Severity, Status

NEEDS = {
    "root-activity": {Source.CLOUDTRAIL},
    "root-usage-alarm": {Source.ALERTING},
    "root-alerting": {Source.ALERTING},
    "root-config-rules": {Source.ALERTING},
}


def _evidence(**skipped: str) -> Evidence:
    account = AccountBuilder().evidence()
    return Evidence(
        collected_at=AS_OF,
        accounts=(account,),
        source="test",
        skipped={Source(name): reason for name, reason in skipped.items()},
    )


def test_each_check_declares_the_optional_sources_it_needs() -> None:
    assert {spec.check_id: set(spec.needs) for spec in ALL_CHECKS if spec.needs} == NEEDS


def test_a_left_out_source_skips_exactly_the_checks_that_need_it() -> None:
    report = evaluate(_evidence(alerting="--no-alerting was given"), context())
    statuses = {f.check_id: f for f in report.accounts[0].findings}
    for check_id in ("root-usage-alarm", "root-alerting", "root-config-rules"):
        finding = statuses[check_id]
        assert finding.status is Status.SKIPPED
        assert finding.message.startswith("Not evaluated: --no-alerting was given.")
        assert "needs the alerting evidence" in finding.message
    assert statuses["root-activity"].status is not Status.SKIPPED
    assert sum(f.status is Status.SKIPPED for f in statuses.values()) == 3


def test_skipped_never_changes_the_exit_code() -> None:
    full = evaluate(_evidence(), context())
    skipped = evaluate(_evidence(cloudtrail="--no-cloudtrail was given", alerting="--no-alerting was given"), context())
    assert skipped.count()[Status.SKIPPED] == 4
    assert skipped.count()[Status.ERROR] <= full.count()[Status.ERROR]
    clean = replace(
        skipped,
        accounts=tuple(
            replace(a, findings=tuple(f for f in a.findings if f.status is Status.SKIPPED)) for a in skipped.accounts
        ),
    )
    assert clean.exit_code(Severity.LOW) == 0
