""" "Could not look" as a value.

Every piece of evidence is either the data or a ``Gap`` saying why it is missing and what
would fill it. A check that meets a Gap reports ERROR with the Gap's explanation; it never
treats a Gap as "nothing found".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class GapKind(StrEnum):
    """Why a piece of evidence is missing."""

    NOT_COLLECTED = "not-collected"
    """The file is absent from the bundle: nobody asked AWS for it."""
    API_ERROR = "api-error"
    """AWS answered the call with an error (AccessDenied, throttling that outlasted retries …)."""
    MALFORMED = "malformed"
    """The file exists but cannot be parsed (truncated JSON, garbage CSV, unknown shape)."""
    INCOMPLETE = "incomplete"
    """The data is there but provably partial (a truncated page, a report still generating)."""


@dataclass(frozen=True)
class Gap:
    """A piece of evidence that could not be had."""

    kind: GapKind
    source: str
    """Where the evidence should have come from: the bundle path relative to its root."""
    reason: str
    """What went wrong, in one sentence."""
    fix: str
    """What would fill the gap: the IAM permission to grant or the file to add."""
    code: str | None = None
    """The AWS error code, when AWS refused (``AccessDenied`` …)."""

    def explain(self) -> str:
        """One sentence for a finding message: what is missing, why, and how to fix it."""
        fix = self.fix if self.fix.endswith((".", ")", "`")) else f"{self.fix}."
        return f"{self.source}: {self.reason} Fix: {fix}"


class MalformedEvidence(ValueError):
    """Raised by document parsers when a file does not have the shape AWS gives it."""
