"""``rootguard checks``: the catalogue of checks as a terminal table, JSON (``rootguard/checks@1``) or Markdown.

The Markdown form is the README's check table (scripts/sync_readme_checks.py writes it there).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from rootguard.model.catalog import CheckEntry
from rootguard.report.console import text_console

SCHEMA = "rootguard/checks@1"
CIS = ("cis-aws-3.0.0", "cis-aws-5.0.0", "cis-aws-6.0.0")


def render_checks_json(entries: Sequence[CheckEntry]) -> str:
    document = {"schema": SCHEMA, "checks": [_entry(entry) for entry in entries]}
    return json.dumps(document, indent=2) + "\n"


def _entry(entry: CheckEntry) -> dict[str, Any]:
    return {
        "check_id": entry.check_id,
        "title": entry.title,
        "severity": entry.severity.value,
        "frameworks": {name: list(ids) for name, ids in entry.frameworks.items()},
        "evidence": list(entry.evidence),
        "actions": list(entry.actions),
        "skipped_by": list(entry.skipped_by),
        "scope": entry.scope,
    }


def render_checks_markdown(entries: Sequence[CheckEntry]) -> str:
    lines = [
        "| check | title | CIS v3.0.0 | v5.0.0 | v6.0.0 | severity | evidence it reads | IAM actions it needs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for entry in entries:
        cells = [
            f"`{entry.check_id}`",
            _escape(entry.title) + (" (organization audits only)" if entry.scope == "organization" else ""),
            *(_cis(entry, framework) for framework in CIS),
            entry.severity.value,
            ", ".join(f"`{path}`" for path in entry.evidence),
            ", ".join(f"`{action}`" for action in entry.actions),
        ]
        lines.append(f"| {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _cis(entry: CheckEntry, framework: str) -> str:
    return ", ".join(entry.frameworks.get(framework, ())) or "—"


def render_checks_table(entries: Sequence[CheckEntry], *, color: bool = False, width: int = 120) -> str:
    console, buffer = text_console(color=color, width=width)
    table = Table(title=Text(f"{len(entries)} checks", style="bold"), title_justify="left", expand=True)
    table.add_column("Check", no_wrap=True)
    table.add_column("CIS v3", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Title · evidence it reads (in each account's folder of a bundle) · IAM actions", ratio=1)
    for entry in entries:
        about = Text(entry.title, style="bold")
        for path in entry.evidence:
            about.append(f"\n{path}", style="dim")
        about.append(f"\nIAM: {', '.join(entry.actions) or 'none'}")
        if entry.skipped_by:
            about.append(f"\nSKIPPED with {' or '.join(entry.skipped_by)}", style="dim")
        table.add_row(Text(entry.check_id), Text(_cis(entry, CIS[0])), Text(entry.severity.value), about)
    console.print(table)
    return buffer.getvalue()
