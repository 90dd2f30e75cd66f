"""Files rootguard writes and reads without following symbolic links (contract §5.5).

Writing. Below the directory the user names, every folder is opened relative to its parent's
descriptor with ``O_DIRECTORY | O_NOFOLLOW`` (made first with ``mkdir`` when it is missing), so a
link planted anywhere in a bundle stops the write instead of redirecting it. A new file is created
with ``O_CREAT | O_EXCL | O_NOFOLLOW``; a file that may already exist is replaced atomically: a
temporary file made that way in the same folder, then ``rename`` over the name, which replaces a link
rather than writing through it. Exact modes are set with ``fchmod`` on the open descriptor, so the
umask cannot change them and no moment exists when the file has another mode.

Reading. Every part of a path inside a bundle is opened the same way and only regular files are read
(a FIFO would block, a device never ends). A link, a non-regular file or a name that leaves the root
raises ``RefusedPath``; what a refusal means (a gap for one file, an unusable bundle) is the caller's
business. The folder the user names (``root``) and the folders above it are the user's choice: they
may be links.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator, Mapping
from contextlib import suppress
from enum import StrEnum
from pathlib import Path

from rootguard.model.operations import relative_path_problem

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SHARED_FILE = 0o644
SHARED_DIR = 0o755

TEMP_PREFIX = ".rootguard-tmp-"
"""Temporary files (``.rootguard-tmp-<random>``) live beside the file they replace, for a moment."""

LINK = "is a symbolic link; rootguard does not follow links"

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class RefusedPath(OSError):
    """A path rootguard will not write or read: a link, a file of the wrong kind, a name outside its root."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(errno.EPERM, reason, path)

    @property
    def path(self) -> str:
        return str(self.filename)

    @property
    def reason(self) -> str:
        return str(self.strerror)


def describe(error: OSError) -> str:
    """An OSError in words for a message: a refusal names its path, other errors say what the OS said."""
    if isinstance(error, RefusedPath):
        return f"{error.path} {error.reason}"
    return error.strerror or str(error)


class Kind(StrEnum):
    ABSENT = "absent"
    FILE = "file"
    DIR = "dir"
    LINK = "link"
    OTHER = "other"
    """A FIFO, socket or device."""
    UNREADABLE = "unreadable"
    """A folder that cannot be listed."""


def kind_of(mode: int) -> Kind:
    if stat.S_ISLNK(mode):
        return Kind.LINK
    if stat.S_ISDIR(mode):
        return Kind.DIR
    if stat.S_ISREG(mode):
        return Kind.FILE
    return Kind.OTHER


def lkind(name: str | Path, dir_fd: int | None = None) -> Kind:
    """What is at ``name`` itself (a link is a link), or ABSENT."""
    try:
        return kind_of(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return Kind.ABSENT


def _refusal(name: str | Path, dir_fd: int | None, shown: str) -> RefusedPath | None:
    """After an open failed: why, when ``name`` is a link or of the wrong kind."""
    try:
        kind = lkind(name, dir_fd)
    except OSError:
        return None
    if kind is Kind.LINK:
        return RefusedPath(shown, LINK)
    if kind is Kind.DIR:
        return RefusedPath(shown, "is a folder, not a file")
    if kind in (Kind.FILE, Kind.OTHER):
        return RefusedPath(shown, "is a file, not a folder")
    return None


def open_dir(name: str | Path, dir_fd: int | None = None, *, shown: str | None = None) -> int:
    """A descriptor of the folder ``name`` (relative to ``dir_fd``), never reached through a link at ``name``."""
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError as error:
        if error.errno in (errno.ENOTDIR, errno.ELOOP):
            refusal = _refusal(name, dir_fd, shown or os.fspath(name))
            if refusal is not None:
                raise refusal from None
        raise


def open_parent(path: Path) -> int:
    """A descriptor of the folder holding ``path``: the user's folder, links above it allowed."""
    return os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)


def make_dirs(root_fd: int, parts: tuple[str, ...], mode: int, *, exact: bool, shown: str = "") -> int:
    """A new descriptor of the folder ``parts`` below ``root_fd``, each missing folder made with ``mode``.

    No part is reached through a link. ``exact``: every folder on the way (new or found) is given
    exactly ``mode``; otherwise new folders get ``mode`` less the umask and found ones are left alone.
    """
    fd = os.dup(root_fd)
    try:
        for index, part in enumerate(parts):
            where = "/".join(filter(None, (shown, *parts[: index + 1])))
            with suppress(FileExistsError):
                os.mkdir(part, mode, dir_fd=fd)
            child = open_dir(part, fd, shown=where)
            os.close(fd)
            fd = child
            if exact:
                os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _create(dir_fd: int, name: str, mode: int, shown: str | None) -> int:
    try:
        return os.open(name, _NEW_FLAGS, mode, dir_fd=dir_fd)
    except FileExistsError:
        if lkind(name, dir_fd) is Kind.LINK:
            raise RefusedPath(shown or name, LINK) from None
        raise


def _fill(fd: int, data: bytes, mode: int, exact: bool) -> None:
    try:
        if exact:
            os.fchmod(fd, mode)
        _write_all(fd, data)
    finally:
        os.close(fd)


def write_new(dir_fd: int, name: str, data: bytes, mode: int, *, exact: bool = True, shown: str | None = None) -> None:
    """Create ``name`` in ``dir_fd`` (it must not exist; a link there is refused) and write ``data``."""
    _fill(_create(dir_fd, name, mode, shown), data, mode, exact)


def replace(dir_fd: int, name: str, data: bytes, mode: int, *, exact: bool = True, shown: str | None = None) -> None:
    """Write ``name`` in ``dir_fd`` atomically: a new temporary file beside it, renamed over it.

    Readers see the old file or the whole new one. A link at ``name`` is replaced, never followed.
    """
    temp = f"{TEMP_PREFIX}{secrets.token_hex(8)}"
    fd = _create(dir_fd, temp, mode, None)
    try:
        _fill(fd, data, mode, exact)
        os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException as error:
        with suppress(OSError):
            os.unlink(temp, dir_fd=dir_fd)  # ours: made with O_EXCL above
        if isinstance(error, IsADirectoryError):
            raise RefusedPath(shown or name, "is a folder, not a file") from None
        raise


def remove(dir_fd: int, name: str) -> None:
    """Unlink ``name`` in ``dir_fd`` if it is there (a link is removed, not what it points to)."""
    with suppress(FileNotFoundError):
        os.unlink(name, dir_fd=dir_fd)


def rename(dir_fd: int, source: str, target: str) -> None:
    """Rename ``source`` to ``target`` within ``dir_fd`` (a folder replaces only a missing or empty one)."""
    os.rename(source, target, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)


def write_file(path: Path, data: bytes, mode: int) -> None:
    """Write the file the user named (a report) atomically with exactly ``mode``, never through a link.

    A link or a folder at ``path`` is refused. A FIFO or a device there (``/dev/null``, a named
    pipe) is written to as it is: there is nothing to replace.
    """
    if path.name in ("", ".", ".."):
        raise RefusedPath(str(path), "is a folder, not a file")
    dir_fd = open_parent(path)
    try:
        kind = lkind(path.name, dir_fd)
        if kind is Kind.LINK:
            raise RefusedPath(str(path), LINK)
        if kind is Kind.DIR:
            raise RefusedPath(str(path), "is a folder, not a file")
        if kind is Kind.OTHER:
            fd = os.open(path.name, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dir_fd)
            try:
                _write_all(fd, data)
            finally:
                os.close(fd)
            return
        replace(dir_fd, path.name, data, mode, shown=str(path))
    finally:
        os.close(dir_fd)


def _parts(relative: str) -> tuple[str, ...]:
    problem = relative_path_problem(relative)
    if problem is not None:
        raise RefusedPath(relative, f"is not a path inside its folder: {problem}")
    return tuple(relative.split("/"))


def write_tree(out: Path, files: Mapping[str, bytes], *, overwrite: bool) -> None:
    """Write ``files`` (relative path → bytes) under ``out`` with shared modes (0644 less the umask).

    ``out`` is made if missing; a link at ``out`` or below it is refused before anything is written;
    an existing file raises ``FileExistsError`` (its path as ``filename``) unless ``overwrite``. Each
    file is replaced atomically.
    """
    planned = {name: _parts(name) for name in files}
    if lkind(out) is Kind.ABSENT:
        out.mkdir(mode=SHARED_DIR, parents=True, exist_ok=True)
    out_fd = open_dir(out, shown=str(out))
    try:
        for name, parts in planned.items():
            found = kind_below(out_fd, parts, shown=str(out))
            if found is Kind.LINK:
                raise RefusedPath(str(out / name), LINK)
            if found is Kind.DIR:
                raise RefusedPath(str(out / name), "is a folder, not a file")
            if found is not Kind.ABSENT and not overwrite:
                raise FileExistsError(errno.EEXIST, "already exists", str(out / name))
        for name, parts in planned.items():
            folder = make_dirs(out_fd, parts[:-1], SHARED_DIR, exact=False, shown=str(out))
            try:
                replace(folder, parts[-1], files[name], SHARED_FILE, exact=False, shown=str(out / name))
            finally:
                os.close(folder)
    finally:
        os.close(out_fd)


def kind_below(root_fd: int, parts: tuple[str, ...], *, shown: str = "") -> Kind:
    """What is at ``parts`` below ``root_fd``: ABSENT when any folder on the way is missing; a link or
    a file where a folder should be raises ``RefusedPath`` naming it."""
    fd = os.dup(root_fd)
    try:
        for index, part in enumerate(parts[:-1]):
            where = "/".join(filter(None, (shown, *parts[: index + 1])))
            try:
                child = open_dir(part, fd, shown=where)
            except FileNotFoundError:
                return Kind.ABSENT
            os.close(fd)
            fd = child
        return lkind(parts[-1], fd)
    finally:
        os.close(fd)


# Reading inside a bundle -------------------------------------------------------------------------


def read_inside(root: Path, relative: str, *, max_bytes: int | None = None) -> bytes:
    """The bytes of the regular file ``relative`` below ``root``, reached without following a link.

    Raises ``FileNotFoundError`` when it (or a folder on the way) is absent, ``RefusedPath`` for a
    link, a file of another kind, a name that leaves ``root`` or a file over ``max_bytes``.
    """
    parts = _parts(relative)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for index, part in enumerate(parts[:-1]):
            child = open_dir(part, fd, shown="/".join(parts[: index + 1]))
            os.close(fd)
            fd = child
        try:
            file_fd = os.open(parts[-1], _READ_FLAGS, dir_fd=fd)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise RefusedPath(relative, LINK) from None
            raise
    finally:
        os.close(fd)
    with os.fdopen(file_fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO, socket or device"
            raise RefusedPath(relative, f"is {kind}, not a regular file")
        if max_bytes is not None and info.st_size > max_bytes:
            raise RefusedPath(relative, f"is larger than {max_bytes} bytes")
        return handle.read()


def kind_inside(root: Path, relative: str) -> Kind:
    """What is at ``relative`` below ``root``, links included (a link on the way raises ``RefusedPath``)."""
    parts = _parts(relative)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        return kind_below(fd, parts)
    finally:
        os.close(fd)


def walk_inside(root: Path, relative: str, *, hidden: bool = True) -> Iterator[tuple[str, Kind]]:
    """Every entry below the folder ``relative`` of ``root`` but folders, as (path relative to
    ``root``, kind), folder by folder; links are listed, never followed. ``hidden=False`` leaves out
    names starting with ``.`` (and what is below them). A folder that cannot be listed is yielded as
    UNREADABLE."""
    if kind_inside(root, relative) is not Kind.DIR:
        return
    stack = [relative]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(root / folder) as listing:
                entries = sorted((entry.name, _entry_kind(entry)) for entry in listing)
        except OSError:
            yield folder, Kind.UNREADABLE
            continue
        for name, kind in entries:
            if not hidden and name.startswith("."):
                continue
            path = f"{folder}/{name}"
            if kind is Kind.DIR:
                stack.append(path)
            else:
                yield path, kind


def _entry_kind(entry: os.DirEntry[str]) -> Kind:
    if entry.is_symlink():
        return Kind.LINK
    if entry.is_dir(follow_symlinks=False):
        return Kind.DIR
    if entry.is_file(follow_symlinks=False):
        return Kind.FILE
    return Kind.OTHER
