"""The README's Quick start is what CI runs: keep the two in step."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_quick_start_has_exactly_two_commands() -> None:
    commands = quick_start_commands()
    assert len(commands) == 2
    assert "rootguard audit --demo" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert quick_start_commands()[1] in ci.splitlines()


def test_readme_permissions_match_the_collectors() -> None:
    from rootguard.collect import cloudtrail
    from rootguard.model.operations import OPERATIONS

    readme = (ROOT / "README.md").read_text()
    declared = {action for op in OPERATIONS for action in op.actions} | set(cloudtrail.REQUIRED_ACTIONS)
    listed = set(re.findall(r'"((?:iam|ec2|cloudtrail|s3):[A-Za-z]+)"', readme))
    assert listed == declared
