"""The command line: contract commands, exit codes, and bad input that never shows a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from builders import CHECK_IDS, AccountBuilder, ago
from rootguard.cli.main import main

# prod's alarm notifies a topic whose only subscriber never confirmed; GuardDuty's findings go nowhere visible.
DEMO_ALERTING = {"root-usage-alarm": "FAIL", "root-alerting": "MANUAL", "root-config-rules": "FAIL"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_json_follows_the_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", "--demo", "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert err == ""
    assert report["schema"] == "rootguard/report@1"
    assert report["tool"]["name"] == "rootguard"
    assert report["as_of"] == "2026-11-20T12:00:00Z"
    assert [a["account_id"] for a in report["accounts"]] == ["210987654321", "109876543210"]
    for account in report["accounts"]:
        assert [f["check_id"] for f in account["findings"]] == list(CHECK_IDS)
        for finding in account["findings"]:
            assert set(finding) >= {
                "check_id", "status", "severity", "title", "message", "resource",
                "frameworks", "evidence", "remediation",
            }  # fmt: skip
            assert finding["resource"] == f"arn:aws:iam::{account['account_id']}:root"
    assert set(report["summary"]) == {"PASS", "FAIL", "MANUAL", "ERROR", "NOT_APPLICABLE", "SKIPPED"}
    assert sum(report["summary"].values()) == 2 * len(CHECK_IDS)
    prod = {f["check_id"]: f["status"] for f in report["accounts"][0]["findings"]}
    assert prod == {
        "root-recent-use": "FAIL",
        "root-activity": "FAIL",
        "root-access-keys": "FAIL",
        "root-mfa": "PASS",
        "root-hardware-mfa": "FAIL",
        "root-signing-certs": "PASS",
        "iam-user-mfa": "FAIL",
        "iam-unused-credentials": "FAIL",
        "iam-key-rotation": "FAIL",
        "break-glass": "PASS",
        "admin-principals": "PASS",
        "admin-root-adjacent": "FAIL",
        "iam-policies-via-groups": "FAIL",
        "root-watcher-health": "FAIL",
        **DEMO_ALERTING,
    }
    sandbox = {f["check_id"]: f for f in report["accounts"][1]["findings"]}
    assert sandbox["root-recent-use"]["status"] == "PASS"
    assert "CHG-1042" in sandbox["root-recent-use"]["message"]
    assert sandbox["root-hardware-mfa"]["status"] == "ERROR"
    assert sandbox["root-activity"]["status"] == "PASS"
    assert "CHG-1042" in sandbox["root-activity"]["message"]
    assert report["accounts"][0]["findings"][0]["frameworks"] == {
        "cis-aws-3.0.0": ["1.7"],
        "cis-aws-5.0.0": ["1.6"],
        "cis-aws-6.0.0": ["2.6"],
    }


def test_demo_json_matches_the_golden_file(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "audit", "--demo", "--format", "json")
    golden = Path(__file__).parent.parent / "golden" / "demo-report.json"
    document = json.loads(out)
    document["tool"]["version"] = "<version>"
    if os.environ.get("UPDATE_GOLDEN"):  # regenerate after an intended change: UPDATE_GOLDEN=1 pytest
        golden.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    assert document == json.loads(golden.read_text())


def test_demo_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", "--demo")
    assert code == 1
    assert "Account 210987654321" in out
    assert "Summary: 17 PASS · 14 FAIL · 2 MANUAL · 1 ERROR · 0 NOT_APPLICABLE" in out
    assert "Fix:" in out
    assert "\x1b[" not in out  # not a terminal: no colour codes


def test_fail_on_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    # The demo's FAILs are high and critical; its ERROR makes 3 when FAILs do not count.
    assert run(capsys, "audit", "--demo", "--format", "json", "--fail-on", "critical")[0] == 1
    assert run(capsys, "audit", "--demo", "--format", "json", "--fail-on", "high")[0] == 1


def test_exit_0_when_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = AccountBuilder().write(tmp_path / "b")
    assert run(capsys, "audit", "--evidence", str(bundle))[0] == 0


def test_exit_3_when_only_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = AccountBuilder().devices_document(None).write(tmp_path / "b")
    code, out, _ = run(capsys, "audit", "--evidence", str(bundle), "--format", "json")
    assert code == 3
    assert json.loads(out)["summary"]["ERROR"] == 1


def test_fail_below_threshold_then_error_decides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = AccountBuilder().root(cert_1_active="true").devices_document(None).write(tmp_path / "b")
    assert run(capsys, "audit", "--evidence", str(bundle), "--fail-on", "high")[0] == 3
    assert run(capsys, "audit", "--evidence", str(bundle))[0] == 1


def test_as_of_defaults_to_collection_and_can_be_moved(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = AccountBuilder().root(password_last_used=ago(days=10)).write(tmp_path / "b")
    assert run(capsys, "audit", "--evidence", str(bundle))[0] == 1
    assert run(capsys, "audit", "--evidence", str(bundle), "--window", "5")[0] == 0
    code, out, _ = run(
        capsys, "audit", "--evidence", str(bundle), "--as-of", "2027-06-01T00:00:00Z", "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["as_of"] == "2027-06-01T00:00:00Z"


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "report.json"
    code, out, _ = run(capsys, "audit", "--demo", "--format", "json", "--output", str(target))
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["schema"] == "rootguard/report@1"


def test_approvals_file_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = AccountBuilder().root(password_last_used="2026-11-02T10:00:00+00:00").write(tmp_path / "b")
    approvals = tmp_path / "approvals.toml"
    approvals.write_text(
        '[[approval]]\nticket = "CHG-1042"\nstart = "2026-11-02T09:00:00Z"\nend = "2026-11-02T11:00:00Z"\n'
        'reason = "Close the legacy account"\napproved_by = "security-oncall"\n'
    )
    code, out, _ = run(capsys, "audit", "--evidence", str(bundle), "--approvals", str(approvals), "--format", "json")
    assert code == 0
    assert "CHG-1042" in json.loads(out)["accounts"][0]["findings"][0]["message"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["audit", "--evidence", "/nonexistent/bundle"], "does not exist"),
        (["audit", "--demo", "--as-of", "yesterday"], "--as-of takes an ISO 8601 timestamp"),
        (["audit", "--demo", "--window", "0"], "at least 1 day"),
        (["audit", "--demo", "--window", "ninety"], "whole number of days"),
        (["audit", "--demo", "--format", "xml"], "invalid choice"),
        (["audit", "--demo", "--fail-on", "urgent"], "invalid choice"),
        (["audit", "--demo", "--evidence", "x"], "not allowed with"),
        (["audit", "--demo", "--approvals", "/nonexistent.toml"], "approvals file not found"),
        (["audit", "--demo", "--save-evidence", "x"], "--save-evidence"),
        (["collect"], "--out"),
    ],
)
def test_usage_errors_exit_2_with_one_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert message in err
    assert "Traceback" not in err


def test_invalid_manifest_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "manifest.json").write_text("{not json")
    code, _, err = run(capsys, "audit", "--evidence", str(tmp_path))
    assert code == 2
    assert "manifest.json is not valid JSON" in err


def test_invalid_approvals_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    approvals = tmp_path / "a.toml"
    approvals.write_text("[[approval]]\nticket = 1\n")
    code, _, err = run(capsys, "audit", "--demo", "--approvals", str(approvals))
    assert code == 2
    assert "ticket is required" in err


def test_garbage_csv_in_the_report_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = AccountBuilder().report({"Content": "bm90LGEscmVwb3J0CjEsMiwzCg=="}).write(tmp_path / "b")
    code, out, err = run(capsys, "audit", "--evidence", str(bundle), "--format", "json")
    findings = {f["check_id"]: f for f in json.loads(out)["accounts"][0]["findings"]}
    assert code == 3
    assert findings["root-recent-use"]["status"] == "ERROR"
    assert "get-credential-report.json" in findings["root-recent-use"]["message"]
    assert "Traceback" not in err


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "rootguard audit --demo" in out and "exit codes" in out


def test_python_dash_m_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rootguard", "audit", "--demo", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["summary"]["FAIL"] == 14
    assert result.stderr == ""


def test_permissions_prints_a_valid_policy(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["permissions", "--s3-bucket", "trail-bucket"]) == 0
    policy = json.loads(capsys.readouterr().out)
    assert policy["Version"] == "2012-10-17"
    actions = {a for statement in policy["Statement"] for a in statement["Action"]}
    assert {"iam:GetCredentialReport", "cloudtrail:LookupEvents", "s3:GetObject"} <= actions
    assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_output_to_standard_output_by_name(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    """/dev/stdout is a link, and report files never follow links: its name means stdout itself."""
    code, out, err = run(capsys, "audit", "--demo", "--format", "json", "--output", name)
    assert code == 1, err
    assert json.loads(out)["schema"] == "rootguard/report@1"


@pytest.mark.parametrize(
    ("make", "message"), [("absent", "no such file or directory"), ("unreadable", "permission denied")]
)
def test_a_bad_logs_path_is_a_usage_error(
    make: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "logs"
    if make == "unreadable":
        path.mkdir()
        monkeypatch.setattr("os.access", lambda *_args, **_kwargs: False)  # root reads everything
    code, out, err = run(capsys, "activity", "--logs", str(path))
    assert code == 2
    assert out == ""
    assert err == f"rootguard: error: --logs {path}: {message}\n"


def test_activity_timeout_reaches_the_live_sources(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--timeout bounds --lookup (and s3:// --logs) as it bounds audit and collect."""
    from rootguard.app import activity as activity_app

    seen: dict[str, object] = {}

    def from_lookup(settings: object, **kwargs: object) -> object:
        seen.update(kwargs)
        raise KeyboardInterrupt  # stop here: only the plumbing is under test

    monkeypatch.setattr(activity_app, "from_lookup", from_lookup)
    assert main(["activity", "--lookup", "--timeout", "2m", "--quiet"]) == 130
    assert seen["timeout"] == 120.0
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["activity", "--lookup", "--timeout", "0"])
    assert "argument --timeout: takes a duration of at least 1 second" in capsys.readouterr().err
