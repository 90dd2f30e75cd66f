"""Evidence about who administers the account: authorization details, settings, Identity Center, simulations.

Which principals are simulated is decided by the same pure analysis the checks use
(``analysis.policy_eval.administrators``) on the authorization details just collected, so the
bundle holds exactly the simulations the checks will look for.

IAM Identity Center lives in one home Region; ``list-instances`` is asked in the collection's Region
only (``--region`` or the profile's), so "no instance" means "none visible there".
"""

from __future__ import annotations

from typing import Any

from rootguard.analysis.policy_eval import administrators
from rootguard.collect.iam import call_as_document
from rootguard.model.account_settings import ROOT_ADJACENT_ACTIONS
from rootguard.model.authorization import authorization_details_from_document, principal_resource
from rootguard.model.gaps import MalformedEvidence
from rootguard.model.operations import (
    ACCOUNT_ALIASES,
    AUTHORIZATION_DETAILS,
    PASSWORD_POLICY,
    SIMULATE_PRINCIPAL,
    SSO_INSTANCES,
)

_DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def authorization_details(iam: Any) -> Any:
    """Every page of GetAccountAuthorizationDetails, merged as the AWS CLI merges them (the four lists)."""
    merged: dict[str, list[Any]] = {key: [] for key in _DETAIL_LISTS}
    marker: str | None = None
    while True:
        page = call_as_document(iam.get_account_authorization_details, **({"Marker": marker} if marker else {}))
        if "Error" in page:
            return page  # a partial list is never stored as if it were whole
        for key in _DETAIL_LISTS:
            merged[key].extend(page.get(key, []))
        marker = page.get("Marker") if page.get("IsTruncated") else None
        if not marker:
            return merged


def password_policy(iam: Any) -> Any:
    """NoSuchEntity (no policy set) is stored as AWS's error document; the evidence reads it as "no policy"."""
    return call_as_document(iam.get_account_password_policy)


def account_aliases(iam: Any) -> Any:
    aliases: list[str] = []
    marker: str | None = None
    while True:
        page = call_as_document(iam.list_account_aliases, **({"Marker": marker} if marker else {}))
        if "Error" in page:
            return page
        aliases.extend(page.get("AccountAliases", []))
        marker = page.get("Marker") if page.get("IsTruncated") else None
        if not marker:
            return {"AccountAliases": aliases}


def identity_center_instances(sso_admin: Any) -> Any:
    instances: list[Any] = []
    token: str | None = None
    while True:
        page = call_as_document(sso_admin.list_instances, **({"NextToken": token} if token else {}))
        if "Error" in page:
            return page
        instances.extend(page.get("Instances", []))
        token = page.get("NextToken")
        if not token:
            return {"Instances": instances}


def simulate(iam: Any, principal_arn: str) -> Any:
    """SimulatePrincipalPolicy for the root-adjacent actions on ``*``, every page merged (EvaluationResults)."""
    results: list[Any] = []
    marker: str | None = None
    while True:
        arguments: dict[str, Any] = {"PolicySourceArn": principal_arn, "ActionNames": list(ROOT_ADJACENT_ACTIONS)}
        if marker:
            arguments["Marker"] = marker
        page = call_as_document(iam.simulate_principal_policy, **arguments)
        if "Error" in page:
            return page
        results.extend(page.get("EvaluationResults", []))
        marker = page.get("Marker") if page.get("IsTruncated") else None
        if not marker:
            return {"EvaluationResults": results}


def admin_documents(iam: Any, sso_admin: Any, account_id: str, region: str) -> dict[str, Any]:
    """Bundle path → document for everything the administrator checks read."""
    details = authorization_details(iam)
    documents: dict[str, Any] = {
        AUTHORIZATION_DETAILS.path(account_id): details,
        PASSWORD_POLICY.path(account_id): password_policy(iam),
        ACCOUNT_ALIASES.path(account_id): account_aliases(iam),
        SSO_INSTANCES.path(account_id, region): identity_center_instances(sso_admin),
    }
    if "Error" in details:
        return documents
    try:
        parsed = authorization_details_from_document(details)
    except MalformedEvidence:
        return documents  # the checks report the malformed file; nothing to simulate
    for admin in administrators(parsed):
        path = SIMULATE_PRINCIPAL.path(account_id, resource=principal_resource(admin.principal))
        documents[path] = simulate(iam, admin.principal.arn)
    return documents
