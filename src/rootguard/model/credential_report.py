"""The IAM credential report, parsed column by column.

AWS documents 22 columns and three sentinel strings that are not dates: ``N/A`` (no such
credential, or never used, or used before usage tracking began), ``no_information`` (password
never used since tracking began in October 2014) and ``not_supported`` (the column does not
apply, as for the root user's ``password_enabled``). They are kept as distinct states; any other
text that is not a date or a boolean is kept as ``Unreadable`` so no check mistakes it for
"never used".
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from rootguard.model.gaps import MalformedEvidence
from rootguard.model.timestamps import parse_timestamp

ROOT_USER = "<root_account>"

COLUMNS = (
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
)


class Sentinel(StrEnum):
    """The documented non-values of the credential report."""

    NOT_APPLICABLE = "N/A"
    NO_INFORMATION = "no_information"
    NOT_SUPPORTED = "not_supported"


@dataclass(frozen=True)
class Unreadable:
    """A cell whose text is neither a documented sentinel nor the expected type."""

    raw: str


DateValue = datetime | Sentinel | Unreadable
FlagValue = bool | Sentinel | Unreadable
TextValue = str | Sentinel


@dataclass(frozen=True)
class AccessKeyColumns:
    """``access_key_N_*`` columns."""

    number: int
    active: FlagValue
    last_rotated: DateValue
    last_used_date: DateValue
    last_used_region: TextValue
    last_used_service: TextValue


@dataclass(frozen=True)
class CertificateColumns:
    """``cert_N_*`` columns (X.509 signing certificates)."""

    number: int
    active: FlagValue
    last_rotated: DateValue


@dataclass(frozen=True)
class CredentialReportRow:
    """One line of the report: an IAM user, or the root user (``<root_account>``)."""

    user: str
    arn: str
    user_creation_time: DateValue
    password_enabled: FlagValue
    password_last_used: DateValue
    password_last_changed: DateValue
    password_next_rotation: DateValue
    mfa_active: FlagValue
    access_keys: tuple[AccessKeyColumns, ...]
    certificates: tuple[CertificateColumns, ...]
    raw: dict[str, str]
    """The row as text, column name to cell, for evidence in findings."""

    @property
    def is_root(self) -> bool:
        return self.user == ROOT_USER


@dataclass(frozen=True)
class CredentialReport:
    """The parsed report with the time AWS generated it."""

    generated_time: datetime | None
    """``GeneratedTime`` of GetCredentialReport; ``None`` when the file did not carry it."""
    rows: tuple[CredentialReportRow, ...]
    problems: tuple[str, ...]
    """Lines that could not be parsed, each described; the rest of the report is still used."""

    @property
    def root(self) -> CredentialReportRow | None:
        return next((row for row in self.rows if row.is_root), None)

    @property
    def users(self) -> tuple[CredentialReportRow, ...]:
        return tuple(row for row in self.rows if not row.is_root)


def parse_flag(text: str) -> FlagValue:
    """``true``/``TRUE``/``false``/``FALSE``, a sentinel, or Unreadable."""
    cleaned = text.strip()
    lowered = cleaned.lower()
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    return _sentinel(cleaned) or Unreadable(text)


def parse_date(text: str) -> DateValue:
    """An ISO 8601 timestamp with offset, a sentinel, or Unreadable."""
    cleaned = text.strip()
    sentinel = _sentinel(cleaned)
    if sentinel is not None:
        return sentinel
    try:
        return parse_timestamp(cleaned)
    except ValueError:
        return Unreadable(text)


def parse_text(text: str) -> TextValue:
    cleaned = text.strip()
    return _sentinel(cleaned) or cleaned


_SENTINELS = {sentinel.value.lower(): sentinel for sentinel in Sentinel}


def _sentinel(text: str) -> Sentinel | None:
    """The sentinel this text spells (any case), if any; a dict lookup, as it runs for every cell."""
    return _SENTINELS.get(text.lower())


def parse_csv(text: str) -> tuple[tuple[CredentialReportRow, ...], tuple[str, ...]]:
    """Parse the report CSV. Raises ``MalformedEvidence`` when the header is not the report's."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise MalformedEvidence(f"the credential report CSV has no header line ({error or 'empty'})") from None
    names = [name.strip() for name in header]
    missing = [column for column in COLUMNS if column not in names]
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        raise MalformedEvidence(
            f"the credential report CSV lacks {len(missing)} of its 22 columns ({shown}); it is not a credential report"
        )
    rows: list[CredentialReportRow] = []
    problems: list[str] = []
    line = 1
    while True:
        line += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(f"line {line}: {error}")
            continue
        if not cells:
            continue
        if len(cells) != len(names):
            problems.append(f"line {line}: {len(cells)} cells where the header has {len(names)}")
            continue
        rows.append(_row(dict(zip(names, cells, strict=True))))
    return tuple(rows), tuple(problems)


def _row(cells: dict[str, str]) -> CredentialReportRow:
    keys = tuple(
        AccessKeyColumns(
            number=n,
            active=parse_flag(cells[f"access_key_{n}_active"]),
            last_rotated=parse_date(cells[f"access_key_{n}_last_rotated"]),
            last_used_date=parse_date(cells[f"access_key_{n}_last_used_date"]),
            last_used_region=parse_text(cells[f"access_key_{n}_last_used_region"]),
            last_used_service=parse_text(cells[f"access_key_{n}_last_used_service"]),
        )
        for n in (1, 2)
    )
    certs = tuple(
        CertificateColumns(
            number=n,
            active=parse_flag(cells[f"cert_{n}_active"]),
            last_rotated=parse_date(cells[f"cert_{n}_last_rotated"]),
        )
        for n in (1, 2)
    )
    return CredentialReportRow(
        user=cells["user"].strip(),
        arn=cells["arn"].strip(),
        user_creation_time=parse_date(cells["user_creation_time"]),
        password_enabled=parse_flag(cells["password_enabled"]),
        password_last_used=parse_date(cells["password_last_used"]),
        password_last_changed=parse_date(cells["password_last_changed"]),
        password_next_rotation=parse_date(cells["password_next_rotation"]),
        mfa_active=parse_flag(cells["mfa_active"]),
        access_keys=keys,
        certificates=certs,
        raw={column: cells[column] for column in COLUMNS},
    )


def from_document(document: Any) -> CredentialReport:
    """Build the report from ``aws iam get-credential-report --output json`` output.

    ``Content`` is the base64 CSV as the CLI prints it. Raises ``MalformedEvidence``.
    """
    if not isinstance(document, dict):
        raise MalformedEvidence("expected a JSON object with Content and GeneratedTime")
    content = document.get("Content")
    if not isinstance(content, str):
        raise MalformedEvidence("the Content field (base64 CSV) is missing or not a string")
    generated = document.get("GeneratedTime")
    generated_time: datetime | None = None
    if generated is not None:
        try:
            generated_time = parse_timestamp(str(generated))
        except ValueError as error:
            raise MalformedEvidence(f"GeneratedTime: {error}") from None
    rows, problems = parse_csv(decode_content(content))
    return CredentialReport(generated_time=generated_time, rows=rows, problems=problems)


def decode_content(content: str) -> str:
    """Base64 → CSV text. Plain CSV (already decoded by hand) is accepted as is."""
    if content.lstrip("\ufeff").startswith("user,"):
        return content
    try:
        raw = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedEvidence("Content is neither base64 nor a credential report CSV") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedEvidence("Content decodes from base64 to bytes that are not UTF-8 text") from None
