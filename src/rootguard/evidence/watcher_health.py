"""Bundle documents → RegionWatchers: each Region's watcher listing, then the files it names.

A listing that is absent, refused or malformed is a Gap for the whole Region (a watcher may be there);
each listed watcher's errors file and dead-letter queue file are read by the function's and the
queue's names, in the function's Region folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from rootguard.evidence.store import DocumentStore, parse
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import DEAD_LETTER_DEPTH, LIST_FUNCTIONS, WATCHER_ERRORS
from rootguard.model.watcher_health import (
    Datapoint,
    RegionWatchers,
    WatcherFunction,
    error_datapoints_from_document,
    queue_depth_from_document,
    watchers_from_document,
)


def load_watchers(store: DocumentStore, account_id: str, regions: Iterable[str]) -> dict[str, RegionWatchers]:
    return {region: _region(store, account_id, region) for region in regions}


def _region(store: DocumentStore, account_id: str, region: str) -> RegionWatchers:
    functions = parse(store, LIST_FUNCTIONS, account_id, watchers_from_document, region)
    if isinstance(functions, Gap):
        return RegionWatchers(region, functions)
    return RegionWatchers(
        region,
        functions,
        errors={f.name: _errors(store, account_id, region, f) for f in functions},
        dead_letters={
            queue[2]: _depth(store, account_id, region, queue[2], f)
            for f in functions
            if (queue := f.dead_letter_queue) is not None
        },
    )


def _errors(
    store: DocumentStore, account_id: str, region: str, function: WatcherFunction
) -> tuple[Datapoint, ...] | Gap:
    found = parse(store, WATCHER_ERRORS, account_id, error_datapoints_from_document, region, resource=function.name)
    if isinstance(found, Gap) and found.kind is GapKind.NOT_COLLECTED:
        argument = f"Name=FunctionName,Value={function.name}"
        return replace(found, fix=WATCHER_ERRORS.fix(account_id, region, function.name, argument=argument))
    return found


def _depth(store: DocumentStore, account_id: str, region: str, queue: str, function: WatcherFunction) -> int | Gap:
    found = parse(store, DEAD_LETTER_DEPTH, account_id, queue_depth_from_document, region, resource=queue)
    if isinstance(found, Gap) and found.kind is GapKind.NOT_COLLECTED:
        where = function.dead_letter_queue
        assert where is not None  # only queues a function names are read
        url = f"https://sqs.{where[0]}.amazonaws.com/{where[1]}/{queue}"
        return replace(found, fix=DEAD_LETTER_DEPTH.fix(account_id, region, queue, argument=url))
    return found
