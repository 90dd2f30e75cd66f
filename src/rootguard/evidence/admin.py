"""Raw documents → the evidence about who administers the account (authorization, settings, simulations).

GetAccountPasswordPolicy answers NoSuchEntity when no policy is set: that is a fact ("no policy"),
not a gap, so it is read here before the store's rule that every ``{"Error"}`` is a gap applies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, TypeVar

from rootguard.analysis.policy_eval import administrators
from rootguard.evidence.store import DocumentStore, parse_document
from rootguard.model.account_settings import (
    NO_PASSWORD_POLICY,
    AccountAliases,
    IdentityCenter,
    PasswordPolicy,
    Simulation,
    account_aliases_from_document,
    identity_center_from_document,
    password_policy_from_document,
    simulation_command,
    simulation_from_document,
)
from rootguard.model.authorization import AuthorizationDetails, authorization_details_from_document, principal_resource
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import (
    ACCOUNT_ALIASES,
    AUTHORIZATION_DETAILS,
    GLOBAL,
    PASSWORD_POLICY,
    SIMULATE_PRINCIPAL,
    SSO_INSTANCES,
    Operation,
)

T = TypeVar("T")

NO_SUCH_ENTITY = "NoSuchEntity"


def authorization(store: DocumentStore, account_id: str) -> AuthorizationDetails | Gap:
    return _parse(store, AUTHORIZATION_DETAILS, account_id, authorization_details_from_document)


def password_policy(store: DocumentStore, account_id: str) -> PasswordPolicy | Gap:
    document = store.get(PASSWORD_POLICY, account_id)
    if isinstance(document, Gap) and document.kind is GapKind.API_ERROR and document.code == NO_SUCH_ENTITY:
        return NO_PASSWORD_POLICY
    return _parse(store, PASSWORD_POLICY, account_id, password_policy_from_document)


def account_aliases(store: DocumentStore, account_id: str) -> AccountAliases | Gap:
    return _parse(store, ACCOUNT_ALIASES, account_id, account_aliases_from_document)


def identity_center(store: DocumentStore, account_id: str) -> IdentityCenter | Gap:
    """ListInstances from whichever Region the bundle holds it for (the collection asks its own Region)."""
    first: Gap | None = None
    for region in store.regions(account_id):
        document = store.get(SSO_INSTANCES, account_id, region)
        if isinstance(document, Gap) and document.kind is GapKind.NOT_COLLECTED:
            continue
        found = _parse(store, SSO_INSTANCES, account_id, partial(identity_center_from_document, region=region), region)
        if not isinstance(found, Gap):
            return found
        first = first or found
    if first is not None:
        return first
    # Nothing in any Region: the Gap names the file to add (us-east-1 as an example Region).
    example = "us-east-1"
    return _parse(store, SSO_INSTANCES, account_id, partial(identity_center_from_document, region=example), example)


def simulations(
    store: DocumentStore, account_id: str, details: AuthorizationDetails | Gap
) -> Mapping[str, Simulation | Gap] | Gap:
    """One simulation per administrator the authorization details show (``administrators``: roles a person can
    assume and users; not roles only a service or nobody can assume, nor principals whose documents cannot be
    read), keyed ``role/<name>`` / ``user/<name>`` as the collector saved them."""
    if isinstance(details, Gap):
        return details
    found: dict[str, Simulation | Gap] = {}
    for admin in administrators(details):
        resource = principal_resource(admin.principal)
        found[resource] = _parse(
            store,
            SIMULATE_PRINCIPAL,
            account_id,
            simulation_from_document,
            resource=resource,
            argument=admin.principal.arn,
        )
    return found


def _parse(
    store: DocumentStore,
    operation: Operation,
    account_id: str,
    parser: Callable[[Any], T],
    region: str = GLOBAL,
    *,
    resource: str | None = None,
    argument: str | None = None,
) -> T | Gap:
    document = store.get(operation, account_id, region, resource)
    command = simulation_command(argument) if argument else operation.command(region)
    if isinstance(document, Gap):
        if argument and document.kind is GapKind.NOT_COLLECTED:
            return Gap(
                document.kind, document.source, document.reason, _simulation_fix(operation, document.source, command)
            )
        return document
    return parse_document(document, parser, source=operation.path(account_id, region, resource), command=command)


def _simulation_fix(operation: Operation, path: str, command: str) -> str:
    return (
        f"grant {' and '.join(operation.actions)} to the auditing identity and collect again, "
        f"or save the output of `{command}` as {path}"
    )
