"""Import rules that keep the pipeline honest: only collectors talk to AWS; checks are pure."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "src" / "rootguard"


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


def test_only_collectors_import_boto3() -> None:
    offenders = [
        p.relative_to(PACKAGE).as_posix()
        for p in modules()
        if any(n.split(".")[0] in {"boto3", "botocore"} for n in imports(p)) and "collect" not in p.parts
    ]
    assert offenders == []


def test_model_and_checks_do_no_io_and_read_no_clock() -> None:
    for folder in ("model", "checks"):
        for path in modules(folder):
            source = path.read_text()
            found = imports(path)
            assert not {"rootguard.collect", "rootguard.evidence", "rootguard.cli"} & found, path
            assert "datetime.now" not in source and "time.time" not in source, path
            assert "open(" not in source and "os.environ" not in source, path


def test_renderers_do_not_write_files() -> None:
    for path in modules("report"):
        source = path.read_text()
        assert "open(" not in source and "write_text" not in source, path
