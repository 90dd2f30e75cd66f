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


def test_readme_policy_is_what_rootguard_permissions_prints() -> None:
    import json

    from rootguard.app.permissions import policy_document

    readme = (ROOT / "README.md").read_text()
    block = readme.split("### Permissions", 1)[1].split("```json\n", 1)[1].split("\n```", 1)[0]
    assert json.loads(block) == policy_document()


def test_permissions_cover_every_declared_action() -> None:
    from rootguard.app.permissions import audit_actions
    from rootguard.collect import cloudtrail
    from rootguard.model.operations import OPERATIONS

    declared = {action for op in OPERATIONS for action in op.actions} | set(cloudtrail.REQUIRED_ACTIONS)
    assert set(audit_actions()) == declared


def test_readme_check_table_is_what_rootguard_checks_prints() -> None:
    from rootguard.app.catalog import check_catalog
    from rootguard.report.checks_report import render_checks_markdown

    readme = (ROOT / "README.md").read_text()
    begin, end = (
        "<!-- rootguard checks --format markdown: begin -->\n",
        "<!-- rootguard checks --format markdown: end -->",
    )
    assert begin in readme and end in readme, "README.md lost the markers around its check table"
    table = readme.split(begin, 1)[1].split(end, 1)[0]
    assert table == render_checks_markdown(check_catalog()), (
        "README's check table is stale: run `python scripts/sync_readme_checks.py`"
    )
