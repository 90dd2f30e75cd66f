"""`rootguard org collect` and `rootguard org audit` in-process against moto (the HTTP-server e2e is elsewhere)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from moto_org import MANAGEMENT, FakeOrg, OrgAnswers, build_org
from rootguard.cli.main import main
from rootguard.collect.aws import Aws
from rootguard.evidence.manifest import read_manifest

LIVE = ["--no-cloudtrail", "--no-alerting", "--quiet"]


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_PROFILE", "ROOTGUARD_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> OrgAnswers:
    """Every ``Aws`` the command makes answers AssumeRoot and ListOrganizationsFeatures."""
    found = OrgAnswers()
    made = Aws.__init__

    def init(self: Aws, *args: Any, **kwargs: Any) -> None:
        made(self, *args, **kwargs)
        found.install(self)

    monkeypatch.setattr(Aws, "__init__", init)
    return found


@pytest.fixture
def org() -> Iterator[FakeOrg]:
    with mock_aws():
        yield build_org(members=3)


def test_org_collect_writes_a_bundle_that_audit_replays(
    org: FakeOrg, answers: OrgAnswers, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "org-evidence"
    denied = org.accounts[0]
    answers.root_denied.add(denied)

    code = main(["org", "collect", "--out", str(out), *LIVE, "--exclude-accounts", org.accounts[2]])

    assert code == 3  # written, but one member's AssumeRoot was refused
    err = capsys.readouterr().err
    assert "4 accounts" not in err and "3 accounts" in err
    assert f"{org.accounts[2]} (--exclude-accounts)" in err
    manifest = read_manifest(out)
    assert manifest.accounts == (MANAGEMENT, org.accounts[0], org.accounts[1])
    assert manifest.skipped  # --no-cloudtrail, --no-alerting
    assert json.loads((out / "organization/selection.json").read_text())["excluded"] == {
        org.accounts[2]: "--exclude-accounts"
    }
    assert main(["audit", "--evidence", str(out), "--format", "json", "--output", str(tmp_path / "r.json")]) in (
        0,
        1,
        3,
    )
    replayed = json.loads((tmp_path / "r.json").read_text())
    assert [account["account_id"] for account in replayed["accounts"]] == list(manifest.accounts)


def test_org_audit_gives_the_answer_its_saved_bundle_replays(org: FakeOrg, answers: OrgAnswers, tmp_path: Path) -> None:
    del org, answers
    saved = tmp_path / "saved"
    live_code = main(
        ["org", "audit", *LIVE, "--format", "json", "--output", "live.json", "--save-evidence", str(saved)]
    )
    replay_code = main(["audit", "--evidence", str(saved), "--format", "json", "--output", "replay.json"])
    live = json.loads((tmp_path / "live.json").read_text())
    replay = json.loads((tmp_path / "replay.json").read_text())
    assert live_code == replay_code
    assert live["accounts"] == replay["accounts"]


def test_org_audit_without_saving_leaves_no_bundle_behind(org: FakeOrg, answers: OrgAnswers, tmp_path: Path) -> None:
    del org, answers
    before = set(tmp_path.iterdir())
    code = main(["org", "audit", *LIVE, "--format", "json", "--output", "live.json"])
    assert code in (0, 1, 3)
    assert set(tmp_path.iterdir()) - before == {tmp_path / "live.json"}


def test_bad_options_and_files_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["org", "collect", "--out", "x", "--accounts", "12"])
    assert exited.value.code == 2
    with pytest.raises(SystemExit) as exited:
        main(["org", "audit", "--ou", "r-abc"])
    assert exited.value.code == 2
    bad = tmp_path / "accounts.yml"
    bad.write_text("accounts: [{name: x}]\n")
    assert main(["org", "collect", "--out", str(tmp_path / "o"), "--accounts-file", str(bad), *LIVE]) == 2
    assert "accounts.yml: entry 1: account_id" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
