"""Centralized root sessions: the ``sts:AssumeRoot`` calls that opened them.

A management-account (or delegated-admin) principal calls ``AssumeRoot``; CloudTrail records it in
the caller's account with the temporary key in ``responseElements.credentials.accessKeyId``. The
member account then records every call of that session as ``userIdentity.type == "Root"`` signed
with the same key. Matching the key is what tells such a session from someone using the root
password or a root access key (IAM User Guide, "Track privileged tasks in AWS CloudTrail").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rootguard.analysis.fields import arn_account, dig, text
from rootguard.model.timestamps import parse_timestamp

_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True)
class AssumeRootGrant:
    """One successful ``sts:AssumeRoot`` call, seen from the caller's account."""

    access_key_id: str
    target_account: str
    """The member account (``requestParameters.targetPrincipal``: an account id or its root ARN)."""
    task_policy_arn: str
    """``requestParameters.taskPolicyArn.arn``, e.g. ``arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy``."""
    caller_arn: str
    caller_account: str
    issued_at: datetime | None
    event_id: str

    @property
    def task_policy(self) -> str:
        """The task policy's name (the ARN's last path element)."""
        return self.task_policy_arn.rsplit("/", 1)[-1]


def assume_root_grants(records: Iterable[Mapping[str, Any]]) -> dict[str, AssumeRootGrant]:
    """Every successful ``AssumeRoot`` call in the records, by the access key it returned.

    Failed calls return no credentials and are ignored. The period is not applied here: a session
    opened just before the period still explains the root records inside it.
    """
    grants: dict[str, AssumeRootGrant] = {}
    for record in records:
        grant = _grant(record)
        if grant is not None:
            grants.setdefault(grant.access_key_id, grant)
    return grants


def is_assume_root_call(record: Mapping[str, Any]) -> bool:
    return text(record, "eventSource") == "sts.amazonaws.com" and text(record, "eventName") == "AssumeRoot"


def _grant(record: Mapping[str, Any]) -> AssumeRootGrant | None:
    if not is_assume_root_call(record) or text(record, "errorCode"):
        return None
    key = text(record, "responseElements", "credentials", "accessKeyId")
    if not key:
        return None
    caller_arn = text(record, "userIdentity", "arn")
    return AssumeRootGrant(
        access_key_id=key,
        target_account=_target_account(text(record, "requestParameters", "targetPrincipal")),
        task_policy_arn=_task_policy_arn(dig(record, "requestParameters", "taskPolicyArn")),
        caller_arn=caller_arn,
        caller_account=text(record, "recipientAccountId")
        or text(record, "userIdentity", "accountId")
        or arn_account(caller_arn),
        issued_at=_moment(text(record, "eventTime")),
        event_id=text(record, "eventID"),
    )


def _target_account(principal: str) -> str:
    if _ACCOUNT.fullmatch(principal):
        return principal
    return arn_account(principal) or principal


def _task_policy_arn(value: Any) -> str:
    # The API takes {"arn": "..."}; accept a bare string too, as some pipelines flatten it.
    if isinstance(value, str):
        return value
    return text(value, "arn")


def _moment(value: str) -> datetime | None:
    try:
        return parse_timestamp(value)
    except ValueError:
        return None
