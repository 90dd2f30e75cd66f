"""IAM users receive permissions only through groups (CIS v3.0.0 1.15)."""

from __future__ import annotations

from rootguard.checks.registry import EvaluationContext, Outcome, check, cis, errored, failed, passed
from rootguard.model.authorization import User
from rootguard.model.evidence import AccountEvidence
from rootguard.model.findings import Severity
from rootguard.model.gaps import Gap


def _direct(user: User) -> list[str]:
    return [f"{p.name} (attached)" for p in user.attached] + [f"{p.name} (inline)" for p in user.inline]


@check(
    "iam-policies-via-groups",
    title="IAM users receive permissions only through groups",
    severity=Severity.LOW,
    frameworks=cis("1.15", "1.14", "2.14"),
    remediation=(
        "Move each user's directly attached and inline policies to a group that stands for the job "
        "(aws iam create-group, attach-group-policy or put-group-policy, add-user-to-group), then detach "
        "(aws iam detach-user-policy) and delete (aws iam delete-user-policy) the user's own policies."
    ),
)
def iam_policies_via_groups(account: AccountEvidence, ctx: EvaluationContext) -> Outcome:
    details = account.authorization
    if isinstance(details, Gap):
        return errored("Cannot tell how IAM users receive their permissions.", details)
    direct = {user.name: _direct(user) for user in details.users if _direct(user)}
    if direct:
        listed = "; ".join(f"{name}: {', '.join(policies)}" for name, policies in direct.items())
        return failed(
            f"{len(direct)} IAM user(s) hold policies of their own instead of through groups: {listed}.",
            users=direct,
        )
    if not details.users:
        return passed("The account has no IAM users.", users={})
    return passed(f"All {len(details.users)} IAM user(s) receive permissions only through groups.", users={})
