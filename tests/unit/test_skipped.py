"""SKIPPED: what the user chose not to collect is named, and neither fails nor errors the run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from builders import AS_OF, AccountBuilder, context
from rootguard.app.audit import audit_bundle
from rootguard.app.evaluate import evaluate
from rootguard.checks import ALL_CHECKS
from rootguard.config.settings import Settings
from rootguard.errors import BundleError
from rootguard.evidence.bundle import open_bundle, write_bundle
from rootguard.model.evidence import Evidence, Source
from rootguard.model.findings import Severity, Status

NEEDS = {
    "root-activity": {Source.CLOUDTRAIL, Source.REGIONS},
    "root-usage-alarm": {Source.ALERTING},
    "root-alerting": {Source.ALERTING, Source.REGIONS},
    "root-config-rules": {Source.ALERTING, Source.REGIONS},
    "root-watcher-health": {Source.ALERTING, Source.REGIONS},
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
    for check_id in ("root-usage-alarm", "root-alerting", "root-config-rules", "root-watcher-health"):
        finding = statuses[check_id]
        assert finding.status is Status.SKIPPED
        assert finding.message.startswith("Not evaluated: --no-alerting was given.")
        assert "needs the alerting evidence" in finding.message
    assert statuses["root-activity"].status is not Status.SKIPPED
    assert sum(f.status is Status.SKIPPED for f in statuses.values()) == 4


def test_skipped_never_changes_the_exit_code() -> None:
    full = evaluate(_evidence(), context())
    skipped = evaluate(_evidence(cloudtrail="--no-cloudtrail was given", alerting="--no-alerting was given"), context())
    assert skipped.count()[Status.SKIPPED] == 5
    assert skipped.count()[Status.ERROR] <= full.count()[Status.ERROR]
    clean = replace(
        skipped,
        accounts=tuple(
            replace(a, findings=tuple(f for f in a.findings if f.status is Status.SKIPPED)) for a in skipped.accounts
        ),
    )
    assert clean.exit_code(Severity.LOW) == 0


def test_a_bundle_remembers_what_was_left_out(tmp_path: Path) -> None:
    """collect --no-alerting writes the choice into the manifest, so an offline audit says SKIPPED, not ERROR."""
    builder = AccountBuilder()
    bundle = tmp_path / "bundle"
    write_bundle(
        bundle, builder.documents, (builder.account,), AS_OF, skipped={Source.ALERTING: "--no-alerting was given"}
    )
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["skipped"] == {"alerting": "--no-alerting was given"}
    report = audit_bundle(bundle, Settings())
    statuses = {f.check_id: f.status for f in report.accounts[0].findings}
    assert {c for c, s in statuses.items() if s is Status.SKIPPED} == {
        "root-usage-alarm", "root-alerting", "root-config-rules", "root-watcher-health"
    }  # fmt: skip


def test_a_manifest_without_skipped_skips_nothing_and_unknown_sources_are_ignored(tmp_path: Path) -> None:
    builder = AccountBuilder()
    bundle = tmp_path / "bundle"
    write_bundle(bundle, builder.documents, (builder.account,), AS_OF)
    assert "skipped" not in json.loads((bundle / "manifest.json").read_text())
    assert open_bundle(bundle).evidence.skipped == {}
    manifest = json.loads((bundle / "manifest.json").read_text())
    manifest["skipped"] = {"cloudtrail": "--no-cloudtrail was given", "some-future-source": "later"}
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    assert open_bundle(bundle).evidence.skipped == {Source.CLOUDTRAIL: "--no-cloudtrail was given"}
    manifest["skipped"] = ["alerting"]
    (bundle / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="skipped must map evidence sources"):
        open_bundle(bundle)


def test_a_region_limited_scan_cannot_pass_what_needs_every_region() -> None:
    """--regions: a PASS over the Regions read becomes SKIPPED saying so; FAIL and ERROR stand."""
    limited = "--regions limited the scan to us-east-1"
    full = {f.check_id: f for f in evaluate(_evidence(), context()).accounts[0].findings}
    partial = {f.check_id: f for f in evaluate(_evidence(regions=limited), context()).accounts[0].findings}
    for check_id, finding in partial.items():
        before = full[check_id]
        if Source.REGIONS in NEEDS.get(check_id, set()) and before.status is Status.PASS:
            assert finding.status is Status.SKIPPED, check_id
            assert finding.message == f"Not evaluated over every enabled Region: {limited}. In the Regions read: " + (
                before.message
            )
        else:
            assert (finding.status, finding.message) == (before.status, before.message), check_id
    assert any(full[c].status is Status.PASS for c in NEEDS if Source.REGIONS in NEEDS[c]), "the case is exercised"
