"""Who may do what in IAM: ``aws iam get-account-authorization-details`` as typed data.

Users, groups and roles with their inline policies, attached managed policies, group memberships
and permissions boundaries; roles with their trust policy; managed policies with their default
version's document.

A policy document that does not parse, or a managed policy listed without its default version, is
kept as ``Unreadable`` (saying why) rather than failing the whole file: the names, memberships and
attachments are still good evidence, and only the judgements that need that one document are lost.
A file whose structure is wrong (a list that is not a list, a user without a name) is malformed as a
whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rootguard.model.gaps import MalformedEvidence
from rootguard.model.policy_document import PolicyDocument, policy_document_from, trust_policy_from


class PrincipalKind(StrEnum):
    USER = "user"
    ROLE = "role"


@dataclass(frozen=True)
class Unreadable:
    """A policy document the evidence names but that cannot be read: why not, in a phrase."""

    reason: str


@dataclass(frozen=True)
class InlinePolicy:
    name: str
    document: PolicyDocument | Unreadable


@dataclass(frozen=True)
class AttachedPolicy:
    name: str
    arn: str


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    name: str
    default_version_id: str | None
    document: PolicyDocument | Unreadable
    """The default version's document; ``Unreadable`` when it does not parse or the evidence lists no default
    version."""


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
    trust: PolicyDocument | Unreadable
    """The trust policy (``AssumeRolePolicyDocument``): who may assume the role (``analysis.trust_policy``)."""

    kind = PrincipalKind.ROLE

    @property
    def service_linked(self) -> bool:
        return self.path.startswith("/aws-service-role/")


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
        document = _document(policy.get("PolicyDocument"), f"{where}.{key}[{i}].PolicyDocument")
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
    trust_where = f"{where}.AssumeRolePolicyDocument"
    trust: PolicyDocument | Unreadable
    if item.get("AssumeRolePolicyDocument") is None:
        trust = Unreadable("is not in the evidence (no AssumeRolePolicyDocument)")
    else:
        trust = _document(item["AssumeRolePolicyDocument"], trust_where, parse=trust_policy_from)
    return Role(
        name=item["RoleName"],
        arn=item["Arn"],
        path=str(item.get("Path", "/")),
        inline=_inline(item, "RolePolicyList", where),
        attached=_attached(item, where),
        boundary_arn=_boundary(item, where),
        trust=trust,
    )


def _document(
    value: Any, where: str, parse: Callable[[Any, str], PolicyDocument] = policy_document_from
) -> PolicyDocument | Unreadable:
    """The parsed document, or why it cannot be read (the rest of the file stays usable)."""
    try:
        return parse(value, where)
    except MalformedEvidence as problem:
        return Unreadable(f"does not parse ({problem})")


def _managed(raw: Any, where: str) -> ManagedPolicy:
    item = _object(raw, where, "Arn")
    default = item.get("DefaultVersionId")
    document: PolicyDocument | Unreadable = Unreadable(
        f"is listed without its default version{f' ({default})' if isinstance(default, str) else ''} "
        "in PolicyVersionList"
    )
    for i, raw_version in enumerate(_list(item, "PolicyVersionList")):
        version = _object(raw_version, f"{where}.PolicyVersionList[{i}]")
        is_default = version.get("IsDefaultVersion") is True or (
            default is not None and version.get("VersionId") == default
        )
        if is_default:
            document = _document(version.get("Document"), f"{where}.PolicyVersionList[{i}].Document")
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
