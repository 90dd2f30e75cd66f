"""Every demo output, byte for byte: a restructuring that changes one shows here first.

The audit JSON has its own golden test (tests/unit/test_cli.py); these cover the rest. Regenerate
after an intended change with ``UPDATE_GOLDEN=1 pytest tests/unit/test_golden_outputs.py`` and
review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rootguard import __version__
from rootguard.cli.main import main

GOLDEN = Path(__file__).parent.parent / "golden"
OUTPUTS = {
    "demo-audit.txt": ["audit", "--demo"],
    "demo-activity.json": ["activity", "--demo", "--format", "json"],
    "demo-activity.txt": ["activity", "--demo"],
    "demo-remediate-terraform.txt": ["remediate", "--demo", "--format", "terraform"],
}


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_demo_output_is_unchanged(
    name: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    main(OUTPUTS[name])
    out = capsys.readouterr().out.replace(__version__, "<version>")
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")
