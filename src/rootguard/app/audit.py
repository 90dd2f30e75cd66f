"""The library behind ``rootguard audit`` and ``rootguard collect``: pick a source, evaluate, report.

The CLI parses options and renders; everything between lives here and is tested directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from rootguard.app.evaluate import evaluate, select_checks
from rootguard.checks import EvaluationContext
from rootguard.config.settings import Thresholds
from rootguard.errors import ApprovalsError
from rootguard.evidence.assemble import assemble
from rootguard.evidence.bundle import open_bundle
from rootguard.evidence.store import MemoryStore
from rootguard.model.approvals import Approval, parse_approvals
from rootguard.model.break_glass import BreakGlass
from rootguard.model.findings import AuditReport

if TYPE_CHECKING:
    from rootguard.collect.account import Collection

Progress = Callable[[str], None]


@dataclass(frozen=True)
class AuditOptions:
    as_of: datetime | None = None
    """``None``: the bundle's collected_at, or now for live runs."""
    window_days: int = 90
    approvals: tuple[Approval, ...] = ()
    thresholds: Thresholds = field(default_factory=Thresholds)
    break_glass: BreakGlass = field(default_factory=BreakGlass)
    check_ids: tuple[str, ...] | None = None
    """``None``: every check; otherwise only these are run (rootguard.toml [checks], --checks)."""


def demo_bundle() -> Path:
    """The demo bundle shipped inside the package."""
    return Path(str(resources.files("rootguard") / "demo" / "bundle"))


def demo_approvals() -> tuple[Approval, ...]:
    path = Path(str(resources.files("rootguard") / "demo" / "approvals.toml"))
    return parse_approvals(path.read_text(encoding="utf-8"), "demo approvals")


def demo_config() -> Path:
    """The demo's rootguard.toml (break-glass declared and attested); used by ``--demo`` unless --config is given."""
    return Path(str(resources.files("rootguard") / "demo" / "rootguard.toml"))


def load_approvals(path: Path) -> tuple[Approval, ...]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ApprovalsError(f"approvals file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ApprovalsError(f"cannot read the approvals file {path}: {error}") from None
    return parse_approvals(text, str(path))


def audit_bundle(path: Path, options: AuditOptions, source: str | None = None) -> AuditReport:
    """Evaluate an evidence bundle offline (no AWS calls)."""
    bundle = open_bundle(path, source)
    evidence = bundle.evidence
    ctx = _context(options, evidence.collected_at)
    return evaluate(evidence, ctx, select_checks(options.check_ids), notes=bundle.notes)


def audit_live(
    options: AuditOptions,
    *,
    profile: str | None = None,
    region: str | None = None,
    save_to: Path | None = None,
    force: bool = False,
    progress: Progress = lambda _: None,
    lookup: bool = True,
    alerting: bool = True,
) -> AuditReport:
    """Collect from the live account, optionally keep the bundle, and evaluate."""
    collection = collect_live(profile=profile, region=region, progress=progress, lookup=lookup, alerting=alerting)
    if save_to is not None:
        save_collection(collection, save_to, force=force)
    store = MemoryStore(collection.documents)
    evidence = assemble(store, collection.accounts, collection.collected_at, source="live")
    return evaluate(evidence, _context(options, collection.collected_at), select_checks(options.check_ids))


def collect_live(
    *,
    profile: str | None,
    region: str | None,
    progress: Progress = lambda _: None,
    lookup: bool = True,
    alerting: bool = True,
) -> Collection:
    # boto3 is imported only here, so offline audits start fast.
    from rootguard.collect.account import collect_account  # noqa: PLC0415
    from rootguard.collect.aws import Aws  # noqa: PLC0415

    return collect_account(Aws(profile=profile, region=region), progress, lookup=lookup, alerting=alerting)


def save_collection(collection: Collection, out: Path, *, force: bool) -> None:
    from rootguard.evidence.bundle import write_bundle  # noqa: PLC0415

    write_bundle(out, collection.documents, collection.accounts, collection.collected_at, force=force)


def _context(options: AuditOptions, collected_at: datetime) -> EvaluationContext:
    return EvaluationContext(
        as_of=options.as_of or collected_at,
        window_days=options.window_days,
        collected_at=collected_at,
        approvals=options.approvals,
        unused_credentials_days=options.thresholds.unused_credentials_days,
        key_rotation_days=options.thresholds.key_rotation_days,
        attestation_max_age_days=options.thresholds.attestation_max_age_days,
        break_glass=options.break_glass,
    )
