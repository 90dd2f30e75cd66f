"""Rebuild the demo bundle shipped in src/rootguard/demo/ (run from the repository root).

The demo is a fictional organisation of two accounts, collected on 2026-11-20 at noon UTC:
- 210987654321 (prod): root signed in at the console three days earlier, a virtual MFA device
  guards root, and a root access key created in 2019 is still active and in use;
- 109876543210 (sandbox): root was used once, inside an approved break-glass window, and the
  audit role was denied iam:ListVirtualMFADevices, so the hardware-MFA verdict is an ERROR.
"""

from __future__ import annotations

import base64
import shutil
from datetime import UTC, datetime
from pathlib import Path

from demo_alerting import demo_alerting
from demo_cloudtrail import demo_cloudtrail
from demo_iam_admin import demo_iam_admin
from demo_iam_hygiene import demo_config, user_rows
from demo_watcher import demo_watcher

from rootguard.evidence.bundle import write_bundle
from rootguard.evidence.store import error_document
from rootguard.model.credential_report import COLUMNS
from rootguard.model.operations import ACCOUNT_SUMMARY, CALLER_IDENTITY, CREDENTIAL_REPORT, VIRTUAL_MFA_DEVICES

PROD, SANDBOX = "210987654321", "109876543210"
COLLECTED_AT = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
OUT = Path("src/rootguard/demo/bundle")

NO_KEYS = ["false", "N/A", "N/A", "N/A", "N/A"]
NO_CERTS = ["false", "N/A", "false", "N/A"]


def row(*cells: str) -> str:
    assert len(cells) == len(COLUMNS), (len(cells), cells[0])
    return ",".join(cells)


def report(rows: list[str], generated: str) -> dict[str, str]:
    csv = "\n".join([",".join(COLUMNS), *rows]) + "\n"
    return {
        "Content": base64.b64encode(csv.encode()).decode(),
        "ReportFormat": "text/csv",
        "GeneratedTime": generated,
    }


def summary(mfa: int, keys: int, certs: int, password: int, users: int) -> dict[str, object]:
    return {
        "SummaryMap": {
            "AccountMFAEnabled": mfa,
            "AccountAccessKeysPresent": keys,
            "AccountSigningCertificatesPresent": certs,
            "AccountPasswordPresent": password,
            "Users": users,
            "UsersQuota": 5000,
            "Groups": 3,
            "GroupsQuota": 300,
            "Roles": 41,
            "RolesQuota": 1000,
            "Policies": 12,
            "PoliciesQuota": 1500,
            "MFADevices": 4,
            "MFADevicesInUse": 3,
            "AccessKeysPerUserQuota": 2,
            "SigningCertificatesPerUserQuota": 2,
        }
    }


def prod() -> dict[str, object]:
    root = row(
        "<root_account>", f"arn:aws:iam::{PROD}:root", "2019-03-04T10:22:31+00:00",
        "not_supported", "2026-11-17T08:14:52+00:00", "not_supported", "not_supported", "true",
        "true", "2019-03-04T10:40:12+00:00", "2026-10-09T06:01:00+00:00", "eu-west-1", "ec2",
        *NO_KEYS, *NO_CERTS,
    )  # fmt: skip
    alice = row(
        "alice", f"arn:aws:iam::{PROD}:user/alice", "2021-06-01T09:00:00+00:00",
        "true", "2026-11-19T16:20:00+00:00", "2025-12-01T09:00:00+00:00", "N/A", "true",
        *NO_KEYS, *NO_KEYS, *NO_CERTS,
    )  # fmt: skip
    ci = row(
        "ci-deploy", f"arn:aws:iam::{PROD}:user/ci-deploy", "2022-02-14T12:00:00+00:00",
        "false", "N/A", "N/A", "N/A", "false",
        "true", "2024-02-14T12:00:00+00:00", "2026-11-20T07:45:00+00:00", "us-east-1", "s3",
        *NO_KEYS, *NO_CERTS,
    )  # fmt: skip
    rootops = row(
        "rootops", f"arn:aws:iam::{PROD}:user/rootops", "2023-05-02T08:00:00+00:00",
        "true", "2026-11-18T10:00:00+00:00", "2026-05-02T08:00:00+00:00", "N/A", "true",
        *NO_KEYS, *NO_KEYS, *NO_CERTS,
    )  # fmt: skip
    devices = {
        "VirtualMFADevices": [
            {
                "SerialNumber": f"arn:aws:iam::{PROD}:mfa/root-account-mfa-device",
                "User": {
                    "Path": "/",
                    "UserName": PROD,
                    "UserId": PROD,
                    "Arn": f"arn:aws:iam::{PROD}:root",
                    "CreateDate": "2019-03-04T10:22:31+00:00",
                    "PasswordLastUsed": "2026-11-17T08:14:52+00:00",
                },
                "EnableDate": "2019-03-04T10:31:05+00:00",
            },
            {
                "SerialNumber": f"arn:aws:iam::{PROD}:mfa/alice-phone",
                "User": {
                    "Path": "/",
                    "UserName": "alice",
                    "UserId": "AIDAEXAMPLEALICE00001",
                    "Arn": f"arn:aws:iam::{PROD}:user/alice",
                    "CreateDate": "2021-06-01T09:00:00+00:00",
                },
                "EnableDate": "2021-06-01T09:12:00+00:00",
            },
            {
                "SerialNumber": f"arn:aws:iam::{PROD}:mfa/rootops",
                "User": {
                    "Path": "/",
                    "UserName": "rootops",
                    "UserId": "AIDAEXAMPLEROOTOPS001",
                    "Arn": f"arn:aws:iam::{PROD}:user/rootops",
                    "CreateDate": "2023-05-02T08:00:00+00:00",
                },
                "EnableDate": "2023-05-02T08:05:00+00:00",
            },
            {"SerialNumber": f"arn:aws:iam::{PROD}:mfa/spare-unassigned"},
        ]
    }
    return {
        CALLER_IDENTITY.path(PROD): {
            "UserId": "AROAEXAMPLEAUDIT00001:auditor",
            "Account": PROD,
            "Arn": f"arn:aws:sts::{PROD}:assumed-role/RootguardAudit/auditor",
        },
        CREDENTIAL_REPORT.path(PROD): report(
            [root, alice, ci, rootops, *user_rows()[PROD]], "2026-11-20T11:58:07+00:00"
        ),
        ACCOUNT_SUMMARY.path(PROD): summary(mfa=1, keys=1, certs=0, password=1, users=3 + len(user_rows()[PROD])),
        VIRTUAL_MFA_DEVICES.path(PROD): devices,
    }


def sandbox() -> dict[str, object]:
    root = row(
        "<root_account>", f"arn:aws:iam::{SANDBOX}:root", "2023-09-12T15:02:44+00:00",
        "not_supported", "2026-11-06T14:03:10+00:00", "not_supported", "not_supported", "true",
        *NO_KEYS, *NO_KEYS, *NO_CERTS,
    )  # fmt: skip
    return {
        CALLER_IDENTITY.path(SANDBOX): {
            "UserId": "AROAEXAMPLEAUDIT00002:auditor",
            "Account": SANDBOX,
            "Arn": f"arn:aws:sts::{SANDBOX}:assumed-role/RootguardAudit/auditor",
        },
        CREDENTIAL_REPORT.path(SANDBOX): report([root, *user_rows()[SANDBOX]], "2026-11-20T11:59:30+00:00"),
        ACCOUNT_SUMMARY.path(SANDBOX): summary(mfa=1, keys=0, certs=0, password=1, users=len(user_rows()[SANDBOX])),
        VIRTUAL_MFA_DEVICES.path(SANDBOX): error_document(
            "AccessDenied",
            f"User: arn:aws:sts::{SANDBOX}:assumed-role/RootguardAudit/auditor is not authorized to perform: "
            "iam:ListVirtualMFADevices on resource: arn:aws:iam::109876543210:mfa/ because no identity-based "
            "policy allows the iam:ListVirtualMFADevices action",
        ),
    }


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    documents = {**prod(), **sandbox(), **demo_cloudtrail(), **demo_alerting(), **demo_iam_admin(), **demo_watcher()}
    write_bundle(OUT, documents, (PROD, SANDBOX), COLLECTED_AT)
    (OUT.parent / "rootguard.toml").write_text(demo_config())


if __name__ == "__main__":
    main()
