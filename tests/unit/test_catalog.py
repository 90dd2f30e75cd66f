"""`rootguard checks`: what each check reads is declared, and the declaration is what the check really reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path

import pytest

from rootguard.app import audit, demo
from rootguard.app.catalog import CHECK_READS, CLOUDTRAIL, FIELD_OPERATIONS, ORGANIZATION_READS, check_catalog
from rootguard.app.permissions import audit_actions, policy_document
from rootguard.checks import ALL_CHECKS, ORGANIZATION_CHECKS
from rootguard.cli.main import main
from rootguard.config.layer import Layer
from rootguard.config.settings import load_settings
from rootguard.evidence.bundle import open_bundle
from rootguard.model.alerting import AccountAlerting, RegionAlerting
from rootguard.model.evidence import AccountEvidence
from rootguard.model.organization_operations import AssumeRootOperation

NOT_EVIDENCE = {"account_id", "region", "regions"}
"""Identifiers, not documents."""


@contextmanager
def recording(seen: set[str]) -> Iterator[None]:
    """Record every evidence field read (``alerting.<field>`` for the per-Region and per-account alerting)."""
    originals = {}
    for cls, prefix in ((AccountEvidence, ""), (RegionAlerting, "alerting."), (AccountAlerting, "alerting.")):
        names = {f.name for f in fields(cls)} - NOT_EVIDENCE
        original = cls.__getattribute__
        originals[cls] = original

        def spy(self: object, name: str, _names: set[str] = names, _p: str = prefix, _o: object = original) -> object:
            if name in _names:
                seen.add(_p + name)
            return _o(self, name)  # type: ignore[operator]

        cls.__getattribute__ = spy  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        for cls, original in originals.items():
            cls.__getattribute__ = original  # type: ignore[method-assign]


def recorded_reads() -> dict[str, set[str]]:
    bundle = open_bundle(demo.demo_bundle(), "demo")
    settings = load_settings(Layer(), explicit=None, env={}, cwd=Path("/"), demo=demo.demo_files())
    ctx = audit.context(settings, bundle.evidence.collected_at, bundle.evidence.collected_at)
    reads: dict[str, set[str]] = {}
    for spec in ALL_CHECKS:
        seen: set[str] = set()
        with recording(seen):
            for account in bundle.evidence.accounts:
                spec.evaluate(account, ctx)
        # `alerting` itself is the container; its fields say which documents were read.
        reads[spec.check_id] = {CLOUDTRAIL if name == "cloudtrail" else name for name in seen} - {"alerting"}
    return reads


def test_every_check_declares_exactly_the_evidence_it_reads_on_the_demo() -> None:
    recorded = recorded_reads()
    assert set(CHECK_READS) == set(recorded), "declare every registered check in app/catalog.py CHECK_READS"
    for check_id, seen in recorded.items():
        declared = set(CHECK_READS[check_id])
        assert seen <= declared, f"{check_id} reads {sorted(seen - declared)} but does not declare it"
        assert declared <= seen, f"{check_id} declares {sorted(declared - seen)} but never reads it on the demo"


def test_every_declared_field_has_operations_and_every_action_is_in_the_policy() -> None:
    for reads in CHECK_READS.values():
        assert all(name == CLOUDTRAIL or name in FIELD_OPERATIONS for name in reads)
    policy = set(audit_actions())
    # Organization checks read what `rootguard permissions --org` adds (AssumeRoot, Organizations, features).
    statements = policy_document(organization=True)["Statement"]
    organization = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    # Inside an AssumeRoot session the IAMAuditRootUserCredentials task policy grants the probe's IAM reads.
    probe = ORGANIZATION_READS["org-member-root-credentials"]
    organization |= {a for o in probe if isinstance(o, AssumeRootOperation) and o.service == "iam" for a in o.actions}
    for entry in check_catalog():
        allowed = organization if entry.scope == "organization" else policy
        assert entry.actions, entry.check_id
        assert set(entry.actions) <= allowed, f"{entry.check_id} needs actions `rootguard permissions` lacks"


def test_catalog_says_which_checks_the_skip_options_skip() -> None:
    by_id = {entry.check_id: entry for entry in check_catalog()}
    assert by_id["root-activity"].skipped_by == ("--no-cloudtrail",)
    assert by_id["root-usage-alarm"].skipped_by == ("--no-alerting",)
    assert by_id["root-mfa"].skipped_by == ()
    assert "global/iam/list-virtual-mfa-devices.json" in by_id["root-hardware-mfa"].evidence
    assert "<region>/sns/list-subscriptions-by-topic/<name>.json" in by_id["root-usage-alarm"].evidence


def test_checks_json_lists_every_check_in_report_order(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["schema"] == "rootguard/checks@1"
    assert [c["check_id"] for c in document["checks"]] == [
        spec.check_id for spec in (*ALL_CHECKS, *ORGANIZATION_CHECKS)
    ]
    assert {c["scope"] for c in document["checks"] if c["check_id"].startswith("org-")} == {"organization"}
    mfa = next(c for c in document["checks"] if c["check_id"] == "root-mfa")
    assert mfa["frameworks"]["cis-aws-3.0.0"] == ["1.5"] and mfa["severity"] == "critical"
    assert "iam:GetAccountSummary" in mfa["actions"]


def test_checks_table_and_markdown(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["checks"]) == 0
    table = capsys.readouterr().out
    assert "root-usage-alarm" in table and "IAM: cloudtrail:DescribeTrails" in table and "\x1b[" not in table
    assert main(["checks", "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.count("\n| `") == len(ALL_CHECKS) + len(ORGANIZATION_CHECKS)
