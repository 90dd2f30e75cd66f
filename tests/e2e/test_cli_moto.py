"""The real CLI, as a subprocess, against a moto server that holds root state (tests/moto_root.py).

Each scenario gets one server, shared by the tests of a class. The CLI sees nothing of the
developer's AWS setup: HOME and the AWS config files point to files that do not exist.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import rootguard as rootguard_package
from moto_root import ACCOUNT_ID, CHECK_IDS, DECOY_USER, ROOT_ARN, SCENARIOS, MotoRoot, iso, moto_root_server

pytestmark = pytest.mark.e2e

CONTRACT_FILES = {
    f"{ACCOUNT_ID}/global/iam/get-credential-report.json",
    f"{ACCOUNT_ID}/global/iam/get-account-summary.json",
    f"{ACCOUNT_ID}/global/iam/list-virtual-mfa-devices.json",
}
STALE_NOTE = "Note: the credential report was generated at"


def aws_env(tmp_path: Path, endpoint: str | None, *, credentials: bool = True) -> dict[str, str]:
    """A clean environment: no profile, no config or credentials file, no instance metadata."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path / "no-home"),
        "AWS_CONFIG_FILE": str(tmp_path / "no-home" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-home" / "credentials"),
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "LANG": "C.UTF-8",
        # The rootguard under test, even when it is not the one installed in the venv.
        "PYTHONPATH": str(Path(rootguard_package.__file__).parent.parent),
    }
    if endpoint is not None:
        env["AWS_ENDPOINT_URL"] = endpoint
    if credentials:
        env["AWS_ACCESS_KEY_ID"] = "testing"
        env["AWS_SECRET_ACCESS_KEY"] = "testing"
    return env


def rootguard(env: dict[str, str], *args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    # umask 0: whatever the bundle writer leaves owner-only, it made owner-only itself.
    return subprocess.run(
        [sys.executable, "-m", "rootguard", *map(str, args)],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        umask=0,
    )


def audit_json(server: MotoRoot, tmp_path: Path, *extra: str | Path) -> tuple[int, dict[str, Any], str]:
    result = rootguard(aws_env(tmp_path, server.endpoint), "audit", "--format", "json", "--quiet", *extra, cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout, f"no report on stdout (exit {result.returncode}): {result.stderr}"
    return result.returncode, json.loads(result.stdout), result.stderr


def findings_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (account,) = report["accounts"]
    assert account["account_id"] == ACCOUNT_ID
    ids = [f["check_id"] for f in account["findings"]]
    for check_id in CHECK_IDS:
        assert ids.count(check_id) == 1, f"{check_id} appears {ids.count(check_id)} times in {ids}"
    return {f["check_id"]: f for f in account["findings"]}


@pytest.fixture(scope="class", params=SCENARIOS)
def server(request: pytest.FixtureRequest) -> Iterator[MotoRoot]:
    with moto_root_server(request.param) as running:
        yield running


class TestScenarios:
    def test_audit_reports_each_check_once_with_the_expected_status(self, server: MotoRoot, tmp_path: Path) -> None:
        scenario = server.scenario
        code, report, stderr = audit_json(server, tmp_path)

        assert report["schema"] == "rootguard/report@1"
        findings = findings_by_id(report)
        statuses = {check_id: findings[check_id]["status"] for check_id in CHECK_IDS}
        assert statuses == scenario.expected, {k: findings[k]["message"] for k in CHECK_IDS}
        assert report["summary"] == scenario.summary
        assert code == scenario.exit_code, stderr
        assert stderr == ""
        for finding in findings.values():
            assert finding["resource"] == ROOT_ARN
        as_of = datetime.fromisoformat(report["as_of"])
        assert abs(as_of - server.now) < timedelta(minutes=2), "a live audit evaluates as of collection time"
        ASSERT_DETAILS[scenario.name](server, findings)

    def test_saved_evidence_gives_identical_findings_offline(self, server: MotoRoot, tmp_path: Path) -> None:
        bundle = tmp_path / "evidence"
        live_code, live, _ = audit_json(server, tmp_path, "--save-evidence", bundle)
        assert (bundle / "manifest.json").is_file()

        # Offline: no credentials and no endpoint, so any AWS call would fail loudly.
        offline = rootguard(
            aws_env(tmp_path, None, credentials=False),
            "audit", "--evidence", bundle, "--format", "json", "--quiet",
            cwd=tmp_path,
        )  # fmt: skip
        assert "Traceback" not in offline.stderr, offline.stderr
        report = json.loads(offline.stdout)

        assert offline.returncode == live_code == server.scenario.exit_code
        assert live["source"] == "live"
        assert report["source"] != "live"
        assert {k: v for k, v in report.items() if k != "source"} == {k: v for k, v in live.items() if k != "source"}


def zulu(moment: datetime) -> str:
    """How rootguard writes a timestamp in messages and evidence."""
    return iso(moment).replace("+00:00", "Z")


def _details_bad(server: MotoRoot, findings: dict[str, dict[str, Any]]) -> None:
    password_used = zulu(server.now - timedelta(days=2))
    recent = findings["root-recent-use"]
    assert recent["evidence"]["password_last_used"] == password_used
    assert f"Root's password was used at {password_used}" in recent["message"]
    assert "access key 1 was also used" in recent["message"]
    assert "access key 1 is active" in findings["root-access-keys"]["message"]
    hardware = findings["root-hardware-mfa"]
    assert hardware["evidence"]["virtual_devices_on_root"] == [server.root_device_serial]
    assert DECOY_USER not in hardware["message"]
    assert "AccountMFAEnabled=1" in findings["root-mfa"]["message"]
    assert not any(STALE_NOTE in f["message"] for f in findings.values())


def _details_keyuse(server: MotoRoot, findings: dict[str, dict[str, Any]]) -> None:
    recent = findings["root-recent-use"]
    assert "Root's access key 1 was used" in recent["message"], recent["message"]
    assert recent["evidence"]["access_key_1_last_used_date"] == zulu(server.now - timedelta(minutes=5))
    keys = findings["root-access-keys"]
    assert "Root holds 1 active access key(s)" in keys["message"], keys["message"]
    assert keys["evidence"]["access_key_2_active"] == "false"
    mfa = findings["root-mfa"]["message"]
    assert "AccountMFAEnabled=0" in mfa
    assert "a password" in mfa
    assert "access keys" in mfa


def _details_selfaudit(server: MotoRoot, findings: dict[str, dict[str, Any]]) -> None:
    # The key was used while the report was generated, after collection began: a live audit is as of
    # the end of collection, so this use is inside the window and not "after the as-of time".
    recent = findings["root-recent-use"]
    assert "Root's access key 1 was used at" in recent["message"], recent["message"]
    assert "after the as-of" not in recent["message"]


def _details_good(server: MotoRoot, findings: dict[str, dict[str, Any]]) -> None:
    assert "No root use in the 90-day window" in findings["root-recent-use"]["message"]
    # rootops's device and an unassigned one are listed; neither is root's.
    assert findings["root-hardware-mfa"]["evidence"]["virtual_devices_listed"] == 2
    assert not any(STALE_NOTE in f["message"] for f in findings.values())


def _details_stock(server: MotoRoot, findings: dict[str, dict[str, Any]]) -> None:
    recent = findings["root-recent-use"]["message"]
    assert "no <root_account> row" in recent, recent
    assert "AccountAccessKeysPresent=0" in findings["root-access-keys"]["message"]
    for check_id in ("root-mfa", "root-hardware-mfa"):
        message = findings[check_id]["message"]
        assert "AccountMFAEnabled=0" in message, message
        # The ERROR names both sources that could have said whether root holds a password.
        assert "no <root_account> row" in message, message
        assert "SummaryMap has no AccountPasswordPresent" in message, message


ASSERT_DETAILS = {
    "bad": _details_bad,
    "keyuse": _details_keyuse,
    "good": _details_good,
    "selfaudit": _details_selfaudit,
    "stock": _details_stock,
}
assert set(ASSERT_DETAILS) == set(SCENARIOS)


@pytest.fixture(scope="class")
def bad_server() -> Iterator[MotoRoot]:
    with moto_root_server("bad") as running:
        yield running


def modes(root: Path) -> dict[str, int]:
    paths = [root, *root.rglob("*")]
    return {p.relative_to(root).as_posix(): stat.S_IMODE(p.lstat().st_mode) for p in paths}


class TestCollect:
    def test_collect_writes_an_owner_only_bundle_with_matching_checksums(
        self, bad_server: MotoRoot, tmp_path: Path
    ) -> None:
        out = tmp_path / "bundle"
        result = rootguard(aws_env(tmp_path, bad_server.endpoint), "collect", "--out", out, "--quiet", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert f"for {ACCOUNT_ID}" in result.stderr

        for relative, mode in modes(out).items():
            expected = 0o700 if (out / relative).is_dir() else 0o600
            assert mode == expected, f"{relative or '.'} is {mode:o}, not {expected:o}"

        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["format"] == "rootguard/evidence@1"
        assert manifest["accounts"] == [ACCOUNT_ID]
        files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
        assert set(manifest["sha256"]) == files
        assert files >= CONTRACT_FILES
        for relative, digest in manifest["sha256"].items():
            assert hashlib.sha256((out / relative).read_bytes()).hexdigest() == digest, relative

        report = json.loads((out / ACCOUNT_ID / "global/iam/get-credential-report.json").read_text())
        csv_lines = base64.b64decode(report["Content"]).decode().splitlines()
        assert csv_lines[0].startswith("user,arn,user_creation_time,")
        assert csv_lines[1].startswith(f"<root_account>,{ROOT_ARN},")
        generated = datetime.fromisoformat(report["GeneratedTime"])
        assert abs(generated - datetime.now(UTC)) < timedelta(minutes=2)
        devices = json.loads((out / ACCOUNT_ID / "global/iam/list-virtual-mfa-devices.json").read_text())
        owners = {d["SerialNumber"]: d.get("User", {}).get("Arn") for d in devices["VirtualMFADevices"]}
        assert owners[bad_server.root_device_serial] == ROOT_ARN
        assert owners[bad_server.decoy_device_serial] == f"arn:aws:iam::{ACCOUNT_ID}:user/{DECOY_USER}"
        assert "IsTruncated" not in devices
        assert "Marker" not in devices

    def test_collect_refuses_a_non_empty_directory_without_force(self, bad_server: MotoRoot, tmp_path: Path) -> None:
        out = tmp_path / "bundle"
        out.mkdir()
        keep = out / "notes.txt"
        keep.write_text("mine")
        old_manifest = out / "manifest.json"  # left by an earlier, careless copy of a bundle
        old_manifest.write_text("{}")
        old_manifest.chmod(0o644)
        env = aws_env(tmp_path, bad_server.endpoint)

        refused = rootguard(env, "collect", "--out", out, "--quiet", cwd=tmp_path)
        assert refused.returncode == 2
        assert "Traceback" not in refused.stderr
        assert refused.stderr.startswith("rootguard: error:")
        assert "not empty" in refused.stderr
        assert "--force" in refused.stderr
        assert refused.stdout == ""
        assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "notes.txt"]
        assert old_manifest.read_text() == "{}"

        forced = rootguard(env, "collect", "--out", out, "--force", "--quiet", cwd=tmp_path)
        assert forced.returncode == 0, forced.stderr
        assert keep.read_text() == "mine"
        assert json.loads(old_manifest.read_text())["accounts"] == [ACCOUNT_ID]
        for relative, mode in modes(out).items():
            if relative in {".", "notes.txt"}:
                continue  # the user's own directory and file are left as they were
            # manifest.json was 0644 before: an overwritten file is made owner-only too.
            expected = 0o700 if (out / relative).is_dir() else 0o600
            assert mode == expected, f"{relative} is {mode:o}, not {expected:o}"


@pytest.mark.parametrize(
    "command",
    [("audit", "--format", "json", "--quiet"), ("collect", "--out", "bundle", "--quiet")],
    ids=["audit", "collect"],
)
def test_no_credentials_is_one_clear_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    # Nothing listens on port 9: should rootguard reach for the network, it cannot leave the machine.
    env = aws_env(tmp_path, "http://127.0.0.1:9", credentials=False)
    result = rootguard(env, *command, cwd=tmp_path)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("rootguard: error: no AWS credentials found")
    assert result.stdout == ""
    assert not (tmp_path / "bundle").exists()


def test_the_server_helper_leaves_moto_as_it_found_it() -> None:
    from moto.iam.models import AccountSummary, IAMBackend, iam_backends
    from moto.iam.responses import IamResponse

    stock = (IAMBackend.get_credential_report, IamResponse.get_credential_report, AccountSummary.summary_map)
    with moto_root_server("bad") as server:
        assert IAMBackend.get_credential_report is not stock[0]
        assert server.client("sts").get_caller_identity()["Account"] == ACCOUNT_ID
        with pytest.raises(RuntimeError, match="already running"), moto_root_server("good"):
            pass
    assert (IAMBackend.get_credential_report, IamResponse.get_credential_report, AccountSummary.summary_map) == stock
    backend = iam_backends[ACCOUNT_ID]["global"]
    assert backend.users == {}
    assert backend.virtual_mfa_devices == {}
    assert "AccountPasswordPresent" not in backend.get_account_summary().summary_map
