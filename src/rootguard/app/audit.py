"""``rootguard audit`` and ``rootguard collect``: pick a source, collect or read evidence, evaluate.

The command line parses options and renders; everything between lives here and is tested directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from rootguard.app.evaluate import evaluate, select_checks, select_organization_checks
from rootguard.checks import EvaluationContext
from rootguard.config.settings import Settings
from rootguard.evidence.assemble import assemble
from rootguard.evidence.bundle import open_bundle
from rootguard.evidence.store import MemoryStore
from rootguard.model.evidence import Source
from rootguard.model.findings import AuditReport

if TYPE_CHECKING:
    from rootguard.collect.account import Collection

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LiveSource:
    """Where and what a live collection reads (standard credential chain; AWS_ENDPOINT_URL honoured)."""

    profile: str | None = None
    region: str | None = None
    lookup: bool = True
    """CloudTrail LookupEvents in every enabled Region (root-activity is SKIPPED without it)."""
    alerting: bool = True
    """The alerting paths in every enabled Region (the alerting checks are SKIPPED without them)."""
    regions: tuple[str, ...] | None = None
    """Read only these Regions (``--regions``); each must be enabled for the account. None: every enabled one."""
    timeout: float | None = None
    """Seconds for the whole collection (``--timeout``): calls left when it runs out are recorded as not
    attempted and the run goes on to its report. None: no deadline (each call is still bounded)."""

    @property
    def skipped(self) -> dict[Source, str]:
        """What the user chose not to collect, and the flag that said so."""
        left_out = {Source.CLOUDTRAIL: self.lookup, Source.ALERTING: self.alerting}
        flags = {Source.CLOUDTRAIL: "--no-cloudtrail", Source.ALERTING: "--no-alerting"}
        skipped = {source: f"{flags[source]} was given" for source, collected in left_out.items() if not collected}
        if self.regions is not None:
            skipped[Source.REGIONS] = f"--regions limited the scan to {', '.join(self.regions)}"
        return skipped


def audit_bundle(
    path: Path, settings: Settings, *, as_of: datetime | None = None, source: str | None = None
) -> AuditReport:
    """Evaluate an evidence bundle offline (no AWS calls); ``as_of`` defaults to its collection time."""
    bundle = open_bundle(path, source)
    evidence = bundle.evidence
    ctx = context(settings, as_of or evidence.collected_at, evidence.collected_at)
    organization = select_organization_checks(settings.include_checks, settings.exclude_checks)
    return evaluate(
        evidence, ctx, select_checks(settings.check_ids), notes=bundle.notes, organization_checks=organization
    )


def audit_live(
    settings: Settings,
    live: LiveSource,
    *,
    as_of: datetime | None = None,
    save_to: Path | None = None,
    force: bool = False,
    progress: Progress = lambda _: None,
) -> AuditReport:
    """Collect from the live account, optionally keep the bundle, and evaluate."""
    collection = collect_live(live, progress=progress)
    if save_to is not None:
        save_collection(collection, save_to, force=force, skipped=live.skipped)
    store = MemoryStore(collection.documents)
    evidence = assemble(store, collection.accounts, collection.collected_at, source="live")
    evidence = replace(evidence, skipped=live.skipped)
    ctx = context(settings, as_of or collection.collected_at, collection.collected_at)
    return evaluate(evidence, ctx, select_checks(settings.check_ids))


def collect_live(live: LiveSource, *, progress: Progress = lambda _: None) -> Collection:
    # boto3 is imported only here, so offline audits start fast.
    from rootguard.collect.account import collect_account  # noqa: PLC0415
    from rootguard.collect.aws import Aws  # noqa: PLC0415

    aws = Aws(profile=live.profile, region=live.region, timeout=live.timeout)
    return collect_account(aws, progress, lookup=live.lookup, alerting=live.alerting, regions=live.regions)


def save_collection(
    collection: Collection, out: Path, *, force: bool, skipped: Mapping[Source, str] | None = None
) -> None:
    """Write the bundle; ``skipped`` (what the user chose not to collect) goes into its manifest."""
    from rootguard.evidence.bundle import write_bundle  # noqa: PLC0415

    write_bundle(out, collection.documents, collection.accounts, collection.collected_at, force=force, skipped=skipped)


def context(settings: Settings, as_of: datetime, collected_at: datetime) -> EvaluationContext:
    """What the checks may know besides the evidence: the settings and an explicit as-of time."""
    return EvaluationContext(
        as_of=as_of,
        collected_at=collected_at,
        window_days=settings.window_days,
        approvals=settings.approvals,
        thresholds=settings.thresholds,
        break_glass=settings.break_glass,
    )
