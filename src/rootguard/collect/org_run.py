"""Collect an organization: its structure, the selection, then every selected account on a bounded pool.

Each account's files (its probes, its SCP list and tags) are handed to ``write`` by the worker that
collected them as soon as the account finishes, and then dropped: memory holds at most the accounts in
flight (``concurrency``), whatever the size of the organization. ``write`` must be thread-safe
(``BundleWriter.write_all`` is). All clients come from the caller's one
boto3 session (``Aws.bound``); AssumeRoot calls share one rate limiter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from rootguard.collect import iam as iam_collector
from rootguard.collect.account import files_failed
from rootguard.collect.aws import Aws, error_fields, failure_document
from rootguard.collect.member import AuditOptions, MemberPlan, RateLimiter, probe_member
from rootguard.collect.org_selection import SELECTION_PATH, Selection, SelectionRequest, select
from rootguard.collect.organization import (
    account_documents,
    collect_structure,
    describe_policies,
    named_policies,
    scp_documents,
)
from rootguard.model.failures import FailureCategory, is_failure
from rootguard.model.operations import CALLER_IDENTITY
from rootguard.model.thresholds import DEFAULT_ORG_CONCURRENCY

Writer = Callable[[Mapping[str, Any]], None]
Progress = Callable[[int, int], None]
"""(accounts done, accounts in all)."""

DEFAULT_ASSUME_ROOT_RATE = 5.0


@dataclass(frozen=True)
class OrgRunOptions:
    concurrency: int = DEFAULT_ORG_CONCURRENCY
    assume_root_rate: float = DEFAULT_ASSUME_ROOT_RATE
    audit: AuditOptions = field(default_factory=AuditOptions)


@dataclass(frozen=True)
class OrgCollection:
    """What was written: the manifest's accounts (rows) and how the collection went."""

    accounts: tuple[str, ...]
    collected_at: datetime
    selection: Selection
    files: int
    failed: Mapping[str, int]
    """Files holding a failure, by category."""
    calls: int

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def summary(self) -> str:
        failed = files_failed(self.files, self.failed)
        excluded = len(self.selection.excluded)
        return f"{len(self.accounts)} accounts, {excluded} excluded; {self.calls} API calls; {failed}"


def collect_organization(
    aws: Aws,
    request: SelectionRequest,
    write: Writer,
    options: OrgRunOptions = OrgRunOptions(),
    *,
    progress: Progress = lambda _done, _total: None,
    now: Callable[[], datetime] | None = None,
) -> OrgCollection:
    """Raises ``CredentialsError`` (the caller's credentials are unusable) or ``UsageError`` (the selection
    names what the organization does not have) before any account is probed; after that, every failure is
    a file."""
    counter = _Counter(write)
    caller = str(iam_collector.caller_identity(aws.sts())["Account"])
    org = aws.organizations(max_pool_connections=options.concurrency + 4)
    structure = collect_structure(org, aws.iam())
    selection = select(structure, request, caller)
    counter(structure.documents)
    counter({SELECTION_PATH: selection.document})
    active = [plan for plan in selection.plans if plan.active]
    path_of = {account.account_id: account.path for account in structure.accounts}
    targets = [*structure.root_ids, *(ou for plan in active for ou in path_of.get(plan.account_id, ())[1:])]
    scps = scp_documents(org, targets)
    policies = named_policies(scps)
    counter(scps)
    limiter = RateLimiter(options.assume_root_rate)
    total = len(selection.plans)
    progress(0, total)

    def one(plan: MemberPlan) -> set[str]:
        """Probe one account and write its files from this worker (writes overlap the other workers' calls)."""
        try:
            documents = account_documents(org, plan.account_id)
            documents.update(probe_member(aws, plan, options.audit, root_limiter=limiter))
        except Exception as error:  # a bug in one account must not end the run or drop the account
            documents = {
                CALLER_IDENTITY.path(plan.account_id): failure_document(
                    "InternalError", f"{type(error).__name__}: {error}"[:300], FailureCategory.FAILED
                )
            }
        counter(documents)
        return named_policies(documents)

    done = 0
    pool = ThreadPoolExecutor(max_workers=options.concurrency, thread_name_prefix="rootguard-member")
    try:
        pending: set[Future[set[str]]] = set()
        queue = iter(selection.plans)
        while True:
            for plan in queue:
                pending.add(pool.submit(one, plan))
                if len(pending) >= 2 * options.concurrency:
                    break
            if not pending:
                break
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                policies |= future.result()  # a write that failed (OutputError) stops the run here
                done += 1
                progress(done, total)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)  # Ctrl-C or a failed write: start no other account
        raise
    pool.shutdown()
    counter(describe_policies(org, policies))
    collected_at = (now or _utc_now)()
    return OrgCollection(
        accounts=tuple(plan.account_id for plan in selection.plans),
        collected_at=collected_at,
        selection=selection,
        files=counter.files,
        failed=dict(counter.failed),
        calls=aws.guard.calls,
    )


class _Counter:
    """Hands documents to the writer and counts the files and the failures among them (from any worker)."""

    def __init__(self, write: Writer) -> None:
        self.write = write
        self.files = 0
        self.failed: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, documents: Mapping[str, Any]) -> None:
        self.write(documents)
        failed = [error_fields(document) for document in documents.values()]
        with self._lock:
            self.files += len(documents)
            for error in failed:
                if error is not None and is_failure(error):
                    category = str(error.get("Category") or FailureCategory.FAILED.value)
                    self.failed[category] = self.failed.get(category, 0) + 1


def _utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
