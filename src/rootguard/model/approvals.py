"""Break-glass approvals: windows in which root use was authorised (contract §6)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rootguard.errors import ApprovalsError


@dataclass(frozen=True)
class Approval:
    ticket: str
    start: datetime
    end: datetime
    accounts: frozenset[str] | None
    """``None`` means every account."""
    reason: str
    approved_by: str

    def covers(self, account_id: str, moment: datetime) -> bool:
        """True when ``moment`` in ``account_id`` falls inside this window (both ends included)."""
        if self.accounts is not None and account_id not in self.accounts:
            return False
        return self.start <= moment <= self.end


def find_approval(approvals: Iterable[Approval], account_id: str, moment: datetime) -> Approval | None:
    """The first approval whose window covers the moment, if any."""
    return next((a for a in approvals if a.covers(account_id, moment)), None)


def parse_approvals(text: str, source: str) -> tuple[Approval, ...]:
    """Parse an approvals TOML document (contract §6). Raises ``ApprovalsError`` naming the entry."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ApprovalsError(f"{source} is not valid TOML: {error}") from None
    entries = document.get("approval", [])
    if not isinstance(entries, list):
        raise ApprovalsError(f"{source}: use [[approval]] tables, one per approved window")
    return tuple(_approval(entry, f"{source}: approval #{index + 1}") for index, entry in enumerate(entries))


def _approval(entry: Any, where: str) -> Approval:
    if not isinstance(entry, dict):
        raise ApprovalsError(f"{where} is not a table")
    ticket = _text(entry, "ticket", where)
    start, end = _moment(entry, "start", where), _moment(entry, "end", where)
    if end < start:
        raise ApprovalsError(f"{where} ({ticket}) ends before it starts")
    accounts = entry.get("accounts")
    if accounts is not None and (
        not isinstance(accounts, list) or not all(isinstance(a, str) and re.fullmatch(r"\d{12}", a) for a in accounts)
    ):
        raise ApprovalsError(f"{where} ({ticket}): accounts must be a list of 12-digit account ids as strings")
    return Approval(
        ticket=ticket,
        start=start,
        end=end,
        accounts=frozenset(accounts) if accounts is not None else None,
        reason=_text(entry, "reason", where),
        approved_by=_text(entry, "approved_by", where),
    )


def _text(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ApprovalsError(f"{where}: {key} is required and must be a non-empty string")
    return value


def _moment(entry: dict[str, Any], key: str, where: str) -> datetime:
    value = entry.get(key)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ApprovalsError(f"{where}: {key} has no time zone; write it with Z or an offset")
        return value.astimezone(UTC)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ApprovalsError(f"{where}: {key} {value!r} is not an ISO 8601 timestamp") from None
        if moment.tzinfo is None:
            raise ApprovalsError(f"{where}: {key} {value!r} has no time zone; write it with Z or an offset")
        return moment.astimezone(UTC)
    raise ApprovalsError(f"{where}: {key} is required (an ISO 8601 timestamp such as 2026-11-02T09:00:00Z)")
