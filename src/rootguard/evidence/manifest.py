"""The bundle manifest (contract §5): format, collection time, accounts and optional checksums.

Per-operation paths live in ``model.operations``. Everything here is read without following a link
inside the bundle (``evidence.files``): a linked manifest or account folder makes the bundle unusable,
and a bundle that still holds the ``.rootguard-incomplete`` marker was never finished (contract §5.6).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from rootguard.errors import BundleError
from rootguard.evidence.files import Kind, RefusedPath, kind_inside, read_inside, walk_inside
from rootguard.model.evidence import Source
from rootguard.model.operations import is_account_id, relative_path_problem
from rootguard.model.timestamps import parse_timestamp

FORMAT = "rootguard/evidence@1"
MANIFEST = "manifest.json"
MARKER = ".rootguard-incomplete"
"""Present while rootguard writes a bundle, removed once its manifest is in place (contract §5.6)."""

MARKER_TEXT = (
    "rootguard is writing this evidence bundle, or was interrupted while writing it: it is incomplete\n"
    "and rootguard refuses to audit it. Collect again (rootguard collect --out DIR --force).\n"
)


@dataclass(frozen=True)
class Manifest:
    collected_at: datetime
    accounts: tuple[str, ...]
    sha256: dict[str, str] | None
    skipped: dict[Source, str] = field(default_factory=dict)
    """Evidence the collection left out by the user's choice (``--no-cloudtrail``, ``--no-alerting``)."""


def read_manifest(root: Path) -> Manifest:
    """Read and validate ``manifest.json``; raise ``BundleError`` naming what is wrong."""
    if not root.exists():
        raise BundleError(f"evidence bundle not found: {root} does not exist")
    if not root.is_dir():
        raise BundleError(f"evidence bundle must be a directory: {root} is a file")
    file = root / MANIFEST
    try:
        incomplete = kind_inside(root, MARKER) is not Kind.ABSENT
    except OSError:
        incomplete = True
    if incomplete:
        raise BundleError(
            f"incomplete bundle: {root} holds {MARKER}, so the rootguard run that wrote it did not finish "
            "(interrupted, or it failed); collect again with --force, or use another bundle"
        )
    try:
        document = json.loads(read_inside(root, MANIFEST))
    except FileNotFoundError:
        raise BundleError(
            f"{file} is missing: an evidence bundle needs a manifest "
            f'({{"format": "{FORMAT}", "collected_at": "…Z", "accounts": ["123456789012"]}})'
        ) from None
    except RefusedPath as refused:
        raise BundleError(f"{file} {refused.reason}: the manifest must be a regular file inside the bundle") from None
    except (OSError, ValueError) as error:
        raise BundleError(f"{file} is not valid JSON: {error}") from None
    return _validate(document, file)


def check_account_folders(root: Path, manifest: Manifest) -> None:
    """Refuse a bundle whose account folder is a link (its evidence would come from elsewhere)."""
    for account in manifest.accounts:
        try:
            kind = kind_inside(root, account)
        except OSError as error:
            raise BundleError(f"{root / account} cannot be read: {error.strerror or error}") from None
        if kind is Kind.LINK:
            raise BundleError(
                f"{root / account} is a symbolic link: an account folder must be a real folder inside the "
                "bundle (rootguard does not follow links in a bundle)"
            )


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
    bad = [a for a in accounts if not is_account_id(a)]
    if bad:
        raise BundleError(f"{file}: {bad[0]!r} is not a 12-digit account id (account ids are strings)")
    if len(set(accounts)) != len(accounts):
        raise BundleError(f"{file}: accounts lists an account twice")
    sha256 = document.get("sha256")
    if sha256 is not None and (not isinstance(sha256, dict) or not all(isinstance(v, str) for v in sha256.values())):
        raise BundleError(f"{file}: sha256 must map relative paths to hex digests")
    return Manifest(
        collected_at=collected_at, accounts=tuple(accounts), sha256=sha256, skipped=_skipped(document, file)
    )


def _skipped(document: dict[str, Any], file: Path) -> dict[Source, str]:
    """``"skipped": {"alerting": "--no-alerting was given"}``; sources this version does not know are ignored."""
    skipped = document.get("skipped", {})
    if not isinstance(skipped, dict) or not all(isinstance(v, str) for v in skipped.values()):
        raise BundleError(f"{file}: skipped must map evidence sources (cloudtrail, alerting) to reasons")
    known = {source.value: source for source in Source}
    return {known[name]: reason for name, reason in skipped.items() if name in known}


def verify_checksums(root: Path, manifest: Manifest) -> tuple[str, ...]:
    """Check every listed digest; raise on a mismatch. Returns notes on unlisted files and links."""
    if manifest.sha256 is not None:
        for relative, expected in manifest.sha256.items():
            _check_listed(root, relative)
            try:
                actual = hashlib.sha256(read_inside(root, relative)).hexdigest()
            except RefusedPath as refused:
                raise BundleError(f"{root / MANIFEST} lists {relative} but it {refused.reason}") from None
            except OSError:
                raise BundleError(f"{root / MANIFEST} lists {relative} but the file cannot be read") from None
            if actual != expected.lower():
                raise BundleError(
                    f"{relative}: sha256 mismatch (manifest {expected}, file {actual}); "
                    "the bundle was changed after collection"
                )
    listed = set(manifest.sha256 or ())
    notes: list[str] = []
    for account in manifest.accounts:
        for path, kind in sorted(walk_inside(root, account)):
            if kind is Kind.LINK:
                notes.append(f"{path} is a symbolic link: rootguard does not read it")
            elif kind is Kind.OTHER:
                notes.append(f"{path} is not a regular file: rootguard does not read it")
            elif kind is Kind.UNREADABLE:
                notes.append(f"{path} cannot be listed")
            elif manifest.sha256 is not None and path not in listed:
                notes.append(f"{path} is not covered by the manifest's sha256 list")
    return tuple(notes)


def _check_listed(root: Path, relative: str) -> None:
    problem = relative_path_problem(relative)
    if problem is not None:
        where = "outside the bundle" if relative.startswith("/") or ".." in relative.split("/") else "not a file path"
        raise BundleError(f"manifest sha256 names {relative!r}, which is {where}: {problem}")


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
