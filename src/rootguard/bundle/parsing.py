"""A stored document through its parser: the data, or a Gap naming the file and what fixes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from rootguard.bundle.store import DocumentStore
from rootguard.model.gaps import Gap, GapKind, MalformedEvidence
from rootguard.model.operations import GLOBAL, Operation

T = TypeVar("T")


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
