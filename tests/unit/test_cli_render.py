"""One report-output path for audit and activity: --format, --output, --status and --compact (contract §1)."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rootguard.cli.main import main
from rootguard.cli.render import BY_NAME, FORMATS, STDOUT, Planned, format_for_suffix, format_names, plan
from rootguard.errors import UsageError


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_default_is_the_table_on_stdout() -> None:
    assert plan(None, None, "audit") == [Planned(BY_NAME["table"], STDOUT)]


def test_one_format_and_one_output_keep_their_old_meaning_whatever_the_suffix() -> None:
    assert plan(["json"], [Path("report.txt")], "audit") == [Planned(BY_NAME["json"], Path("report.txt"))]
    assert plan(["table"], [Path("r.json")], "audit") == [Planned(BY_NAME["table"], Path("r.json"))]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("r.json", "json"),
        ("r.sarif.json", "sarif"),
        ("r.ocsf.json", "ocsf"),
        ("r.asff.json", "asff"),
        ("r.junit.xml", "junit"),
        ("r.xml", "junit"),
        ("r.sarif", "sarif"),
        ("R.HTML", "html"),
        ("r.htm", "html"),
        ("r.md", "markdown"),
        ("r.csv", "csv"),
        ("out/r.v2.csv", "csv"),
        ("report.txt", "table"),
    ],
)
def test_the_longest_suffix_names_the_format(name: str, expected: str) -> None:
    found = format_for_suffix(Path(name))
    assert found is not None and found.name == expected


def test_a_bare_suffix_is_not_a_file_name() -> None:
    assert format_for_suffix(Path(".json")) is None
    assert format_for_suffix(Path("report")) is None


def test_several_outputs_take_their_formats_from_their_suffixes_and_formats_left_go_to_stdout() -> None:
    planned = plan(["table"], [Path("a.sarif"), Path("b.csv")], "audit")
    assert [(p.format.name, str(p.path)) for p in planned] == [("sarif", "a.sarif"), ("csv", "b.csv"), ("table", "-")]
    planned = plan(["json"], [Path("a.json"), Path("b.csv")], "audit")
    assert [p.format.name for p in planned] == ["json", "csv"]  # json is written to a.json: nothing to stdout


def test_an_unknown_suffix_is_a_usage_error_naming_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"r\.text.*\.sarif\.json \(sarif\).*\.asff\.json \(asff\)"):
        plan(None, [Path("r.text"), Path("r.json")], "audit")


def test_stdout_takes_one_report() -> None:
    with pytest.raises(UsageError, match="stdout takes one report, not json, table"):
        plan(["json", "table"], None, "audit")
    with pytest.raises(UsageError, match="stdout takes one report"):
        plan(["json"], [Path("-"), Path("r.csv")], "audit")


def test_the_same_file_twice_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="named twice"):
        plan(None, [tmp_path / "r.json", tmp_path / "." / "r.json"], "audit")


def test_activity_refuses_the_formats_it_has_no_form_for() -> None:
    assert format_names("activity") == ["table", "json", "csv", "markdown", "html", "ocsf"]
    assert format_names("audit") == [f.name for f in FORMATS]
    for name in ("r.sarif", "r.junit.xml", "r.asff.json"):
        with pytest.raises(UsageError, match="table, json, csv, markdown, html, ocsf"):
            plan(None, [Path(name)], "activity")


def test_activity_format_sarif_is_exit_2_naming_the_formats(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["activity", "--demo", "--format", "sarif"])
    assert exit_.value.code == 2
    assert "'ocsf'" in capsys.readouterr().err


def test_usage_errors_exit_2_and_write_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", "--demo", "--output", str(tmp_path / "r.json"), "--output", "r.text")
    assert code == 2 and out == "" and "r.text" in err
    assert list(tmp_path.iterdir()) == []


def test_several_files_in_one_run_each_0600_and_table_on_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    json_path, other = tmp_path / "r.json", tmp_path / "again.json"
    code, out, _ = run(
        capsys, "audit", "--demo", "--format", "table", "--output", str(json_path), "--output", str(other)
    )
    assert code == 1
    assert out.startswith("rootguard ") and "Needs attention" in out
    for path in (json_path, other):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert json.loads(path.read_text())["schema"] == "rootguard/report@1"


def test_json_to_stdout_is_unchanged_by_the_new_options(capsys: pytest.CaptureFixture[str]) -> None:
    _, plain, _ = run(capsys, "audit", "--demo", "--format", "json")
    _, through_dash, _ = run(capsys, "audit", "--demo", "--format", "json", "--output", "-")
    assert plain == through_dash and json.loads(plain)["summary"]["FAIL"] == 14


def test_status_and_compact_need_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "audit", "--demo", "--format", "json", "--compact")
    assert code == 2 and "--status and --compact" in err and "--output -" in err


def test_status_filters_the_table_and_says_what_it_hid(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    code, out, _ = run(capsys, "audit", "--demo", "--status", "fail,ERROR")
    assert code == 1  # the exit code is the report's, not the view's
    assert "Summary: 17 PASS · 14 FAIL · 2 MANUAL · 1 ERROR · 0 NOT_APPLICABLE" in out
    assert "Not shown (--status): 19 finding(s): 2 MANUAL · 17 PASS" in out
    assert "│ PASS" not in out and "│ MANUAL" not in out and "│ FAIL" in out


def test_an_unknown_status_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "--demo", "--status", "fail,bad"])
    assert exit_.value.code == 2
    assert "comma-separated statuses" in capsys.readouterr().err


def test_compact_is_one_line_per_finding(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run(capsys, "audit", "--demo", "--compact")
    lines = out.splitlines()
    findings = [line for line in lines if line.split(" ", 1)[0] in {"PASS", "FAIL", "ERROR", "MANUAL"}]
    assert len(findings) == 34
    assert findings[0].split()[:3] == ["FAIL", "critical", "root-access-keys"]
    assert all(len(line) <= 120 for line in lines)
    assert "Fix:" not in out


def test_activity_writes_its_json_to_a_file_0600(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "a.json"
    run(capsys, "activity", "--demo", "--output", str(target))
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert json.loads(target.read_text())["schema"].startswith("rootguard/activity@")


def test_help_loads_no_renderer_nor_aws_sdk() -> None:
    code = (
        "import sys\n"
        "from rootguard.cli.main import main\n"
        "for argv in (['--help'], ['audit', '--help'], ['activity', '--help']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('rich', 'jinja2', 'boto3', 'botocore', 'rootguard.report')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m.startswith('rootguard.report')))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_every_renderer_named_has_a_module_spelled_out() -> None:
    from rootguard.cli.render import _report_module

    for output_format in FORMATS:
        for target in (output_format.audit, output_format.activity):
            if target is not None:
                # A renderer another branch writes may be absent; an unknown name raises AssertionError.
                with contextlib.suppress(ModuleNotFoundError):
                    _report_module(target.split(":")[0])


def test_activity_table_starts_with_its_summary(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run(capsys, "activity", "--demo")
    flat = " ".join(out.split())
    assert "Summary: 2 sign-in · 3 sign-in-failure · 2 root-only-task · 6 avoidable" in flat
    assert "unapproved: 10 human, 1 root-only task · 15 session(s)" in flat  # as root-activity counts them
    assert out.index("Summary:") < out.index("timeline")


def test_a_device_or_fifo_takes_the_table_whatever_its_name(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert [p.format.name for p in plan(None, [Path(os.devnull), fifo], "audit")] == ["table", "table"]
    assert [p.format.name for p in plan(["csv"], [Path(os.devnull)], "audit")] == ["csv"]
