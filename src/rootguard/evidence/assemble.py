"""Raw documents → typed evidence. A parser's complaint becomes a Gap naming the file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from rootguard.evidence import admin as assemble_admin
from rootguard.evidence.alerting import load_alerting, share_alerting
from rootguard.evidence.cloudtrail import with_records
from rootguard.evidence.organization import load_views
from rootguard.evidence.store import DocumentStore, parse
from rootguard.model import credential_report
from rootguard.model.activity import TrailScan
from rootguard.model.evidence import AccountEvidence, Evidence
from rootguard.model.iam import (
    account_summary_from_document,
    caller_identity_from_document,
    virtual_mfa_devices_from_document,
)
from rootguard.model.operations import (
    ACCOUNT_SUMMARY,
    CALLER_IDENTITY,
    CREDENTIAL_REPORT,
    VIRTUAL_MFA_DEVICES,
)

T = TypeVar("T")


def assemble(
    store: DocumentStore,
    accounts: Iterable[str],
    collected_at: datetime,
    source: str,
    *,
    organization: bool = False,
) -> Evidence:
    """``organization``: the bundle has an ``organization/`` folder (contract §5.7); each account gets its view."""
    assembled = [assemble_account(store, account_id) for account_id in accounts]
    shared = share_alerting(share_assume_root_calls(assembled))
    if organization:
        views = load_views(store, [a.account_id for a in shared], {a.account_id: a.cloudtrail for a in shared})
        shared = tuple(replace(a, organization=views[a.account_id]) for a in shared)
    return Evidence(collected_at=collected_at, accounts=shared, source=source)


def share_assume_root_calls(accounts: list[AccountEvidence]) -> tuple[AccountEvidence, ...]:
    """AssumeRoot is called from the management account and used in a member: let every account see it."""
    calls = [
        record
        for account in accounts
        if isinstance(account.cloudtrail, TrailScan)
        for record in account.cloudtrail.root_records
        if record.record.get("eventName") == "AssumeRoot"
    ]
    if not calls:
        return tuple(accounts)
    return tuple(
        replace(account, cloudtrail=with_records(account.cloudtrail, calls))
        if isinstance(account.cloudtrail, TrailScan)
        else account
        for account in accounts
    )


def assemble_account(store: DocumentStore, account_id: str) -> AccountEvidence:
    authorization = assemble_admin.authorization(store, account_id)
    return AccountEvidence(
        account_id=account_id,
        caller_identity=parse(store, CALLER_IDENTITY, account_id, caller_identity_from_document),
        credential_report=parse(store, CREDENTIAL_REPORT, account_id, credential_report.from_document),
        account_summary=parse(store, ACCOUNT_SUMMARY, account_id, account_summary_from_document),
        virtual_mfa_devices=parse(store, VIRTUAL_MFA_DEVICES, account_id, virtual_mfa_devices_from_document),
        cloudtrail=store.trail(account_id),
        authorization=authorization,
        password_policy=assemble_admin.password_policy(store, account_id),
        account_aliases=assemble_admin.account_aliases(store, account_id),
        identity_center=assemble_admin.identity_center(store, account_id),
        admin_simulations=assemble_admin.simulations(store, account_id, authorization),
        alerting=load_alerting(store, account_id),
    )
