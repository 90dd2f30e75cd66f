"""``rootguard remediate --org``: the organization templates, and the member root-credential clean-up.

The plan comes from the ``org-member-root-credentials`` findings of an organization audit (a JSON
report, or an organization bundle audited offline): per member, the credentials its root still holds.
It is only printed unless the command line confirmed ``--apply``; then each member is cleaned through
``collect.root_cleanup`` (imported only then, so printing the plan never loads boto3) and every step is
appended to the log.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rootguard.app.audit import audit_bundle
from rootguard.app.cleanup_log import AppendOnlyLog
from rootguard.config.settings import Settings
from rootguard.errors import RootguardError, UsageError
from rootguard.model.findings import AuditReport, Status
from rootguard.model.root_cleanup import (
    CHECK_ID,
    CleanupPlan,
    CredentialKind,
    HeldCredential,
    MemberOutcome,
    MemberPlan,
)
from rootguard.remediation import TemplateFormat
from rootguard.remediation.organization import ORG_CATALOG, parse_ou_ids, render_organization

ORG_TEMPLATES = ORG_CATALOG


def parse_ous(text: str) -> tuple[str, ...]:
    """``--ou ou-a,ou-b``: the OU ids, or a usage error naming the malformed one."""
    return parse_ou_ids(text)


def organization_templates(template_format: str, ous: Sequence[str] = ()) -> dict[str, bytes]:
    """Every organization template in ``template_format``, with the SCP attach commands for ``ous``."""
    return render_organization(TemplateFormat(template_format), ous)


# --- the plan ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One account's ``org-member-root-credentials`` finding, from a report file or a report object."""

    account_id: str
    name: str | None
    ou_path: str | None
    management: bool
    status: str
    message: str
    evidence: Mapping[str, Any]


def plan_from_report_file(path: Path) -> CleanupPlan:
    """The plan from a ``rootguard org audit --format json`` report (contract §4)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        accounts = document["accounts"]
        organization = document.get("organization") or {}
        management_id = organization.get("management_account_id") if isinstance(organization, dict) else None
        rows = [
            _Row(
                account_id=str(account["account_id"]),
                name=account.get("name"),
                ou_path=account.get("ou_path"),
                management=bool(account.get("management")) or account["account_id"] == management_id,
                status=str(finding["status"]),
                message=str(finding.get("message", "")),
                evidence=finding.get("evidence") or {},
            )
            for account in accounts
            for finding in account["findings"]
            if finding["check_id"] == CHECK_ID
        ]
    except FileNotFoundError:
        raise UsageError(f"report not found: {path}") from None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise UsageError(f"{path} is not a rootguard JSON report ({error})") from None
    return build_plan(rows)


def plan_from_bundle(bundle: Path, settings: Settings, *, source: str | None = None) -> CleanupPlan:
    """The plan from auditing an organization bundle offline, as ``rootguard audit --evidence`` would."""
    return plan_from_report(audit_bundle(bundle, settings, source=source))


def plan_from_report(report: AuditReport) -> CleanupPlan:
    management_id = report.organization.management_account_id if report.organization else None
    rows = [
        _Row(
            account.account_id,
            account.name,
            account.ou_path,
            account.management or account.account_id == management_id,
            finding.status.value,
            finding.message,
            finding.evidence,
        )
        for account in report.accounts
        for finding in account.findings
        if finding.check_id == CHECK_ID
    ]
    return build_plan(rows)


def build_plan(rows: Iterable[_Row]) -> CleanupPlan:
    """Members with credentials to delete; PASS members are clean; anything else is unknown, never clean."""
    members: list[MemberPlan] = []
    clean: list[str] = []
    unknown: list[tuple[str, str]] = []
    seen = 0
    for row in rows:
        seen += 1
        if row.management:
            continue  # AssumeRoot cannot target the management account: its root is fixed by hand
        if row.status not in (Status.PASS.value, Status.FAIL.value):
            unknown.append((row.account_id, f"{row.status}: {row.message}".strip()))
            continue
        try:
            credentials = _credentials(row.evidence)
        except (KeyError, TypeError, ValueError) as error:
            unknown.append((row.account_id, f"evidence.credentials is malformed ({error})"))
            continue
        if not credentials:
            if row.status == Status.FAIL.value:
                unknown.append((row.account_id, "FAIL without credentials in its evidence"))
            else:
                clean.append(row.account_id)
            continue
        members.append(MemberPlan(row.account_id, credentials, name=row.name, ou_path=row.ou_path))
    return CleanupPlan(tuple(members), clean=tuple(clean), unknown=tuple(unknown), findings_seen=seen)


def _credentials(evidence: Mapping[str, Any]) -> tuple[HeldCredential, ...]:
    entries = evidence["credentials"]
    if not isinstance(entries, list):
        raise TypeError("not a list")
    held = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
            raise ValueError(f"entry without an id: {entry!r:.80}")
        held.append(
            HeldCredential(
                kind=CredentialKind(entry["kind"]),
                id=entry["id"],
                status=_text(entry.get("status")),
                created=_text(entry.get("created")),
                last_used=_text(entry.get("last_used")),
                mfa_type=_text(entry.get("mfa_type")),
            )
        )
    return tuple(held)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def render_plan(plan: CleanupPlan) -> str:
    """The plan for people: per member, what ``--apply`` would delete, then who is clean or unknown."""
    if plan.findings_seen == 0:
        return (
            f"No {CHECK_ID} findings: the clean-up plan needs an organization audit "
            "(`rootguard org audit --format json`, or `--evidence` of an organization bundle).\n"
        )
    lines = [f"Root-credential clean-up plan: {len(plan.members)} member account(s) to clean."]
    for member in plan.members:
        lines.append("")
        lines.append(f"{label(member)}: would delete")
        lines += [f"  - {credential.describe()}" for credential in member.ordered()]
    if plan.clean:
        lines += ["", f"{len(plan.clean)} member(s) already hold no root credentials: {', '.join(plan.clean)}."]
    if plan.unknown:
        count = len(plan.unknown)
        lines += ["", f"{count} member(s) not in the plan: their root credentials were not read or not understood:"]
        lines += [f"  - {account}: {_one_line(why)}" for account, why in plan.unknown]
    if plan.members:
        lines += [
            "",
            "Nothing has been deleted. `--apply` deletes these through sts:AssumeRoot with the task policy "
            "IAMDeleteRootUserCredentials, after you confirm; afterwards nobody can sign in as those root users "
            "until the password is recovered through centralized root access.",
        ]
    return "\n".join(lines) + "\n"


def label(member: MemberPlan) -> str:
    parts = [member.account_id]
    if member.name:
        parts.append(f"({_one_line(member.name)})")
    if member.ou_path:
        parts.append(f"[{_one_line(member.ou_path)}]")
    return " ".join(parts)


def _one_line(text: str) -> str:
    """Names come from the organization (anyone with access can set them): no control characters."""
    return "".join(ch if ch.isprintable() else "?" for ch in text)


# --- carrying it out --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanupResult:
    outcomes: tuple[MemberOutcome, ...]
    log: Path
    run_id: str

    @property
    def all_clean(self) -> bool:
        return all(outcome.verified_clean for outcome in self.outcomes)


def apply_cleanup(
    plan: CleanupPlan,
    *,
    log_path: Path,
    profile: str | None = None,
    region: str | None = None,
    timeout: float | None = None,
    on_member: Callable[[MemberPlan, MemberOutcome], None] | None = None,
    aws: Any = None,
) -> CleanupResult:
    """Clean every member of ``plan`` in turn; a failure is logged and the next member still runs.

    ``aws``: an ``Aws`` edge to use instead of one made from ``profile``/``region`` (tests)."""
    from rootguard.collect.aws import Aws  # noqa: PLC0415 - only --apply loads boto3
    from rootguard.collect.root_cleanup import clean_member  # noqa: PLC0415

    run_id = str(uuid.uuid4())
    with AppendOnlyLog(log_path, run_id=run_id) as log:
        edge = aws if aws is not None else Aws(profile, region, timeout=timeout)
        log.append(
            "run-start",
            accounts=[member.account_id for member in plan.members],
            planned={
                member.account_id: [f"{c.kind.value}:{c.id}" for c in member.ordered()] for member in plan.members
            },
        )
        outcomes = []
        for member in plan.members:
            try:
                outcome = clean_member(
                    edge,
                    member,
                    region=edge.region,
                    record=lambda step: log.append("step", **step.document()),
                )
            except (RootguardError, KeyboardInterrupt) as stop:  # credentials gone, interrupted: say where it stopped
                log.append("run-stopped", account_id=member.account_id, reason=str(stop) or type(stop).__name__)
                raise
            log.append(
                "member-end",
                account_id=member.account_id,
                failures=outcome.failures,
                verified_clean=outcome.verified_clean,
                remaining=None if outcome.remaining is None else [f"{c.kind.value}:{c.id}" for c in outcome.remaining],
            )
            outcomes.append(outcome)
            if on_member is not None:
                on_member(member, outcome)
        log.append("run-end", clean=sum(o.verified_clean for o in outcomes), members=len(outcomes))
    return CleanupResult(tuple(outcomes), log_path, run_id)
