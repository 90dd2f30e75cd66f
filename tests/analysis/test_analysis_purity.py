"""The analysis package stays pure: no AWS, no files, no clock (STYLE.md practice 2)."""

from __future__ import annotations

import ast
from pathlib import Path

import rootguard.analysis

PACKAGE = Path(rootguard.analysis.__file__).parent
FORBIDDEN_IMPORTS = {"boto3", "botocore", "rootguard.collect", "rootguard.evidence", "rootguard.trail", "rootguard.cli"}


def test_analysis_imports_no_io_layer_and_reads_no_clock() -> None:
    modules = sorted(PACKAGE.glob("*.py"))
    assert modules
    for path in modules:
        source = path.read_text()
        names: set[str] = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
        assert not {n for n in names if n in FORBIDDEN_IMPORTS or n.split(".")[0] in {"boto3", "botocore"}}, path
        for needle in ("datetime.now", "time.time", "open(", "os.environ", "date.today"):
            assert needle not in source, (path.name, needle)
