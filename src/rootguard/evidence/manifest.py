"""The bundle manifest (contract §5): format, collection time, accounts and optional checksums.

Per-operation paths live in ``model.operations``."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from rootguard.errors import BundleError
from rootguard.model.timestamps import parse_timestamp

FORMAT = "rootguard/evidence@1"
MANIFEST = "manifest.json"

ACCOUNT_ID = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Manifest:
    collected_at: datetime
    accounts: tuple[str, ...]
    sha256: dict[str, str] | None


def read_manifest(root: Path) -> Manifest:
    """Read and validate ``manifest.json``; raise ``BundleError`` naming what is wrong."""
    if not root.exists():
        raise BundleError(f"evidence bundle not found: {root} does not exist")
    if not root.is_dir():
        raise BundleError(f"evidence bundle must be a directory: {root} is a file")
    file = root / MANIFEST
    try:
        document = json.loads(file.read_bytes())
    except FileNotFoundError:
        raise BundleError(
            f"{file} is missing: an evidence bundle needs a manifest "
            f'({{"format": "{FORMAT}", "collected_at": "…Z", "accounts": ["123456789012"]}})'
        ) from None
    except (OSError, ValueError) as error:
        raise BundleError(f"{file} is not valid JSON: {error}") from None
    return _validate(document, file)


def _validate(document: Any, file: Path) -> Manifest:
    if not isinstance(document, dict):
        raise BundleError(f"{file}: the manifest must be a JSON object")
    if document.get("format") != FORMAT:
        raise BundleError(f"{file}: format is {document.get('format')!r}; rootguard reads {FORMAT!r}")
    collected = document.get("collected_at")
    try:
        collected_at = parse_timestamp(collected) if isinstance(collected, str) else None
    except ValueError:
        collected_at = None
    if collected_at is None:
        raise BundleError(f"{file}: collected_at must be an ISO 8601 timestamp, found {collected!r}")
    accounts = document.get("accounts")
    if not isinstance(accounts, list) or not accounts:
        raise BundleError(f"{file}: accounts must be a non-empty list of 12-digit account ids")
    bad = [a for a in accounts if not isinstance(a, str) or not ACCOUNT_ID.match(a)]
    if bad:
        raise BundleError(f"{file}: {bad[0]!r} is not a 12-digit account id (account ids are strings)")
    if len(set(accounts)) != len(accounts):
        raise BundleError(f"{file}: accounts lists an account twice")
    sha256 = document.get("sha256")
    if sha256 is not None and (not isinstance(sha256, dict) or not all(isinstance(v, str) for v in sha256.values())):
        raise BundleError(f"{file}: sha256 must map relative paths to hex digests")
    return Manifest(collected_at=collected_at, accounts=tuple(accounts), sha256=sha256)


def verify_checksums(root: Path, manifest: Manifest) -> tuple[str, ...]:
    """Check every listed digest; raise on a mismatch. Returns notes on unlisted files."""
    if manifest.sha256 is None:
        return ()
    for relative, expected in manifest.sha256.items():
        file = root / _safe_relative(relative)
        try:
            actual = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError:
            raise BundleError(f"{root / MANIFEST} lists {relative} but the file cannot be read") from None
        if actual != expected.lower():
            raise BundleError(
                f"{relative}: sha256 mismatch (manifest {expected}, file {actual}); "
                "the bundle was changed after collection"
            )
    listed = set(manifest.sha256)
    unlisted = sorted(
        path.relative_to(root).as_posix()
        for account in manifest.accounts
        if (root / account).is_dir()
        for path in (root / account).rglob("*")
        if path.is_file() and path.relative_to(root).as_posix() not in listed
    )
    return tuple(f"{path} is not covered by the manifest's sha256 list" for path in unlisted)


def _safe_relative(relative: str) -> str:
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BundleError(f"manifest sha256 names {relative!r}, which is outside the bundle")
    return str(path)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
