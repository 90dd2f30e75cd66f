"""Classify one root CloudTrail record into the contract's categories (§7), with its signals.

Precedence, first match wins:

1. ``assumed-root``: the session was opened with ``sts:AssumeRoot`` (its key was returned by an
   ``AssumeRoot`` call, or ``sessionContext.assumedRoot`` says so). This comes before sign-in on
   purpose: a sign-in made with AssumeRoot credentials is not a use of the root password.
2. ``sign-in`` / ``sign-in-failure``: ``signin.amazonaws.com`` events (``ConsoleLogin``,
   ``CheckMfa``, ``ExternalIdPDirectoryLogin`` …) other than the root-only ones in the catalogue
   (``PasswordUpdated``, ``PasswordRecovery*``, ``EmailUpdated``).
3. ``service-invoked``: an ``AwsServiceEvent``, or ``invokedBy`` names a service. ``invokedBy:
   signin.amazonaws.com`` (console calls before ≈2021) and ``sessionCredentialFromConsole: "true"``
   (since) are a person at the console, never a service: the common "exclude invokedBy" filter
   (CIS 4.3, Panther, StreamAlert) drops exactly that human activity from older logs.
4. ``root-only-task``: the catalogue matches.
5. ``avoidable``: everything else a person did as root.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rootguard.analysis.assume_root import AssumeRootGrant
from rootguard.analysis.fields import dig, text, truth
from rootguard.analysis.root_tasks import Catalogue, RootTask, load_catalogue
from rootguard.model.activity import Category

SIGNIN = "signin.amazonaws.com"

# CloudTrail, GuardDuty and Config are how root activity gets noticed; a root change to them is
# worth its own flag whatever the category. Read-only calls are left out.
SECURITY_SERVICES = frozenset({"cloudtrail.amazonaws.com", "guardduty.amazonaws.com", "config.amazonaws.com"})

# Used only when a record has no readOnly field (records before eventVersion 1.05 or so).
_READ_PREFIXES = ("Get", "List", "Describe", "Lookup", "Search", "BatchGet", "Head")


class Flag(StrEnum):
    """Extra signals on an event (``ActivityEvent.flags``)."""

    ROOT_ACCESS_KEY = "root-access-key"
    """Signed with a long-term root access key (``AKIA…``)."""
    CONSOLE = "console"
    """Part of a console session (set when sessions are formed)."""
    SECURITY_SERVICE_CHANGE = "security-service-change"
    """A non-read-only call to CloudTrail, GuardDuty or Config."""
    FAILED = "failed"
    """The call or sign-in failed (``error_code`` says how)."""


@dataclass(frozen=True)
class Classification:
    category: Category
    root_only_task: str | None
    mfa: bool | None
    error_code: str | None
    flags: tuple[Flag, ...]
    console_hint: bool
    """The record itself says "console" (``sessionCredentialFromConsole``, ``invokedBy`` signin, console user agent)."""
    actor: str
    """For service-invoked events, the service acting for root (``invokedBy``, else the event source)."""


def classify(
    record: Mapping[str, Any],
    grants: Mapping[str, AssumeRootGrant],
    catalogue: Catalogue | None = None,
) -> Classification:
    """Classify a record already known to have ``userIdentity.type == "Root"``."""
    task = (catalogue or load_catalogue()).match(record)
    error = error_code(record)
    actor = service_actor(record)
    category = _category(record, grants, task, error, actor)
    flags = [
        flag
        for flag, present in (
            (Flag.ROOT_ACCESS_KEY, text(record, "userIdentity", "accessKeyId").startswith("AKIA")),
            (Flag.SECURITY_SERVICE_CHANGE, is_security_service_change(record)),
            (Flag.FAILED, error is not None),
        )
        if present
    ]
    # The task name is kept for assumed-root sessions too: it says what the session was for.
    named = category in (Category.ROOT_ONLY_TASK, Category.ASSUMED_ROOT)
    return Classification(
        category=category,
        root_only_task=task.task if task is not None and named else None,
        mfa=mfa(record),
        error_code=error,
        flags=tuple(flags),
        console_hint=console_hint(record),
        actor=actor if category is Category.SERVICE_INVOKED else "",
    )


def _category(
    record: Mapping[str, Any],
    grants: Mapping[str, AssumeRootGrant],
    task: RootTask | None,
    error: str | None,
    actor: str,
) -> Category:
    if is_assumed_root(record, grants):
        return Category.ASSUMED_ROOT
    if text(record, "eventSource") == SIGNIN and task is None:
        return Category.SIGN_IN if error is None else Category.SIGN_IN_FAILURE
    if actor:
        return Category.SERVICE_INVOKED
    if task is not None:
        return Category.ROOT_ONLY_TASK
    return Category.AVOIDABLE


def is_assumed_root(record: Mapping[str, Any], grants: Mapping[str, AssumeRootGrant]) -> bool:
    key = text(record, "userIdentity", "accessKeyId")
    return (bool(key) and key in grants) or truth(dig(record, "userIdentity", "sessionContext", "assumedRoot")) is True


def service_actor(record: Mapping[str, Any]) -> str:
    """The service acting for root, or ``""`` when a person did it."""
    invoked_by = text(record, "userIdentity", "invokedBy")
    if text(record, "eventType") == "AwsServiceEvent":
        return invoked_by or text(record, "eventSource") or "AWS Internal"
    if truth(dig(record, "sessionCredentialFromConsole")) is True or invoked_by == SIGNIN:
        return ""
    return invoked_by


def console_hint(record: Mapping[str, Any]) -> bool:
    if truth(dig(record, "sessionCredentialFromConsole")) is True:
        return True
    if text(record, "userIdentity", "invokedBy") == SIGNIN:
        return True
    # console.amazonaws.com (AWS: "a root user with the AWS Management Console"), signin.amazonaws.com,
    # console.ec2.amazonaws.com, [S3Console/0.4], "AWS CloudWatch Console" … Browser and SDK agents
    # do not contain the word.
    return "console" in text(record, "userAgent").lower() or text(record, "userAgent") == SIGNIN


def mfa(record: Mapping[str, Any]) -> bool | None:
    """``MFAUsed`` on sign-ins, else ``mfaAuthenticated`` on API calls; any case, strings or booleans."""
    used = truth(dig(record, "additionalEventData", "MFAUsed"))
    if used is not None:
        return used
    return truth(dig(record, "userIdentity", "sessionContext", "attributes", "mfaAuthenticated"))


def error_code(record: Mapping[str, Any]) -> str | None:
    """``errorCode``; else ``errorMessage`` (sign-ins carry only that); else ``Failure`` when a sign-in
    event's own response element says so (``responseElements.ConsoleLogin: "Failure"``)."""
    code = text(record, "errorCode") or text(record, "errorMessage")
    if code:
        return code
    outcome = text(record, "responseElements", text(record, "eventName"))
    if text(record, "eventSource") == SIGNIN and outcome.strip().lower() == "failure":
        return outcome
    return None


def is_security_service_change(record: Mapping[str, Any]) -> bool:
    return text(record, "eventSource") in SECURITY_SERVICES and not is_read_only(record)


def is_read_only(record: Mapping[str, Any]) -> bool:
    declared = truth(dig(record, "readOnly"))
    if declared is not None:
        return declared
    return text(record, "eventName").startswith(_READ_PREFIXES)
