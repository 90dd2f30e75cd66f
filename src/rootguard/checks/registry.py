"""What a check is: a pure function of one account's evidence plus its metadata.

Checks are small policy decisions; the engine gives every check a finding for every account.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rootguard.model.approvals import Approval
from rootguard.model.break_glass import BreakGlass
from rootguard.model.evidence import AccountEvidence, Source
from rootguard.model.findings import Severity, Status
from rootguard.model.gaps import Gap
from rootguard.model.thresholds import DEFAULT_WINDOW_DAYS, Thresholds

CIS_3 = "cis-aws-3.0.0"
CIS_5 = "cis-aws-5.0.0"
CIS_6 = "cis-aws-6.0.0"


@dataclass(frozen=True)
class EvaluationContext:
    """Everything a check may know besides the evidence. Checks never read the clock."""

    as_of: datetime
    collected_at: datetime
    window_days: int = DEFAULT_WINDOW_DAYS
    approvals: tuple[Approval, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    break_glass: BreakGlass = field(default_factory=BreakGlass)


@dataclass(frozen=True)
class Outcome:
    """A check's verdict before the engine adds the check's metadata."""

    status: Status
    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity | None = None
    """Overrides the check's severity when one check judges findings of different weight."""


Evaluate = Callable[[AccountEvidence, EvaluationContext], Outcome]


@dataclass(frozen=True)
class CheckSpec:
    check_id: str
    title: str
    severity: Severity
    frameworks: Mapping[str, tuple[str, ...]]
    """Framework id → requirement ids; empty when no benchmark names the control."""
    remediation: str
    evaluate: Evaluate
    needs: frozenset[Source] = frozenset()
    """Optional sources this check cannot judge without; when the user left one out, it is SKIPPED.
    ``Source.REGIONS``: its PASS speaks for every enabled Region, so a scan the user limited to some
    Regions cannot PASS it (what it FAILs on in the Regions read still FAILs)."""


def check(
    check_id: str,
    *,
    title: str,
    severity: Severity,
    frameworks: Mapping[str, tuple[str, ...]],
    remediation: str,
    needs: frozenset[Source] = frozenset(),
) -> Callable[[Evaluate], CheckSpec]:
    """Turn an evaluate function into a CheckSpec; registration is explicit in ``checks/__init__``."""

    def wrap(evaluate: Evaluate) -> CheckSpec:
        return CheckSpec(check_id, title, severity, frameworks, remediation, evaluate, needs)

    return wrap


def cis(v3: str, v5: str, v6: str) -> dict[str, tuple[str, ...]]:
    """The same recommendation under the three CIS AWS numberings."""
    return {CIS_3: (v3,), CIS_5: (v5,), CIS_6: (v6,)}


def passed(message: str, **evidence: Any) -> Outcome:
    return Outcome(Status.PASS, message, evidence)


def failed(message: str, **evidence: Any) -> Outcome:
    return Outcome(Status.FAIL, message, evidence)


def failed_at(severity: Severity, message: str, evidence: Mapping[str, Any]) -> Outcome:
    """A FAIL weighed differently from the check's default severity."""
    return Outcome(Status.FAIL, message, evidence, severity)


def not_applicable(message: str, **evidence: Any) -> Outcome:
    return Outcome(Status.NOT_APPLICABLE, message, evidence)


def errored(message: str, *gaps: Gap, **evidence: Any) -> Outcome:
    """ERROR: say what could not be judged, then each gap with its fix."""
    details = " ".join(gap.explain() for gap in gaps)
    gap_evidence = [
        {"source": g.source, "kind": g.kind.value, "code": g.code, "reason": g.reason, "fix": g.fix} for g in gaps
    ]
    return Outcome(
        Status.ERROR,
        f"{message} {details}".strip(),
        {**evidence, "gaps": gap_evidence} if gaps else evidence,
    )
