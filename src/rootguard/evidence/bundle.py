"""Evidence bundles on disk (contract §5): open one for offline evaluation, or write one.

Written bundles hold AWS-CLI-shaped JSON, a manifest with checksums, and owner-only files.

Evidence is sensitive (it names credentials and their use), so directories are 0700 and
files 0600 from the moment they are created.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from rootguard.errors import OutputError
from rootguard.evidence.assemble import assemble
from rootguard.evidence.manifest import FORMAT, MANIFEST, digest, read_manifest, verify_checksums
from rootguard.evidence.store import DirectoryStore
from rootguard.model.evidence import Evidence
from rootguard.model.timestamps import format_timestamp


@dataclass(frozen=True)
class OpenedBundle:
    evidence: Evidence
    notes: tuple[str, ...]


def open_bundle(root: Path, source: str | None = None) -> OpenedBundle:
    """Validate the manifest and checksums, then assemble the evidence (raises ``BundleError``)."""
    manifest = read_manifest(root)
    notes = verify_checksums(root, manifest)
    evidence = assemble(DirectoryStore(root), manifest.accounts, manifest.collected_at, source or str(root))
    return OpenedBundle(evidence=evidence, notes=notes)


def write_bundle(
    out: Path,
    documents: Mapping[str, Any],
    accounts: tuple[str, ...],
    collected_at: datetime,
    *,
    force: bool = False,
) -> None:
    """Write ``documents`` (bundle path → JSON value, or raw bytes such as a CloudTrail ``.json.gz``)
    and the manifest under ``out``."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"cannot write the bundle: {out} is a file")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise OutputError(f"{out} is not empty; choose an empty directory or pass --force to write into it")
    try:
        _mkdir(out)
        checksums: dict[str, str] = {}
        for relative, document in sorted(documents.items()):
            data = document if isinstance(document, bytes) else _json(document)
            target = out / relative
            _mkdir(target.parent, stop=out)
            _write_private(target, data)
            checksums[relative] = digest(data)
        manifest = {
            "format": FORMAT,
            "collected_at": format_timestamp(collected_at),
            "accounts": list(accounts),
            "sha256": checksums,
        }
        _write_private(out / MANIFEST, (json.dumps(manifest, indent=2) + "\n").encode())
    except OSError as error:
        raise OutputError(f"cannot write the bundle under {out}: {error.strerror or error}") from None


def _json(document: Any) -> bytes:
    return (json.dumps(document, indent=4, ensure_ascii=False) + "\n").encode()


def _mkdir(path: Path, stop: Path | None = None) -> None:
    missing = []
    current = path
    while not current.exists() and current != stop:
        missing.append(current)
        current = current.parent
    for directory in reversed(missing):
        directory.mkdir(mode=0o700)
        directory.chmod(0o700)  # mkdir's mode is masked by the umask


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode otherwise
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
