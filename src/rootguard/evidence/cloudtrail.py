"""CloudTrail evidence of a bundle: ``<account>/cloudtrail-logs/``, in any form ``activity --logs`` reads.

Live collection stores LookupEvents pages there as ``lookup-events/<region>/<question>.json``; a
refused call is stored as the contract's error document and becomes a skipped source with the AWS
error code, so a denied Region can never read as "no root activity".

What the evidence covers in time is worked out later (``rootguard.analysis.coverage``) from what the
scan read; this module adds what only the bundle's layout says: which Region and question each
LookupEvents answer is, and which Regions had to answer (every Region folder the bundle holds, the
ones under ``lookup-events/``, and the Regions a ``regions.json`` lists). Live collection stores the
period each answer asked (``StartTime``/``EndTime``); for older or hand-made answers without them,
contract §5.2 says it is the last 90 days before collection, which the caller supplies.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from rootguard.evidence import files
from rootguard.evidence.files import Kind, RefusedPath
from rootguard.model.activity import LookupAnswer, SkippedSource, TrailReads, TrailRecord, TrailScan
from rootguard.model.failures import fix_for, reason_for
from rootguard.model.gaps import Gap, GapKind

LOGS_FOLDER = "cloudtrail-logs"
LOOKUP_FOLDER = "lookup-events"
LOOKUP_ACTIONS = "cloudtrail:LookupEvents (and ec2:DescribeRegions to find the enabled Regions)"
REGIONS_NAME = "regions"
NOT_REGIONS = frozenset({"global", LOGS_FOLDER, "assume-root"})  # assume-root: a member's root (§5.7)
"""Folders of an account that are not Regions (as ``evidence.store``)."""


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
    # The collector's Category says what is true: only a refusal is fixed by granting a permission.
    reason = reason_for(error)
    fix = fix_for(error, actions=LOOKUP_ACTIONS, command="aws cloudtrail lookup-events", path=LOGS_FOLDER)
    if reason is not None and fix is not None:
        return f"{reason.rstrip('.')}; {fix}"
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
    from rootguard.trail.paths import is_insight_name  # noqa: PLC0415

    regions_file = f"{prefix}/{LOOKUP_FOLDER}/{REGIONS_NAME}.json"
    listed: _Listing | None = None
    for path, found in sorted(files.walk_inside(root, prefix, hidden=False)):
        if found is Kind.FILE and path == regions_file:
            listed = _read_listing(root, path)
        elif found is Kind.FILE:
            regular.append(path)
        elif is_insight_name(path):
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
    if listed is not None:
        refused.extend(listed.skipped)
        scan = replace(scan, files=scan.files + 1)
    if refused:
        scan = replace(scan, skipped=tuple(sorted((*scan.skipped, *refused), key=lambda s: (s.path, s.reason))))
    if scan.files == 0 and not scan.skipped:
        return empty_folder(account_id)
    lookups = f"{prefix}/{LOOKUP_FOLDER}/"
    lookup_files = sum(1 for path in regular if path.startswith(lookups) and path.endswith(".json"))
    lookup_files += listed is not None
    scan = replace(scan, lookup_only=lookup_files >= scan.files, earliest_delivery=_earliest(regular))
    return with_lookup_layout(scan, account_id, regular, listed, _region_folders(root, account_id))


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


def scan_documents(
    documents: Mapping[str, Any], account_id: str, *, asked: tuple[datetime, datetime] | None = None
) -> TrailScan | Gap:
    """Scan the CloudTrail documents a live collection holds in memory for one account.

    ``asked``: the period the LookupEvents questions asked (``activity --lookup`` knows it); without
    it, the answers' period is the one contract §5.2 gives, supplied where coverage is worked out.
    """
    prefix = logs_prefix(account_id)
    items = sorted((path, doc) for path, doc in documents.items() if path.startswith(prefix))
    if not items:
        return not_collected(account_id)
    from rootguard.trail import merge_scans, scan_bytes  # noqa: PLC0415

    regions_file = lookup_path(account_id, REGIONS_NAME)
    scans: list[TrailScan] = []
    listed: _Listing | None = None
    for path, document in items:
        reason = describe_error_document(document)
        if path == regions_file:
            listed = _regions_listing(path, document)
            scans.append(TrailScan(files=1, records=0, root_records=(), skipped=listed.skipped))
        elif reason is not None:  # read like any input (a delivered log file's name still counts), AWS's reason
            scans.append(
                replace(scan_bytes(path, json.dumps(document).encode()), skipped=(SkippedSource(path, reason),))
            )
        else:
            scans.append(scan_bytes(path, json.dumps(document).encode()))
    lookup_only = all(f"/{LOOKUP_FOLDER}/" in path for path, _ in items)
    merged = merge_scans(scans)
    merged = replace(merged, lookup_only=lookup_only, earliest_delivery=_earliest([path for path, _ in items]))
    folders = {parts[1] for parts in (path.split("/") for path in documents) if parts[0] == account_id}
    return with_lookup_layout(
        merged, account_id, [path for path, _ in items], listed, tuple(sorted(folders - NOT_REGIONS)), asked=asked
    )


@dataclass(frozen=True)
class _Listing:
    """What ``lookup-events/regions.json`` says: the Regions it lists, or why it cannot be used."""

    regions: tuple[str, ...] = ()
    skipped: tuple[SkippedSource, ...] = ()


def _regions_listing(path: str, document: Any) -> _Listing:
    """``regions.json``: the error document live collection stores when the Regions could not be listed,
    or a Region list (``aws ec2 describe-regions`` output, or a JSON list of names)."""
    reason = describe_error_document(document)
    if reason is not None:
        return _Listing(skipped=(SkippedSource(path, reason),))
    names = document.get("Regions") if isinstance(document, dict) else document
    if isinstance(names, list):
        regions = [item.get("RegionName") if isinstance(item, dict) else item for item in names]
        if all(isinstance(region, str) and region for region in regions):
            return _Listing(regions=tuple(sorted(str(region) for region in regions)))
    return _Listing(skipped=(SkippedSource(path, "not a Region list (expected describe-regions output)"),))


def _read_listing(root: Path, path: str) -> _Listing:
    try:
        document = json.loads(files.read_inside(root, path, max_bytes=1 << 20))
    except (OSError, ValueError) as error:
        reason = files.describe(error) if isinstance(error, OSError) else f"not JSON ({error})"
        return _Listing(skipped=(SkippedSource(path, f"cannot be read: {reason}"),))
    return _regions_listing(path, document)


def _region_folders(root: Path, account_id: str) -> tuple[str, ...]:
    """The account's Region folders (as ``DirectoryStore.regions``: a linked one is listed too)."""
    try:
        with os.scandir(root / account_id) as entries:
            found = {e.name for e in entries if e.is_symlink() or e.is_dir(follow_symlinks=False)}
    except OSError:
        return ()
    return tuple(sorted(found - NOT_REGIONS))


def with_lookup_layout(
    scan: TrailScan,
    account_id: str,
    paths: Iterable[str],
    listed: _Listing | None,
    region_folders: tuple[str, ...],
    *,
    asked: tuple[datetime, datetime] | None = None,
) -> TrailScan:
    """The scan's reads with what the bundle layout says: every ``lookup-events/<region>/<question>.json``
    as an answer of that Region and question (unanswered when it was skipped); the enabled Regions (the
    bundle's Region folders, a ``regions.json`` list), each of which some evidence must cover; and, when
    the bundle holds LookupEvents evidence at all, the Regions that had to answer. Delivered log files and
    digests keep the account their names give."""
    base = f"{logs_prefix(account_id)}{LOOKUP_FOLDER}/"
    skipped = {item.path for item in scan.skipped}
    found = {answer.path: answer for answer in scan.reads.lookups}
    answers: list[LookupAnswer] = []
    for path in paths:
        if not path.startswith(base) or path.count("/") != base.count("/") + 1 or not path.endswith(".json"):
            continue
        region, _, name = path[len(base) :].partition("/")
        stored = found.pop(path, None)
        answers.append(
            LookupAnswer(
                path,
                account=account_id,
                region=region,
                question=name.removesuffix(".json"),
                start=stored.start if stored is not None and stored.start else asked[0] if asked else None,
                end=stored.end if stored is not None and stored.end else asked[1] if asked else None,
                more_pages=stored.more_pages if stored is not None else False,
                answered=stored is not None and path not in skipped,
            )
        )
    expected: set[str] = set()
    if answers or listed is not None:
        expected = {answer.region for answer in answers} | set(region_folders)
        expected |= set(listed.regions) if listed is not None else set()
    reads = scan.reads
    reads = replace(
        reads,
        lookups=tuple(sorted((*answers, *found.values()), key=lambda a: a.path)),
        lookup_regions=tuple(sorted({*reads.lookup_regions, *((account_id, region) for region in expected)})),
        regions=tuple(
            sorted(
                {
                    *reads.regions,
                    *((account_id, region) for region in (*region_folders, *(listed.regions if listed else ()))),
                }
            )
        ),
    )
    return replace(scan, reads=reads)


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

    reads = scan.reads
    return replace(
        scan,
        root_records=tuple(TrailRecord(r.record, rel(r.source)) for r in scan.root_records),
        skipped=tuple(SkippedSource(rel(s.path), s.reason) for s in scan.skipped),
        reads=TrailReads(
            logs=tuple(log._replace(path=rel(log.path)) for log in reads.logs),
            digests=tuple(replace(digest, path=rel(digest.path)) for digest in reads.digests),
            lookups=tuple(replace(answer, path=rel(answer.path)) for answer in reads.lookups),
            lookup_regions=reads.lookup_regions,
            regions=reads.regions,
            undated=reads.undated,
        ),
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
