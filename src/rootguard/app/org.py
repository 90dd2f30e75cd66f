"""``rootguard org collect`` and ``rootguard org audit``: a whole AWS Organization in one run.

``org_collect`` streams the organization bundle (contract §5.7) into ``DIR``; ``org_audit`` collects into
a private temporary bundle (or ``--save-evidence DIR``) and evaluates it through ``audit_bundle``, the path
``rootguard audit --evidence DIR`` takes, so a live organization audit and the replay of its bundle give
the same answer. Collectors are imported lazily: ``--help`` never loads boto3.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rootguard.app.audit import LiveSource, audit_bundle
from rootguard.config.settings import Settings
from rootguard.model.findings import AuditReport
from rootguard.model.thresholds import DEFAULT_ORG_CONCURRENCY

if TYPE_CHECKING:
    from rootguard.collect.org_run import OrgCollection
    from rootguard.collect.org_selection import SelectionRequest

Counter = Callable[[int, int], None]
Warn = Callable[[str], None]

DEFAULT_AUDIT_ROLE = "OrganizationAccountAccessRole"
DEFAULT_ASSUME_ROOT_RATE = 5.0


@dataclass(frozen=True)
class OrgRequest:
    """What the ``org`` options ask for (selection, member options, and audit's live options)."""

    live: LiveSource = field(default_factory=LiveSource)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    ous: tuple[str, ...] = ()
    accounts_file: Path | None = None
    audit_role: str = DEFAULT_AUDIT_ROLE
    external_id: str | None = None
    concurrency: int = DEFAULT_ORG_CONCURRENCY
    assume_root_rate: float = DEFAULT_ASSUME_ROOT_RATE
    assume_root: bool = True
    member_audit: bool = True

    @property
    def skipped(self) -> dict[str, str]:
        """The manifest's ``skipped``: audit's sources, and the member probes the user turned off."""
        skipped = {source.value: reason for source, reason in self.live.skipped.items()}
        if not self.assume_root:
            skipped["assume-root"] = "--no-assume-root was given"
        if not self.member_audit:
            skipped["member-audit"] = "--no-member-audit was given"
        return skipped


@dataclass(frozen=True)
class OrgCollectResult:
    """What ``org collect`` wrote, for the command line's summary and exit code."""

    out: Path
    accounts: tuple[str, ...]
    excluded: dict[str, str]
    files: int
    failures: int
    summary: str


def org_collect(
    request: OrgRequest,
    out: Path,
    *,
    force: bool = False,
    progress: Counter = lambda _done, _total: None,
    warn: Warn = lambda _: None,
) -> OrgCollectResult:
    """Write the organization bundle to ``out`` (new: built beside it and renamed; existing: in place
    behind the marker, §5.6); raises ``OutputError`` before any AWS call when ``out`` cannot take it."""
    from rootguard.evidence.bundle import BundleWriter, check_output_dir  # noqa: PLC0415

    check_output_dir(out, force=force)  # before any AWS call: never collect for nothing
    selection = selection_request(request)  # a bad --accounts-file stops the run before any AWS call
    with BundleWriter(out, force=force) as writer:
        collection = _collect(request, selection, writer.write_all, progress)
        for line in collection.selection.warnings:
            warn(line)
        writer.finish(collection.accounts, collection.collected_at, skipped=request.skipped)
    return OrgCollectResult(
        out=out,
        accounts=collection.accounts,
        excluded=collection.selection.excluded,
        files=collection.files,
        failures=collection.failures,
        summary=collection.summary(),
    )


def org_audit(
    settings: Settings,
    request: OrgRequest,
    *,
    as_of: datetime | None = None,
    save_to: Path | None = None,
    force: bool = False,
    progress: Counter = lambda _done, _total: None,
    warn: Warn = lambda _: None,
) -> AuditReport:
    """Collect (into ``save_to``, else a private temporary bundle removed afterwards) and evaluate the
    bundle exactly as ``audit --evidence`` does."""
    if save_to is not None:
        org_collect(request, save_to, force=force, progress=progress, warn=warn)
        return audit_bundle(save_to, settings, as_of=as_of)
    with tempfile.TemporaryDirectory(prefix="rootguard-org-") as temporary:  # 0700, removed with its evidence
        bundle = Path(temporary) / "bundle"
        org_collect(request, bundle, progress=progress, warn=warn)
        return audit_bundle(bundle, settings, as_of=as_of, source="live")


def selection_request(request: OrgRequest) -> SelectionRequest:
    """The collector's selection: the options, and the accounts file's entries (validated, exit 2)."""
    from rootguard.collect.org_selection import AccountOverride, SelectionRequest  # noqa: PLC0415
    from rootguard.config.accounts_file import load_accounts_file  # noqa: PLC0415

    overrides: dict[str, AccountOverride] = {}
    if request.accounts_file is not None:
        for entry in load_accounts_file(request.accounts_file):
            overrides[entry.account_id] = AccountOverride(
                name=entry.name, roles=entry.roles, external_id=entry.external_id, regions=entry.regions
            )
    return SelectionRequest(
        include=request.include,
        exclude=request.exclude,
        ous=request.ous,
        accounts_file=str(request.accounts_file) if request.accounts_file is not None else None,
        overrides=overrides,
        audit_role=request.audit_role,
        external_id=request.external_id,
        root_probe=request.assume_root,
        member_audit=request.member_audit,
    )


def _collect(
    request: OrgRequest, selection: SelectionRequest, write: Callable[..., None], progress: Counter
) -> OrgCollection:
    from rootguard.collect.aws import Aws  # noqa: PLC0415 - boto3 only for live runs
    from rootguard.collect.member import AuditOptions  # noqa: PLC0415
    from rootguard.collect.org_run import OrgRunOptions, collect_organization  # noqa: PLC0415
    from rootguard.collect.regions import check_region_name  # noqa: PLC0415

    live = request.live
    for name in live.regions or ():
        check_region_name(name, "--regions")  # once, before any call: not once per member
    aws = Aws(profile=live.profile, region=live.region, timeout=live.timeout)
    options = OrgRunOptions(
        concurrency=request.concurrency,
        assume_root_rate=request.assume_root_rate,
        audit=AuditOptions(lookup=live.lookup, alerting=live.alerting, regions=live.regions),
    )
    return collect_organization(aws, selection, write, options, progress=progress)
