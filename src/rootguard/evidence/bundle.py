"""Evidence bundles on disk (contract §5): open one for offline evaluation, or write one.

Written bundles hold AWS-CLI-shaped JSON, a manifest with checksums, and owner-only files.

Evidence is sensitive (it names credentials and their use), so directories are 0700 and files 0600
from the moment they are created, and nothing is written or read through a symbolic link
(``evidence.files``). Every path is checked before anything is written: the values AWS returned
(account id, Regions, resource names) cannot lead a write out of the bundle.

Writing is safe to interrupt (contract §5.6). A new ``DIR`` is built as a hidden sibling
(``.<name>.partial-<random>``) that holds the ``.rootguard-incomplete`` marker until its manifest is
written, and is then renamed to ``DIR`` in one step. An existing ``DIR`` (empty, or with ``--force``)
is written in place: the marker first, then any old manifest removed, the files, the new manifest
(atomically), and the marker removed last. At every moment ``DIR`` is absent, unchanged, refused as
an incomplete bundle, or complete.
"""

from __future__ import annotations

import json
import os
import posixpath
import secrets
import shutil
import threading
from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from rootguard.errors import OutputError
from rootguard.evidence import files
from rootguard.evidence.assemble import assemble
from rootguard.evidence.files import PRIVATE_DIR, PRIVATE_FILE, Kind, RefusedPath, describe
from rootguard.evidence.manifest import (
    FORMAT,
    MANIFEST,
    MARKER,
    MARKER_TEXT,
    check_account_folders,
    digest,
    read_manifest,
    verify_checksums,
)
from rootguard.evidence.store import DirectoryStore
from rootguard.model.evidence import Evidence, Source
from rootguard.model.operations import bundle_path_problem, is_account_id, relative_path_problem
from rootguard.model.timestamps import format_timestamp

PARTIAL = ".partial-"
"""A new bundle is built in ``<parent>/.<name>.partial-<random>`` and renamed into place."""


@dataclass(frozen=True)
class OpenedBundle:
    evidence: Evidence
    notes: tuple[str, ...]


def open_bundle(root: Path, source: str | None = None) -> OpenedBundle:
    """Validate the manifest, the account folders and the checksums, then assemble the evidence
    (raises ``BundleError``)."""
    manifest = read_manifest(root)
    check_account_folders(root, manifest)
    notes = verify_checksums(root, manifest)
    # An `organization/` folder makes an organization bundle (§5.7); a link there is one too, refused file by file.
    organization = files.kind_inside(root, ORGANIZATION_FOLDER) is not Kind.ABSENT
    evidence = assemble(
        DirectoryStore(root), manifest.accounts, manifest.collected_at, source or str(root), organization=organization
    )
    return OpenedBundle(evidence=replace(evidence, skipped=manifest.skipped), notes=notes)


def check_output_dir(out: Path, *, force: bool = False) -> None:
    """Raise ``OutputError`` when ``out`` cannot take a bundle; call it before collecting anything.

    ``out`` may be missing (it is made, with any missing folder above it), or an empty folder, or with
    ``force`` a folder holding anything; never a link, a file, or a folder rootguard cannot write.
    """
    kind = _kind(out)
    if kind is Kind.ABSENT:
        _check_creatable(out)
        return
    if kind is Kind.LINK:
        raise OutputError(f"cannot write the bundle: {out} {files.LINK}; name the directory itself")
    if kind is not Kind.DIR:
        raise OutputError(f"cannot write the bundle: {out} is a file")
    try:
        entries = [entry.name for entry in out.iterdir()]
    except OSError as error:
        raise OutputError(f"cannot write the bundle under {out}: {describe(error)}") from None
    if entries and not force:
        raise OutputError(f"{out} is not empty; choose an empty directory or pass --force to write into it")
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write the bundle under {out}: permission denied")
    for name in (MANIFEST, MARKER):
        if name in entries and _kind(out / name) is not Kind.FILE:
            what = files.LINK if _kind(out / name) is Kind.LINK else "is not a regular file"
            raise OutputError(f"cannot write the bundle: {out / name} {what}")


def _kind(path: Path) -> Kind:
    try:
        return files.lkind(path)
    except OSError as error:
        raise OutputError(f"cannot write the bundle to {path}: {describe(error)}") from None


def _check_creatable(out: Path) -> None:
    """The nearest folder above ``out`` that exists must be one rootguard can write in."""
    above = out.absolute().parent
    while not above.exists() and above != above.parent:
        above = above.parent
    if not above.is_dir():
        raise OutputError(f"cannot write the bundle to {out}: {above} is not a directory")
    if not os.access(above, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write the bundle to {out}: permission denied in {above}")


def write_bundle(
    out: Path,
    documents: Mapping[str, Any],
    accounts: tuple[str, ...],
    collected_at: datetime,
    *,
    force: bool = False,
    skipped: Mapping[Source, str] | None = None,
) -> None:
    """Write ``documents`` (bundle path → JSON value, or raw bytes such as a CloudTrail ``.json.gz``)
    and the manifest under ``out``; raise ``OutputError`` before writing anything when a path is not
    a safe bundle path or ``out`` cannot take the bundle."""
    planned = _plan(documents, accounts)
    checksums = {"/".join(parts): digest(data) for parts, data in planned}
    manifest = {
        "format": FORMAT,
        "collected_at": format_timestamp(collected_at),
        "accounts": list(accounts),
        "sha256": checksums,
    }
    if skipped:
        manifest["skipped"] = {source.value: reason for source, reason in sorted(skipped.items())}
    manifest_bytes = (json.dumps(manifest, indent=2) + "\n").encode()
    check_output_dir(out, force=force)
    try:
        if _kind(out) is Kind.ABSENT:
            _write_beside(out, planned, manifest_bytes)
        else:
            _preflight(out, planned)
            _write_in_place(out, planned, manifest_bytes)
    except OSError as error:
        raise OutputError(f"cannot write the bundle under {out}: {describe(error)}") from None


Planned = list[tuple[tuple[str, ...], bytes]]


def _plan(documents: Mapping[str, Any], accounts: tuple[str, ...]) -> Planned:
    """Every file as (path parts, bytes), sorted; refuse any path an AWS value could have bent."""
    bad = [account for account in accounts if not is_account_id(account)]
    if not accounts or bad:
        shown = repr(bad[0]) if bad else "no account"
        raise OutputError(f"cannot write the bundle: {shown} is not a 12-digit account id")
    planned: Planned = []
    for relative, document in sorted(documents.items()):
        parts = _stream_parts(relative)
        data = document if isinstance(document, bytes) else _json(document)
        planned.append((parts, data))
    return planned


def _json(document: Any) -> bytes:
    return (json.dumps(document, indent=4, ensure_ascii=False) + "\n").encode()


def _write_beside(out: Path, planned: Planned, manifest: bytes) -> None:
    """Build the bundle in a hidden sibling folder, then rename it to ``out`` in one step."""
    _make_parents(out)
    parent_fd = files.open_parent(out)
    try:
        temp = f".{out.name[:64]}{PARTIAL}{secrets.token_hex(4)}"
        os.mkdir(temp, PRIVATE_DIR, dir_fd=parent_fd)
        try:
            temp_fd = files.open_dir(temp, parent_fd)
            try:
                os.fchmod(temp_fd, PRIVATE_DIR)
                files.write_new(temp_fd, MARKER, MARKER_TEXT.encode(), PRIVATE_FILE)
                _write_files(temp_fd, planned, in_place=False)
                files.write_new(temp_fd, MANIFEST, manifest, PRIVATE_FILE)
                files.remove(temp_fd, MARKER)
            finally:
                os.close(temp_fd)
            files.rename(parent_fd, temp, out.name)
        except BaseException:
            # Everything in the sibling was written by this run: remove it (Ctrl-C included).
            with suppress(OSError):
                shutil.rmtree(temp, dir_fd=parent_fd)
            raise
    finally:
        os.close(parent_fd)


def _make_parents(out: Path) -> None:
    """Make the missing folders above ``out``, owner-only like the bundle."""
    missing = []
    above = out.parent
    while files.lkind(above) is Kind.ABSENT and above != above.parent:
        missing.append(above)
        above = above.parent
    for folder in reversed(missing):
        with suppress(FileExistsError):
            folder.mkdir(mode=PRIVATE_DIR)
            folder.chmod(PRIVATE_DIR)  # mkdir's mode is masked by the umask


def _preflight(out: Path, planned: Planned) -> None:
    """Before ``out`` is touched: no path of the bundle may meet a link or a file of the wrong kind,
    and every target must resolve inside ``out``."""
    root_fd = files.open_dir(out, shown=str(out))
    try:
        for parts in (*(parts for parts, _ in planned), (MANIFEST,), (MARKER,)):
            relative = "/".join(parts)
            kind = files.kind_below(root_fd, parts)
            if kind is Kind.LINK:
                raise RefusedPath(relative, files.LINK)
            if kind not in (Kind.ABSENT, Kind.FILE):
                raise RefusedPath(relative, "is in the way: not a regular file")
    finally:
        os.close(root_fd)
    real = os.path.realpath(out)
    for parts, _ in planned:
        target = os.path.realpath(out.joinpath(*parts))
        if os.path.commonpath([real, target]) != real:
            raise RefusedPath("/".join(parts), "resolves outside the bundle")


def _write_in_place(out: Path, planned: Planned, manifest: bytes) -> None:
    """Write into an existing folder: marker, old manifest removed, files, new manifest, marker removed."""
    out_fd = files.open_dir(out, shown=str(out))
    try:
        files.replace(out_fd, MARKER, MARKER_TEXT.encode(), PRIVATE_FILE, shown=MARKER)
        files.remove(out_fd, MANIFEST)
        _write_files(out_fd, planned, in_place=True)
        files.replace(out_fd, MANIFEST, manifest, PRIVATE_FILE, shown=MANIFEST)
        files.remove(out_fd, MARKER)
    finally:
        os.close(out_fd)


def _write_files(root_fd: int, planned: Planned, *, in_place: bool) -> None:
    folders: dict[tuple[str, ...], int] = {}
    try:
        for parts, data in planned:
            where = parts[:-1]
            if where not in folders:
                folders[where] = files.make_dirs(root_fd, where, PRIVATE_DIR, exact=True)
            relative = "/".join(parts)
            if in_place:
                files.replace(folders[where], parts[-1], data, PRIVATE_FILE, shown=relative)
            else:
                files.write_new(folders[where], parts[-1], data, PRIVATE_FILE, shown=relative)
    finally:
        for fd in folders.values():
            os.close(fd)


ORGANIZATION_FOLDER = "organization"
"""An organization bundle's own folder (contract §5.7), beside the account folders."""


class BundleWriter:
    """A bundle written file by file, for runs whose evidence should not all sit in memory (an organization
    run streams each member's files as the member finishes). Same guarantees as ``write_bundle`` (§5.6):
    a new ``out`` is built in the hidden sibling and renamed into place by ``finish``; an existing one is
    written in place behind the marker. ``abort`` (or leaving the ``with`` block on an exception) removes the
    sibling; in place, the marker stays and the bundle is refused as incomplete.

    Paths are checked as ``write_bundle`` checks them, with ``organization/…`` allowed beside the account
    folders. In place, a link met where a file or folder goes is refused when it is reached (the bundle is
    then left incomplete, never written through the link).
    """

    def __init__(self, out: Path, *, force: bool = False) -> None:
        check_output_dir(out, force=force)
        self.out = out
        self.checksums: dict[str, str] = {}
        self._lock = threading.Lock()
        self._temp: str | None = None
        self._parent_fd: int | None = None
        self._root_fd = -1
        try:
            if _kind(out) is Kind.ABSENT:
                _make_parents(out)
                self._parent_fd = files.open_parent(out)
                self._temp = f".{out.name[:64]}{PARTIAL}{secrets.token_hex(4)}"
                os.mkdir(self._temp, PRIVATE_DIR, dir_fd=self._parent_fd)
                self._root_fd = files.open_dir(self._temp, self._parent_fd)
                os.fchmod(self._root_fd, PRIVATE_DIR)
                files.write_new(self._root_fd, MARKER, MARKER_TEXT.encode(), PRIVATE_FILE)
            else:
                self._root_fd = files.open_dir(out, shown=str(out))
                files.replace(self._root_fd, MARKER, MARKER_TEXT.encode(), PRIVATE_FILE, shown=MARKER)
                files.remove(self._root_fd, MANIFEST)
        except OSError as error:
            self.abort()
            raise OutputError(f"cannot write the bundle under {out}: {describe(error)}") from None

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is not None:
            self.abort()

    def write(self, relative: str, document: Any) -> None:
        """One file (JSON value, or raw bytes); raises ``OutputError`` on a path AWS could have bent."""
        self.write_all({relative: document})

    def write_all(self, documents: Mapping[str, Any]) -> None:
        """Several files; each folder is opened once per call (an account's files share a few folders).
        Thread-safe: workers write their own accounts' files at once (a folder two of them make is made once)."""
        folders: dict[tuple[str, ...], int] = {}
        try:
            for relative, document in sorted(documents.items()):
                parts = _stream_parts(relative)
                data = document if isinstance(document, bytes) else _json(document)
                where = parts[:-1]
                if self._temp is None:
                    kind = files.kind_below(self._root_fd, parts)
                    if kind is Kind.LINK:
                        raise RefusedPath(relative, files.LINK)
                    if kind not in (Kind.ABSENT, Kind.FILE):
                        raise RefusedPath(relative, "is in the way: not a regular file")
                if where not in folders:
                    folders[where] = files.make_dirs(self._root_fd, where, PRIVATE_DIR, exact=True)
                if self._temp is None:
                    files.replace(folders[where], parts[-1], data, PRIVATE_FILE, shown=relative)
                else:
                    files.write_new(folders[where], parts[-1], data, PRIVATE_FILE, shown=relative)
                with self._lock:
                    self.checksums[relative] = digest(data)
        except OSError as error:
            raise OutputError(f"cannot write the bundle under {self.out}: {describe(error)}") from None
        finally:
            for fd in folders.values():
                os.close(fd)

    def finish(
        self, accounts: tuple[str, ...], collected_at: datetime, *, skipped: Mapping[str, str] | None = None
    ) -> None:
        """Write the manifest (every file written, with its sha256), remove the marker, rename into place."""
        bad = [account for account in accounts if not is_account_id(account)]
        if not accounts or bad:
            shown = repr(bad[0]) if bad else "no account"
            raise OutputError(f"cannot write the bundle: {shown} is not a 12-digit account id")
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "collected_at": format_timestamp(collected_at),
            "accounts": list(accounts),
            "sha256": dict(sorted(self.checksums.items())),
        }
        if skipped:
            manifest["skipped"] = dict(sorted(skipped.items()))
        data = (json.dumps(manifest, indent=2) + "\n").encode()
        try:
            if self._temp is None:
                files.replace(self._root_fd, MANIFEST, data, PRIVATE_FILE, shown=MANIFEST)
            else:
                files.write_new(self._root_fd, MANIFEST, data, PRIVATE_FILE)
            files.remove(self._root_fd, MARKER)
            os.close(self._root_fd)
            self._root_fd = -1
            if self._temp is not None and self._parent_fd is not None:
                files.rename(self._parent_fd, self._temp, self.out.name)
                self._temp = None
        except OSError as error:
            self.abort()
            raise OutputError(f"cannot write the bundle under {self.out}: {describe(error)}") from None
        self._close_parent()

    def abort(self) -> None:
        """Stop: remove the hidden sibling (everything in it is this run's); in place the marker stays."""
        if self._root_fd >= 0:
            with suppress(OSError):
                os.close(self._root_fd)
            self._root_fd = -1
        if self._temp is not None and self._parent_fd is not None:
            with suppress(OSError):
                shutil.rmtree(self._temp, dir_fd=self._parent_fd)
            self._temp = None
        self._close_parent()

    def _close_parent(self) -> None:
        if self._parent_fd is not None:
            with suppress(OSError):
                os.close(self._parent_fd)
            self._parent_fd = None


def _stream_parts(relative: str) -> tuple[str, ...]:
    """The parts of an evidence path: ``bundle_path_problem``'s rules, with ``organization/…`` allowed."""
    if isinstance(relative, str) and relative.startswith(ORGANIZATION_FOLDER + "/"):
        problem = relative_path_problem(relative) or ("it holds a backslash" if "\\" in relative else None)
    else:
        problem = bundle_path_problem(relative) if isinstance(relative, str) else "it is not a string"
    if problem is None and posixpath.normpath(posixpath.join("/bundle", relative)) != f"/bundle/{relative}":
        problem = "it does not stay inside the bundle"
    if problem is not None:
        raise OutputError(
            f"cannot write the bundle: refusing the evidence path {relative!r} ({problem}); "
            "a value AWS returned cannot be used as a file name"
        )
    return tuple(relative.split("/"))
