"""rootguard.toml, ROOTGUARD_* and the command line: parsing, validation, precedence, file discovery."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from builders import AccountBuilder, ago, root_cells, user_cells
from rootguard.app import demo as demo_module
from rootguard.app.evaluate import select_checks
from rootguard.checks import ALL_CHECKS
from rootguard.cli.main import main
from rootguard.config.environment import ENVIRONMENT, env_layer
from rootguard.config.file import parse_config
from rootguard.config.layer import Layer
from rootguard.config.settings import DemoFiles, Settings, find_config, load_settings, merge
from rootguard.errors import ConfigError, UsageError
from rootguard.model.break_glass import AttestationKind, PrincipalKind
from rootguard.model.findings import Severity
from rootguard.model.thresholds import Thresholds

BASE = Path("/etc/rootguard")
DAYS = "takes a whole number of days, such as 90, 90d or P90D (at least 1 day)"
"""The one message of every day-valued setting (the duration parser's)."""

FULL = """
window = 30
fail_on = "high"
approvals = "approvals.toml"

[thresholds]
unused_credentials_days = 60
key_rotation_days = 120
attestation_max_age_days = 365

[checks]
include = ["root-mfa", "iam-user-mfa", "break-glass"]
exclude = ["break-glass"]

[break_glass]
principals = ["root", "arn:aws:iam::210987654321:user/breakglass", "arn:aws:iam::210987654321:role/BreakGlass"]

[[break_glass.attestation]]
kind = "root-password-vaulted"
attested_by = "ciso@example.com"
attested_at = 2026-10-01T09:00:00Z
note = "Safe 2, envelope 7"

[[break_glass.attestation]]
kind = "procedure-tested"
attested_by = "secops"
attested_at = "2026-09-15T10:00:00+02:00"
accounts = ["210987654321"]
"""


def test_a_full_file() -> None:
    layer = parse_config(FULL, "rootguard.toml", BASE)
    assert layer.window_days == 30
    assert layer.fail_on is Severity.HIGH
    assert layer.approvals == BASE / "approvals.toml"
    assert (layer.unused_credentials_days, layer.key_rotation_days, layer.attestation_max_age_days) == (60, 120, 365)
    assert layer.include_checks == ("root-mfa", "iam-user-mfa", "break-glass")
    assert layer.exclude_checks == ("break-glass",)
    assert layer.break_glass is not None
    assert [p.kind for p in layer.break_glass.principals] == [
        PrincipalKind.ROOT,
        PrincipalKind.USER,
        PrincipalKind.ROLE,
    ]
    first, second = layer.break_glass.attestations
    assert first.kind is AttestationKind.ROOT_PASSWORD_VAULTED
    assert first.attested_at == datetime(2026, 10, 1, 9, tzinfo=UTC)
    assert first.note == "Safe 2, envelope 7" and first.accounts is None
    assert second.attested_at == datetime(2026, 9, 15, 8, tzinfo=UTC)
    assert second.accounts == frozenset({"210987654321"})
    assert merge(layer).check_ids == ("root-mfa", "iam-user-mfa")


def test_an_empty_file_changes_nothing() -> None:
    assert parse_config("", "f", BASE) == Layer()
    assert merge(Layer()) == Settings()
    assert merge(Layer()).check_ids == tuple(spec.check_id for spec in ALL_CHECKS)
    assert Thresholds() == Thresholds(45, 90, 180)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("window = [", "f is not valid TOML"),
        (
            "windows = 3",
            "f: unknown key windows (known: approvals, athena, break_glass, checks, fail_on, thresholds, window)",
        ),
        ('window = "30 days"', f"f: window {DAYS}, not '30 days'"),
        ('window = "12h"', f"f: window {DAYS}, not '12h'"),
        ("window = true", f"f: window {DAYS}, not True"),
        ("window = 0", f"f: window {DAYS}, not 0"),
        ("window = 3.5", f"f: window {DAYS}, not 3.5"),
        ('fail_on = "urgent"', "f: fail_on must be one of"),
        ("approvals = 3", "f: approvals must be a file path string, not an integer 3"),
        ("thresholds = 3", "f: thresholds must be a table ([thresholds]), not an integer"),
        ("[thresholds]\nkey_rotation = 3", "f: unknown key thresholds.key_rotation (known: thresholds.attestation"),
        ("[thresholds]\nkey_rotation_days = -1", f"f: thresholds.key_rotation_days {DAYS}, not -1"),
        ("[checks]\ninclude = 'root-mfa'", "f: checks.include must be an array of check ids (strings)"),
        ("[checks]\nexclude = ['root-mfa', 'root-nope']", "f: checks.exclude: unknown check id 'root-nope' (known: "),
        ("[checks]\nonly = []", "f: unknown key checks.only"),
        ("[checks]\ninclude = []", "the check selection leaves no check to run"),
        ("[break_glass]\nprincipal = []", "f: unknown key break_glass.principal"),
        ("[break_glass]\nprincipals = 'root'", "f: break_glass.principals must be an array of strings"),
        (
            "[break_glass]\nprincipals = ['admin']",
            "f: break_glass.principals: 'admin': expected \"root\" or an IAM ARN",
        ),
        (
            "[break_glass]\nprincipals = ['arn:aws:iam::210987654321:group/admins']",
            "expected an IAM user (…:user/NAME) or role (…:role/NAME) ARN",
        ),
        (
            "[break_glass]\nprincipals = ['arn:aws:s3:::210987654321:user/x']",
            'expected "root" or an IAM ARN',
        ),
        ("[[break_glass.attestation]]\nkind = 'vaulted'", "f: break_glass.attestation #1: kind must be one of"),
        (
            "[[break_glass.attestation]]\nkind = 'mfa-custody'\nattested_at = 2026-10-01T09:00:00Z",
            "f: break_glass.attestation #1: attested_by must be a non-empty string",
        ),
        (
            "[[break_glass.attestation]]\nkind = 'mfa-custody'\nattested_by = 'x'\nattested_at = 2026-10-01T09:00:00",
            "f: break_glass.attestation #1: attested_at has no time zone",
        ),
        (
            "[[break_glass.attestation]]\nkind = 'mfa-custody'\nattested_by = 'x'\nattested_at = 'last week'",
            "attested_at must be a date and time with a time zone",
        ),
        (
            "[[break_glass.attestation]]\nkind = 'mfa-custody'\nattested_by = 'x'\nattested_at = 2026-10-01T09:00:00Z\n"
            "accounts = ['123']",
            "accounts must be an array of 12-digit account ids as strings",
        ),
        (
            "[[break_glass.attestation]]\nkind = 'mfa-custody'\nattested_by = 'x'\nattested_at = 2026-10-01T09:00:00Z\n"
            "who = 'me'",
            "f: break_glass.attestation #1: unknown key who",
        ),
    ],
)
def test_invalid_files_name_the_key_and_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        merge(parse_config(text, "f", BASE))
    assert message in str(raised.value)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, Layer()),
        ({"ROOTGUARD_WINDOW": "14", "ROOTGUARD_FAIL_ON": "critical"}, Layer(window_days=14, fail_on=Severity.CRITICAL)),
        ({"ROOTGUARD_APPROVALS": "a.toml", "ROOTGUARD_WINDOW": " "}, Layer(approvals=Path("a.toml"))),
        (
            {"ROOTGUARD_UNUSED_CREDENTIALS_DAYS": "30", "ROOTGUARD_KEY_ROTATION_DAYS": "60"},
            Layer(unused_credentials_days=30, key_rotation_days=60),
        ),
        ({"ROOTGUARD_ATTESTATION_MAX_AGE_DAYS": "90"}, Layer(attestation_max_age_days=90)),
        (
            {"ROOTGUARD_CHECKS": "root-mfa, iam-user-mfa", "ROOTGUARD_SKIP_CHECKS": "break-glass"},
            Layer(include_checks=("root-mfa", "iam-user-mfa"), exclude_checks=("break-glass",)),
        ),
        ({"ROOTGUARD_SOMETHING_ELSE": "1", "HOME": "/root"}, Layer()),
    ],
)
def test_environment(env: dict[str, str], expected: Layer) -> None:
    assert env_layer(env) == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ROOTGUARD_WINDOW": "ninety"}, f"ROOTGUARD_WINDOW {DAYS}, not 'ninety'"),
        ({"ROOTGUARD_KEY_ROTATION_DAYS": "0"}, f"ROOTGUARD_KEY_ROTATION_DAYS {DAYS}, not '0'"),
        ({"ROOTGUARD_FAIL_ON": "LOW"}, "ROOTGUARD_FAIL_ON must be one of"),
        ({"ROOTGUARD_CHECKS": "root-mfa,root-mfaa"}, "ROOTGUARD_CHECKS: unknown check id 'root-mfaa'"),
    ],
)
def test_invalid_environment(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        env_layer(env)


# Precedence: command line > environment > file > defaults, key by key.
FILE = Layer(window_days=30, fail_on=Severity.HIGH, unused_credentials_days=60, include_checks=("root-mfa",))
ENV = Layer(window_days=14, key_rotation_days=100)
CLI = Layer(window_days=7, include_checks=("iam-user-mfa", "root-mfa"))


@pytest.mark.parametrize(
    ("layers", "window", "fail_on", "thresholds", "checks"),
    [
        ((), 90, Severity.LOW, Thresholds(), None),
        ((FILE,), 30, Severity.HIGH, Thresholds(unused_credentials_days=60), ("root-mfa",)),
        ((FILE, ENV), 14, Severity.HIGH, Thresholds(60, 100), ("root-mfa",)),
        ((FILE, ENV, CLI), 7, Severity.HIGH, Thresholds(60, 100), ("root-mfa", "iam-user-mfa")),
        ((ENV, CLI), 7, Severity.LOW, Thresholds(key_rotation_days=100), ("root-mfa", "iam-user-mfa")),
    ],
)
def test_precedence(
    layers: tuple[Layer, ...], window: int, fail_on: Severity, thresholds: Thresholds, checks: tuple[str, ...] | None
) -> None:
    settings = merge(*layers)
    assert (settings.window_days, settings.fail_on, settings.thresholds) == (window, fail_on, thresholds)
    assert settings.check_ids == (checks or tuple(spec.check_id for spec in ALL_CHECKS))


def test_file_discovery(tmp_path: Path) -> None:
    here = tmp_path / "rootguard.toml"
    named = tmp_path / "named.toml"
    demo = tmp_path / "demo.toml"
    for path in (here, named, demo):
        path.write_text("")
    assert find_config(None, {}, tmp_path) == here
    assert find_config(None, {"ROOTGUARD_CONFIG": str(named)}, tmp_path) == named
    assert find_config(named, {"ROOTGUARD_CONFIG": str(here)}, tmp_path) == named
    assert find_config(None, {}, tmp_path / "elsewhere") is None
    # The demo reads its own file, whatever the user's environment or folder holds; --config still wins.
    demo_files = DemoFiles(config=demo, approvals=tmp_path / "approvals.toml")
    assert find_config(None, {"ROOTGUARD_CONFIG": str(named)}, tmp_path, demo=demo_files) == demo
    assert find_config(named, {}, tmp_path, demo=demo_files) == named
    absent = DemoFiles(config=tmp_path / "absent.toml", approvals=tmp_path / "approvals.toml")
    assert find_config(None, {}, tmp_path, demo=absent) is None
    with pytest.raises(ConfigError, match=r"configuration file not found: .*missing.toml \(from --config\)"):
        find_config(tmp_path / "missing.toml", {}, tmp_path)
    with pytest.raises(ConfigError, match=r"not found: .*gone.toml \(from ROOTGUARD_CONFIG\)"):
        find_config(None, {"ROOTGUARD_CONFIG": str(tmp_path / "gone.toml")}, tmp_path)


def test_load_settings_reads_the_file_and_resolves_approvals_beside_it(tmp_path: Path) -> None:
    (tmp_path / "rootguard.toml").write_text('window = 30\napprovals = "ok.toml"\n')
    (tmp_path / "ok.toml").write_text(
        '[[approval]]\nticket = "CHG-7"\nstart = "2026-11-02T09:00:00Z"\nend = "2026-11-02T11:00:00Z"\n'
        'reason = "test"\napproved_by = "oncall"\n'
    )
    settings = load_settings(Layer(), explicit=None, env={"ROOTGUARD_WINDOW": "20"}, cwd=tmp_path)
    assert settings.window_days == 20
    assert settings.approvals_file == tmp_path / "ok.toml"
    assert [a.ticket for a in settings.approvals] == ["CHG-7"]
    assert settings.config_file == tmp_path / "rootguard.toml"


# Through the CLI ---------------------------------------------------------------------------------------


def audit(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, dict[str, object] | None, str]:
    code = main(["audit", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else None), err


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return AccountBuilder().write(tmp_path / "b")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith("ROOTGUARD_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def ids(report: dict[str, object]) -> list[str]:
    accounts = report["accounts"]
    assert isinstance(accounts, list)
    return [f["check_id"] for f in accounts[0]["findings"]]


@pytest.mark.parametrize(
    ("file", "argv", "message"),
    [
        ("window = 'x'", (), "window takes a whole number of days"),
        ("[checks]\ninclude = ['root-nope']", (), "checks.include: unknown check id 'root-nope'"),
        ("", ("--checks", "root-mfa,nope"), "--checks: unknown check id 'nope'"),
        ("", ("--config", "absent.toml"), "configuration file not found: absent.toml (from --config)"),
    ],
)
def test_bad_configuration_exits_2_with_one_line(
    tmp_path: Path, bundle: Path, capsys: pytest.CaptureFixture[str], file: str, argv: tuple[str, ...], message: str
) -> None:
    (tmp_path / "rootguard.toml").write_text(file)
    code, report, err = audit(capsys, "--evidence", bundle, "--format", "json", *argv)
    assert code == 2
    assert report is None
    assert err.startswith("rootguard: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_environment_error_exits_2(
    bundle: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROOTGUARD_KEY_ROTATION_DAYS", "soon")
    code, _, err = audit(capsys, "--evidence", bundle)
    assert code == 2
    assert f"ROOTGUARD_KEY_ROTATION_DAYS {DAYS}, not 'soon'" in err


def test_selection_runs_only_the_chosen_checks(
    tmp_path: Path, bundle: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "rootguard.toml").write_text("[checks]\nexclude = ['root-activity', 'break-glass']\n")
    _, report, _ = audit(capsys, "--evidence", bundle, "--format", "json")
    assert report is not None
    assert "root-activity" not in ids(report) and "break-glass" not in ids(report)
    assert len(ids(report)) == len(ALL_CHECKS) - 2
    monkeypatch.setenv("ROOTGUARD_CHECKS", "root-mfa,root-access-keys")
    _, report, _ = audit(capsys, "--evidence", bundle, "--format", "json")
    assert report is not None and ids(report) == ["root-access-keys", "root-mfa"]
    _, report, _ = audit(capsys, "--evidence", bundle, "--format", "json", "--checks", "iam-user-mfa")
    assert report is not None and ids(report) == ["iam-user-mfa"]


def test_thresholds_and_fail_on_reach_the_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = (
        AccountBuilder()
        .rows([root_cells(), user_cells("ci", access_key_1_active="true", access_key_1_last_rotated=ago(days=50))])
        .write(tmp_path / "b")
    )
    (tmp_path / "rootguard.toml").write_text("[thresholds]\nkey_rotation_days = 40\nunused_credentials_days = 60\n")

    def status(*argv: str) -> tuple[int, str]:
        code, report, _ = audit(capsys, "--evidence", bundle, "--format", "json", "--checks", "iam-key-rotation", *argv)
        assert report is not None
        accounts = report["accounts"]
        assert isinstance(accounts, list)
        return code, accounts[0]["findings"][0]["status"]

    assert status() == (1, "FAIL")  # the file: 40 days
    monkeypatch.setenv("ROOTGUARD_KEY_ROTATION_DAYS", "55")
    assert status() == (0, "PASS")  # the environment beats the file
    assert status("--key-rotation-days", "45") == (1, "FAIL")  # the command line beats both
    monkeypatch.setenv("ROOTGUARD_FAIL_ON", "high")
    assert status("--key-rotation-days", "45") == (0, "FAIL")  # a medium FAIL under fail_on=high
    assert status("--key-rotation-days", "45", "--fail-on", "medium") == (1, "FAIL")


def test_break_glass_from_the_file(tmp_path: Path, bundle: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ['[break_glass]\nprincipals = ["root"]'] + [
        f'[[break_glass.attestation]]\nkind = "{kind.value}"\nattested_by = "ciso"\nattested_at = 2026-11-01T00:00:00Z'
        for kind in AttestationKind
    ]
    (tmp_path / "rg.toml").write_text("\n".join(lines))
    _, report, _ = audit(
        capsys, "--evidence", bundle, "--format", "json", "--config", "rg.toml", "--checks", "break-glass"
    )
    assert report is not None
    accounts = report["accounts"]
    assert isinstance(accounts, list)
    assert accounts[0]["findings"][0]["status"] == "PASS"
    # Default: nothing declared.
    _, report, _ = audit(capsys, "--evidence", bundle, "--format", "json", "--checks", "break-glass")
    assert report is not None
    accounts = report["accounts"]
    assert isinstance(accounts, list)
    assert accounts[0]["findings"][0]["status"] == "MANUAL"


def test_approvals_path_in_the_file_is_relative_to_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = AccountBuilder().root(password_last_used=ago(days=1)).write(tmp_path / "b")
    folder = tmp_path / "conf"
    folder.mkdir()
    (folder / "rootguard.toml").write_text('approvals = "approved.toml"\n')
    (folder / "approved.toml").write_text(
        '[[approval]]\nticket = "CHG-1"\nstart = "2026-11-19T00:00:00Z"\nend = "2026-11-20T00:00:00Z"\n'
        'reason = "r"\napproved_by = "me"\n'
    )
    code, report, err = audit(
        capsys,
        "--evidence",
        bundle,
        "--format",
        "json",
        "--config",
        folder / "rootguard.toml",
        "--checks",
        "root-recent-use",
    )
    assert report is not None, err
    accounts = report["accounts"]
    assert isinstance(accounts, list)
    assert accounts[0]["findings"][0]["status"] == "PASS"
    assert "CHG-1" in accounts[0]["findings"][0]["message"]
    assert code == 0


def test_activity_reads_window_from_the_environment(
    bundle: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROOTGUARD_WINDOW", "7")
    code = main(["activity", "--evidence", str(bundle), "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    report = json.loads(out)
    assert report["since"] == "2026-11-13T12:00:00Z"
    monkeypatch.setenv("ROOTGUARD_WINDOW", "0")
    assert main(["activity", "--evidence", str(bundle)]) == 2


def test_demo_reads_its_own_file_and_ignores_the_users(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_file = tmp_path / "demo" / "rootguard.toml"
    demo_file.parent.mkdir()
    demo_file.write_text('[break_glass]\nprincipals = ["arn:aws:iam::210987654321:user/nobody"]\n')
    real = demo_module.demo_files()
    monkeypatch.setattr(demo_module, "demo_files", lambda: DemoFiles(config=demo_file, approvals=real.approvals))
    (tmp_path / "rootguard.toml").write_text("window = 'not read'\n")
    monkeypatch.setenv("ROOTGUARD_CONFIG", str(tmp_path / "rootguard.toml"))

    _, report, err = audit(capsys, "--demo", "--format", "json", "--checks", "break-glass,root-recent-use")
    assert report is not None, err
    accounts = report["accounts"]
    assert isinstance(accounts, list)
    prod = {f["check_id"]: f for f in accounts[0]["findings"]}
    assert prod["break-glass"]["status"] == "FAIL"
    assert (
        "user arn:aws:iam::210987654321:user/nobody is not in the credential report" in prod["break-glass"]["message"]
    )
    # The demo approvals still apply when the demo file names none.
    sandbox = {f["check_id"]: f for f in accounts[1]["findings"]}
    assert "CHG-1042" in sandbox["root-recent-use"]["message"]


def test_the_readme_example_is_a_valid_file() -> None:
    readme = (Path(__file__).parent.parent.parent / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    example = section.split("```toml\n", 1)[1].split("\n```", 1)[0]
    settings = merge(parse_config(example, "README", BASE))
    assert settings.thresholds == Thresholds()
    assert "root-activity" not in settings.check_ids
    assert len(settings.break_glass.principals) == 3
    assert {a.kind for a in settings.break_glass.attestations} == set(AttestationKind)
    assert all(f"`{name}`" in section for name in ENVIRONMENT)


def test_the_engine_selects_in_report_order_and_refuses_unknown_ids() -> None:
    assert select_checks(None) == ALL_CHECKS
    assert [s.check_id for s in select_checks(["break-glass", "root-mfa"])] == ["root-mfa", "break-glass"]
    with pytest.raises(UsageError, match="unknown check id 'root-nope'"):
        select_checks(["root-nope"])
