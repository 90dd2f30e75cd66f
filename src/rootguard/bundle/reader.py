"""Open an evidence bundle directory for offline evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rootguard.bundle.assemble import assemble
from rootguard.bundle.manifest import read_manifest, verify_checksums
from rootguard.bundle.store import DirectoryStore
from rootguard.model.evidence import Evidence


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
