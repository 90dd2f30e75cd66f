"""The layers of docs/ARCHITECTURE.md, enforced from the code's own imports (parsed, not grepped).

Every import is read with ``ast``, wherever it stands (top level, inside a function, under
``TYPE_CHECKING``), in every form (``import a.b``, ``from a import b``, ``from . import b``,
``from rootguard import cli``, ``importlib.import_module("…")``), and resolved to the layer it
reaches. A layer may import only the layers listed for it below; the tests at the end prove the
checker catches each form of a wrong-way import.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "rootguard"
ROOT_MODULES = {"__init__", "__main__", "errors"}
"""The only modules outside a layer's package: the package face, ``python -m`` and the error tree."""

ALLOWED: dict[str, set[str]] = {
    "__main__": {"cli"},
    "cli": {"app", "config", "report", "model", "errors"},
    "app": {"collect", "evidence", "checks", "analysis", "trail", "model", "remediation", "config", "errors"},
    "collect": {"evidence", "analysis", "trail", "model", "errors"},
    "evidence": {"analysis", "trail", "model", "errors"},
    "config": {"checks", "model", "errors"},
    "checks": {"analysis", "model", "remediation", "errors"},
    "analysis": {"model", "errors"},
    "trail": {"model", "errors"},
    "report": {"model", "errors"},
    "remediation": {"model", "errors"},
    "watch": {"analysis", "model", "errors"},
    "model": {"errors"},
    "errors": set(),
    "__init__": set(),
}
"""Layer → the layers it may import (itself and the package face ``rootguard`` always allowed)."""

THIRD_PARTY_OWNERS = {
    "boto3": {"collect", "watch"},
    "botocore": {"collect"},
    "rich": {"report"},
    "jinja2": {"report"},
    "markupsafe": {"report"},
}
"""Libraries only one layer may touch: AWS only at the collector edge (and in the deployed watcher, which
publishes from inside Lambda), terminal drawing and HTML templating only in report."""
STUB_PREFIX = "mypy_boto3_"


@dataclass(frozen=True)
class Import:
    module: str
    """The absolute module name the statement reaches (``rootguard.app.audit``, ``boto3``)."""
    line: int


def layer_of(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package).parts
    return parts[0] if len(parts) > 1 else path.stem


def module_name(path: Path, package: Path) -> str:
    relative = path.relative_to(package).with_suffix("")
    parts = [package.name, *relative.parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, package: Path = PACKAGE) -> list[Import]:
    """Every module ``path`` imports, absolute, with the line it is imported on."""
    found: list[Import] = []
    here = module_name(path, package)
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module, node.level, here, is_package)
            found.append(Import(base, node.lineno))
            # `from rootguard import cli` and `from rootguard.app import audit` reach the named submodule.
            found.extend(Import(f"{base}.{alias.name}", node.lineno) for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and _calls_import_module(node):
            argument = node.args[0] if node.args else None
            name = argument.value if isinstance(argument, ast.Constant) else "<dynamic>"
            found.append(Import(str(name), node.lineno))
    return found


def _resolve(module: str | None, level: int, here: str, is_package: bool) -> str:
    if level == 0:
        return module or ""
    parts = here.split(".")
    anchor = parts if is_package else parts[:-1]
    anchor = anchor[: len(anchor) - (level - 1)]
    return ".".join([*anchor, module] if module else anchor)


def _calls_import_module(node: ast.Call) -> bool:
    function = node.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
    return name in {"import_module", "__import__"}


def target_layer(module: str, package_name: str) -> str | None:
    """The layer a ``rootguard…`` module belongs to; None for the package face and other libraries."""
    parts = module.split(".")
    if parts[0] != package_name or len(parts) == 1:
        return None
    return parts[1] if parts[1] in ALLOWED else None


def violations(package: Path = PACKAGE) -> list[str]:
    """Every import against the flow, as ``file:line: layer imports target``."""
    found: list[str] = []
    for path in sorted(package.rglob("*.py")):
        layer = layer_of(path, package)
        for item in imports(path, package):
            where = f"{path.relative_to(package).as_posix()}:{item.line}"
            top = item.module.split(".")[0]
            if item.module == "<dynamic>":
                found.append(f"{where}: {layer} imports a module named at run time")
                continue
            owners = THIRD_PARTY_OWNERS.get(top) or ({"collect"} if top.startswith(STUB_PREFIX) else None)
            if owners is not None and layer not in owners:
                found.append(f"{where}: {layer} imports {top}, which only {', '.join(sorted(owners))} may use")
            target = target_layer(item.module, package.name)
            if target is None or target == layer:
                continue
            if target not in ALLOWED.get(layer, set()):
                found.append(f"{where}: {layer} imports {item.module} ({target} is not below {layer})")
    return found


def test_every_import_follows_the_flow() -> None:
    assert violations() == []


def test_no_loose_modules_at_the_top() -> None:
    loose = {p.stem for p in PACKAGE.glob("*.py")} - ROOT_MODULES
    assert loose == set()


def test_every_package_is_a_known_layer() -> None:
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert packages <= set(ALLOWED)
    assert set(ALLOWED) - ROOT_MODULES <= packages


def test_the_table_is_acyclic() -> None:
    """A layer that may import another may never be imported back (directly or through others)."""

    def below(layer: str, seen: frozenset[str] = frozenset()) -> set[str]:
        assert layer not in seen, f"cycle through {layer}"
        reached = set(ALLOWED[layer])
        for lower in ALLOWED[layer]:
            reached |= below(lower, seen | {layer})
        return reached

    for layer in ALLOWED:
        assert layer not in below(layer)


def test_the_architecture_page_lists_the_same_rules() -> None:
    page = (PACKAGE.parent.parent / "docs" / "ARCHITECTURE.md").read_text()
    for layer, lowers in ALLOWED.items():
        if layer in ROOT_MODULES - {"errors"}:
            continue
        row = next((line for line in page.splitlines() if line.startswith(f"| `{layer}")), None)
        assert row is not None, f"docs/ARCHITECTURE.md has no row for {layer}"
        for lower in lowers:
            assert f"`{lower}`" in row, f"docs/ARCHITECTURE.md: {layer} may import {lower}, the page does not say so"


def test_model_and_checks_do_no_io_and_read_no_clock() -> None:
    for folder in ("model", "checks", "analysis"):
        for path in sorted((PACKAGE / folder).rglob("*.py")):
            source = path.read_text()
            assert "datetime.now" not in source and "time.time" not in source, path
            assert "open(" not in source and "os.environ" not in source, path


def test_renderers_do_not_write_files() -> None:
    for path in sorted((PACKAGE / "report").rglob("*.py")):
        source = path.read_text()
        assert "open(" not in source and "write_text" not in source and "write_bytes" not in source, path


# The checker itself: each form of a wrong-way import is caught --------------------------------------------

WRONG_WAY = {
    "from_import": "from rootguard.cli.main import main\n",
    "plain_import": "import rootguard.app.audit\n",
    "package_face": "from rootguard import collect\n",
    "inside_function": "def f() -> None:\n    from rootguard.evidence.bundle import open_bundle  # noqa\n",
    "type_checking": "if TYPE_CHECKING:\n    from rootguard.config.settings import Settings\n",
    "relative": "from ..report import table\n",
    "dynamic": "import importlib\nimportlib.import_module('rootguard.cli')\n",
    "boto3": "import boto3\n",
    "stubs": "from mypy_boto3_iam import IAMClient\n",
}


def _package(tmp_path: Path, source: str) -> Path:
    package = tmp_path / "rootguard"
    for layer in ALLOWED:
        if layer not in ROOT_MODULES:
            (package / layer).mkdir(parents=True, exist_ok=True)
            (package / layer / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "model" / "wrong.py").write_text(source)
    return package


@pytest.mark.parametrize("form", sorted(WRONG_WAY))
def test_a_wrong_way_import_is_caught_in_every_form(tmp_path: Path, form: str) -> None:
    found = violations(_package(tmp_path, WRONG_WAY[form]))
    assert len(found) >= 1, form
    assert all(line.startswith("model/wrong.py:") for line in found)


def test_a_right_way_import_passes(tmp_path: Path) -> None:
    source = "from rootguard.errors import UsageError\nfrom . import other\nfrom rootguard import __version__\n"
    assert violations(_package(tmp_path, source)) == []
