"""Rules every rendered message obeys: a message is evidence too, and must never claim more than it has.

Used by tests/unit/test_messages.py (demo and built evidence) and the e2e scenario run.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

REPEAT = re.compile(r"\b((?:[a-z]+\W+){2,8}?[a-z]+)\W+\1\b", re.IGNORECASE)
"""Three to nine words said twice in a row ("could not be read could not be read"); words are letters, so
lists of names with numbers ("ap-northeast-1, ap-northeast-2") are not taken for a stutter."""
HOURS = re.compile(r"\b(\d+) hours\b")
INSIDE_WINDOW = re.compile(r"at (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)[^.]*?inside the \d+-day window")
HOLDS_PASSWORD = re.compile(r"(?<!whether )\broot holds a password\b", re.IGNORECASE)


def message_problems(report: dict[str, Any]) -> list[str]:
    """Every broken rule in the findings of a ``rootguard/report@1`` document, as ``check: problem``."""
    as_of = datetime.fromisoformat(report["as_of"].replace("Z", "+00:00"))
    problems: list[str] = []
    for account in report["accounts"]:
        for finding in account["findings"]:
            where = f"{account['account_id']} {finding['check_id']}"
            problems.extend(f"{where}: {p}" for p in text_problems(finding["message"], as_of))
            if HOLDS_PASSWORD.search(finding["message"]) and not _password_shown(finding):
                problems.append(f"{where}: says root holds a password without showing AccountPasswordPresent=1")
    return problems


def text_problems(message: str, as_of: datetime) -> list[str]:
    problems: list[str] = []
    repeated = REPEAT.search(message)
    if repeated:
        problems.append(f"repeats itself: {repeated.group(0)!r}")
    problems.extend(f"says {m.group(0)!r}: say days" for m in HOURS.finditer(message) if int(m.group(1)) >= 48)
    for match in INSIDE_WINDOW.finditer(message):
        when = datetime.fromisoformat(match.group(1).replace("Z", "+00:00"))
        if when > as_of:
            problems.append(f"calls {match.group(1)}, after the as-of time, inside the window")
    plain = message.replace("…", "x")
    problems.extend(
        f"has {artifact!r}"
        for artifact in ("  ", " .", "..")
        if artifact in plain and not (artifact == ".." and "..." in message)
    )
    if message and not message.rstrip().endswith((".", ")", "`", '"', "'", "]")):
        problems.append(f"does not end a sentence: …{message[-30:]!r}")
    return problems


def _password_shown(finding: dict[str, Any]) -> bool:
    """Only the live summary's flag, or the report's own password_enabled=true, says root holds one now."""
    message = finding["message"]
    return "AccountPasswordPresent=1" in message or "password_enabled=true" in message.lower()
