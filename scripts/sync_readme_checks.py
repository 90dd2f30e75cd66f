"""Rewrite the README's check table with `rootguard checks --format markdown` (tests/test_readme.py checks it)."""

from __future__ import annotations

from pathlib import Path

from rootguard.app.catalog import check_catalog
from rootguard.report.checks_report import render_checks_markdown

README = Path(__file__).parent.parent / "README.md"
BEGIN = "<!-- rootguard checks --format markdown: begin -->"
END = "<!-- rootguard checks --format markdown: end -->"


def main() -> None:
    text = README.read_text()
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{render_checks_markdown(check_catalog())}{END}{tail}")


if __name__ == "__main__":
    main()
