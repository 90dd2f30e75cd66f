"""The README's organization path, as a subprocess, against an Organization on 127.0.0.1 (tests/moto_organization.py).

With the management account's credentials (moto's ``testing`` key), ``rootguard org audit --format json``
audits the 22 members of ``ORG_PLAN`` and the management account; ``rootguard org collect --out DIR``
then ``rootguard audit --evidence DIR`` gives the same verdicts offline. Every row is checked: its status,
its organization checks, SKIPPED with the state for suspended and closed members, the ERROR kind of a
denied probe. ``--no-alerting`` keeps every row about root (the alerting paths have their own e2e tests,
and with no alarms anywhere every row would FAIL on them) and the run short.

The live runs are shared by the tests (module fixture): about 30 s on the 2-core machine (45 s at load 10).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from test_cli_moto import aws_env, rootguard

from moto_org_root import AUDIT_TASK
from moto_organization import (
    ACCESS_KEY,
    AUDIT_ROLE,
    CERTIFICATE,
    HARDWARE_MFA,
    MANAGEMENT_ID,
    ORG_PLAN,
    PASSWORD,
    VIRTUAL_MFA,
    Member,
    MotoOrg,
    moto_org_server,
)

pytestmark = pytest.mark.e2e

RANK = ("FAIL", "ERROR", "MANUAL", "SKIPPED", "NOT_APPLICABLE", "PASS")
"""A row's status is its worst finding's, in the matrix's order (report/matrix.py)."""
EXIT_CODES = {"FAIL": 1, "ERROR": 3}
LIVE_OPTIONS = ("--no-alerting", "--quiet")
KINDS = {
    PASSWORD: ("password", None),
    ACCESS_KEY: ("access-key", None),
    VIRTUAL_MFA: ("mfa-device", "virtual"),
    HARDWARE_MFA: ("mfa-device", "hardware"),
    CERTIFICATE: ("signing-certificate", None),
}
SCP_BROKEN = {"legacy-erp", "legacy-crm"}
"""Under the NotAction allow-list SCP: AssumeRoot tasks are denied."""
SCP_MISSING = {"research-ml", "lab-genomics"}
"""Under Research, where no SCP denies root (research-hpc has the SCP attached to the account itself)."""


@dataclass
class Runs:
    org: MotoOrg
    audit: tuple[int, dict[str, Any], str]
    collect: tuple[int, str]
    replay: tuple[int, dict[str, Any], str]
    bundle: Path
    selected: dict[str, tuple[int, dict[str, Any]]]
    """Runs limited with --accounts, by the member names given."""


def run_json(env: dict[str, str], cwd: Path, *args: str | Path) -> tuple[int, dict[str, Any], str]:
    result = rootguard(env, *args, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stdout, f"no report (exit {result.returncode}): {result.stderr}"
    return result.returncode, json.loads(result.stdout), result.stderr


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    folder = tmp_path_factory.mktemp("org")
    bundle = folder / "org-evidence"
    with moto_org_server() as org:
        env = aws_env(folder, org.endpoint)
        audit = run_json(env, folder, "org", "audit", "--format", "json", *LIVE_OPTIONS)
        collected = rootguard(env, "org", "collect", "--out", bundle, *LIVE_OPTIONS, cwd=folder)
        selected = {}
        for names in (("prod-eu-web", "sandbox-root-denied"),):
            ids = ",".join(org.account(name) for name in names)
            code, report, _ = run_json(
                env, folder, "org", "audit", "--format", "json", "--accounts", ids, *LIVE_OPTIONS
            )
            selected[",".join(names)] = (code, report)
        offline = aws_env(folder, None, credentials=False)
        replay = run_json(offline, folder, "audit", "--evidence", bundle, "--format", "json", "--quiet")
        yield Runs(org, audit, (collected.returncode, collected.stderr), replay, bundle, selected)


def rows(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {account["account_id"]: account for account in report["accounts"]}


def statuses(account: dict[str, Any]) -> dict[str, str]:
    return {finding["check_id"]: finding["status"] for finding in account["findings"]}


def row_status(account: dict[str, Any]) -> str:
    found = set(statuses(account).values())
    return next(status for status in RANK if status in found)


def expected_row(member: Member) -> str:
    if member.state != "ACTIVE":
        return "SKIPPED"
    if member.root or member.name in SCP_BROKEN | SCP_MISSING:
        return "FAIL"
    if member.audit_role_denied or member.assume_root_denied:
        return "ERROR"
    return "MANUAL"  # break-glass: nothing declares who breaks the glass


def test_every_member_has_its_row_with_the_expected_status(runs: Runs) -> None:
    code, report, stderr = runs.audit
    org = runs.org
    by_id = rows(report)
    assert [a["account_id"] for a in report["accounts"]] == [MANAGEMENT_ID, *org.account_ids.values()]
    problems = []
    for member in ORG_PLAN.members:
        account = by_id[org.account(member.name)]
        assert account["name"] == member.name
        assert not account.get("management")
        path = "/".join(member.ou)
        assert account["ou_path"].endswith(path) and account["ou_path"].startswith("Root"), account["ou_path"]
        assert account["state"] == ("ACTIVE" if member.status_only else member.state), (
            "Status is read when State is not"
        )
        if row_status(account) != expected_row(member):
            problems.append((member.name, row_status(account), expected_row(member), statuses(account)))
    assert problems == []
    management = by_id[MANAGEMENT_ID]
    assert management["management"] is True
    checks = statuses(management)
    assert checks["org-root-credentials-centralized"] == "PASS"
    assert checks["org-member-root-credentials"] == checks["org-scp-deny-root"] == "NOT_APPLICABLE"
    # One member's CloudTrail could not be read (its audit role is refused): the roll-up cannot vouch for it.
    assert checks["org-root-activity"] == "ERROR"
    assert org.account("prod-audit-denied") in management_finding(report, "org-root-activity")["message"]
    assert code == 1, stderr


def management_finding(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    (finding,) = [f for f in rows(report)[MANAGEMENT_ID]["findings"] if f["check_id"] == check_id]
    return finding


def finding(runs: Runs, name: str, check_id: str) -> dict[str, Any]:
    account = rows(runs.audit[1])[runs.org.account(name)]
    (found,) = [f for f in account["findings"] if f["check_id"] == check_id]
    return found


def test_member_root_credentials_are_what_each_root_holds(runs: Runs) -> None:
    for member in ORG_PLAN.members:
        if member.state != "ACTIVE":
            continue
        result = finding(runs, member.name, "org-member-root-credentials")
        if member.assume_root_denied:
            assert result["status"] == "ERROR"
            assert result["evidence"]["probe_error"] == "assume-denied"
            assert result["evidence"]["credentials"] is None, "not an empty list: nothing was read"
            assert "sts:AssumeRoot" in result["message"]
            continue
        held = sorted((c["kind"], c["mfa_type"]) for c in result["evidence"]["credentials"])
        assert held == sorted(KINDS[kind] for kind in member.root), member.name
        assert result["status"] == ("FAIL" if member.root else "PASS"), (member.name, result["message"])
    keys = finding(runs, "prod-eu-keys", "org-member-root-credentials")["evidence"]["credentials"]
    assert [(k["status"], k["last_used"] is not None) for k in keys] == [("Active", True)], "last use is read"


def test_scp_verdict_follows_the_effective_policies_on_each_path(runs: Runs) -> None:
    for member in ORG_PLAN.members:
        if member.state != "ACTIVE":
            continue
        result = finding(runs, member.name, "org-scp-deny-root")
        expected = "FAIL" if member.name in SCP_BROKEN | SCP_MISSING else "PASS"
        assert result["status"] == expected, (member.name, result["message"])
    assert "AssumeRoot sessions cannot do their tasks" in finding(runs, "legacy-erp", "org-scp-deny-root")["message"]
    assert "root user is not denied" in finding(runs, "research-ml", "org-scp-deny-root")["message"]
    levels = finding(runs, "research-hpc", "org-scp-deny-root")["evidence"]["levels"]
    assert levels[-1]["target"] == runs.org.account("research-hpc"), "the SCP on the account itself counts"


def test_suspended_and_closed_members_are_skipped_with_their_state(runs: Runs) -> None:
    org = runs.org
    for member in ORG_PLAN.members:
        if member.state == "ACTIVE":
            continue
        account = rows(runs.audit[1])[org.account(member.name)]
        for result in account["findings"]:
            assert result["status"] == "SKIPPED"
            assert result["evidence"]["state"] == member.state
            assert member.state in result["message"]
        assert not (runs.bundle / org.account(member.name)).exists(), "a row, and no files"
        asked = {target for target, _task, _duration in org.state.assume_root_calls}
        assert org.account(member.name) not in asked, "not probed"


def test_a_denied_audit_role_is_an_error_where_the_member_audit_would_be(runs: Runs) -> None:
    denied = runs.org.account("prod-audit-denied")
    error = json.loads((runs.bundle / denied / "global/sts/assume-role.json").read_text())["Error"]
    assert (error["Code"], error["Category"], error["Operation"]) == ("AccessDenied", "denied", "sts:AssumeRole")
    assert f"arn:aws:iam::{denied}:role/{AUDIT_ROLE}" in error["Message"]
    single = {k: v for k, v in statuses(rows(runs.audit[1])[denied]).items() if not k.startswith("org-")}
    assert {v for k, v in single.items() if k not in ("break-glass", "root-usage-alarm", "root-alerting",
                                                        "root-config-rules")} == {"ERROR"}  # fmt: skip
    assert finding(runs, "prod-audit-denied", "org-member-root-credentials")["status"] == "PASS", "probes independent"


def test_a_denied_audit_role_is_named_by_the_checks_it_stops(runs: Runs) -> None:
    """Contract §5.7: the checks that need the member's files are ERROR naming the role."""
    result = finding(runs, "prod-audit-denied", "root-mfa")
    assert result["status"] == "ERROR"
    assert "AssumeRole" in result["message"] or AUDIT_ROLE in result["message"], result["message"]


def test_counts_add_up_to_the_accounts_listed(runs: Runs) -> None:
    report = runs.audit[1]
    listed = len(ORG_PLAN.members) + 1
    organization = report["organization"]
    assert organization["management_account_id"] == MANAGEMENT_ID
    assert organization["organization_id"] == runs.org.organization_id
    assert organization["listed_accounts"] == listed == len(report["accounts"]) + len(organization["excluded"])
    by_row = Counter(row_status(account) for account in report["accounts"])
    assert sum(by_row.values()) == listed
    assert by_row == Counter(["ERROR"] + [expected_row(member) for member in ORG_PLAN.members]), (
        "the management row is ERROR: org-root-activity"
    )
    findings = Counter(f["status"] for account in report["accounts"] for f in account["findings"])
    assert report["summary"] == {status: findings.get(status, 0) for status in report["summary"]}


def test_selection_names_the_rest_and_the_exit_code_is_the_worst_status(runs: Runs) -> None:
    org = runs.org
    for names, (code, report) in runs.selected.items():
        chosen = [org.account(name) for name in names.split(",")]
        assert [a["account_id"] for a in report["accounts"]] == chosen
        excluded = report["organization"]["excluded"]
        assert set(excluded) == {MANAGEMENT_ID, *org.account_ids.values()} - set(chosen), "never dropped silently"
        assert report["organization"]["listed_accounts"] == len(ORG_PLAN.members) + 1
        worst = min((row_status(a) for a in report["accounts"]), key=RANK.index)
        assert code == EXIT_CODES.get(worst, 0), (names, worst)
    assert runs.selected["prod-eu-web,sandbox-root-denied"][0] == 3, "ERROR is the worst: MANUAL never fails a run"


def test_collect_then_offline_audit_gives_the_same_verdicts(runs: Runs) -> None:
    collect_code, collect_stderr = runs.collect
    assert collect_code == 3, collect_stderr  # written, but the denied probes' evidence could not be collected
    assert "Traceback" not in collect_stderr
    manifest = json.loads((runs.bundle / "manifest.json").read_text())
    assert manifest["accounts"] == [MANAGEMENT_ID, *runs.org.account_ids.values()]
    code, replay, stderr = runs.replay
    live_code, live, _ = runs.audit
    assert code == live_code, stderr
    assert {a: statuses(r) for a, r in rows(replay).items()} == {a: statuses(r) for a, r in rows(live).items()}
    assert replay["summary"] == live["summary"]
    assert replay["organization"] == live["organization"]


def test_no_secret_is_written_or_printed(runs: Runs) -> None:
    secrets = runs.org.state.issued_secrets
    assert len(secrets) >= 2 * 19, "every AssumeRole and AssumeRoot answer handed out a secret and a token"
    texts = [json.dumps(runs.audit[1]), runs.audit[2], runs.collect[1], json.dumps(runs.replay[1])]
    files = [path for path in runs.bundle.rglob("*") if path.is_file()]
    texts += [path.read_text() for path in files]
    for text in texts:
        assert "SecretAccessKey" not in text and "SessionToken" not in text
        assert not [secret for secret in secrets if secret in text]
    session = json.loads((runs.bundle / runs.org.account("dev-tools") / "assume-root/sts/assume-root.json").read_text())
    assert set(session["Credentials"]) == {"AccessKeyId", "Expiration"}, "the key id stays: CloudTrail names it"


def test_assume_root_was_asked_as_aws_requires(runs: Runs) -> None:
    calls = runs.org.state.assume_root_calls
    assert calls, "AssumeRoot was called"
    assert {task for _target, task, _duration in calls} == {AUDIT_TASK}
    assert all(0 < duration <= 900 for _target, _task, duration in calls)
    assert MANAGEMENT_ID not in {target for target, _task, _duration in calls}, "AssumeRoot cannot target it"
