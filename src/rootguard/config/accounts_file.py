"""c7n-org's ``accounts.yml`` (``rootguard org --accounts-file``): the accounts to audit, each with its role.

The shape c7n-org reads, so its users switch without rewriting the file::

    accounts:
      - account_id: "123456789012"
        name: prod
        role: arn:aws:iam::123456789012:role/Audit      # or a list: a role chain, assumed in order
        external_id: abc123                             # optional
        regions: [us-east-1, eu-west-1]                 # optional
        tags: [env:prod]                                # optional (a list, or a mapping)

Keys rootguard does not use (``vars``, ``email`` …) are ignored, as c7n-org ignores what it does not know.
A file that cannot be used is a usage error (exit 2) naming the file and the entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rootguard.errors import UsageError

ACCOUNT_ID = re.compile(r"\d{12}")
MAX_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class AccountEntry:
    account_id: str
    name: str = ""
    roles: tuple[str, ...] = ()
    """A role name or ARN (``{account_id}`` is replaced), or a chain assumed in order; empty: ``--audit-role``."""
    external_id: str | None = None
    regions: tuple[str, ...] | None = None
    tags: tuple[str, ...] = ()


def load_accounts_file(path: Path) -> tuple[AccountEntry, ...]:
    import yaml  # noqa: PLC0415 - only organization runs with --accounts-file need it

    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"--accounts-file {path}: larger than {MAX_BYTES // (1024 * 1024)} MiB")
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise UsageError(f"--accounts-file {path}: cannot be read ({error.strerror or error})") from None
    except UnicodeDecodeError:
        raise UsageError(f"--accounts-file {path}: not UTF-8 text") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise UsageError(f"--accounts-file {path}: not valid YAML{line}") from None
    return parse_accounts(document, str(path))


def parse_accounts(document: Any, shown: str) -> tuple[AccountEntry, ...]:
    if not isinstance(document, dict) or not isinstance(document.get("accounts"), list):
        raise UsageError(
            f"--accounts-file {shown}: expected a mapping with an `accounts:` list (c7n-org's accounts.yml)"
        )
    entries: list[AccountEntry] = []
    seen: set[str] = set()
    for index, item in enumerate(document["accounts"], start=1):
        entry = _entry(item, f"--accounts-file {shown}: entry {index}")
        if entry.account_id in seen:
            raise UsageError(f"--accounts-file {shown}: entry {index} repeats account {entry.account_id}")
        seen.add(entry.account_id)
        entries.append(entry)
    if not entries:
        raise UsageError(f"--accounts-file {shown}: `accounts:` is empty")
    return tuple(entries)


def _entry(item: Any, where: str) -> AccountEntry:
    if not isinstance(item, dict):
        raise UsageError(f"{where}: expected a mapping with account_id")
    account_id = item.get("account_id")
    if isinstance(account_id, int) and not isinstance(account_id, bool):
        account_id = f"{account_id:012d}"  # YAML reads an unquoted id as a number (leading zeros lost)
    if not isinstance(account_id, str) or ACCOUNT_ID.fullmatch(account_id) is None:
        raise UsageError(f"{where}: account_id must be a 12-digit account id, found {account_id!r}")
    where = f"{where} ({account_id})"
    name = item.get("name", "")
    if name is None:
        name = ""
    if not isinstance(name, str):
        raise UsageError(f"{where}: name must be text")
    return AccountEntry(
        account_id=account_id,
        name=name,
        roles=_roles(item.get("role"), where),
        external_id=_optional_text(item.get("external_id"), "external_id", where),
        regions=_regions(item.get("regions"), where),
        tags=_tags(item.get("tags"), where),
    )


def _roles(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    chain = [value] if isinstance(value, str) else value
    if not isinstance(chain, list) or not chain or not all(isinstance(r, str) and r.strip() for r in chain):
        raise UsageError(f"{where}: role must be a role name or ARN, or a list of them (a role chain)")
    return tuple(r.strip() for r in chain)


def _optional_text(value: Any, key: str, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str) or not value:
        raise UsageError(f"{where}: {key} must be text")
    return value


def _regions(value: Any, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(r, str) and r for r in value):
        raise UsageError(f"{where}: regions must be a list of Region names")
    return tuple(value)


def _tags(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, dict):
        return tuple(f"{k}:{v}" for k, v in value.items())
    if not isinstance(value, list) or not all(isinstance(t, str | int | float) for t in value):
        raise UsageError(f"{where}: tags must be a list (or a mapping)")
    return tuple(str(t) for t in value)
