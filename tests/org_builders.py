"""Organization bundles by hand, in the layout of contract §5.7: a healthy organization by default.

Management 111111111111 at the root; OU Workloads (ou-root-work) holds OU Prod (ou-work-prod) with member
222222222222 and OU Dev (ou-work-dev) with member 333333333333. Centralized root access is on, FullAWSAccess is
attached everywhere, the AWS sample deny-root SCP (Null aws:AssumedRoot) sits on the root, and every member's
root holds no credentials.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from builders import AS_OF, AccountBuilder
from rootguard.evidence.bundle import write_bundle
from rootguard.evidence.organization import load_views
from rootguard.evidence.store import MemoryStore
from rootguard.model.organization import OrganizationView

MANAGEMENT = "111111111111"
PROD = "222222222222"
DEV = "333333333333"
ROOT_ID = "r-ab12"
WORKLOADS = "ou-ab12-work"
PROD_OU = "ou-ab12-prod"
DEV_OU = "ou-ab12-dev0"

FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DENY_ROOT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyRootUser",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {
                "ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]},
                "Null": {"aws:AssumedRoot": "true"},
            },
        }
    ],
}
"""aws-samples/service-control-policy-examples: Prevent-root-credentials-management-in-member-accounts."""
DENY_ROOT_NOT_ACTION = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyRootExceptBucketPolicy",
            "Effect": "Deny",
            "NotAction": ["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
            "Resource": "*",
            "Condition": {"StringLike": {"aws:PrincipalArn": ["arn:aws:iam::*:root"]}},
        }
    ],
}
"""The older allow-list style: stops root but also every AssumeRoot task outside S3 bucket policies."""

POLICY_IDS = {"FullAWSAccess": "p-FullAWSAccess", "DenyRoot": "p-denyroot01"}


def org_path(*parts: str) -> str:
    return "organization/" + "/".join(parts)


class OrgBuilder:
    """Documents of a whole organization bundle; ``documents`` maps bundle paths to JSON documents."""

    def __init__(self) -> None:
        self.accounts = [MANAGEMENT, PROD, DEV]
        self.documents: dict[str, Any] = {}
        for account in self.accounts:
            self.documents.update(AccountBuilder(account).documents)
        self.states = dict.fromkeys(self.accounts, "ACTIVE")
        self.put(
            org_path("organizations", "describe-organization.json"),
            {
                "Organization": {
                    "Id": "o-exampleorg1",
                    "Arn": f"arn:aws:organizations::{MANAGEMENT}:organization/o-exampleorg1",
                    "FeatureSet": "ALL",
                    "MasterAccountId": MANAGEMENT,
                }
            },
        )
        self.features("RootCredentialsManagement", "RootSessions")
        self.put(
            org_path("organizations", "list-roots.json"),
            {
                "Roots": [
                    {
                        "Id": ROOT_ID,
                        "Name": "Root",
                        "PolicyTypes": [{"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"}],
                    }
                ]
            },
        )
        self.units(ROOT_ID, (WORKLOADS, "Workloads"))
        self.units(WORKLOADS, (PROD_OU, "Prod"), (DEV_OU, "Dev"))
        self.units(PROD_OU)
        self.units(DEV_OU)
        self.children(ROOT_ID, MANAGEMENT)
        self.children(WORKLOADS)
        self.children(PROD_OU, PROD)
        self.children(DEV_OU, DEV)
        self.policy("FullAWSAccess", FULL_ACCESS)
        self.policy("DenyRoot", DENY_ROOT)
        self.attach(ROOT_ID, "FullAWSAccess", "DenyRoot")
        for target in (WORKLOADS, PROD_OU, DEV_OU, MANAGEMENT, PROD, DEV):
            self.attach(target, "FullAWSAccess")
        for account in self.accounts:
            self.put(
                org_path("organizations", "list-tags-for-resource", f"{account}.json"),
                {"Tags": [{"Key": "team", "Value": "core"}]},
            )
        for member in (PROD, DEV):
            self.clean_root(member)
        self.put(
            org_path("selection.json"),
            {
                "management_account_id": MANAGEMENT,
                "audit_role": "OrganizationAccountAccessRole",
                "accounts_file": None,
                "ous": [],
                "include": [],
                "exclude": [],
                "excluded": {},
            },
        )
        self._list_accounts()

    # organization/ ------------------------------------------------------------------------------------------

    def put(self, path: str, document: Any) -> OrgBuilder:
        if document is None:
            self.documents.pop(path, None)
        else:
            self.documents[path] = copy.deepcopy(document)
        return self

    def features(self, *enabled: str) -> OrgBuilder:
        return self.put(
            org_path("iam", "list-organizations-features.json"),
            {"OrganizationId": "o-exampleorg1", "EnabledFeatures": list(enabled)},
        )

    def features_error(self, code: str) -> OrgBuilder:
        return self.put(
            org_path("iam", "list-organizations-features.json"), {"Error": {"Code": code, "Message": "refused"}}
        )

    def units(self, parent: str, *units: tuple[str, str]) -> OrgBuilder:
        return self.put(
            org_path("organizations", "list-organizational-units-for-parent", f"{parent}.json"),
            {
                "OrganizationalUnits": [
                    {"Id": i, "Name": n, "Arn": f"arn:aws:organizations::x:ou/{i}"} for i, n in units
                ]
            },
        )

    def children(self, parent: str, *accounts: str) -> OrgBuilder:
        return self.put(
            org_path("organizations", "list-accounts-for-parent", f"{parent}.json"),
            {"Accounts": [{"Id": a, "Name": f"acct-{a[:3]}"} for a in accounts]},
        )

    def policy(self, name: str, document: Any) -> OrgBuilder:
        policy_id = POLICY_IDS.setdefault(name, f"p-{name.lower()[:8]}")
        content = document if isinstance(document, str) else json.dumps(document)
        return self.put(
            org_path("organizations", "describe-policy", f"{policy_id}.json"),
            {
                "Policy": {
                    "PolicySummary": {"Id": policy_id, "Name": name, "Type": "SERVICE_CONTROL_POLICY"},
                    "Content": content,
                }
            },
        )

    def attach(self, target: str, *names: str) -> OrgBuilder:
        return self.put(
            org_path("organizations", "list-policies-for-target", f"{target}.json"),
            {
                "Policies": [
                    {
                        "Id": POLICY_IDS[n],
                        "Name": n,
                        "Type": "SERVICE_CONTROL_POLICY",
                        "AwsManaged": n == "FullAWSAccess",
                    }
                    for n in names
                ]
            },
        )

    def state(self, account: str, state: str, *, retired_status: bool = False) -> OrgBuilder:
        self.states[account] = state
        self._list_accounts(retired_status=retired_status)
        return self

    def _list_accounts(self, *, retired_status: bool = False) -> None:
        key = "Status" if retired_status else "State"
        self.put(
            org_path("organizations", "list-accounts.json"),
            {"Accounts": [{"Id": a, "Name": f"acct-{a[:3]}", key: s} for a, s in self.states.items()]},
        )

    # <member>/assume-root/ ------------------------------------------------------------------------------------

    def clean_root(self, member: str) -> OrgBuilder:
        base = f"{member}/assume-root"
        self.put(
            f"{base}/sts/assume-root.json",
            {
                "Credentials": {"AccessKeyId": "ASIAEXAMPLEROOT", "Expiration": "2026-11-20T12:15:00Z"},
                "SourceIdentity": "rootguard",
            },
        )
        self.put(
            f"{base}/iam/get-login-profile.json", {"Error": {"Code": "NoSuchEntity", "Message": "no login profile"}}
        )
        self.put(f"{base}/iam/list-access-keys.json", {"AccessKeyMetadata": []})
        self.put(f"{base}/iam/list-mfa-devices.json", {"MFADevices": []})
        self.put(f"{base}/iam/list-signing-certificates.json", {"Certificates": []})
        self.put(
            f"{base}/iam/get-account-summary.json",
            {
                "SummaryMap": {
                    "AccountMFAEnabled": 0,
                    "AccountAccessKeysPresent": 0,
                    "AccountSigningCertificatesPresent": 0,
                }
            },
        )
        return self

    def root_file(self, member: str, relative: str, document: Any) -> OrgBuilder:
        return self.put(f"{member}/assume-root/{relative}", document)

    # out ----------------------------------------------------------------------------------------------------

    def views(self) -> dict[str, OrganizationView]:
        from rootguard.evidence.assemble import assemble

        evidence = assemble(MemoryStore(self.documents), self.accounts, AS_OF, "memory", organization=True)
        return {a.account_id: a.organization for a in evidence.accounts if a.organization is not None}

    def evidence(self, account: str):  # type: ignore[no-untyped-def]
        from rootguard.evidence.assemble import assemble

        evidence = assemble(MemoryStore(self.documents), self.accounts, AS_OF, "memory", organization=True)
        return next(a for a in evidence.accounts if a.account_id == account)

    def write(self, out: Path, collected_at: datetime = AS_OF) -> Path:
        """Account files through rootguard's writer; ``organization/`` by hand (its writer is org collect's)."""
        accounts_files = {p: d for p, d in self.documents.items() if not p.startswith("organization/")}
        write_bundle(out, accounts_files, tuple(self.accounts), collected_at)
        for path, document in self.documents.items():
            if path.startswith("organization/"):
                target = out / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(document) if not isinstance(document, bytes) else document.decode())
        return out


__all__ = ["DENY_ROOT", "DENY_ROOT_NOT_ACTION", "DEV", "FULL_ACCESS", "MANAGEMENT", "PROD", "OrgBuilder", "load_views"]
