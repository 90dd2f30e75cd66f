"""Builders for evidence: AWS-CLI-shaped documents for one account, with sensible defaults.

Tests state only what matters to them (``root(password_last_used=...)``); everything goes
through the same parsers as real bundles (MemoryStore → assemble), so the checks see exactly
what they would see offline.
"""

from __future__ import annotations

import base64
import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from admin_builders import admin_documents
from rootguard.checks import EvaluationContext
from rootguard.evidence.assemble import assemble_account
from rootguard.evidence.bundle import write_bundle
from rootguard.evidence.store import MemoryStore, error_document
from rootguard.model.approvals import Approval
from rootguard.model.break_glass import Attestation, AttestationKind, BreakGlass, Principal
from rootguard.model.credential_report import COLUMNS
from rootguard.model.evidence import AccountEvidence
from rootguard.model.operations import ACCOUNT_SUMMARY, CALLER_IDENTITY, CREDENTIAL_REPORT, VIRTUAL_MFA_DEVICES

ACCOUNT = "123456789012"
AS_OF = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)

CHECK_IDS = (
    "root-recent-use",
    "root-activity",
    "root-access-keys",
    "root-mfa",
    "root-hardware-mfa",
    "root-signing-certs",
    "root-usage-alarm",
    "root-alerting",
    "root-watcher-health",
    "root-config-rules",
    "break-glass",
    "admin-principals",
    "admin-root-adjacent",
    "iam-user-mfa",
    "iam-unused-credentials",
    "iam-key-rotation",
    "iam-policies-via-groups",
)
"""Every check, in the order reports list them (stated here, not read from the registry)."""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def ago(days: float = 0, hours: float = 0) -> str:
    """A credential-report timestamp this long before AS_OF."""
    return iso(AS_OF - timedelta(days=days, hours=hours))


def root_cells(account: str = ACCOUNT, partition: str = "aws", **overrides: str) -> dict[str, str]:
    """A root row of a well-kept account: password unused for a long time, no keys, MFA on."""
    cells = {
        "user": "<root_account>",
        "arn": f"arn:{partition}:iam::{account}:root",
        "user_creation_time": "2019-01-01T00:00:00+00:00",
        "password_enabled": "not_supported",
        "password_last_used": ago(days=400),
        "password_last_changed": "not_supported",
        "password_next_rotation": "not_supported",
        "mfa_active": "true",
        "access_key_1_active": "false",
        "access_key_1_last_rotated": "N/A",
        "access_key_1_last_used_date": "N/A",
        "access_key_1_last_used_region": "N/A",
        "access_key_1_last_used_service": "N/A",
        "access_key_2_active": "false",
        "access_key_2_last_rotated": "N/A",
        "access_key_2_last_used_date": "N/A",
        "access_key_2_last_used_region": "N/A",
        "access_key_2_last_used_service": "N/A",
        "cert_1_active": "false",
        "cert_1_last_rotated": "N/A",
        "cert_2_active": "false",
        "cert_2_last_rotated": "N/A",
    }
    unknown = set(overrides) - set(cells)
    assert not unknown, f"not credential report columns: {unknown}"
    return cells | overrides


def user_cells(name: str, account: str = ACCOUNT, **overrides: str) -> dict[str, str]:
    cells = root_cells(account, user=name, arn=f"arn:aws:iam::{account}:user/{name}", password_enabled="true")
    return cells | overrides


def report_csv(rows: list[dict[str, str]]) -> str:
    lines = [",".join(COLUMNS)] + [",".join(row[c] for c in COLUMNS) for row in rows]
    return "\n".join(lines) + "\n"


def report_document(rows: list[dict[str, str]], generated: datetime = AS_OF - timedelta(minutes=2)) -> dict[str, str]:
    return {
        "Content": base64.b64encode(report_csv(rows).encode()).decode(),
        "ReportFormat": "text/csv",
        "GeneratedTime": iso(generated),
    }


def summary_document(mfa: int = 1, keys: int = 0, certs: int = 0, password: int | None = 1) -> dict[str, Any]:
    values = {"AccountMFAEnabled": mfa, "AccountAccessKeysPresent": keys, "AccountSigningCertificatesPresent": certs}
    if password is not None:
        values["AccountPasswordPresent"] = password
    return {"SummaryMap": values | {"Users": 3, "UsersQuota": 5000}}


def device(serial: str, user_arn: str | None = None, enabled: str = "2024-01-01T00:00:00+00:00") -> dict[str, Any]:
    item: dict[str, Any] = {"SerialNumber": serial}
    if user_arn is not None:
        item["User"] = {"UserName": user_arn.rsplit("/", 1)[-1], "Arn": user_arn, "UserId": "AIDAEXAMPLE"}
        item["EnableDate"] = enabled
    return item


def root_virtual_device(account: str = ACCOUNT, partition: str = "aws") -> dict[str, Any]:
    return device(f"arn:{partition}:iam::{account}:mfa/root-account-mfa-device", f"arn:{partition}:iam::{account}:root")


DENIED = error_document("AccessDenied", "not authorized")


LOOKUP_REGIONS = ("us-east-1", "eu-west-1")
LOOKUP_QUESTIONS = ("root", "console-login", "assume-root")
"""What live collection asks LookupEvents in each enabled Region (collect/cloudtrail.py)."""


class AccountBuilder:
    """The four documents of one account; ``None`` for a document leaves the file out."""

    def __init__(self, account: str = ACCOUNT, partition: str = "aws") -> None:
        self.account = account
        self.partition = partition
        self.documents: dict[str, Any] = {
            CALLER_IDENTITY.path(account): {
                "UserId": "AROAEXAMPLE:auditor",
                "Account": account,
                "Arn": f"arn:{partition}:sts::{account}:assumed-role/Audit/auditor",
            },
            CREDENTIAL_REPORT.path(account): report_document([root_cells(account, partition)]),
            ACCOUNT_SUMMARY.path(account): summary_document(),
            VIRTUAL_MFA_DEVICES.path(account): {"VirtualMFADevices": []},
        }
        # CloudTrail was read as live collection reads it (LookupEvents, three questions, both Regions) and
        # held no root record: answers with no NextToken cover the whole lookback (contract §5.4).
        self.documents.update(
            {
                f"{account}/cloudtrail-logs/lookup-events/{region}/{question}.json": {"Events": []}
                for region in LOOKUP_REGIONS
                for question in LOOKUP_QUESTIONS
            }
        )
        # An administrator role that can do the root-adjacent tasks; a user who gets permissions from a group.
        self.documents.update(admin_documents(account))
        # A well-kept account also alerts on root use (imported here: alerting_builders builds on this module).
        from alerting_builders import alerting

        alerting(self)

    def _set(self, path: str, document: Any) -> AccountBuilder:
        if document is None:
            self.documents.pop(path, None)
        else:
            self.documents[path] = copy.deepcopy(document)
        return self

    def root(self, **cells: str) -> AccountBuilder:
        """Replace the root row (other rows are dropped; add them with ``rows``)."""
        return self.rows([root_cells(self.account, self.partition, **cells)])

    def rows(self, rows: list[dict[str, str]], generated: datetime = AS_OF - timedelta(minutes=2)) -> AccountBuilder:
        return self._set(CREDENTIAL_REPORT.path(self.account), report_document(rows, generated))

    def report(self, document: Any) -> AccountBuilder:
        return self._set(CREDENTIAL_REPORT.path(self.account), document)

    def summary(self, document: Any = None, **flags: int | None) -> AccountBuilder:
        return self._set(
            ACCOUNT_SUMMARY.path(self.account), document if document is not None else summary_document(**flags)
        )

    def no_summary(self) -> AccountBuilder:
        return self._set(ACCOUNT_SUMMARY.path(self.account), None)

    def devices(self, *items: dict[str, Any], truncated: bool = False) -> AccountBuilder:
        document: dict[str, Any] = {"VirtualMFADevices": list(items)}
        if truncated:
            document |= {"IsTruncated": True, "Marker": "page2"}
        return self._set(VIRTUAL_MFA_DEVICES.path(self.account), document)

    def devices_document(self, document: Any) -> AccountBuilder:
        return self._set(VIRTUAL_MFA_DEVICES.path(self.account), document)

    def cloudtrail(self, *records: dict[str, Any], name: str = "trail.json") -> AccountBuilder:
        """Add a delivered-log-style file of records under ``<account>/cloudtrail-logs/``."""
        return self._set(f"{self.account}/cloudtrail-logs/{name}", {"Records": list(records)})

    def no_cloudtrail(self) -> AccountBuilder:
        """No CloudTrail evidence at all: every file under ``<account>/cloudtrail-logs/`` is left out."""
        prefix = f"{self.account}/cloudtrail-logs/"
        for path in [p for p in self.documents if p.startswith(prefix)]:
            del self.documents[path]
        return self

    def cloudtrail_document(self, name: str, document: Any) -> AccountBuilder:
        return self._set(f"{self.account}/cloudtrail-logs/{name}", document)

    def put(self, path: str, document: Any) -> AccountBuilder:
        """Set any document (``None`` leaves the file out)."""
        return self._set(path, document)

    def without(self, path: str) -> AccountBuilder:
        return self._set(path, None)

    def evidence(self) -> AccountEvidence:
        return assemble_account(MemoryStore(self.documents), self.account)

    def write(self, out: Path, collected_at: datetime = AS_OF) -> Path:
        write_bundle(out, self.documents, (self.account,), collected_at)
        return out


def attestation(kind: AttestationKind, days: float = 30, by: str = "ciso@example.com", **extra: Any) -> Attestation:
    """An attestation made this many days before AS_OF."""
    return Attestation(kind, by, AS_OF - timedelta(days=days), **extra)


BREAK_GLASS = BreakGlass(
    principals=(Principal("root"),),
    attestations=tuple(attestation(kind) for kind in AttestationKind),
)
"""A well-kept account's break-glass: root, every fact attested a month before AS_OF."""


def context(
    window: int = 90,
    as_of: datetime = AS_OF,
    approvals: tuple[Approval, ...] = (),
    break_glass: BreakGlass = BREAK_GLASS,
) -> EvaluationContext:
    return EvaluationContext(
        as_of=as_of, window_days=window, collected_at=AS_OF, approvals=approvals, break_glass=break_glass
    )


def approval(ticket: str, start: str, end: str, accounts: list[str] | None = None) -> Approval:
    from rootguard.model.timestamps import parse_timestamp

    return Approval(
        ticket=ticket,
        start=parse_timestamp(start),
        end=parse_timestamp(end),
        accounts=frozenset(accounts) if accounts is not None else None,
        reason="break-glass test",
        approved_by="security-oncall",
    )


def trail_record(
    when: datetime,
    name: str = "CreateUser",
    source: str = "iam.amazonaws.com",
    account: str = ACCOUNT,
    identity: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A CloudTrail record; by default root creating a user from the console."""
    base: dict[str, Any] = {
        "eventVersion": "1.10",
        "userIdentity": identity
        if identity is not None
        else {
            "type": "Root",
            "principalId": account,
            "arn": f"arn:aws:iam::{account}:root",
            "accountId": account,
            "accessKeyId": "ASIAEXAMPLECONSOLE",
            "sessionContext": {"attributes": {"mfaAuthenticated": "true"}},
        },
        "eventTime": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.23",
        "userAgent": "Mozilla/5.0",
        "eventID": f"{name}-{when.timestamp():.0f}",
        "eventType": "AwsApiCall",
        "recipientAccountId": account,
        "sessionCredentialFromConsole": "true",
    }
    return base | extra
