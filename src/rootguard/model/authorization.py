"""Who may do what in IAM: ``aws iam get-account-authorization-details`` as typed data.

Users, groups and roles with their inline policies, attached managed policies, group memberships
and permissions boundaries; managed policies with their default version's document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rootguard.model.gaps import MalformedEvidence
from rootguard.model.policy_document import PolicyDocument, decode_policy_text, policy_document_from


class PrincipalKind(StrEnum):
    USER = "user"
    ROLE = "role"


@dataclass(frozen=True)
class InlinePolicy:
    name: str
    document: PolicyDocument


@dataclass(frozen=True)
class AttachedPolicy:
    name: str
    arn: str


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    name: str
    default_version_id: str | None
    document: PolicyDocument | None
    """The default version's document; ``None`` when the evidence lists no default version."""


@dataclass(frozen=True)
class Group:
    name: str
    arn: str
    inline: tuple[InlinePolicy, ...]
    attached: tuple[AttachedPolicy, ...]


@dataclass(frozen=True)
class User:
    name: str
    arn: str
    path: str
    inline: tuple[InlinePolicy, ...]
    attached: tuple[AttachedPolicy, ...]
    groups: tuple[str, ...]
    boundary_arn: str | None

    kind = PrincipalKind.USER


@dataclass(frozen=True)
class Role:
    name: str
    arn: str
    path: str
    inline: tuple[InlinePolicy, ...]
    attached: tuple[AttachedPolicy, ...]
    boundary_arn: str | None
    trust_principals: tuple[str, ...]
    """``AWS:…``, ``Federated:…``, ``Service:…`` for every principal the trust policy allows."""

    kind = PrincipalKind.ROLE

    @property
    def service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")

    @property
    def assumable_by_people(self) -> bool:
        """Some AWS account, IAM principal or identity provider may assume it (not only a service)."""
        return any(p.startswith(("AWS:", "Federated:")) for p in self.trust_principals)


Principal = User | Role


@dataclass(frozen=True)
class AuthorizationDetails:
    users: tuple[User, ...]
    groups: tuple[Group, ...]
    roles: tuple[Role, ...]
    policies: Mapping[str, ManagedPolicy]
    """Managed policies by ARN."""

    def group(self, name: str) -> Group | None:
        return next((g for g in self.groups if g.name == name), None)

    def principal(self, kind: PrincipalKind, name: str) -> Principal | None:
        found: tuple[Principal, ...] = self.users if kind is PrincipalKind.USER else self.roles
        return next((p for p in found if p.name == name), None)


def principal_resource(principal: Principal) -> str:
    """The unique file name of a principal's per-principal evidence: ``role/<name>`` or ``user/<name>``."""
    return f"{principal.kind.value}/{principal.name}"


def authorization_details_from_document(document: Any) -> AuthorizationDetails:
    """From ``aws iam get-account-authorization-details --output json`` (all pages merged)."""
    if not isinstance(document, dict):
        raise MalformedEvidence("expected a JSON object")
    if document.get("IsTruncated"):
        raise MalformedEvidence("IsTruncated is true: the file holds one page of several")
    users = _list(document, "UserDetailList")
    groups = _list(document, "GroupDetailList")
    roles = _list(document, "RoleDetailList")
    policies = _list(document, "Policies")
    managed = [_managed(item, f"Policies[{i}]") for i, item in enumerate(policies)]
    return AuthorizationDetails(
        users=tuple(_user(item, f"UserDetailList[{i}]") for i, item in enumerate(users)),
        groups=tuple(_group(item, f"GroupDetailList[{i}]") for i, item in enumerate(groups)),
        roles=tuple(_role(item, f"RoleDetailList[{i}]") for i, item in enumerate(roles)),
        policies={policy.arn: policy for policy in managed},
    )


def _list(document: dict[str, Any], key: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise MalformedEvidence(f"{key} is not a list")
    return value


def _object(item: Any, where: str, *required: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise MalformedEvidence(f"{where} is not an object")
    for key in required:
        if not isinstance(item.get(key), str):
            raise MalformedEvidence(f"{where}.{key} is missing")
    return item


def _inline(item: dict[str, Any], key: str, where: str) -> tuple[InlinePolicy, ...]:
    found: list[InlinePolicy] = []
    for i, raw in enumerate(_list(item, key)):
        policy = _object(raw, f"{where}.{key}[{i}]", "PolicyName")
        document = policy_document_from(policy.get("PolicyDocument"), f"{where}.{key}[{i}].PolicyDocument")
        found.append(InlinePolicy(policy["PolicyName"], document))
    return tuple(found)


def _attached(item: dict[str, Any], where: str) -> tuple[AttachedPolicy, ...]:
    found: list[AttachedPolicy] = []
    for i, raw in enumerate(_list(item, "AttachedManagedPolicies")):
        policy = _object(raw, f"{where}.AttachedManagedPolicies[{i}]", "PolicyArn")
        name = policy.get("PolicyName")
        found.append(
            AttachedPolicy(name if isinstance(name, str) else _name_from_arn(policy["PolicyArn"]), policy["PolicyArn"])
        )
    return tuple(found)


def _boundary(item: dict[str, Any], where: str) -> str | None:
    boundary = item.get("PermissionsBoundary")
    if boundary is None:
        return None
    return str(_object(boundary, f"{where}.PermissionsBoundary", "PermissionsBoundaryArn")["PermissionsBoundaryArn"])


def _user(raw: Any, where: str) -> User:
    item = _object(raw, where, "UserName", "Arn")
    groups = _list(item, "GroupList")
    if not all(isinstance(g, str) for g in groups):
        raise MalformedEvidence(f"{where}.GroupList is not a list of group names")
    return User(
        name=item["UserName"],
        arn=item["Arn"],
        path=str(item.get("Path", "/")),
        inline=_inline(item, "UserPolicyList", where),
        attached=_attached(item, where),
        groups=tuple(groups),
        boundary_arn=_boundary(item, where),
    )


def _group(raw: Any, where: str) -> Group:
    item = _object(raw, where, "GroupName", "Arn")
    return Group(item["GroupName"], item["Arn"], _inline(item, "GroupPolicyList", where), _attached(item, where))


def _role(raw: Any, where: str) -> Role:
    item = _object(raw, where, "RoleName", "Arn")
    trust_raw = item.get("AssumeRolePolicyDocument")
    return Role(
        name=item["RoleName"],
        arn=item["Arn"],
        path=str(item.get("Path", "/")),
        inline=_inline(item, "RolePolicyList", where),
        attached=_attached(item, where),
        boundary_arn=_boundary(item, where),
        trust_principals=_trust_principals(trust_raw),
    )


def _trust_principals(trust_raw: Any) -> tuple[str, ...]:
    """Principals of the trust policy's Allow statements (the statement model keeps no Principal)."""
    if isinstance(trust_raw, str):
        try:
            trust_raw = decode_policy_text(trust_raw, "AssumeRolePolicyDocument")
        except MalformedEvidence:
            return ()
    statements = trust_raw.get("Statement", []) if isinstance(trust_raw, dict) else []
    statements = [statements] if isinstance(statements, dict) else statements
    found: list[str] = []
    for statement in statements if isinstance(statements, list) else []:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*":
            found.append("AWS:*")
        elif isinstance(principal, dict):
            for kind, values in principal.items():
                listed = [values] if isinstance(values, str) else values if isinstance(values, list) else []
                found.extend(f"{kind}:{value}" for value in listed)
    return tuple(found)


def _managed(raw: Any, where: str) -> ManagedPolicy:
    item = _object(raw, where, "Arn")
    default = item.get("DefaultVersionId")
    document = None
    for i, raw_version in enumerate(_list(item, "PolicyVersionList")):
        version = _object(raw_version, f"{where}.PolicyVersionList[{i}]")
        is_default = version.get("IsDefaultVersion") is True or (
            default is not None and version.get("VersionId") == default
        )
        if is_default:
            document = policy_document_from(version.get("Document"), f"{where}.PolicyVersionList[{i}].Document")
    name = item.get("PolicyName")
    return ManagedPolicy(
        arn=item["Arn"],
        # moto 5.2.5 omits PolicyName here; the ARN's last segment is the name.
        name=name if isinstance(name, str) else _name_from_arn(item["Arn"]),
        default_version_id=default if isinstance(default, str) else None,
        document=document,
    )


def _name_from_arn(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]
