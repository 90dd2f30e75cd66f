"""The one line the tables print about CloudTrail coverage (contract §4 and §7 ``coverage``).

It reads the coverage document both JSON reports carry, so the audit table (from the root-activity
finding's evidence) and the activity table say the same thing in the same words.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from rootguard.model.timestamps import parse_timestamp, span

SHOWN_REGIONS = 4


def coverage_line(document: Mapping[str, Any]) -> str:
    """``CloudTrail coverage: …``: complete, or what is uncovered and unread, and where."""
    regions = [r for r in document.get("regions", []) if isinstance(r, Mapping)]
    unread = [*(item for r in regions for item in r.get("unread", [])), *document.get("unread", [])]
    period = f"{document.get('since')} → {document.get('until')}"
    if not regions:
        undated = document.get("undated_inputs", 0)
        return f"CloudTrail coverage {period}: none: no input read says which time it covers ({undated} undated)"
    if document.get("complete"):
        sources = sorted({str(source) for r in regions for source in r.get("sources", [])})
        return f"CloudTrail coverage {period}: complete in {_names(regions, regions)} ({', '.join(sources)})"
    gaps = [gap for r in regions for gap in r.get("uncovered", [])]
    short = [r for r in regions if not r.get("complete")]
    parts = [f"{len(gaps)} uncovered span(s) ({_worst(short)})"] if gaps else []
    if unread:
        parts.append(f"{len(unread)} unread")
    return f"CloudTrail coverage {period}: incomplete in {_names(short, regions)}: {', '.join(parts)}"


def _names(regions: list[Mapping[str, Any]], every: list[Mapping[str, Any]]) -> str:
    """Region names, with their account when the coverage spans several accounts."""
    accounts = {r.get("account_id") for r in every}
    names = [f"{r.get('account_id')}/{r.get('region')}" if len(accounts) > 1 else str(r.get("region")) for r in regions]
    more = f" and {len(names) - SHOWN_REGIONS} more" if len(names) > SHOWN_REGIONS else ""
    return ", ".join(names[:SHOWN_REGIONS]) + more


def _worst(regions: list[Mapping[str, Any]]) -> str:
    """How much is uncovered: in all for one Region, the most of any one Region for several."""
    totals = [sum((_length(gap) for gap in r.get("uncovered", [])), start=timedelta()) for r in regions]
    most = max(totals, default=timedelta())
    amount = span(most) if most else "moments"
    return f"{amount} in all" if len(regions) == 1 else f"up to {amount} in one Region"


def _length(gap: Mapping[str, Any]) -> timedelta:
    try:
        return parse_timestamp(str(gap["end"])) - parse_timestamp(str(gap["start"]))
    except (KeyError, ValueError):
        return timedelta()
