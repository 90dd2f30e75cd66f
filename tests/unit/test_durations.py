"""The one duration parser: every form a user may write, and the one message for what it refuses."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rootguard.cli.main import main
from rootguard.config.durations import DurationError, parse_duration, whole_days


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90", timedelta(days=90)),
        (" 7 ", timedelta(days=7)),
        ("90d", timedelta(days=90)),
        ("90D", timedelta(days=90)),
        ("12h", timedelta(hours=12)),
        ("30m", timedelta(minutes=30)),
        ("45s", timedelta(seconds=45)),
        ("2w", timedelta(weeks=2)),
        ("P90D", timedelta(days=90)),
        ("p90d", timedelta(days=90)),
        ("P2W", timedelta(weeks=2)),
        ("PT12H", timedelta(hours=12)),
        ("P1DT6H", timedelta(days=1, hours=6)),
        ("PT1H30M15S", timedelta(hours=1, minutes=30, seconds=15)),
    ],
)
def test_accepted_forms(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


def test_a_bare_number_is_in_the_settings_own_unit() -> None:
    assert parse_duration("30", bare_unit="s") == timedelta(seconds=30)


@pytest.mark.parametrize("text", ["", "P", "PT", "P1DT", "P1Y", "P3M", "ninety", "-5", "5 days", "1.5d", "d", "P-1D"])
def test_refused_forms(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


@pytest.mark.parametrize(("text", "days"), [("90", 90), ("90d", 90), ("P90D", 90), ("P2W", 14), ("24h", 1), ("1", 1)])
def test_whole_days(text: str, days: int) -> None:
    assert whole_days(text) == days


@pytest.mark.parametrize("text", ["0", "P0D", "12h", "36h", "PT1H", "ninety"])
def test_day_settings_refuse_parts_of_days_and_zero(text: str) -> None:
    with pytest.raises(
        DurationError, match=r"takes a whole number of days, such as 90, 90d or P90D \(at least 1 day\)"
    ):
        whole_days(text)


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "--demo", "--window", "12h"],
        ["audit", "--demo", "--key-rotation-days", "0"],
        ["activity", "--demo", "--since", "P1Y"],
        ["remediate", "--demo", "--format", "terraform", "--unused-credentials-days", "soon"],
    ],
)
def test_every_day_flag_gives_the_same_message(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    flag = argv[-2]
    err = capsys.readouterr().err
    assert f"rootguard: error: argument {flag}: takes a whole number of days, such as 90, 90d or P90D" in err


def test_the_forms_give_the_same_verdicts(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for window in ("30", "30d", "P30D"):
        code = main(["audit", "--demo", "--format", "json", "--window", window])
        outputs.append((code, capsys.readouterr().out))
    assert outputs[0] == outputs[1] == outputs[2]
    assert '"window_days": 30' in outputs[0][1]


def test_workers_is_a_count_not_days(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["activity", "--demo", "--workers", "abc"])
    message = capsys.readouterr().err.splitlines()[-1]
    assert message == "rootguard: error: argument --workers: takes a whole number (at least 1), not 'abc'"
