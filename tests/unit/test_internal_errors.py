"""A bug in rootguard is its own exit code with one line, never exit 1 (a FAIL) and never a bare traceback."""

from __future__ import annotations

import argparse

import pytest

from rootguard.cli import main as cli_main
from rootguard.cli.main import INTERNAL_ERROR, main


def _broken(_: argparse.Namespace) -> int:
    raise KeyError("no-such-field")


@pytest.fixture
def broken_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(cli_main.COMMANDS, "audit", _broken)
    monkeypatch.delenv("ROOTGUARD_DEBUG", raising=False)


@pytest.mark.usefixtures("broken_audit")
def test_an_internal_error_is_one_line_and_exit_4(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--demo"]) == INTERNAL_ERROR == 4
    err = capsys.readouterr().err
    assert err == (
        "rootguard: internal error: KeyError: 'no-such-field' (a bug in rootguard: please report it; "
        "run with --debug for the traceback)\n"
    )


@pytest.mark.usefixtures("broken_audit")
@pytest.mark.parametrize("argv", [["--debug", "audit", "--demo"], ["audit", "--demo", "--debug"]])
def test_debug_prints_the_traceback(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == INTERNAL_ERROR
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.rstrip().endswith("run with --debug for the traceback)")


@pytest.mark.usefixtures("broken_audit")
def test_rootguard_debug_variable(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROOTGUARD_DEBUG", "1")
    assert main(["audit", "--demo"]) == INTERNAL_ERROR
    assert "Traceback" in capsys.readouterr().err


def test_debug_changes_nothing_when_all_is_well(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "--demo", "--debug", "--format", "json"]) == main(["audit", "--demo", "--format", "json"])
    first, second = capsys.readouterr().out.split('{\n  "schema"')[1:]
    assert first == second
