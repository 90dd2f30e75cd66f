"""The organization as the management account (or a delegated administrator) sees it (contract §5.7).

``collect_structure`` reads the organization, its IAM features, every account (every page), the roots
and the OU tree (recursively); ``scp_documents`` the service control policies attached to a set of
targets and each policy they name; ``account_documents`` one account's SCP list and tags. Every call
goes through the edge (``call``/``paginate``): a failure is its file's error document, never an
exception, and never an empty list.

An account's state is ``State`` (ACTIVE, SUSPENDED, PENDING_ACTIVATION, PENDING_CLOSURE, CLOSED); AWS
retired ``Status`` (ACTIVE, SUSPENDED, PENDING_CLOSURE) in its favour, so it is the fallback only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rootguard.collect.aws import call, error_fields, paginate
from rootguard.model.operations import (
    ACCOUNT_TAGS,
    ACCOUNTS_FOR_PARENT,
    CHILD_OUS,
    DESCRIBE_ORGANIZATION,
    DESCRIBE_POLICY,
    LIST_ACCOUNTS,
    LIST_ROOTS,
    ORGANIZATIONS_FEATURES,
    POLICIES_FOR_TARGET,
    Operation,
    is_account_id,
    organization_path,
)

if TYPE_CHECKING:
    from mypy_boto3_iam.client import IAMClient
    from mypy_boto3_organizations.client import OrganizationsClient

SCP_FILTER = "SERVICE_CONTROL_POLICY"
ACTIVE = "ACTIVE"
UNKNOWN_STATE = "UNKNOWN"
MAX_OU_DEPTH = 5
LIST_WORKERS = 4
"""Organizations questions asked at once: AWS throttles the Organizations API per account (throttling is
retried), so a few in flight cut the wait on latency without bursting."""
"""AWS allows five levels of OUs under a root; the walk stops there even if an answer loops."""


@dataclass(frozen=True)
class OrgAccount:
    """One account ``ListAccounts`` names."""

    account_id: str
    name: str
    state: str
    """``State``, else the retired ``Status``, else ``UNKNOWN``."""
    path: tuple[str, ...] = ()
    """Root id, then each OU down to the account's parent; empty when the tree could not be read."""

    @property
    def active(self) -> bool:
        return self.state == ACTIVE


@dataclass(frozen=True)
class Structure:
    """What ``collect_structure`` read: the documents to store and what selection needs from them."""

    documents: dict[str, Any]
    management_account_id: str | None
    accounts: tuple[OrgAccount, ...]
    """In ``ListAccounts`` order; empty when it failed (its file holds the error)."""
    root_ids: tuple[str, ...]
    children: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Parent id → the OU ids directly under it."""
    tree_complete: bool = True
    """Every listing of the OU tree answered (otherwise OU paths, and ``--ou``, may miss accounts)."""

    def under(self, ou_id: str) -> set[str]:
        """``ou_id`` and every OU below it."""
        found, todo = set(), [ou_id]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(self.children.get(current, ()))
        return found

    def known_ous(self) -> set[str]:
        return {ou for ous in self.children.values() for ou in ous}


def account_state(item: Mapping[str, Any]) -> str:
    """``State`` first, the retired ``Status`` as the fallback."""
    for key in ("State", "Status"):
        value = item.get(key)
        if isinstance(value, str) and value:
            return value
    return UNKNOWN_STATE


def collect_structure(org: OrganizationsClient, iam: IAMClient) -> Structure:
    documents: dict[str, Any] = {}
    with ThreadPoolExecutor(LIST_WORKERS, thread_name_prefix="rootguard-org-list") as pool:
        # Independent questions at once; ListAccounts' own pages stay in order (each needs the last token).
        described_answer = pool.submit(lambda: call(org.describe_organization))
        features_answer = pool.submit(lambda: call(iam.list_organizations_features))
        listed_answer = pool.submit(lambda: paginate(org.get_paginator("list_accounts"), lists=("Accounts",)))
        roots = paginate(org.get_paginator("list_roots"), lists=("Roots",))
        documents[organization_path(LIST_ROOTS)] = roots
        root_ids = tuple(_ids(roots, "Roots"))
        parent_of: dict[str, str] = {}
        children: dict[str, tuple[str, ...]] = {}
        level = list(root_ids)
        for _ in range(MAX_OU_DEPTH + 1):
            below: list[str] = []
            # One level of the tree at a time, its parents in parallel; results in the parents' order.
            for parent, ous, members in pool.map(lambda parent: _under(org, parent), level):
                documents[organization_path(CHILD_OUS, parent)] = ous
                documents[organization_path(ACCOUNTS_FOR_PARENT, parent)] = members
                found = [ou for ou in _ids(ous, "OrganizationalUnits") if ou not in parent_of and ou not in root_ids]
                children[parent] = tuple(found)
                for child in [*found, *_ids(members, "Accounts")]:
                    parent_of.setdefault(child, parent)
                below.extend(found)
            level = below
            if not level:
                break
        described = described_answer.result()
        documents[organization_path(DESCRIBE_ORGANIZATION)] = described
        documents[organization_path(ORGANIZATIONS_FEATURES)] = features_answer.result()
        listed = listed_answer.result()
        documents[organization_path(LIST_ACCOUNTS)] = listed
    accounts = tuple(_accounts(listed, parent_of))
    complete = bool(root_ids) and not any(
        error_fields(document) is not None
        for path, document in documents.items()
        if path.startswith((_prefix(CHILD_OUS), _prefix(ACCOUNTS_FOR_PARENT)))
    )
    return Structure(documents, _management(described), accounts, root_ids, children, complete)


def _under(org: OrganizationsClient, parent: str) -> tuple[str, Any, Any]:
    """The OUs and the accounts directly under ``parent``."""
    ous = paginate(
        org.get_paginator("list_organizational_units_for_parent"), lists=("OrganizationalUnits",), ParentId=parent
    )
    members = paginate(org.get_paginator("list_accounts_for_parent"), lists=("Accounts",), ParentId=parent)
    return parent, ous, members


def scp_documents(org: OrganizationsClient, targets: Iterable[str]) -> dict[str, Any]:
    """``list-policies-for-target`` (SCPs) for each target (root, OU or account id), a few at a time."""

    def one(target: str) -> Any:
        return paginate(
            org.get_paginator("list_policies_for_target"), lists=("Policies",), TargetId=target, Filter=SCP_FILTER
        )

    unique = list(dict.fromkeys(targets))
    with ThreadPoolExecutor(LIST_WORKERS, thread_name_prefix="rootguard-org-list") as pool:
        answers = pool.map(one, unique)
        return {organization_path(POLICIES_FOR_TARGET, t): found for t, found in zip(unique, answers, strict=True)}


def account_documents(org: OrganizationsClient, account_id: str) -> dict[str, Any]:
    """One account's SCP list and tags (collected beside its probes, so the run streams per account)."""
    documents = scp_documents(org, [account_id])
    documents[organization_path(ACCOUNT_TAGS, account_id)] = paginate(
        org.get_paginator("list_tags_for_resource"), lists=("Tags",), ResourceId=account_id
    )
    return documents


def _prefix(operation: Operation) -> str:
    return organization_path(operation, "x").rsplit("/", 1)[0] + "/"


def named_policies(documents: Mapping[str, Any]) -> set[str]:
    """The policy ids the stored ``list-policies-for-target`` answers name."""
    prefix = _prefix(POLICIES_FOR_TARGET)
    found: set[str] = set()
    for path, document in documents.items():
        if path.startswith(prefix):
            found.update(_ids(document, "Policies"))
    return found


def describe_policies(org: OrganizationsClient, policy_ids: Iterable[str]) -> dict[str, Any]:
    ids = sorted(set(policy_ids))
    with ThreadPoolExecutor(LIST_WORKERS, thread_name_prefix="rootguard-org-list") as pool:
        found = pool.map(lambda policy: call(org.describe_policy, PolicyId=policy), ids)
        return {organization_path(DESCRIBE_POLICY, policy): answer for policy, answer in zip(ids, found, strict=True)}


def _ids(document: Any, key: str) -> list[str]:
    """The ``Id`` of each item of ``document[key]``; none from an error document or a malformed answer."""
    if error_fields(document) is not None or not isinstance(document, dict):
        return []
    items = document.get(key)
    if not isinstance(items, list):
        return []
    return [str(item["Id"]) for item in items if isinstance(item, dict) and isinstance(item.get("Id"), str)]


def _management(described: Any) -> str | None:
    organization = described.get("Organization") if isinstance(described, dict) else None
    found = organization.get("MasterAccountId") if isinstance(organization, dict) else None
    return found if is_account_id(found) else None


def _accounts(listed: Any, parent_of: Mapping[str, str]) -> list[OrgAccount]:
    if error_fields(listed) is not None or not isinstance(listed, dict):
        return []
    accounts: list[OrgAccount] = []
    seen: set[str] = set()
    for item in listed.get("Accounts") or []:
        account_id = item.get("Id") if isinstance(item, dict) else None
        if not isinstance(account_id, str) or not is_account_id(account_id) or account_id in seen:
            continue  # never a path from a value that is not an account id
        seen.add(account_id)
        name = item.get("Name")
        accounts.append(
            OrgAccount(
                account_id, name if isinstance(name, str) else "", account_state(item), _path(account_id, parent_of)
            )
        )
    return accounts


def _path(node: str, parent_of: Mapping[str, str]) -> tuple[str, ...]:
    path: list[str] = []
    current = parent_of.get(node)
    while current is not None and current not in path and len(path) <= MAX_OU_DEPTH + 1:
        path.append(current)
        current = parent_of.get(current)
    return tuple(reversed(path))
