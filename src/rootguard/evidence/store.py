"""Raw documents of a bundle, from a directory or from memory, with gaps made explicit.

A document is what the AWS CLI printed. The store turns the three ways it can be missing into
a ``Gap``: the file is absent (not collected), it holds ``{"Error": …}`` (AWS refused), or it
cannot be parsed (malformed). The same store shape serves live audits, so a live audit and an
offline audit of the bundle it saved give the same answer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar

from rootguard.evidence import cloudtrail as trail_evidence
from rootguard.evidence import files
from rootguard.evidence.files import Kind, RefusedPath
from rootguard.model.activity import TrailScan
from rootguard.model.failures import fix_for, reason_for
from rootguard.model.gaps import Gap, GapKind, MalformedEvidence
from rootguard.model.operations import GLOBAL, Operation

NOT_REGIONS = frozenset({GLOBAL, "cloudtrail-logs", "assume-root"})
"""Folders of an account that are not Regions (``assume-root``: a member's root, organization bundles §5.7)."""

T = TypeVar("T")


class DocumentStore(Protocol):
    def get(self, operation: Operation, account_id: str, region: str = ..., resource: str | None = ...) -> Any | Gap:
        """The parsed JSON document, or a Gap explaining why there is none."""
        ...

    def regions(self, account_id: str) -> tuple[str, ...]:
        """The Regions the bundle holds any document for (``global`` and CloudTrail files excluded)."""
        ...

    def trail(self, account_id: str) -> TrailScan | Gap:
        """The root records of the account's CloudTrail evidence, or why there is none."""
        ...


def error_document(code: str, message: str) -> dict[str, Any]:
    """How a failed API call is stored (contract §5)."""
    return {"Error": {"Code": code, "Message": message}}


def interpret(
    document: Any, operation: Operation, account_id: str, region: str, resource: str | None = None
) -> Any | Gap:
    """Turn a stored ``{"Error": …}`` document into a Gap; pass anything else through."""
    path = operation.path(account_id, region, resource)
    if isinstance(document, dict) and set(document) == {"Error"}:
        error = document["Error"]
        code = str(error.get("Code", "Unknown")) if isinstance(error, dict) else "Unknown"
        message = str(error.get("Message", "")) if isinstance(error, dict) else str(error)
        actions = " and ".join(operation.actions) or "the call"
        if isinstance(error, dict):  # the collector's Category (rootguard.model.failures) says what is true
            fix = fix_for(error, actions=actions, command=operation.command(region, resource), path=path)
            reason = reason_for(error)
            if fix is not None and reason is not None:
                return Gap(kind=GapKind.API_ERROR, source=path, reason=reason.rstrip(".") + ".", fix=fix, code=code)
        return Gap(
            kind=GapKind.API_ERROR,
            source=path,
            reason=f"AWS answered {code}" + (f" ({message})" if message else "") + ".",
            fix=(
                f"grant {actions} to the auditing identity and collect again"
                if code in ACCESS_DENIED_CODES
                else operation.fix(account_id, region, resource)
            ),
            code=code,
        )
    return document


ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"}
)


class MemoryStore:
    """Documents held in memory, keyed by bundle path (what a live collection produced)."""

    def __init__(self, documents: Mapping[str, Any]) -> None:
        self._documents = documents

    def get(
        self, operation: Operation, account_id: str, region: str = GLOBAL, resource: str | None = None
    ) -> Any | Gap:
        path = operation.path(account_id, region, resource)
        if path not in self._documents:
            return _not_collected(operation, account_id, region, resource)
        return interpret(self._documents[path], operation, account_id, region, resource)

    def regions(self, account_id: str) -> tuple[str, ...]:
        found = {parts[1] for parts in (path.split("/") for path in self._documents) if parts[0] == account_id}
        return tuple(sorted(found - NOT_REGIONS))

    def trail(self, account_id: str) -> TrailScan | Gap:
        return trail_evidence.scan_documents(self._documents, account_id)


class DirectoryStore:
    """Documents read from a bundle directory, each parsed once, on first use."""

    def __init__(self, root: Path) -> None:
        self._root = root
        self._cache: dict[str, Any | Gap] = {}

    def get(
        self, operation: Operation, account_id: str, region: str = GLOBAL, resource: str | None = None
    ) -> Any | Gap:
        path = operation.path(account_id, region, resource)
        if path not in self._cache:
            self._cache[path] = self._load(operation, account_id, region, resource)
        return self._cache[path]

    def regions(self, account_id: str) -> tuple[str, ...]:
        # A linked Region folder is listed, so its files are refused (ERROR) rather than silently absent.
        try:
            if files.kind_inside(self._root, account_id) is not Kind.DIR:
                return ()
            with os.scandir(self._root / account_id) as entries:
                found = {e.name for e in entries if e.is_symlink() or e.is_dir(follow_symlinks=False)}
        except OSError:
            return ()
        return tuple(sorted(found - NOT_REGIONS))

    def trail(self, account_id: str) -> TrailScan | Gap:
        return trail_evidence.scan_directory(self._root, account_id)

    def _load(self, operation: Operation, account_id: str, region: str, resource: str | None) -> Any | Gap:
        path = operation.path(account_id, region, resource)
        try:
            data = files.read_inside(self._root, path)
        except (FileNotFoundError, NotADirectoryError):
            return _not_collected(operation, account_id, region, resource)
        except RefusedPath as refused:
            return Gap(
                kind=GapKind.MALFORMED,
                source=path,
                reason=f"{refused.path} {refused.reason}; only regular files inside the bundle are read.",
                fix=f"replace it with a regular file holding the output of `{operation.command(region, resource)}`",
            )
        except OSError as error:
            return Gap(
                kind=GapKind.MALFORMED,
                source=path,
                reason=f"the file cannot be read ({error.strerror or error}).",
                fix=f"make it readable, or replace it with the output of `{operation.command(region, resource)}`",
            )
        try:
            document = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return Gap(
                kind=GapKind.MALFORMED,
                source=path,
                reason=f"the file cannot be read as JSON ({_describe(error)}).",
                fix=f"replace it with the output of `{operation.command(region, resource)}`",
            )
        return interpret(document, operation, account_id, region, resource)


def _not_collected(operation: Operation, account_id: str, region: str, resource: str | None = None) -> Gap:
    return Gap(
        kind=GapKind.NOT_COLLECTED,
        source=operation.path(account_id, region, resource),
        reason="the file is absent: this evidence was not collected.",
        fix=operation.fix(account_id, region, resource),
    )


def _describe(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno} column {error.colno}"
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(error)


# A stored document through its parser: the data, or a Gap naming the file and what fixes it.


def parse_document(document: Any | Gap, parser: Callable[[Any], T], *, source: str, command: str) -> T | Gap:
    """A Gap passes through; a parser's complaint becomes a MALFORMED Gap naming ``source``."""
    if isinstance(document, Gap):
        return document
    try:
        return parser(document)
    except MalformedEvidence as error:
        return Gap(
            kind=GapKind.MALFORMED,
            source=source,
            reason=f"the file does not hold `{command}` output: {error}.",
            fix=f"replace it with the output of `{command}`",
        )


def parse(
    store: DocumentStore,
    operation: Operation,
    account_id: str,
    parser: Callable[[Any], T],
    region: str = GLOBAL,
    *,
    resource: str | None = None,
) -> T | Gap:
    """The operation's document for this account (and Region, resource), parsed, or why there is none."""
    return parse_document(
        store.get(operation, account_id, region, resource),
        parser,
        source=operation.path(account_id, region, resource),
        command=operation.command(region, resource),
    )
