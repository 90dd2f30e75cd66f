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

from rootguard.evidence import files
from rootguard.evidence.files import Kind, RefusedPath
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
    """Scan ``<root>/<account>/cloudtrail-logs/``; paths in the result are relative to the bundle.

    Only regular files inside the folder reach the trail readers: a link (to a file or a folder),
    a FIFO or a device is never read and is reported as a skipped source, so it can neither add
    records from outside the bundle nor hide that something was not read.
    """
    prefix = logs_prefix(account_id).rstrip("/")
    try:
        kind = files.kind_inside(root, prefix)
    except RefusedPath as error:
        return _refused_only(error.path, error.reason)
    if kind is Kind.ABSENT:
        return not_collected(account_id)
    if kind is Kind.LINK:
        return _refused_only(prefix, files.LINK)
    if kind is not Kind.DIR:
        return _refused_only(prefix, "is not a folder")
    regular: list[str] = []
    refused: list[SkippedSource] = []
    from rootguard.trail import scan_paths  # noqa: PLC0415 - only bundles with CloudTrail files need it
    from rootguard.trail.paths import is_skipped_name  # noqa: PLC0415

    for path, found in sorted(files.walk_inside(root, prefix, hidden=False)):
        if found is Kind.FILE:
            regular.append(path)
        elif is_skipped_name(path):
            continue
        elif found is Kind.LINK:
            refused.append(SkippedSource(path, f"{files.LINK}: it was not read"))
        elif found is Kind.UNREADABLE:
            refused.append(SkippedSource(path, "cannot list folder"))
        else:
            refused.append(SkippedSource(path, "is not a regular file (a FIFO, socket or device): it was not read"))
    scan = (
        _relative(scan_paths([root / path for path in regular]), root)
        if regular
        else TrailScan(files=0, records=0, root_records=())
    )
    scan = _explain_errors(scan, root)
    if refused:
        scan = replace(scan, skipped=tuple(sorted((*scan.skipped, *refused), key=lambda s: (s.path, s.reason))))
    if scan.files == 0 and not scan.skipped:
        return empty_folder(account_id)
    lookups = f"{prefix}/{LOOKUP_FOLDER}/"
    lookup_files = sum(1 for path in regular if path.startswith(lookups) and path.endswith(".json"))
    return replace(scan, lookup_only=lookup_files >= scan.files, earliest_delivery=_earliest(regular))


def _refused_only(path: str, reason: str) -> TrailScan:
    return TrailScan(files=0, records=0, root_records=(), skipped=(SkippedSource(path, f"{reason}: it was not read"),))


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
        if f"/{LOOKUP_FOLDER}/" in f"/{skipped.path}":
            try:
                reason = describe_error_document(json.loads(files.read_inside(root, skipped.path, max_bytes=1 << 20)))
            except (OSError, ValueError):
                reason = None
        explained.append(SkippedSource(skipped.path, reason) if reason else skipped)
    return replace(scan, skipped=tuple(explained))
