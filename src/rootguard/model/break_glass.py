"""The break-glass process as declared in ``rootguard.toml``: who may break the glass, and what people attest.

No AWS API shows where the root password is kept, who holds the hardware MFA device or when the
procedure was last rehearsed; these come from people, each attestation with who and when. The
declared principals are checked against evidence; the attestations are checked for age.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from rootguard.model.arns import parse_arn

ROOT_PRINCIPAL = "root"
"""A declaration that the root user itself is the break-glass identity (of every account)."""


class AttestationKind(StrEnum):
    """What a person vouches for; every kind is needed for a PASS."""

    ROOT_PASSWORD_VAULTED = "root-password-vaulted"  # noqa: S105 - a name, not a password
    """The root password is stored in a vault (or sealed envelope) under dual control."""
    MFA_CUSTODY = "mfa-custody"
    """The hardware MFA device(s) are in a known custodian's safe keeping."""
    PROCEDURE_TESTED = "procedure-tested"
    """The break-glass procedure was rehearsed end to end (sign-in, MFA, alarm fired)."""

    @property
    def describe(self) -> str:
        return {
            AttestationKind.ROOT_PASSWORD_VAULTED: "root password kept in a vault",
            AttestationKind.MFA_CUSTODY: "custody of the hardware MFA device",
            AttestationKind.PROCEDURE_TESTED: "last test of the break-glass procedure",
        }[self]


class PrincipalKind(StrEnum):
    ROOT = "root"
    USER = "user"
    ROLE = "role"


@dataclass(frozen=True)
class Principal:
    """A declared break-glass identity: ``root``, or the ARN of an IAM user or role."""

    text: str

    @property
    def kind(self) -> PrincipalKind:
        if self.text == ROOT_PRINCIPAL:
            return PrincipalKind.ROOT
        arn = parse_arn(self.text)
        assert arn is not None, "validated when the configuration was parsed"
        return PrincipalKind.ROLE if arn.resource.startswith("role/") else PrincipalKind.USER

    def applies_to(self, account_id: str) -> bool:
        """Root is declared for every account; an ARN only for the account it names."""
        if self.text == ROOT_PRINCIPAL:
            return True
        arn = parse_arn(self.text)
        return arn is not None and arn.account == account_id


def principal_problem(text: str) -> str | None:
    """Why ``text`` cannot be a break-glass principal, or ``None`` when it can."""
    if text == ROOT_PRINCIPAL:
        return None
    arn = parse_arn(text)
    if arn is None or arn.service != "iam" or arn.region != "" or len(arn.account) != 12 or not arn.account.isdigit():
        return 'expected "root" or an IAM ARN such as arn:aws:iam::123456789012:user/breakglass'
    if not arn.resource.startswith(("user/", "role/")) or arn.resource.endswith("/"):
        return "expected an IAM user (…:user/NAME) or role (…:role/NAME) ARN"
    return None


@dataclass(frozen=True)
class Attestation:
    kind: AttestationKind
    attested_by: str
    attested_at: datetime
    accounts: frozenset[str] | None = None
    """``None``: the attestation covers every account."""
    note: str = ""

    def applies_to(self, account_id: str) -> bool:
        return self.accounts is None or account_id in self.accounts


@dataclass(frozen=True)
class BreakGlass:
    """The ``[break_glass]`` table; empty when nothing was declared."""

    principals: tuple[Principal, ...] = ()
    attestations: tuple[Attestation, ...] = ()

    def principals_for(self, account_id: str) -> tuple[Principal, ...]:
        return tuple(p for p in self.principals if p.applies_to(account_id))

    def latest(self, kind: AttestationKind, account_id: str, as_of: datetime) -> Attestation | None:
        """The newest attestation of ``kind`` for the account made at or before ``as_of``."""
        made = [a for a in self.attestations if a.kind is kind and a.applies_to(account_id) and a.attested_at <= as_of]
        return max(made, key=lambda a: a.attested_at, default=None)
