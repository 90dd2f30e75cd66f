"""The root-credential clean-up of member accounts: what the plan holds and what each step did.

``rootguard remediate --org`` builds a plan from the ``org-member-root-credentials`` findings of an
organization audit; ``--apply`` carries it out through ``sts:AssumeRoot`` and records every step.
Pure data: the plan is built in ``app``, the steps are taken in ``collect``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

CHECK_ID = "org-member-root-credentials"
"""The organization check whose evidence lists what each member's root user holds (contract §9)."""
DELETE_ROOT_TASK_POLICY = "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials"
"""The AWS task policy an AssumeRoot session needs to delete root credentials."""


class CredentialKind(StrEnum):
    PASSWORD = "password"  # noqa: S105 - a kind of credential, not one
    ACCESS_KEY = "access-key"
    MFA_DEVICE = "mfa-device"
    SIGNING_CERTIFICATE = "signing-certificate"


DELETION_ORDER = (
    CredentialKind.PASSWORD,
    CredentialKind.ACCESS_KEY,
    CredentialKind.SIGNING_CERTIFICATE,
    CredentialKind.MFA_DEVICE,
)
"""MFA last: if a run stops midway, a password that is still there is still behind its MFA device."""


@dataclass(frozen=True)
class HeldCredential:
    """One credential of a member's root user, as the finding's ``evidence.credentials`` names it."""

    kind: CredentialKind
    id: str
    """Access key id, MFA serial number, certificate id, or ``login-profile`` for the password."""
    status: str | None = None
    created: str | None = None
    last_used: str | None = None
    mfa_type: str | None = None
    """``hardware``, ``virtual`` or ``passkey`` for an MFA device."""

    @property
    def is_virtual_mfa(self) -> bool:
        return self.kind is CredentialKind.MFA_DEVICE and (
            self.mfa_type == "virtual" or (self.mfa_type is None and ":mfa/" in self.id)
        )

    def describe(self) -> str:
        """``access key AKIA… (Active, last used 2026-01-02T…)`` and the like, for the plan."""
        words = {
            CredentialKind.PASSWORD: "password (login profile)",
            CredentialKind.ACCESS_KEY: f"access key {self.id}",
            CredentialKind.MFA_DEVICE: f"{self.mfa_type or 'MFA'} MFA device {self.id}".replace("MFA MFA", "MFA"),
            CredentialKind.SIGNING_CERTIFICATE: f"signing certificate {self.id}",
        }[self.kind]
        since = {CredentialKind.MFA_DEVICE: "enabled", CredentialKind.SIGNING_CERTIFICATE: "uploaded"}.get(
            self.kind, "created"
        )
        details = [part for part in (self.status, self.created and f"{since} {self.created}") if part]
        if self.kind is CredentialKind.ACCESS_KEY:
            details.append(f"last used {self.last_used}" if self.last_used else "no recorded use")
        return f"{words} ({', '.join(details)})" if details else words


@dataclass(frozen=True)
class MemberPlan:
    account_id: str
    credentials: tuple[HeldCredential, ...]
    name: str | None = None
    ou_path: str | None = None

    def ordered(self) -> list[HeldCredential]:
        """The credentials in the order they are deleted (``DELETION_ORDER``), stable within a kind."""
        return sorted(self.credentials, key=lambda c: DELETION_ORDER.index(c.kind))


@dataclass(frozen=True)
class CleanupPlan:
    """Members whose root still holds credentials, and every other member the audit named, by why."""

    members: tuple[MemberPlan, ...]
    clean: tuple[str, ...] = ()
    """Members whose root holds no credentials (PASS): nothing to do."""
    unknown: tuple[tuple[str, str], ...] = ()
    """(account id, why): members whose credentials the audit could not read; never treated as clean."""
    findings_seen: int = 0
    """How many ``org-member-root-credentials`` findings the source held (0: not an organization audit)."""


class StepOutcome(StrEnum):
    DONE = "done"
    ABSENT = "absent"
    """Already gone (NoSuchEntity): what the plan wanted, so not a failure."""
    FAILED = "failed"
    NOT_PERMITTED = "not-permitted"
    """Refused by the task policy for a step the clean-up can do without (deleting a deactivated virtual MFA)."""


@dataclass(frozen=True)
class CleanupStep:
    """One action of ``--apply`` and what came of it: a line of the append-only log."""

    account_id: str
    action: str
    """The IAM or STS action (``sts:AssumeRoot``, ``iam:DeleteAccessKey`` …) or ``verify``."""
    target: str
    outcome: StepOutcome
    code: str | None = None
    message: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def document(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "action": self.action,
            "target": self.target,
            "outcome": self.outcome.value,
            "code": self.code,
            "message": self.message,
            **({"detail": self.detail} if self.detail else {}),
        }


@dataclass(frozen=True)
class MemberOutcome:
    account_id: str
    failures: int
    remaining: tuple[HeldCredential, ...] | None
    """What the member's root still holds after the run (re-listed); None when it could not be read."""

    @property
    def verified_clean(self) -> bool:
        return self.failures == 0 and self.remaining == ()
