"""``rootguard package-watcher``: the Lambda zip of the watcher, reproducible byte for byte.

The zip holds ``rootguard.watch.handler`` and exactly the rootguard modules it imports, found by
reading their imports (``ast``), never by importing them, plus the data files they load (the root-task
catalogue) and a manifest. Nothing else: the Lambda Python runtime (3.11 or later) provides the
standard library and boto3, the only library the handler uses. Entries are sorted and carry a fixed
time stamp and mode, so the same rootguard version always gives the same bytes (on the same zlib), and
the zip's SHA-256 can be pinned in the template.
"""

from __future__ import annotations

import ast
import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import rootguard
from rootguard import __version__
from rootguard.errors import OutputError

HANDLER_MODULE = "rootguard.watch.handler"
HANDLER = f"{HANDLER_MODULE}.handler"
"""The Lambda function's ``Handler`` setting."""
DATA_FILES = ("rootguard/analysis/root_tasks.toml", "rootguard/py.typed")
"""Package data the modules read at run time (``analysis.root_tasks.load_catalogue``)."""
MANIFEST = "rootguard/watch/PACKAGE.txt"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
"""The earliest time a zip entry can carry: no build time leaks into the bytes."""


@dataclass(frozen=True)
class WatcherZip:
    data: bytes
    files: tuple[str, ...]
    sha256: str


def module_closure(start: str = HANDLER_MODULE, root: Path | None = None) -> tuple[str, ...]:
    """Paths (``rootguard/…/x.py``) of ``start``, every rootguard module it imports, transitively, and the
    ``__init__.py`` of every package on the way."""
    base = root if root is not None else Path(rootguard.__file__).parent.parent
    pending, found = [start], set[str]()
    while pending:
        module = pending.pop()
        path = _module_path(module, base)
        if path is None or path in found:
            continue
        found.add(path)
        parts = module.split(".")
        pending.extend(".".join(parts[:end]) for end in range(1, len(parts)))
        pending.extend(_imports(base / path, module, is_package=path.endswith("__init__.py")))
    return tuple(sorted(found))


def build_watcher_zip(root: Path | None = None) -> WatcherZip:
    base = root if root is not None else Path(rootguard.__file__).parent.parent
    names = sorted({*module_closure(root=base), *DATA_FILES})
    contents = {name: (base / name).read_bytes() for name in names}
    manifest = [f"rootguard {__version__} watcher", f"handler: {HANDLER}", ""]
    manifest += [f"{hashlib.sha256(data).hexdigest()}  {name}" for name, data in contents.items()]
    contents[MANIFEST] = ("\n".join(manifest) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(contents):
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, so the mode below means the same everywhere
            entry.external_attr = 0o100644 << 16
            archive.writestr(entry, contents[name], compresslevel=9)
    data = buffer.getvalue()
    return WatcherZip(data=data, files=tuple(sorted(contents)), sha256=hashlib.sha256(data).hexdigest())


def write_watcher_zip(package: WatcherZip, out: Path, *, force: bool) -> None:
    """Write the zip (0644: it is uploaded, not secret), atomically, never through a link."""
    from rootguard.evidence.files import SHARED_FILE, describe, write_file  # noqa: PLC0415

    if out.exists() and not force:
        raise OutputError(f"{out} already exists; pass --force to overwrite")
    try:
        write_file(out, package.data, SHARED_FILE)
    except OSError as error:
        raise OutputError(f"cannot write {out}: {describe(error)}") from None


def _module_path(module: str, base: Path) -> str | None:
    relative = Path(*module.split("."))
    if (base / relative / "__init__.py").is_file():
        return (relative / "__init__.py").as_posix()
    if (base / relative.with_suffix(".py")).is_file():
        return relative.with_suffix(".py").as_posix()
    return None  # not a module: a name imported from a package (``from rootguard import __version__``)


def _imports(path: Path, module: str, *, is_package: bool) -> list[str]:
    found: list[str] = []
    anchor = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            parent = anchor[: len(anchor) - (node.level - 1)] if node.level else []
            base = ".".join([*parent, node.module] if node.module else parent)
            found.append(base)
            found.extend(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return [name for name in found if name == "rootguard" or name.startswith("rootguard.")]
