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


# remediate and audit read the same settings ------------------------------------------------------------


def _audit_failing(capsys: pytest.CaptureFixture[str], *argv: str) -> set[str]:
    main(["audit", "--demo", "--format", "json", *argv])
    report = json.loads(capsys.readouterr().out)
    return {f["check_id"] for a in report["accounts"] for f in a["findings"] if f["status"] == "FAIL"}


def _remediate_stderr(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(["remediate", "--demo", "--format", "terraform", *argv]) == 0
    return capsys.readouterr().err


def test_remediate_and_audit_agree_on_break_glass_for_the_same_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "rootguard.toml"
    config.write_text('[break_glass]\nprincipals = ["arn:aws:iam::210987654321:user/nobody"]\n')
    assert "break-glass" in _audit_failing(capsys, "--config", str(config))
    assert "break-glass" in _remediate_stderr(capsys, "--config", str(config)).split("no template here:")[1]
    # The demo's own file attests break-glass in prod: neither command sees it fail.
    assert "break-glass" not in _audit_failing(capsys)
    assert "break-glass" not in _remediate_stderr(capsys)


def test_remediate_honours_the_check_selection_of_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "rootguard.toml"
    config.write_text('[checks]\nexclude = ["root-usage-alarm", "root-alerting"]\n')
    assert "root-usage-alarm" in _audit_failing(capsys)
    assert not {"root-usage-alarm", "root-alerting"} & _audit_failing(capsys, "--config", str(config))
    err = _remediate_stderr(capsys, "--config", str(config))
    assert "rootguard: root-usage-alarm:" not in err
    assert "rootguard: root-config-rules:" in err
    assert "rootguard: root-usage-alarm:" in _remediate_stderr(capsys)


def test_remediate_reads_rootguard_variables(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROOTGUARD_SKIP_CHECKS", "root-config-rules")
    err = _remediate_stderr(capsys)
    assert "rootguard: root-config-rules:" not in err
    monkeypatch.setenv("ROOTGUARD_CHECKS", "nope")
    assert main(["remediate", "--demo", "--format", "terraform"]) == 2
    assert "ROOTGUARD_CHECKS: unknown check id 'nope'" in capsys.readouterr().err
