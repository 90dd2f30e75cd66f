"""The one parser for durations, wherever a user writes one: flags, ``ROOTGUARD_*`` and rootguard.toml.

Accepted: a bare number in the setting's own unit (``90`` for a day-valued setting, as always), a
number with a unit (``90d``, ``12h``, ``30m``, ``45s``, ``2w``), or an ISO 8601 duration (``P90D``,
``P2W``, ``PT12H``, ``P1DT6H``). Years and months are refused: their length depends on the date.
"""

from __future__ import annotations

import re
from datetime import timedelta

UNITS = {"s": timedelta(seconds=1), "m": timedelta(minutes=1), "h": timedelta(hours=1),
         "d": timedelta(days=1), "w": timedelta(weeks=1)}  # fmt: skip
SHORT = re.compile(r"(\d+)\s*([smhdw])", re.IGNORECASE)
ISO = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?",
    re.IGNORECASE,
)
DAY_EXAMPLES = "such as 90, 90d or P90D"


class DurationError(ValueError):
    """The text is not a duration this parser accepts (``str(error)`` says what was expected)."""


def parse_duration(text: str, *, bare_unit: str = "d") -> timedelta:
    """The duration ``text`` names; a bare number is in ``bare_unit`` (one of s, m, h, d, w)."""
    value = text.strip()
    if value.isdigit():
        return int(value) * UNITS[bare_unit]
    short = SHORT.fullmatch(value)
    if short:
        return int(short.group(1)) * UNITS[short.group(2).lower()]
    iso = ISO.fullmatch(value)
    if iso and value.upper() not in {"P", "PT"} and not value.upper().endswith("T"):
        parts = {name: int(number) for name, number in iso.groupdict().items() if number}
        return timedelta(**parts)
    raise DurationError(f"not a duration: {text!r}")


def days_error(where: str, text: object) -> str:
    """The one message for a day-valued setting that is not a whole, positive number of days."""
    lead = f"{where} takes" if where else "takes"
    return f"{lead} a whole number of days, {DAY_EXAMPLES} (at least 1 day), not {text!r}"


def whole_days(text: str) -> int:
    """A day-valued setting: a duration of at least one day that is a whole number of days.

    Raises ``DurationError`` with the message of ``days_error`` (without the setting's name).
    """
    try:
        duration = parse_duration(text)
    except DurationError:
        raise DurationError(days_error("", text)) from None
    if duration < timedelta(days=1) or duration % timedelta(days=1):
        raise DurationError(days_error("", text))
    return duration.days
