"""The README's alert is what the code produces for the documented sign-in, byte for byte."""

from __future__ import annotations

from pathlib import Path

import watch_envelopes as w
from rootguard.analysis.watch_event import Alert, classify_envelope
from rootguard.analysis.watch_message import message

README = Path(__file__).parents[2] / "README.md"


def test_the_readme_shows_a_real_alert_and_the_two_set_up_commands() -> None:
    section = README.read_text().split("## Watch:", 1)[1].split("\n## ", 1)[0]
    shown = section.split("```text\n", 1)[1].split("```", 1)[0]
    alert = classify_envelope(w.sign_in_without_mfa(), account_names={w.MEMBER: "prod-payments"})
    assert isinstance(alert, Alert)
    assert shown == message(alert)
    commands = section.split("```sh\n", 1)[1].split("```", 1)[0].splitlines()
    assert commands == [
        "rootguard package-watcher --out watcher.zip",
        "rootguard remediate --format cloudformation --watch --out ./watcher",
    ]
