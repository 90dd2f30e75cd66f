"""scripts/demo_iam_admin.py: the demo's administrators give the verdicts its docstring promises.

build_demo.py (the lead's) merges these documents into the demo bundle; here they are laid over the
default builder account of each demo account id and run through the same parsers and checks.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

from builders import AccountBuilder, context
from rootguard.checks.admins import admin_principals, admin_root_adjacent
from rootguard.checks.iam_groups import iam_policies_via_groups
from rootguard.model.account_settings import NO_PASSWORD_POLICY
from rootguard.model.findings import Status

SCRIPT = Path(__file__).parent.parent.parent / "scripts" / "demo_iam_admin.py"


def demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_iam_admin", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def account(account_id: str) -> AccountBuilder:
    builder = AccountBuilder(account_id)
    for path in [p for p in builder.documents if "/sso-admin/" in p or "/iam/simulate" in p]:
        builder.put(path, None)  # the builder's defaults are not the demo's
    for path, document in demo().demo_iam_admin().items():
        if path.startswith(f"{account_id}/"):
            builder.put(path, document)
    return builder


def statuses(account_id: str) -> dict[str, Status]:
    evidence = account(account_id).evidence()
    checks = (admin_principals, admin_root_adjacent, iam_policies_via_groups)
    return {check.check_id: check.evaluate(evidence, context()).status for check in checks}


def test_paths_are_the_bundle_layout_and_documents_are_json() -> None:
    documents = demo().demo_iam_admin()
    assert "210987654321/global/iam/simulate-principal-policy/role%2FAdmin.json" in documents
    assert "109876543210/us-east-1/sso-admin/list-instances.json" in documents
    json.dumps(documents)


def test_prod_admin_cannot_set_the_alias_and_a_user_holds_its_own_policy() -> None:
    assert statuses("210987654321") == {
        "admin-principals": Status.PASS,
        "admin-root-adjacent": Status.FAIL,
        "iam-policies-via-groups": Status.FAIL,
    }
    evidence = account("210987654321").evidence()
    message = admin_root_adjacent.evaluate(evidence, context()).message
    assert "role/Admin: explicitDeny: an explicit Deny in keep-account-alias" in message
    assert "ci-deploy: CiDeployArtifacts (attached)" in iam_policies_via_groups.evaluate(evidence, context()).message
    assert evidence.password_policy == NO_PASSWORD_POLICY


def test_sandbox_administrators_come_from_identity_center() -> None:
    assert set(statuses("109876543210").values()) == {Status.PASS}
    message = admin_principals.evaluate(account("109876543210").evidence(), context()).message
    assert "provisioned by IAM Identity Center permission sets: AWSReservedSSO_AdministratorAccess_" in message
