"""CloudTrail evidence of a bundle: ``<account>/cloudtrail-logs/``, in any form ``activity --logs`` reads.

Live collection stores LookupEvents pages there as ``lookup-events/<region>/<question>.json``; a
refused call is stored as the contract's error document and becomes a skipped source with the AWS
error code, so a denied Region can never read as "no root activity".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from rootguard.model.activity import SkippedSource, TrailRecord, TrailScan
from rootguard.model.gaps import Gap, GapKind

LOGS_FOLDER = "cloudtrail-logs"
LOOKUP_FOLDER = "lookup-events"
LOOKUP_ACTIONS = "cloudtrail:LookupEvents (and ec2:DescribeRegions to find the enabled Regions)"


def logs_prefix(account_id: str) -> str:
    return f"{account_id}/{LOGS_FOLDER}/"


def lookup_path(account_id: str, name: str) -> str:
    """Where LookupEvents output for ``name`` (``<region>/<question>`` or ``regions``) is stored."""
    return f"{logs_prefix(account_id)}{LOOKUP_FOLDER}/{name}.json"


def not_collected(account_id: str) -> Gap:
    return Gap(
        kind=GapKind.NOT_COLLECTED,
        source=logs_prefix(account_id),
        reason="the bundle holds no CloudTrail evidence for this account.",
        fix=(
            f"collect with {LOOKUP_ACTIONS} granted, or copy the account's CloudTrail files (as delivered to "
            f"S3, or LookupEvents output) into {logs_prefix(account_id)}"
        ),
    )


def empty_folder(account_id: str) -> Gap:
    return Gap(
        kind=GapKind.INCOMPLETE,
        source=logs_prefix(account_id),
        reason="the folder holds no CloudTrail files.",
        fix=f"copy the account's CloudTrail files into {logs_prefix(account_id)}",
    )


def describe_error_document(document: Any) -> str | None:
    """The reason to show for a stored ``{"Error": …}`` document, or None for anything else."""
    if not (isinstance(document, dict) and set(document) == {"Error"} and isinstance(document["Error"], dict)):
        return None
    error = document["Error"]
    code, message = error.get("Code", "Unknown"), error.get("Message", "")
    detail = f" ({message})" if message else ""
    return f"AWS answered {code}{detail}; grant {LOOKUP_ACTIONS} and collect again"


def scan_directory(root: Path, account_id: str) -> TrailScan | Gap:
    """Scan ``<root>/<account>/cloudtrail-logs/``; paths in the result are relative to the bundle."""
    folder = root / logs_prefix(account_id)
    if not folder.is_dir():
        return not_collected(account_id)
    from rootguard.trail import scan_paths  # noqa: PLC0415 - only bundles with CloudTrail files need it

    scan = _relative(scan_paths([folder]), root)
    scan = _explain_errors(scan, root)
    if scan.files == 0 and not scan.skipped:
        return empty_folder(account_id)
    lookups = folder / LOOKUP_FOLDER
    lookup_files = sum(1 for f in lookups.rglob("*.json") if f.is_file()) if lookups.is_dir() else 0
    return replace(scan, lookup_only=lookup_files >= scan.files, earliest_delivery=earliest_delivery(folder))


def earliest_delivery(folder: Path) -> datetime | None:
    """The earliest delivery stamp among the log file names under ``folder`` (digests excluded)."""
    return _earliest([path.as_posix() for path in folder.rglob("*_CloudTrail_*")])


def _earliest(paths: list[str]) -> datetime | None:
    from rootguard.trail.paths import delivery_stamp, is_skipped_name  # noqa: PLC0415

    stamps = [
        stamp
        for path in paths
        if not is_skipped_name(path) and (stamp := delivery_stamp(path.rpartition("/")[2])) is not None
    ]
    return min(stamps, default=None)


def scan_documents(documents: Mapping[str, Any], account_id: str) -> TrailScan | Gap:
    """Scan the CloudTrail documents a live collection holds in memory for one account."""
    prefix = logs_prefix(account_id)
    items = sorted((path, doc) for path, doc in documents.items() if path.startswith(prefix))
    if not items:
        return not_collected(account_id)
    from rootguard.trail import merge_scans, scan_bytes  # noqa: PLC0415

    scans: list[TrailScan] = []
    for path, document in items:
        reason = describe_error_document(document)
        if reason is not None:
            scans.append(TrailScan(files=1, records=0, root_records=(), skipped=(SkippedSource(path, reason),)))
        else:
            scans.append(scan_bytes(path, json.dumps(document).encode()))
    lookup_only = all(f"/{LOOKUP_FOLDER}/" in path for path, _ in items)
    merged = merge_scans(scans)
    return replace(merged, lookup_only=lookup_only, earliest_delivery=_earliest([path for path, _ in items]))


def with_records(scan: TrailScan, extra: Iterable[TrailRecord]) -> TrailScan:
    """The scan plus records found elsewhere (AssumeRoot calls made from another account)."""
    have = {id(r.record) for r in scan.root_records}
    added = tuple(r for r in extra if id(r.record) not in have)
    if not added:
        return scan
    return replace(scan, root_records=scan.root_records + added)


def _relative(scan: TrailScan, root: Path) -> TrailScan:
    def rel(path: str) -> str:
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            return path

    return replace(
        scan,
        root_records=tuple(TrailRecord(r.record, rel(r.source)) for r in scan.root_records),
        skipped=tuple(SkippedSource(rel(s.path), s.reason) for s in scan.skipped),
    )


def _explain_errors(scan: TrailScan, root: Path) -> TrailScan:
    """Give stored LookupEvents refusals their AWS reason instead of "not CloudTrail records"."""
    explained = []
    for skipped in scan.skipped:
        reason = None
        file = root / skipped.path
        if f"/{LOOKUP_FOLDER}/" in f"/{skipped.path}" and file.is_file() and file.stat().st_size < 1 << 20:
            try:
                reason = describe_error_document(json.loads(file.read_bytes()))
            except (OSError, ValueError):
                reason = None
        explained.append(SkippedSource(skipped.path, reason) if reason else skipped)
    return replace(scan, skipped=tuple(explained))
