"""rootguard remediate: pick templates from findings, write them, refuse to clobber."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rootguard.cli.main import main


def test_all_writes_every_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remediate", "--format", "cloudformation", "--all", "--out", str(tmp_path / "fix")]) == 0
    written = sorted(p.relative_to(tmp_path / "fix").as_posix() for p in (tmp_path / "fix").rglob("*") if p.is_file())
    assert "cloudformation/root-usage-alarm.yaml" in written
    assert "cloudformation/root-config-rules.yaml" in written
    assert "wrote" in capsys.readouterr().err


def test_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["remediate", "--format", "terraform", "--all", "--out", str(tmp_path)]
    assert main(argv) == 0
    assert main(argv) == 2
    assert "--force" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0


def test_picks_templates_from_a_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = {"accounts": [{"findings": [{"check_id": "root-config-rules", "status": "FAIL"}]}]}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    assert main(["remediate", "--format", "cloudformation", "--report", str(path)]) == 0
    out = capsys.readouterr().out
    assert "# ==> cloudformation/root-config-rules.yaml <==" in out
    assert "root-usage-alarm.yaml" not in out


def test_the_demo_findings_select_the_alerting_templates(capsys: pytest.CaptureFixture[str]) -> None:
    # prod's alarm reaches nobody and its Config rules say NON_COMPLIANT: the chain and Config templates.
    assert main(["remediate", "--format", "cloudformation", "--demo"]) == 0
    out = capsys.readouterr().out
    assert "# ==> cloudformation/root-usage-alarm.yaml <==" in out
    assert "# ==> cloudformation/root-config-rules.yaml <==" in out


def test_nothing_to_fix_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--demo", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    for account in report["accounts"]:
        for finding in account["findings"]:
            finding["status"] = "PASS"
    path = tmp_path / "clean.json"
    path.write_text(json.dumps(report))
    assert main(["remediate", "--format", "cloudformation", "--report", str(path)]) == 0
    assert "nothing to remediate" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["{", '{"accounts": 3}'])
def test_bad_report_is_a_usage_error(tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "r.json"
    path.write_text(text)
    assert main(["remediate", "--format", "terraform", "--report", str(path)]) == 2
    assert "not a rootguard JSON report" in capsys.readouterr().err


def test_a_source_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remediate", "--format", "terraform"]) == 2
    assert "--all" in capsys.readouterr().err
