"""scripts/demo_alerting.py: the demo bundle rebuilt with it tells the story its docstring tells."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from rootguard.app.audit import audit_bundle
from rootguard.config.settings import Settings
from rootguard.evidence.bundle import write_bundle

SCRIPTS = Path(__file__).parent.parent.parent / "scripts"


def test_the_demo_alerting_files_give_the_intended_verdicts(tmp_path: Path) -> None:
    sys.path.insert(0, str(SCRIPTS))
    try:
        build_demo = importlib.import_module("build_demo")
        demo_cloudtrail = importlib.import_module("demo_cloudtrail")
        demo_alerting = importlib.import_module("demo_alerting")
    finally:
        sys.path.remove(str(SCRIPTS))
    documents = {
        **build_demo.prod(),
        **build_demo.sandbox(),
        **demo_cloudtrail.demo_cloudtrail(),
        **demo_alerting.demo_alerting(),
    }
    write_bundle(tmp_path / "demo", documents, (build_demo.PROD, build_demo.SANDBOX), build_demo.COLLECTED_AT)
    report = audit_bundle(tmp_path / "demo", Settings())
    found = {
        (account.account_id, f.check_id): f
        for account in report.accounts
        for f in account.findings
        if f.check_id in {"root-usage-alarm", "root-alerting", "root-config-rules"}
    }
    statuses = {key: f.status.value for key, f in found.items()}
    assert statuses == {
        ("210987654321", "root-usage-alarm"): "FAIL",
        ("210987654321", "root-alerting"): "MANUAL",
        ("210987654321", "root-config-rules"): "FAIL",
        ("109876543210", "root-usage-alarm"): "FAIL",
        ("109876543210", "root-alerting"): "PASS",
        ("109876543210", "root-config-rules"): "PASS",
    }
    assert "PendingConfirmation" in found[("210987654321", "root-usage-alarm")].message
    assert "through EventBridge" in found[("109876543210", "root-alerting")].message
