"""The real CLI, as a subprocess, against a moto server that holds root state (tests/moto_root.py).

Each scenario gets one server, shared by the tests of a class. The CLI sees nothing of the
developer's AWS setup: HOME and the AWS config files point to files that do not exist.

The server answers CloudTrail LookupEvents from each scenario's event history (two enabled Regions,
one not opted in). rootguard paces LookupEvents at 2 requests per second per Region, so a live run
costs about half a second more than it did: the tests share live runs through class fixtures.
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
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import rootguard as rootguard_package
from message_rules import message_problems
from moto_root import (
    ACCOUNT_ID,
    CHECK_IDS,
    DECOY_USER,
    DENIED_MESSAGE,
    ENABLED_REGIONS,
    NOT_OPTED_IN,
    ROOT_ARN,
    ROOT_KEY_ID,
    SCENARIOS,
    HistoryEvent,
    Lookup,
    MotoRoot,
    iso,
    moto_root_server,
)

pytestmark = pytest.mark.e2e

CONTRACT_FILES = {
    f"{ACCOUNT_ID}/global/iam/get-credential-report.json",
    f"{ACCOUNT_ID}/global/iam/get-account-summary.json",
    f"{ACCOUNT_ID}/global/iam/list-virtual-mfa-devices.json",
}
STALE_NOTE = "Note: the credential report was generated at"
QUESTIONS = {"root": ("Username", "root"), "console-login": ("EventName", "ConsoleLogin"),
             "assume-root": ("EventName", "AssumeRoot")}  # fmt: skip
"""What rootguard asks LookupEvents in each Region, by the file the answer is stored in."""
LOOKUP_FILES = {
    f"{ACCOUNT_ID}/cloudtrail-logs/lookup-events/{region}/{question}.json"
    for region in ENABLED_REGIONS
    for question in QUESTIONS
}
REGIONS_FILE = f"{ACCOUNT_ID}/cloudtrail-logs/lookup-events/regions.json"
"""The Regions asked (describe-regions output), stored beside the answers: one more file read."""
LOOKBACK = timedelta(days=90)


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


def schema_problems(report: dict[str, Any]) -> list[str]:
    """Where ``report`` breaks docs/report.schema.json (contract §4); empty when it follows it."""
    from jsonschema import Draft202012Validator

    schema = json.loads((Path(__file__).parents[2] / "docs" / "report.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(report)]


def audit_json(server: MotoRoot, tmp_path: Path, *extra: str | Path) -> tuple[int, dict[str, Any], str]:
    result = rootguard(aws_env(tmp_path, server.endpoint), "audit", "--format", "json", "--quiet", *extra, cwd=tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout, f"no report on stdout (exit {result.returncode}): {result.stderr}"
    return result.returncode, json.loads(result.stdout), result.stderr


def write_config(server: MotoRoot, folder: Path) -> None:
    """The scenario's rootguard.toml in the working folder, found there as ./rootguard.toml."""
    if server.scenario.config:
        (folder / "rootguard.toml").write_text(server.scenario.config)


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
        server.cloudtrail.lookups.clear()
        write_config(server, tmp_path)
        code, report, stderr = audit_json(server, tmp_path)

        assert report["schema"] == "rootguard/report@1"
        assert schema_problems(report) == [], "docs/report.schema.json (contract §4) holds for a live report"
        assert message_problems(report) == [], "no message claims more than the evidence"
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
        assert_lookups_cover_every_enabled_region(server, as_of)
        assert_root_activity_evidence(server, findings["root-activity"], as_of)
        ASSERT_DETAILS[scenario.name](server, findings)

    def test_saved_evidence_gives_identical_findings_offline(self, server: MotoRoot, tmp_path: Path) -> None:
        bundle = tmp_path / "evidence"
        write_config(server, tmp_path)  # ./rootguard.toml: read by both runs
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


def categories(events: list[HistoryEvent]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for event in events:
        if event.category is not None:
            counted[event.category] = counted.get(event.category, 0) + 1
    return dict(sorted(counted.items()))


def assert_lookups_cover_every_enabled_region(server: MotoRoot, as_of: datetime) -> None:
    """One live run: every question in every enabled Region, over 90 days up to collection time."""
    lookups = server.cloudtrail.lookups
    asked = {(lookup.region, lookup.attributes) for lookup in lookups}
    assert asked == {(region, (pair,)) for region in ENABLED_REGIONS for pair in QUESTIONS.values()}
    assert all(lookup.region != NOT_OPTED_IN for lookup in lookups), "a not-opted-in Region was asked"
    for lookup in lookups:
        assert lookup.end is not None and lookup.start is not None
        assert timedelta(0) <= as_of - lookup.end < timedelta(minutes=1), (lookup.end, as_of)
        assert lookup.end - lookup.start == LOOKBACK, "a live collection takes all 90 days LookupEvents keeps"


def assert_root_activity_evidence(server: MotoRoot, finding: dict[str, Any], as_of: datetime) -> None:
    """What root-activity read: six LookupEvents answers, the scenario's root events, nothing skipped."""
    evidence = finding["evidence"]
    assert evidence["files"] == len(LOOKUP_FILES) + 1, evidence
    assert evidence["skipped"] == []
    assert evidence["events_by_category"] == categories(server.scenario.history), finding["message"]
    assert evidence["approved"] == 0
    assert evidence["until"] == zulu(as_of)
    assert evidence["since"] == zulu(as_of - timedelta(days=90))
    assert finding["frameworks"]["cis-aws-3.0.0"][0] == "1.7"
    # alice's sign-in is in every history, and is never root's.
    assert "198.51.100.77" not in finding["message"]


def _details_bad(server: MotoRoot, findings: dict[str, dict[str, Any]]) -> None:
    assert_stale_users(findings)
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
    activity = findings["root-activity"]
    assert activity["severity"] == "high"
    message = activity["message"]
    assert message.startswith("4 unapproved human root event(s) between "), message
    tried = zulu(server.now - timedelta(days=2, minutes=3))
    key_used = zulu(server.now - timedelta(days=3))
    for listed in (
        f"{tried} sign-in-failure signin:ConsoleLogin from 203.0.113.50, without MFA, failed: Failed authentication",
        f"{password_used} sign-in signin:ConsoleLogin from 198.51.100.23, with MFA [console]",
        "avoidable ec2:RunInstances from 198.51.100.23, with MFA [console]",
        f"{key_used} avoidable s3:ListBuckets from 192.0.2.10, MFA unknown [root-access-key]",
    ):
        assert listed in message, message


def assert_stale_users(findings: dict[str, dict[str, Any]]) -> None:
    """alice signs in without MFA; bob's key was created 400 days ago and never used (moto's quirks aside)."""
    assert "1 of 1 IAM user(s) with a console password have no MFA: 'alice'" in findings["iam-user-mfa"]["message"]
    unused = findings["iam-unused-credentials"]["evidence"]["unused"]
    assert [(u["user"], u["credential"], u["basis"], u["days"]) for u in unused] == [
        ("bob", "access key 1", "never used; created", 400)
    ]
    overdue = findings["iam-key-rotation"]["evidence"]["overdue"]
    assert [(o["user"], o["days"]) for o in overdue] == [("bob", 400)]
    assert findings["break-glass"]["message"].startswith("No break-glass principal is declared")


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
    activity = findings["root-activity"]["message"]
    assert activity.startswith("1 unapproved human root event(s) between "), activity
    assert "avoidable ec2:DescribeInstances from 192.0.2.10, MFA unknown [root-access-key]" in activity


def _details_selfaudit(server: MotoRoot, findings: dict[str, dict[str, Any]]) -> None:
    # The key was used while the report was generated, after collection began: a live audit is as of
    # the end of collection, so this use is inside the window and not "after the as-of time".
    recent = findings["root-recent-use"]
    assert "Root's access key 1 was used at" in recent["message"], recent["message"]
    assert "after the as-of" not in recent["message"]
    # Yesterday's self-audit with root's key is in event history: an IAM role could have done it.
    activity = findings["root-activity"]["message"]
    assert activity.startswith("2 unapproved human root event(s) between "), activity
    assert "avoidable iam:GenerateCredentialReport from 192.0.2.10" in activity


def _details_good(server: MotoRoot, findings: dict[str, dict[str, Any]]) -> None:
    assert "No root use in the 90-day window" in findings["root-recent-use"]["message"]
    # rootops's device and an unassigned one are listed; neither is root's.
    assert findings["root-hardware-mfa"]["evidence"]["virtual_devices_listed"] == 2
    # The break-glass declaration came from ./rootguard.toml; rootops exists and has MFA.
    assert f"user '{DECOY_USER}' exists and has MFA" in findings["break-glass"]["message"]
    assert [a["age_days"] for a in findings["break-glass"]["evidence"]["attestations"]] == [30, 30, 30]
    assert not any(STALE_NOTE in f["message"] for f in findings.values())
    activity = findings["root-activity"]["message"]
    assert activity.startswith("No unapproved human root activity between "), activity
    assert (
        "root events seen: 1 service-invoked, 0 from AssumeRoot sessions, 0 approved (7 CloudTrail input(s) read)"
        in activity
    )


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
    # Every enabled Region answered and none holds a root event: evidence of no root activity in the
    # 90 days event history keeps (the window), so PASS, not ERROR.
    activity = findings["root-activity"]["message"]
    assert activity.startswith("CloudTrail records no root activity between "), activity
    assert activity.endswith("(7 CloudTrail input(s) read)."), activity


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


def run_json(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout, f"nothing on stdout (exit {result.returncode}): {result.stderr}"
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def offline_env(tmp_path: Path) -> dict[str, str]:
    """No credentials and no endpoint: any AWS call would fail loudly."""
    return aws_env(tmp_path, None, credentials=False)


@dataclass(frozen=True)
class LookupRun:
    result: subprocess.CompletedProcess[str]
    lookups: list[Lookup]
    region_listings: list[str]


@pytest.fixture(scope="class")
def lookup_run(bad_server: MotoRoot, tmp_path_factory: pytest.TempPathFactory) -> LookupRun:
    """One `activity --lookup` run, with the server paging every two events (so pages are merged)."""
    tmp_path = tmp_path_factory.mktemp("lookup")
    bad_server.cloudtrail.lookups.clear()
    bad_server.cloudtrail.region_listings.clear()
    bad_server.cloudtrail.page_size = 2
    try:
        env = aws_env(tmp_path, bad_server.endpoint)
        result = rootguard(env, "activity", "--lookup", "--format", "json", "--quiet", cwd=tmp_path)
    finally:
        bad_server.cloudtrail.page_size = None
    return LookupRun(result, list(bad_server.cloudtrail.lookups), list(bad_server.cloudtrail.region_listings))


@pytest.fixture(scope="class")
def collected(bad_server: MotoRoot, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("collected")
    out = tmp_path / "bundle"
    result = rootguard(aws_env(tmp_path, bad_server.endpoint), "collect", "--out", out, "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return out


class TestLookup:
    """LookupEvents end to end on the "bad" account: `activity --lookup`, a collected bundle read
    offline by `audit` and `activity`, and `--no-cloudtrail`."""

    def test_activity_lookup_shows_every_root_event_once_with_its_category(
        self, bad_server: MotoRoot, lookup_run: LookupRun
    ) -> None:
        result, lookups, listings = lookup_run.result, lookup_run.lookups, lookup_run.region_listings
        document = run_json(result)

        assert result.returncode == 1, "unapproved human root activity fails (high)"
        assert result.stderr == ""
        assert document["schema"] == "rootguard/activity@1"
        as_of = datetime.fromisoformat(document["as_of"])
        assert abs(as_of - datetime.now(UTC)) < timedelta(minutes=2), "a live run is as of now"
        assert datetime.fromisoformat(document["since"]) == as_of - timedelta(days=90)
        assert document["sources"] == {"files": len(LOOKUP_FILES) + 1, "records": document["sources"]["records"],
                                       "skipped": []}  # fmt: skip

        events = document["events"]
        ids = [e["event_id"] for e in events]
        assert len(ids) == len(set(ids)), "the root ConsoleLogin is found by two questions and listed once"
        expected = {e.event_id: e.category for e in bad_server.scenario.root_events}
        assert {e["event_id"]: e["category"] for e in events} == expected
        assert [e["event_time"] for e in events] == sorted(e["event_time"] for e in events)
        for event in events:
            assert event["account_id"] == ACCOUNT_ID
            assert event["approval"] is None
            assert event["source"] in LOOKUP_FILES, event["source"]
        by_name = {(e["event_name"], e["category"]): e for e in events}

        failed = by_name["ConsoleLogin", "sign-in-failure"]
        assert (failed["mfa"], failed["error_code"], failed["source_ip"]) == (
            False,
            "Failed authentication",
            "203.0.113.50",
        )
        assert failed["source"].endswith("/us-east-1/console-login.json"), "only the ConsoleLogin question finds it"
        login = by_name["ConsoleLogin", "sign-in"]
        assert (login["mfa"], login["region"], login["error_code"]) == (True, "us-east-1", None)
        action = by_name["RunInstances", "avoidable"]
        assert (action["region"], action["mfa"], action["event_source"]) == ("eu-west-1", True, "ec2.amazonaws.com")
        assert "console" in action["flags"]
        assert action["session_id"] == login["session_id"], "the console action belongs to the sign-in before it"
        key_call = by_name["ListBuckets", "avoidable"]
        assert key_call["flags"] == ["root-access-key"]
        assert (key_call["access_key_id"], key_call["mfa"]) == (ROOT_KEY_ID, None)

        sessions = {s["session_id"]: s for s in document["sessions"]}
        assert set(sessions) == {e["session_id"] for e in events}
        assert sorted((s["kind"], s["events"]) for s in sessions.values()) == [
            ("access-key", 1),
            ("console", 2),
            ("sign-in-failure", 1),
        ]
        console = sessions[login["session_id"]]
        assert console["source_ips"] == ["198.51.100.23"]
        assert console["regions"] == ["eu-west-1", "us-east-1"]
        assert (console["start"], console["end"]) == (login["event_time"], action["event_time"])
        assert sessions[key_call["session_id"]]["source_ips"] == ["192.0.2.10"]

        # What rootguard asked: one DescribeRegions, each question in each enabled Region, pages followed.
        assert len(listings) == 1
        assert {(lookup.region, lookup.attributes) for lookup in lookups} == {
            (region, (pair,)) for region in ENABLED_REGIONS for pair in QUESTIONS.values()
        }
        assert all(lookup.region != NOT_OPTED_IN for lookup in lookups)
        followed = [lookup for lookup in lookups if lookup.next_token]
        assert [(lookup.region, lookup.attributes) for lookup in followed] == [
            ("us-east-1", (QUESTIONS["console-login"],))
        ], "three ConsoleLogin events in us-east-1 take two pages of two"
        for lookup in lookups:
            assert lookup.start is not None and lookup.end is not None
            assert lookup.end - lookup.start == timedelta(days=90), "--since defaults to the 90-day window"
            assert timedelta(0) <= as_of - lookup.end < timedelta(minutes=1)

    def test_collect_stores_lookup_events_and_audit_reproduces_the_verdict_offline(
        self, bad_server: MotoRoot, collected: Path, tmp_path: Path
    ) -> None:
        manifest = json.loads((collected / "manifest.json").read_text())
        stored = {p.relative_to(collected).as_posix() for p in collected.rglob("*.json")}
        assert {p for p in stored if "/cloudtrail-logs/" in p} == LOOKUP_FILES | {REGIONS_FILE}
        assert set(manifest["sha256"]) >= LOOKUP_FILES | {REGIONS_FILE}
        regions = json.loads((collected / REGIONS_FILE).read_text())["Regions"]
        assert [r["RegionName"] for r in regions] == sorted(ENABLED_REGIONS)

        # As `aws cloudtrail lookup-events --output json` prints it: pages merged, dates as text.
        console = json.loads((collected / ACCOUNT_ID / "cloudtrail-logs/lookup-events/us-east-1/console-login.json")
                             .read_text())  # fmt: skip
        assert set(console) == {"Events", "StartTime", "EndTime"}, "the answer says the period it asked"
        asked = datetime.fromisoformat(console["EndTime"]) - datetime.fromisoformat(console["StartTime"])
        assert asked == LOOKBACK
        assert [e.get("Username") for e in console["Events"]] == ["alice", "root", None], "newest first"
        for event in console["Events"]:
            datetime.fromisoformat(event["EventTime"])
            assert json.loads(event["CloudTrailEvent"])["eventID"] == event["EventId"]
        nothing = json.loads((collected / ACCOUNT_ID / "cloudtrail-logs/lookup-events/eu-west-1/assume-root.json")
                             .read_text())  # fmt: skip
        assert nothing == {"Events": [], "StartTime": console["StartTime"], "EndTime": console["EndTime"]}

        offline = rootguard(
            offline_env(tmp_path), "audit", "--evidence", collected, "--format", "json", "--quiet", cwd=tmp_path
        )
        report = run_json(offline)
        assert offline.returncode == 1
        finding = findings_by_id(report)["root-activity"]
        assert finding["status"] == "FAIL"
        assert finding["severity"] == "high"
        assert finding["message"].startswith("4 unapproved human root event(s) between ")
        as_of = datetime.fromisoformat(manifest["collected_at"])
        assert datetime.fromisoformat(report["as_of"]) == as_of
        assert_root_activity_evidence(bad_server, finding, as_of)

    def test_activity_reads_the_collected_bundle_as_it_read_the_api(
        self,
        collected: Path,
        lookup_run: LookupRun,
        tmp_path: Path,
    ) -> None:
        live = run_json(lookup_run.result)
        result = rootguard(
            offline_env(tmp_path), "activity", "--evidence", collected, "--format", "json", "--quiet", cwd=tmp_path
        )
        document = run_json(result)

        assert result.returncode == 1
        assert document["schema"] == "rootguard/activity@1"
        collected_at = json.loads((collected / "manifest.json").read_text())["collected_at"]
        assert datetime.fromisoformat(document["as_of"]) == datetime.fromisoformat(collected_at)
        assert document["sources"]["files"] == len(LOOKUP_FILES) + 1
        assert document["sources"]["skipped"] == []
        # The same records, sources (bundle paths), categories and session ids as the live lookup.
        assert document["events"] == live["events"]
        assert document["sessions"] == live["sessions"]

    def test_no_cloudtrail_skips_lookup_events_and_the_checks_that_need_them(
        self, bad_server: MotoRoot, tmp_path: Path
    ) -> None:
        bad_server.cloudtrail.lookups.clear()
        bad_server.cloudtrail.region_listings.clear()
        bundle = tmp_path / "bundle"

        # --no-alerting too: the alerting paths list the Regions as well (tests/e2e/test_alerting_moto.py).
        code, report, stderr = audit_json(bad_server, tmp_path, "--no-cloudtrail", "--no-alerting")
        collect = rootguard(
            aws_env(tmp_path, bad_server.endpoint),
            "collect",
            "--no-cloudtrail",
            "--no-alerting",
            "--out",
            bundle,
            "--quiet",
            cwd=tmp_path,
        )

        assert bad_server.cloudtrail.lookups == []
        assert bad_server.cloudtrail.region_listings == [], "no DescribeRegions either"
        assert code == 1, stderr
        findings = findings_by_id(report)
        activity = findings["root-activity"]
        assert activity["status"] == "SKIPPED", "the user's choice is not a failure to evaluate"
        assert "--no-cloudtrail was given" in activity["message"]
        assert activity["evidence"] == {"skipped": ["--no-cloudtrail was given"]}
        for check_id in ("root-usage-alarm", "root-alerting", "root-config-rules", "root-watcher-health"):
            assert findings[check_id]["status"] == "SKIPPED"
            assert "--no-alerting was given" in findings[check_id]["message"]
        assert report["summary"]["SKIPPED"] == 5
        assert report["summary"]["ERROR"] == 0
        assert findings["root-recent-use"]["status"] == "FAIL", "the other checks are unaffected"

        assert collect.returncode == 0, collect.stderr
        assert (bundle / ACCOUNT_ID / "global/iam/get-credential-report.json").is_file()
        assert not (bundle / ACCOUNT_ID / "cloudtrail-logs").exists()
        offline = rootguard(
            offline_env(tmp_path), "activity", "--evidence", bundle, "--format", "json", "--quiet", cwd=tmp_path
        )
        document = run_json(offline)
        assert offline.returncode == 3, "nothing could be read: not clean, not failed"
        assert document["events"] == []
        assert [s["path"] for s in document["sources"]["skipped"]] == [f"{ACCOUNT_ID}/cloudtrail-logs/"]
        replay = rootguard(offline_env(tmp_path), "audit", "--evidence", bundle, "--format", "json", cwd=tmp_path)
        assert json.loads((bundle / "manifest.json").read_text())["skipped"] == {
            "cloudtrail": "--no-cloudtrail was given",
            "alerting": "--no-alerting was given",
        }
        replayed = findings_by_id(run_json(replay))
        assert {c: f["status"] for c, f in replayed.items() if f["status"] == "SKIPPED"} == dict.fromkeys(
            ("root-activity", "root-usage-alarm", "root-alerting", "root-config-rules", "root-watcher-health"),
            "SKIPPED",
        ), "the bundle remembers the choice"


def test_a_region_that_refuses_lookup_events_makes_root_activity_error(tmp_path: Path) -> None:
    """ "good" passes everything, until one Region refuses LookupEvents: then root-activity is ERROR (exit 3)."""
    bundle = tmp_path / "bundle"
    with moto_root_server("good", deny_lookup=("eu-west-1",)) as server:
        write_config(server, tmp_path)
        code, report, stderr = audit_json(server, tmp_path, "--save-evidence", bundle)
        asked = [(lookup.region, lookup.next_token) for lookup in server.cloudtrail.lookups]

    assert code == 3, stderr
    findings = findings_by_id(report)
    assert {k: f["status"] for k, f in findings.items() if f["status"] != "PASS"} == {"root-activity": "ERROR"}
    assert report["summary"] == {
        "PASS": len(CHECK_IDS) - 1, "FAIL": 0, "MANUAL": 0, "ERROR": 1, "NOT_APPLICABLE": 0, "SKIPPED": 0
    }  # fmt: skip
    assert asked.count(("eu-west-1", None)) == len(QUESTIONS), "a refusal is stored, not retried or paged"

    activity = findings["root-activity"]
    denied = sorted(f"{ACCOUNT_ID}/cloudtrail-logs/lookup-events/eu-west-1/{q}.json" for q in QUESTIONS)
    skipped = activity["evidence"]["skipped"]
    assert sorted(s["path"] for s in skipped) == denied
    for item in skipped:
        # The collector's Category (denied) words the reason; a refusal is the one case a grant fixes.
        assert item["reason"].startswith(
            f"cloudtrail:LookupEvents access denied (AccessDeniedException): {DENIED_MESSAGE}"
        ), item
        assert "grant cloudtrail:LookupEvents" in item["reason"]
    # us-east-1 was read: what it holds is still reported.
    assert activity["evidence"]["events_by_category"] == {"service-invoked": 1}
    message = activity["message"]
    assert message.startswith("No unapproved root activity in what could be read, but not everything could be.")
    assert "3 CloudTrail input(s) could not be read" in message
    assert "AccessDeniedException" in message

    for path in denied:
        error = json.loads((bundle / path).read_text())["Error"]  # §5's Code and Message, and the edge's fields
        assert {key: error[key] for key in ("Code", "Message")} == {
            "Code": "AccessDeniedException",
            "Message": DENIED_MESSAGE,
        }
        assert (error["Category"], error["Operation"], error["Region"]) == (
            "denied",
            "cloudtrail:LookupEvents",
            "eu-west-1",
        )
    offline = rootguard(
        offline_env(tmp_path), "audit", "--evidence", bundle, "--format", "json", "--quiet", cwd=tmp_path
    )
    assert offline.returncode == 3
    assert findings_by_id(run_json(offline))["root-activity"] == activity

    result = rootguard(
        offline_env(tmp_path), "activity", "--evidence", bundle, "--format", "json", "--quiet", cwd=tmp_path
    )
    document = run_json(result)
    assert result.returncode == 3
    assert sorted(s["path"] for s in document["sources"]["skipped"]) == denied
    assert [e["category"] for e in document["events"]] == ["service-invoked"]


def test_a_window_beyond_event_history_is_never_a_pass(tmp_path: Path) -> None:
    """LookupEvents keeps 90 days: a year-long window cannot be vouched for from it."""
    with moto_root_server("good") as server:
        code, report, stderr = audit_json(server, tmp_path, "--window", "365")
        env = aws_env(tmp_path, server.endpoint)
        result = rootguard(env, "activity", "--lookup", "--since", "365", "--format", "json", "--quiet", cwd=tmp_path)
    findings = findings_by_id(report)
    # The password used 200 days ago now falls inside the window: that FAIL decides the exit code.
    assert code == 1, stderr
    assert findings["root-recent-use"]["status"] == "FAIL"
    assert findings["root-activity"]["status"] == "ERROR"
    assert "keeps 90 days" in findings["root-activity"]["message"]
    assert result.returncode == 3
    reasons = [s["reason"] for s in run_json(result)["sources"]["skipped"]]
    assert any("event history keeps 90 days" in r for r in reasons)


@pytest.mark.parametrize(
    "command",
    [
        ("audit", "--format", "json", "--quiet"),
        ("collect", "--out", "bundle", "--quiet"),
        ("activity", "--lookup", "--format", "json", "--quiet"),
    ],
    ids=["audit", "collect", "activity-lookup"],
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
    from moto.cloudtrail.responses import CloudTrailResponse
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend
    from moto.iam.models import AccountSummary, IAMBackend, iam_backends
    from moto.iam.responses import IamResponse

    stock = (IAMBackend.get_credential_report, IamResponse.get_credential_report, AccountSummary.summary_map)
    regions = RegionsAndZonesBackend.describe_regions
    assert not hasattr(CloudTrailResponse, "lookup_events"), "moto 5.2.5 has no LookupEvents of its own"
    with moto_root_server("bad") as server:
        assert IAMBackend.get_credential_report is not stock[0]
        assert hasattr(CloudTrailResponse, "lookup_events")
        assert server.client("sts").get_caller_identity()["Account"] == ACCOUNT_ID
        with pytest.raises(RuntimeError, match="already running"), moto_root_server("good"):
            pass
    assert (IAMBackend.get_credential_report, IamResponse.get_credential_report, AccountSummary.summary_map) == stock
    assert not hasattr(CloudTrailResponse, "lookup_events")
    assert RegionsAndZonesBackend.describe_regions is regions
    backend = iam_backends[ACCOUNT_ID]["global"]
    assert backend.users == {}
    assert backend.virtual_mfa_devices == {}
    assert "AccountPasswordPresent" not in backend.get_account_summary().summary_map


def test_the_server_answers_lookup_events_as_cloudtrail_does() -> None:
    """The fake itself: Regions, one attribute, time bounds, paging, newest first, refusals."""
    from botocore.exceptions import ClientError

    from moto_root import _moment

    with moto_root_server("bad") as server:
        regions = server.client("ec2").describe_regions(AllRegions=False)["Regions"]
        assert {r["RegionName"]: r["OptInStatus"] for r in regions} == {
            "eu-west-1": "opt-in-not-required",
            "us-east-1": "opt-in-not-required",
            NOT_OPTED_IN: "not-opted-in",  # moto ignores AllRegions; rootguard must drop it itself
        }
        trail = server.client("cloudtrail")
        history = {e.event_id: e for e in server.scenario.history}

        def names(answer: dict[str, Any]) -> list[tuple[str, str | None]]:
            return [(e["EventName"], e.get("Username")) for e in answer["Events"]]

        by_root = trail.lookup_events(LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "root"}])
        assert names(by_root) == [("ConsoleLogin", "root"), ("ListBuckets", "root")], "us-east-1 only, newest first"
        assert "NextToken" not in by_root
        (login, key_call) = by_root["Events"]
        assert json.loads(login["CloudTrailEvent"]) == history[login["EventId"]].record
        assert login["EventTime"] == history[login["EventId"]].event_time
        assert (login["ReadOnly"], key_call["ReadOnly"], key_call["AccessKeyId"]) == ("false", "true", ROOT_KEY_ID)
        assert "AccessKeyId" not in login

        console = {"AttributeKey": "EventName", "AttributeValue": "ConsoleLogin"}
        everything = trail.lookup_events(LookupAttributes=[console])
        assert names(everything) == [("ConsoleLogin", "alice"), ("ConsoleLogin", "root"), ("ConsoleLogin", None)]
        pages = list(
            trail.get_paginator("lookup_events").paginate(LookupAttributes=[console], PaginationConfig={"PageSize": 1})
        )
        assert [len(page["Events"]) for page in pages] == [1, 1, 1]
        assert [e["EventId"] for page in pages for e in page["Events"]] == [e["EventId"] for e in everything["Events"]]

        two_days_ago = server.now - timedelta(days=2)
        recent = trail.lookup_events(LookupAttributes=[console], StartTime=two_days_ago)
        assert names(recent) == [("ConsoleLogin", "alice"), ("ConsoleLogin", "root")], "StartTime is inclusive"
        older = trail.lookup_events(LookupAttributes=[console], EndTime=two_days_ago - timedelta(seconds=1))
        assert names(older) == [("ConsoleLogin", None)]
        assert _moment("2026-11-20T12:00:00Z") == _moment(datetime(2026, 11, 20, 12, tzinfo=UTC).timestamp())

        in_ireland = server.client("cloudtrail", "eu-west-1").lookup_events(
            LookupAttributes=[{"AttributeKey": "Username", "AttributeValue": "root"}]
        )
        assert names(in_ireland) == [("RunInstances", "root")], "each Region has its own event history"

        first = trail.lookup_events(LookupAttributes=[console], MaxResults=1)
        refusals = {
            "InvalidNextTokenException": {"NextToken": first["NextToken"]},  # a token from another query
            "InvalidLookupAttributesException": {"LookupAttributes": [console, console]},
            "InvalidMaxResultsException": {"MaxResults": 51},
        }
        for code, request in refusals.items():
            with pytest.raises(ClientError) as refused:
                trail.lookup_events(**request)
            assert refused.value.response["Error"]["Code"] == code

        server.cloudtrail.denied.add("us-east-1")
        with pytest.raises(ClientError) as denied:
            trail.lookup_events()
        assert denied.value.response["Error"] == {"Code": "AccessDeniedException", "Message": DENIED_MESSAGE}


def test_a_region_limited_audit_passes_nothing_that_needs_every_region(tmp_path: Path) -> None:
    """ "good" passes everything; read in us-east-1 only, the checks whose PASS speaks for every Region are
    SKIPPED with the reason (exit 0: the user's choice is not a failure), and the saved bundle remembers it."""
    bundle = tmp_path / "bundle"
    with moto_root_server("good") as server:
        write_config(server, tmp_path)
        code, report, stderr = audit_json(server, tmp_path, "--regions", "us-east-1", "--save-evidence", bundle)
        asked = {lookup.region for lookup in server.cloudtrail.lookups}

    assert code == 0, stderr
    assert asked == {"us-east-1"}
    findings = findings_by_id(report)
    skipped = {k for k, f in findings.items() if f["status"] == "SKIPPED"}
    assert skipped == {"root-activity", "root-alerting", "root-config-rules", "root-watcher-health"}
    for check_id in skipped:
        assert findings[check_id]["message"].startswith(
            "Not evaluated over every enabled Region: --regions limited the scan to us-east-1. In the Regions read: "
        )
    assert {f["status"] for k, f in findings.items() if k not in skipped} == {"PASS"}
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["skipped"] == {"regions": "--regions limited the scan to us-east-1"}
    replay = rootguard(offline_env(tmp_path), "audit", "--evidence", bundle, "--format", "json", cwd=tmp_path)
    assert {k for k, f in findings_by_id(run_json(replay)).items() if f["status"] == "SKIPPED"} == skipped
