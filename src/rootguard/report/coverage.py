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
        return f"CloudTrail coverage {period}: complete in {_names(regions)} ({', '.join(sources)})"
    gaps = [gap for r in regions for gap in r.get("uncovered", [])]
    total = sum((_length(gap) for gap in gaps), start=timedelta())
    short = [r for r in regions if not r.get("complete")]
    parts = [f"{len(gaps)} uncovered span(s) ({span(total) if total else 'moments'} in all)"] if gaps else []
    if unread:
        parts.append(f"{len(unread)} unread")
    return f"CloudTrail coverage {period}: incomplete in {_names(short)}: {', '.join(parts)}"


def _names(regions: list[Mapping[str, Any]]) -> str:
    accounts = {r.get("account_id") for r in regions}
    names = [f"{r.get('account_id')}/{r.get('region')}" if len(accounts) > 1 else str(r.get("region")) for r in regions]
    more = f" and {len(names) - SHOWN_REGIONS} more" if len(names) > SHOWN_REGIONS else ""
    return ", ".join(names[:SHOWN_REGIONS]) + more


def _length(gap: Mapping[str, Any]) -> timedelta:
    try:
        return parse_timestamp(str(gap["end"])) - parse_timestamp(str(gap["start"]))
    except (KeyError, ValueError):
        return timedelta()
