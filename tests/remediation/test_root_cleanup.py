"""The member root-credential clean-up: the plan, `--apply` through AssumeRoot, the confirmation, the log.

AWS is botocore's Stubber on the clients rootguard's own edge makes (``Aws.client``), so every request
is checked against the real API model and the exact parameters (no ``UserName``: the root user).
moto models neither AssumeRoot nor root sessions.
"""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber

from rootguard.app import org_remediate
from rootguard.app.cleanup_log import AppendOnlyLog
from rootguard.cli.main import main
from rootguard.collect.aws import Aws
from rootguard.errors import OutputError
from rootguard.model.findings import AccountResult, AuditReport, Finding, OrganizationInfo, Severity, Status
from rootguard.model.root_cleanup import (
    DELETE_ROOT_TASK_POLICY,
    CleanupPlan,
    CredentialKind,
    HeldCredential,
    MemberPlan,
    StepOutcome,
)

ALICE, BOB, CAROL, MGMT = "111111111111", "222222222222", "333333333333", "999999999999"
VIRTUAL = f"arn:aws:iam::{ALICE}:mfa/root-account-mfa-device"

# --- the plan ---------------------------------------------------------------------------------------


def credential(kind: str, id_: str, **extra: Any) -> dict[str, Any]:
    return {"kind": kind, "id": id_, "status": None, "created": None, "last_used": None, "mfa_type": None} | extra


def finding(status: str, credentials: Any, message: str = "") -> dict[str, Any]:
    return {
        "check_id": "org-member-root-credentials",
        "status": status,
        "message": message,
        "evidence": {"credentials": credentials, "gaps": []},
    }


ALICE_CREDENTIALS = [
    credential("mfa-device", VIRTUAL, mfa_type="virtual"),
    credential("access-key", "AKIAALICE00000000001", status="Active", last_used="2026-11-01T10:00:00Z"),
    credential("password", "login-profile", created="2019-01-01T00:00:00Z"),
    credential("signing-certificate", "CERTALICE0000000000000000000001", status="Active"),
]


def org_report(tmp_path: Path, accounts: list[dict[str, Any]] | None = None) -> Path:
    report = {
        "schema": "rootguard/report@1",
        "organization": {"organization_id": "o-abcdefghij", "management_account_id": MGMT, "listed_accounts": 5},
        "accounts": accounts
        if accounts is not None
        else [
            {"account_id": MGMT, "management": True, "findings": [finding("FAIL", [credential("password", "x")])]},
            {
                "account_id": ALICE,
                "name": "alice\x1b[31m",
                "ou_path": "Root/Prod",
                "findings": [finding("FAIL", ALICE_CREDENTIALS)],
            },
            {
                "account_id": BOB,
                "name": "bob",
                "findings": [finding("FAIL", [credential("access-key", "AKIABOB0000000000001")])],
            },
            {"account_id": CAROL, "findings": [finding("PASS", [])]},
            {"account_id": "444444444444", "findings": [finding("ERROR", None, "AssumeRoot: AccessDenied")]},
            {"account_id": "555555555555", "findings": [{"check_id": "root-mfa", "status": "FAIL"}]},
        ],
    }
    path = tmp_path / "org-report.json"
    path.write_text(json.dumps(report))
    return path


def test_the_plan_lists_what_each_member_holds_and_never_calls_unknown_clean(tmp_path: Path) -> None:
    plan = org_remediate.plan_from_report_file(org_report(tmp_path))
    assert [member.account_id for member in plan.members] == [ALICE, BOB]  # never the management account
    assert plan.clean == (CAROL,)
    assert plan.unknown == (("444444444444", "ERROR: AssumeRoot: AccessDenied"),)
    alice = plan.members[0]
    assert [c.kind for c in alice.ordered()] == [
        CredentialKind.PASSWORD,
        CredentialKind.ACCESS_KEY,
        CredentialKind.SIGNING_CERTIFICATE,
        CredentialKind.MFA_DEVICE,  # last: a password left by a failure stays behind its MFA
    ]
    text = org_remediate.render_plan(plan)
    assert "111111111111 (alice?[31m) [Root/Prod]: would delete" in text  # escape character neutralised
    assert "\x1b" not in text
    assert "access key AKIAALICE00000000001 (Active, last used 2026-11-01T10:00:00Z)" in text
    assert f"virtual MFA device {VIRTUAL}" in text
    assert "444444444444: ERROR: AssumeRoot: AccessDenied" in text
    assert "Nothing has been deleted" in text


def test_a_report_without_the_organization_check_says_so(tmp_path: Path) -> None:
    plan = org_remediate.plan_from_report_file(org_report(tmp_path, [{"account_id": ALICE, "findings": []}]))
    assert plan.findings_seen == 0
    assert "needs an organization audit" in org_remediate.render_plan(plan)


@pytest.mark.parametrize(
    "credentials",
    [None, "password", [{"kind": "password"}], [{"kind": "tattoo", "id": "x"}]],
    ids=["null", "string", "no-id", "unknown-kind"],
)
def test_malformed_evidence_is_unknown_not_clean(tmp_path: Path, credentials: Any) -> None:
    path = org_report(tmp_path, [{"account_id": ALICE, "findings": [finding("FAIL", credentials)]}])
    plan = org_remediate.plan_from_report_file(path)
    assert plan.members == () and plan.clean == ()
    [(account, why)] = plan.unknown
    assert account == ALICE and "malformed" in why


def test_a_fail_without_credentials_is_unknown(tmp_path: Path) -> None:
    plan = org_remediate.plan_from_report_file(
        org_report(tmp_path, [{"account_id": ALICE, "findings": [finding("FAIL", [])]}])
    )
    assert plan.unknown and not plan.clean


# --- AWS through Stubber ---------------------------------------------------------------------------


class StubbedAws:
    """Every client ``Aws.client`` makes gets the next scripted Stubber for its service."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.scripts: dict[str, list[list[tuple[str, Any, dict[str, Any]]]]] = {"sts": [], "iam": []}
        self.stubbers: list[Stubber] = []
        self.clients: list[str] = []
        original = Aws.client

        def client(aws: Aws, service: str, region: str | None = None, **options: Any) -> Any:
            made = original(aws, service, region, **options)
            self.clients.append(service)
            stubber = Stubber(made)
            queued = self.scripts[service]
            # One STS client serves every AssumeRoot of a run (collect.sessions caches it per caller);
            # each member's session gets its own IAM client.
            batches = [queued.pop(0)] if service != "sts" else [queued.pop(0) for _ in range(len(queued))]
            for operation, answer, expected in (call for batch in batches for call in batch):
                if isinstance(answer, str):
                    stubber.add_client_error(operation, answer, answer, 403, expected_params=expected)
                else:
                    stubber.add_response(operation, answer, expected)
            stubber.activate()
            self.stubbers.append(stubber)
            return made

        monkeypatch.setattr(Aws, "client", client)

    def assume_root(self, account: str, error: str | None = None) -> None:
        expected = {
            "TargetPrincipal": account,
            "TaskPolicyArn": {"arn": DELETE_ROOT_TASK_POLICY},
            "DurationSeconds": 900,
        }
        answer: Any = error or {
            "Credentials": {
                "AccessKeyId": f"ASIA{account}",
                "SecretAccessKey": "secret-never-logged",
                "SessionToken": "token-never-logged",
                "Expiration": datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
            }
        }
        self.scripts["sts"].append([("assume_root", answer, expected)])

    def iam(self, *calls: tuple[str, Any, dict[str, Any]]) -> None:
        self.scripts["iam"].append(list(calls))

    def all_used(self) -> None:
        for stubber in self.stubbers:
            stubber.assert_no_pending_responses()
        assert self.scripts == {"sts": [], "iam": []}


EMPTY_LISTS = (
    ("get_login_profile", "NoSuchEntity", {}),
    ("list_access_keys", {"AccessKeyMetadata": []}, {}),
    ("list_signing_certificates", {"Certificates": []}, {}),
    ("list_mfa_devices", {"MFADevices": []}, {}),
)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubbedAws]:
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "example-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    stubbed = StubbedAws(monkeypatch)
    yield stubbed
    stubbed.all_used()


def alice_deletes(stubbed: StubbedAws) -> None:
    stubbed.assume_root(ALICE)
    stubbed.iam(
        ("delete_login_profile", {}, {}),
        ("delete_access_key", {}, {"AccessKeyId": "AKIAALICE00000000001"}),
        ("delete_signing_certificate", {}, {"CertificateId": "CERTALICE0000000000000000000001"}),
        ("deactivate_mfa_device", {}, {"SerialNumber": VIRTUAL}),
        ("delete_virtual_mfa_device", "AccessDenied", {"SerialNumber": VIRTUAL}),
        *EMPTY_LISTS,
    )


def read_log(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_apply_deletes_through_assume_root_without_user_name_and_verifies(aws: StubbedAws, tmp_path: Path) -> None:
    plan = org_remediate.plan_from_report_file(org_report(tmp_path))
    alice_only = CleanupPlan(plan.members[:1], findings_seen=1)
    alice_deletes(aws)
    log = tmp_path / "cleanup.log"
    result = org_remediate.apply_cleanup(alice_only, log_path=log)
    [outcome] = result.outcomes
    assert outcome.verified_clean and outcome.remaining == ()
    steps = [r for r in read_log(log) if r["event"] == "step"]
    assert [(s["action"], s["outcome"]) for s in steps] == [
        ("sts:AssumeRoot", "done"),
        ("iam:DeleteLoginProfile", "done"),
        ("iam:DeleteAccessKey", "done"),
        ("iam:DeleteSigningCertificate", "done"),
        ("iam:DeactivateMFADevice", "done"),
        ("iam:DeleteVirtualMFADevice", StepOutcome.NOT_PERMITTED.value),  # no longer in the task policy
        ("verify", "done"),
    ]
    assert steps[0]["detail"] == {"task_policy_arn": DELETE_ROOT_TASK_POLICY, "access_key_id": f"ASIA{ALICE}"}
    text = log.read_text()
    assert "secret-never-logged" not in text and "token-never-logged" not in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert aws.clients == ["sts", "iam"]


def test_a_failure_midway_is_logged_and_the_next_member_still_runs(aws: StubbedAws, tmp_path: Path) -> None:
    plan = org_remediate.plan_from_report_file(org_report(tmp_path))
    aws.assume_root(ALICE, error="AccessDenied")  # the first member refuses AssumeRoot
    aws.assume_root(BOB)
    aws.iam(
        (
            "delete_access_key",
            "ServiceFailure",
            {"AccessKeyId": "AKIABOB0000000000001"},
        ),  # a failing delete on the second
        ("get_login_profile", "NoSuchEntity", {}),
        ("list_access_keys", {"AccessKeyMetadata": [{"AccessKeyId": "AKIABOB0000000000000"}]}, {}),
        ("list_signing_certificates", {"Certificates": []}, {}),
        ("list_mfa_devices", {"MFADevices": []}, {}),
    )
    log = tmp_path / "cleanup.log"
    result = org_remediate.apply_cleanup(plan, log_path=log)
    alice, bob = result.outcomes
    assert (alice.account_id, alice.failures, alice.remaining) == (ALICE, 1, None)
    assert bob.account_id == BOB and not bob.verified_clean
    assert bob.remaining == (HeldCredential(CredentialKind.ACCESS_KEY, "AKIABOB0000000000000"),)
    records = read_log(log)
    assert records[0]["event"] == "run-start" and records[0]["accounts"] == [ALICE, BOB]
    failed = [r for r in records if r.get("outcome") == "failed"]
    assert [(r["account_id"], r["action"], r["code"]) for r in failed] == [
        (ALICE, "sts:AssumeRoot", "AccessDenied"),
        (BOB, "iam:DeleteAccessKey", "ServiceFailure"),
        (BOB, "verify", None),
    ]
    assert records[-1] == records[-1] | {"event": "run-end", "clean": 0, "members": 2}


def test_a_credential_already_gone_is_absent_not_failed(aws: StubbedAws, tmp_path: Path) -> None:
    member = MemberPlan(CAROL, (HeldCredential(CredentialKind.PASSWORD, "login-profile"),))
    aws.assume_root(CAROL)
    aws.iam(("delete_login_profile", "NoSuchEntity", {}), *EMPTY_LISTS)
    result = org_remediate.apply_cleanup(CleanupPlan((member,), findings_seen=1), log_path=tmp_path / "log")
    assert result.all_clean
    assert any(r.get("outcome") == "absent" for r in read_log(tmp_path / "log"))


# --- the log ----------------------------------------------------------------------------------------


def test_the_log_is_appended_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "rootguard-cleanup.log"
    path.write_text('{"earlier": "run"}\n')
    path.chmod(0o644)
    with AppendOnlyLog(path, run_id="one") as log:
        log.append("step", account_id=ALICE)
    with AppendOnlyLog(path, run_id="two") as log:
        log.append("step", account_id=BOB)
    lines = path.read_text().splitlines()
    assert lines[0] == '{"earlier": "run"}'
    assert [json.loads(line)["run_id"] for line in lines[1:]] == ["one", "two"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # narrowed, not widened


def test_the_log_refuses_a_link(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("")
    link = tmp_path / "rootguard-cleanup.log"
    link.symlink_to(target)
    with pytest.raises(OutputError, match="cannot open the clean-up log"):
        AppendOnlyLog(link, run_id="x")
    assert target.read_text() == ""


# --- the command line -------------------------------------------------------------------------------


class FakeStdin(io.StringIO):
    def __init__(self, text: str, *, tty: bool) -> None:
        super().__init__(text)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_the_plan_is_printed_by_default_and_nothing_is_called(
    aws: StubbedAws, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["remediate", "--org", "--report", str(org_report(tmp_path))]) == 0
    assert "would delete" in capsys.readouterr().out
    assert aws.clients == []


def test_apply_is_refused_when_stdin_is_not_a_terminal(
    aws: StubbedAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", FakeStdin("yes\n", tty=False))
    log = tmp_path / "cleanup.log"
    assert main(["remediate", "--org", "--report", str(org_report(tmp_path)), "--apply", "--log", str(log)]) == 2
    assert "--yes" in capsys.readouterr().err
    assert aws.clients == [] and not log.exists()


@pytest.mark.parametrize("answer", ["no", "3", ""])
def test_a_wrong_answer_deletes_nothing(
    aws: StubbedAws,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answer: str,
) -> None:
    monkeypatch.setattr("sys.stdin", FakeStdin(answer + "\n", tty=True))
    log = tmp_path / "cleanup.log"
    assert main(["remediate", "--org", "--report", str(org_report(tmp_path)), "--apply", "--log", str(log)]) == 2
    err = capsys.readouterr().err
    assert "111111111111" in err and "222222222222" in err  # the prompt named the accounts
    assert "nothing was deleted" in err
    assert aws.clients == [] and not log.exists()


@pytest.mark.parametrize("answer", ["2", "yes", "YES"])
def test_the_number_of_accounts_or_yes_confirms(
    aws: StubbedAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], answer: str
) -> None:
    monkeypatch.setattr("sys.stdin", FakeStdin(answer + "\n", tty=True))
    alice_deletes(aws)
    aws.assume_root(BOB)
    aws.iam(("delete_access_key", {}, {"AccessKeyId": "AKIABOB0000000000001"}), *EMPTY_LISTS)
    log = tmp_path / "cleanup.log"
    assert main(["remediate", "--org", "--report", str(org_report(tmp_path)), "--apply", "--log", str(log)]) == 0
    err = capsys.readouterr().err
    assert "2 of 2 member(s) verified clean" in err


def test_yes_skips_the_question_and_a_failure_exits_3(
    aws: StubbedAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", FakeStdin("", tty=False))
    aws.assume_root(ALICE, error="AccessDenied")
    aws.assume_root(BOB)
    aws.iam(("delete_access_key", {}, {"AccessKeyId": "AKIABOB0000000000001"}), *EMPTY_LISTS)
    log = tmp_path / "cleanup.log"
    argv = ["remediate", "--org", "--report", str(org_report(tmp_path)), "--apply", "--yes", "--log", str(log)]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "1 of 2 member(s) verified clean" in err
    assert "222222222222 (bob): no root credentials left" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--apply", "--org", "--format", "terraform"], "--apply needs the audit"),
        (["--yes", "--org", "--format", "terraform"], "--yes only confirms --apply"),
        (["--org"], "say what to write"),
        (["--ou", "ou-ab12-cdef3456", "--format", "terraform", "--all"], "--ou needs --org"),
        (["--all"], "--format"),
        (["--org", "--format", "terraform", "--profile", "p"], "--profile is used only with --apply"),
    ],
)
def test_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remediate", *argv]) == 2
    assert message in capsys.readouterr().err


def test_templates_and_plan_cannot_share_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["remediate", "--org", "--format", "cloudformation", "--report", str(org_report(tmp_path))]
    assert main(argv) == 2
    assert "--out DIR" in capsys.readouterr().err
    assert main([*argv, "--out", str(tmp_path / "fix")]) == 0
    out = capsys.readouterr().out
    assert "would delete" in out
    assert (tmp_path / "fix" / "organization" / "cloudformation" / "rootguard-audit-stackset.yaml").is_file()


def test_org_writes_the_templates_with_the_chosen_ous(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "fix"
    argv = ["remediate", "--org", "--format", "terraform", "--ou", "ou-ab12-cdef3456", "--out", str(out)]
    assert main(argv) == 0
    script = (out / "organization" / "scp" / "attach-commands.sh").read_text()
    assert "--target-id ou-ab12-cdef3456" in script
    assert (out / "organization" / "terraform" / "rootguard-audit-stackset" / "main.tf").is_file()
    assert main(argv) == 2  # same --force rule as the other templates
    assert main([*argv, "--force"]) == 0


# --- the --evidence path and an interrupted run -----------------------------------------------------


def report_object(findings: dict[str, tuple[Status, list[dict[str, Any]] | None]], *, management: str) -> AuditReport:
    def one(account: str, status: Status, credentials: list[dict[str, Any]] | None) -> AccountResult:
        found = Finding(
            check_id="org-member-root-credentials",
            status=status,
            severity=Severity.HIGH,
            title="t",
            message="m",
            resource=f"arn:aws:iam::{account}:root",
            frameworks={},
            evidence={"credentials": credentials, "gaps": []},
            remediation="r",
        )
        return AccountResult(account, (found,), name=f"name-{account}", ou_path="Root/Prod")

    return AuditReport(
        as_of=datetime(2026, 12, 7, tzinfo=UTC),
        accounts=tuple(one(account, status, creds) for account, (status, creds) in findings.items()),
        source="bundle",
        tool_version="0",
        organization=OrganizationInfo("o-abcdefghij", management, listed_accounts=len(findings)),
    )


def test_the_plan_from_an_audited_bundle_reads_the_same_findings() -> None:
    report = report_object(
        {
            MGMT: (Status.FAIL, [credential("password", "login-profile")]),
            ALICE: (Status.FAIL, ALICE_CREDENTIALS),
            CAROL: (Status.PASS, []),
            BOB: (Status.ERROR, None),
        },
        management=MGMT,
    )
    plan = org_remediate.plan_from_report(report)
    assert [m.account_id for m in plan.members] == [ALICE]
    assert plan.members[0].name == f"name-{ALICE}" and plan.members[0].ou_path == "Root/Prod"
    assert plan.clean == (CAROL,)
    assert [account for account, _ in plan.unknown] == [BOB]


def test_an_interrupted_run_logs_where_it_stopped(
    aws: StubbedAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_: Any, **__: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr("rootguard.collect.root_cleanup.clean_member", interrupted)
    plan = org_remediate.plan_from_report_file(org_report(tmp_path))
    log = tmp_path / "cleanup.log"
    with pytest.raises(KeyboardInterrupt):
        org_remediate.apply_cleanup(plan, log_path=log)
    last = read_log(log)[-1]
    assert (last["event"], last["account_id"]) == ("run-stopped", ALICE)
