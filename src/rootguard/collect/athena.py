"""Amazon Athena: run one query, wait for it, read every result page; and size what it would read in S3.

Athena answers ``StartQueryExecution`` at once (even for SQL it will reject), so the outcome is only known
by polling ``GetQueryExecution`` until the state is ``SUCCEEDED``, ``FAILED`` or ``CANCELLED``
(https://docs.aws.amazon.com/athena/latest/APIReference/API_QueryExecutionStatus.html). Results come
from ``GetQueryResults`` pages of up to 1,000 rows; the first row of a SELECT's first page is the header.
A query this run started and stops waiting for (deadline, Ctrl-C) is stopped with ``StopQueryExecution``.
Every failure is an error document of the one edge (``collect.aws``), never an exception the user sees.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rootguard.collect.aws import ErrorDocument, call, paginate

if TYPE_CHECKING:
    from mypy_boto3_athena.client import AthenaClient
    from mypy_boto3_s3.client import S3Client

REQUIRED_ACTIONS = (
    "athena:StartQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StopQueryExecution",
    "glue:GetTable",
    "glue:CreateTable",
    "glue:GetDatabase",
    "s3:ListBucket",
    "s3:GetObject",
    "s3:PutObject",
    "s3:GetBucketLocation",
)
"""Athena reads the trail's objects and writes results with the caller's permissions; the table lives in
the Glue Data Catalog (``glue:CreateTable`` only with ``--athena-setup``)."""
FINISHED = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
FIRST_POLL = 0.5
LONGEST_POLL = 5.0
LIST_WORKERS = 16
Progress = Callable[[str], None]


@dataclass(frozen=True)
class QueryOutcome:
    """How one query ended: its rows (column name → text or None) when it succeeded, else why not."""

    query_id: str | None
    state: str
    """``SUCCEEDED``, ``FAILED``, ``CANCELLED``, or ``NOT_STARTED`` / ``UNFINISHED`` (rootguard's own)."""
    rows: tuple[dict[str, str | None], ...] = ()
    scanned_bytes: int | None = None
    reason: str = ""
    error: ErrorDocument | None = None

    @property
    def succeeded(self) -> bool:
        return self.state == "SUCCEEDED" and self.error is None


@dataclass
class Clock:
    """Time for polling, replaceable in tests."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class QueryTarget:
    database: str
    workgroup: str
    output: str | None = None
    """``s3://…`` for results; ``None``: the workgroup's own result location."""


def run_query(
    client: AthenaClient,
    sql: str,
    target: QueryTarget,
    *,
    timeout: float | None = None,
    clock: Clock | None = None,
    progress: Progress | None = None,
) -> QueryOutcome:
    """Start ``sql``, wait for it (at most ``timeout`` seconds), and read every result row."""
    clock = clock or Clock()
    params: dict[str, Any] = {
        "QueryString": sql,
        "QueryExecutionContext": {"Database": target.database},
        "WorkGroup": target.workgroup,
    }
    if target.output:
        params["ResultConfiguration"] = {"OutputLocation": target.output}
    started = call(client.start_query_execution, **params)
    if "Error" in started:
        return QueryOutcome(None, "NOT_STARTED", reason=_reason("StartQueryExecution", started), error=started)
    query_id = str(started["QueryExecutionId"])
    ended = _wait(client, query_id, timeout, clock, progress)
    if isinstance(ended, QueryOutcome):
        return ended
    state, scanned, why = ended
    if state != "SUCCEEDED":
        return QueryOutcome(query_id, state, scanned_bytes=scanned, reason=why or f"the query ended {state}")
    pages = paginate(client.get_paginator("get_query_results"), QueryExecutionId=query_id)
    if "Error" in pages:
        return QueryOutcome(
            query_id, "SUCCEEDED", scanned_bytes=scanned, reason=_reason("GetQueryResults", pages), error=pages
        )
    return QueryOutcome(query_id, state, rows=tuple(result_rows(pages)), scanned_bytes=scanned)


def _wait(
    client: AthenaClient, query_id: str, timeout: float | None, clock: Clock, progress: Progress | None
) -> tuple[str, int | None, str] | QueryOutcome:
    began = clock.now()
    pause = FIRST_POLL
    try:
        while True:
            answer = call(client.get_query_execution, QueryExecutionId=query_id)
            if "Error" in answer:
                _stop(client, query_id)
                return QueryOutcome(query_id, "UNFINISHED", reason=_reason("GetQueryExecution", answer), error=answer)
            execution = answer.get("QueryExecution", {})
            status = execution.get("Status", {})
            state = str(status.get("State", ""))
            scanned = execution.get("Statistics", {}).get("DataScannedInBytes")
            if progress is not None:
                progress(f"Athena query {query_id}: {state.lower() or 'unknown'}, {clock.now() - began:.0f} s")
            if state in FINISHED:
                return state, scanned, str(status.get("StateChangeReason", ""))
            if timeout is not None and clock.now() - began + pause > timeout:
                _stop(client, query_id)
                return QueryOutcome(
                    query_id,
                    "UNFINISHED",
                    scanned_bytes=scanned,
                    reason=f"the query had not finished after {timeout:.0f} s (--timeout); it was stopped",
                )
            clock.sleep(pause)
            pause = min(pause * 2, LONGEST_POLL)
    except KeyboardInterrupt:
        _stop(client, query_id)
        raise


def _stop(client: AthenaClient, query_id: str) -> None:
    call(client.stop_query_execution, QueryExecutionId=query_id)


def result_rows(merged: dict[str, Any]) -> Iterable[dict[str, str | None]]:
    """Rows of a merged ``GetQueryResults`` answer as mappings; the header row (first row, equal to the
    column names) is left out. A missing ``VarCharValue`` is SQL NULL."""
    names = [
        str(c.get("Name", "")) for c in merged.get("ResultSet", {}).get("ResultSetMetadata", {}).get("ColumnInfo", [])
    ]
    rows = merged.get("ResultSet", {}).get("Rows", [])
    for index, row in enumerate(rows):
        values = [cell.get("VarCharValue") for cell in row.get("Data", [])]
        if index == 0 and values == names:
            continue
        yield dict(zip(names, values, strict=False))


@dataclass
class Listing:
    """The objects under some prefixes: (key, size) pairs, and the prefixes whose listing failed."""

    objects: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(prefix, reason)."""

    @property
    def total_bytes(self) -> int:
        return sum(size for _, size in self.objects)


def list_prefixes(client: S3Client, bucket: str, prefixes: Sequence[str]) -> Listing:
    """Every object (key and size) under each prefix, listed concurrently."""

    def one(prefix: str) -> tuple[str, Any]:
        return prefix, paginate(client.get_paginator("list_objects_v2"), Bucket=bucket, Prefix=prefix)

    listing = Listing()
    with ThreadPoolExecutor(LIST_WORKERS, thread_name_prefix="rootguard-athena-list") as pool:
        for prefix, answer in pool.map(one, prefixes):
            if "Error" in answer:
                listing.failed.append((f"s3://{bucket}/{prefix}", _reason("ListObjectsV2", answer)))
                continue
            listing.objects.extend((o["Key"], int(o.get("Size", 0))) for o in answer.get("Contents", []))
    return listing


def _reason(operation: str, document: ErrorDocument) -> str:
    error = document.get("Error", {})
    return f"{operation} failed: {error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")
