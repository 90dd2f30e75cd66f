"""Rewrite the README's policy block with what `rootguard permissions` prints (tests/test_readme.py checks it)."""

from __future__ import annotations

from pathlib import Path

from rootguard.app.permissions import render_policy

README = Path(__file__).parent.parent / "README.md"


def main() -> None:
    text = README.read_text()
    head, tail = text.split("### Permissions", 1)
    before, rest = tail.split("```json\n", 1)
    _, after = rest.split("\n```", 1)
    README.write_text(f"{head}### Permissions{before}```json\n{render_policy().rstrip()}\n```{after}")


if __name__ == "__main__":
    main()
