"""Evidence about who administers the account: authorization details, settings, Identity Center, simulations.

Which principals are simulated is decided by the same pure analysis the checks use
(``analysis.policy_eval.administrators``) on the authorization details just collected, so the
bundle holds exactly the simulations the checks will look for.

IAM Identity Center lives in one home Region; ``list-instances`` is asked in the collection's Region
only (``--region`` or the profile's), so "no instance" means "none visible there".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rootguard.analysis.policy_eval import administrators
from rootguard.collect.aws import call, paginate
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

if TYPE_CHECKING:
    from mypy_boto3_iam.client import IAMClient
    from mypy_boto3_sso_admin.client import SSOAdminClient

_DETAIL_LISTS = ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")


def authorization_details(iam: IAMClient) -> Any:
    """Every page of GetAccountAuthorizationDetails, merged as the AWS CLI merges them (the four lists)."""
    return paginate(iam.get_paginator("get_account_authorization_details"), lists=_DETAIL_LISTS)


def password_policy(iam: IAMClient) -> Any:
    """NoSuchEntity (no policy set) is stored as AWS's error document; the evidence reads it as "no policy"."""
    return call(iam.get_account_password_policy)


def account_aliases(iam: IAMClient) -> Any:
    return paginate(iam.get_paginator("list_account_aliases"), lists=("AccountAliases",))


def identity_center_instances(sso_admin: SSOAdminClient) -> Any:
    return paginate(sso_admin.get_paginator("list_instances"), lists=("Instances",))


def simulate(iam: IAMClient, principal_arn: str) -> Any:
    """SimulatePrincipalPolicy for the root-adjacent actions on ``*``, every page merged (EvaluationResults)."""
    return paginate(
        iam.get_paginator("simulate_principal_policy"),
        lists=("EvaluationResults",),
        PolicySourceArn=principal_arn,
        ActionNames=list(ROOT_ADJACENT_ACTIONS),
    )


def admin_documents(iam: IAMClient, sso_admin: SSOAdminClient, account_id: str, region: str) -> dict[str, Any]:
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
