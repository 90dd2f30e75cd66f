"""What a failed AWS call was, and what fixes it: one table for the collector and the evidence reader.

The collector edge (``rootguard.collect.aws``) stores every failed call as the contract's error document
(§5), extended with the fields below; readers of ``Code`` and ``Message`` keep working::

    {"Error": {"Code": "AccessDenied", "Message": "<one-line summary>", "Category": "explicit-deny",
               "DeniedBy": "service control policy", "Operation": "iam:SimulatePrincipalPolicy",
               "Region": "us-east-1", "HttpStatus": 403, "Attempts": 1}}

``Category`` is one of ``FailureCategory``; ``fix_for`` gives the one fix that is true for it. Only the
two denied categories advise changing a permission: a server error, a throttled call or a Region that
is not enabled is never fixed by granting anything. Pure data and pure functions: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class FailureCategory(StrEnum):
    """Why a call gave no answer (the ``Category`` of a stored error document)."""

    DENIED = "denied"
    """The auditing identity lacks the permission (no policy allows it), or a guardrail allows nothing."""
    EXPLICIT_DENY = "explicit-deny"
    """An explicit Deny refused it: in a service control policy, a permissions boundary, an identity-based,
    resource-based, session or resource control policy (``DeniedBy`` says which)."""
    THROTTLED = "throttled"
    """AWS kept throttling the call after every retry."""
    UNAVAILABLE = "unavailable"
    """AWS (or the endpoint) failed: HTTP 5xx, an unparseable or truncated answer, a connection reset or a
    timeout. Not a permission problem."""
    NOT_ENABLED = "not-enabled-in-region"
    """The Region (or the service in it) is not enabled for the account: opt-in Regions, subscriptions."""
    BAD_CREDENTIALS = "bad-credentials"
    """No credentials, or expired, invalid or unrefreshable ones (the run stops: exit 2)."""
    INVALID_INPUT = "invalid-input"
    """AWS refused the request as malformed (a rootguard bug, or a resource name AWS no longer accepts)."""
    NOT_FOUND = "not-found"
    """The resource does not exist (any more): an answer, not a refusal (e.g. no password policy is set)."""
    INCOMPLETE = "incomplete"
    """rootguard stopped reading a longer answer on purpose (a page limit)."""
    NOT_ATTEMPTED = "not-attempted"
    """rootguard did not make the call: the run's time ran out, or the service kept failing in that Region."""
    FAILED = "failed"
    """An error rootguard does not classify (the code and message say what AWS answered)."""


DENIED_CATEGORIES = frozenset({FailureCategory.DENIED, FailureCategory.EXPLICIT_DENY})
"""The only categories whose fix is a permission."""

ANSWER_CATEGORIES = frozenset({FailureCategory.NOT_FOUND})
"""Error documents that are answers (NoSuchEntity: no password policy set), not failed evidence."""


class NotAttemptedCause(StrEnum):
    """Why a call was not made (the ``Cause`` of a ``not-attempted`` document)."""

    DEADLINE = "deadline"
    """The run's time (``--timeout``) ran out first."""
    CIRCUIT_OPEN = "circuit-open"
    """The service kept failing in that Region (5xx, timeouts, unparseable answers), so rootguard stopped asking."""


# --- codes ---------------------------------------------------------------------------------------

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "UnauthorizedException",
        "AuthorizationError",  # SNS
        "AuthorizationErrorException",
        "NotAuthorized",
        "Forbidden",
        "ForbiddenException",
    }
)
THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "RequestThrottled",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "429",
    }
)
UNAVAILABLE_CODES = frozenset(
    {
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "InternalServerException",
        "InternalException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "ServiceFailure",
        "Unavailable",
        "RequestTimeout",
        "RequestTimeoutException",
        "BadGateway",
        "GatewayTimeout",
        "ReportNotReady",
    }
)
NOT_ENABLED_CODES = frozenset({"OptInRequired", "SubscriptionRequiredException", "InvalidRegion"})
REGION_CREDENTIAL_CODES = frozenset({"UnrecognizedClientException", "InvalidClientTokenId", "AuthFailure"})
"""What AWS answers a valid identity in a Region that is not enabled for the account (the token or key is
unknown there). In the Region the identity was verified in, the same codes mean bad credentials."""
CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "InvalidToken",
        "RequestExpired",
        "AuthFailure",  # EC2 (DescribeRegions) says this for invalid credentials
        "InvalidAccessKeyId",
        "IncompleteSignature",
        "MissingAuthenticationToken",
        "InvalidSecurity",
    }
)
NOT_FOUND_CODES = frozenset({"NoSuchEntity", "NoSuchEntityException", "ResourceNotFoundException", "NotFoundException"})
INVALID_CODES = frozenset(
    {
        "ValidationError",
        "ValidationException",
        "MissingParameter",
        "MissingAction",
        "MalformedQueryString",
        "SerializationException",
        "UnknownOperationException",
        "InvalidAction",
        "ParamValidationError",
    }
)

_HTTP_CODE = re.compile(r"\d{3}")


def classify(
    code: str, message: str = "", *, http_status: int | None = None, elsewhere: bool = False
) -> FailureCategory:
    """The category of an AWS error code (and message, HTTP status).

    ``elsewhere``: the call went to a Region other than the one the identity was verified in, where the
    Region-level credential codes mean "this Region is not enabled" (AWS cannot know the token there).
    """
    if code in DENIED_CODES:
        return FailureCategory.EXPLICIT_DENY if explicit_deny(message) else FailureCategory.DENIED
    if code in THROTTLING_CODES or http_status == 429:
        return FailureCategory.THROTTLED
    if code in NOT_ENABLED_CODES or (elsewhere and code in REGION_CREDENTIAL_CODES):
        return FailureCategory.NOT_ENABLED
    if code in CREDENTIAL_CODES:
        return FailureCategory.BAD_CREDENTIALS
    if code in UNAVAILABLE_CODES or (http_status is not None and http_status >= 500):
        return FailureCategory.UNAVAILABLE
    if _HTTP_CODE.fullmatch(code) and int(code) >= 500:
        return FailureCategory.UNAVAILABLE
    if code in NOT_FOUND_CODES or code.startswith("NoSuch") or code.endswith(("NotFound", "NotFoundException")):
        return FailureCategory.NOT_FOUND
    if code in INVALID_CODES or code.startswith(("Invalid", "Malformed")) or "Validation" in code:
        return FailureCategory.INVALID_INPUT
    if code == "TooManyPages":
        return FailureCategory.INCOMPLETE
    if code == "NotAttempted":
        return FailureCategory.NOT_ATTEMPTED
    return FailureCategory.FAILED


# --- who denied ----------------------------------------------------------------------------------

GUARDRAILS = {
    "service control policy": "service control policy",
    "resource control policy": "resource control policy",
    "permissions boundary": "permissions boundary",
    "session policy": "session policy",
    "vpc endpoint policy": "VPC endpoint policy",
    "identity-based policy": "identity-based policy",
    "resource-based policy": "resource-based policy",
}
"""The policy types AWS names in an AccessDenied message (``… with an explicit deny in a service control
policy``, ``… because no permissions boundary allows …``), lower case → how rootguard names them."""
_EXPLICIT = re.compile(r"with an explicit deny in (?:an? )?(" + "|".join(map(re.escape, GUARDRAILS)) + ")")
_NO_ALLOW = re.compile(r"because no (" + "|".join(map(re.escape, GUARDRAILS)) + ") allows")


def explicit_deny(message: str) -> bool:
    return _EXPLICIT.search(message.lower()) is not None


def denied_by(message: str) -> str | None:
    """The policy type AWS says refused the call, from its AccessDenied message; None when it does not say."""
    lowered = message.lower()
    found = _EXPLICIT.search(lowered) or _NO_ALLOW.search(lowered)
    return GUARDRAILS[found.group(1)] if found else None


# --- fixes ---------------------------------------------------------------------------------------

REASONS: Mapping[FailureCategory, str] = {
    FailureCategory.DENIED: "access denied",
    FailureCategory.EXPLICIT_DENY: "refused by an explicit Deny",
    FailureCategory.THROTTLED: "throttled by AWS after every retry",
    FailureCategory.UNAVAILABLE: "AWS service error or unavailable (not a permission problem)",
    FailureCategory.NOT_ENABLED: "the Region or service is not enabled for the account",
    FailureCategory.BAD_CREDENTIALS: "the credentials were refused",
    FailureCategory.INVALID_INPUT: "AWS refused the request as invalid",
    FailureCategory.NOT_FOUND: "the resource does not exist",
    FailureCategory.INCOMPLETE: "the answer was cut short on purpose",
    FailureCategory.NOT_ATTEMPTED: "not attempted",
    FailureCategory.FAILED: "AWS answered an error",
}
"""A few words for each category: how a finding names what happened."""

FIXES: Mapping[FailureCategory, str] = {
    FailureCategory.DENIED: "grant {actions} to the auditing identity and collect again",
    FailureCategory.EXPLICIT_DENY: (
        "an explicit Deny in a {denied_by} refuses {actions}: granting the permission does not help; ask the "
        "owner of that {denied_by} to exempt the auditing identity (or audit from an identity it does not "
        "cover) and collect again"
    ),
    FailureCategory.THROTTLED: (
        "collect again later, or with fewer Regions (--regions); if it persists, ask AWS to raise the API rate quota"
    ),
    FailureCategory.UNAVAILABLE: (
        "collect again later; if it persists, check the AWS Health Dashboard for {where}, the network, and "
        "AWS_ENDPOINT_URL or any proxy in between"
    ),
    FailureCategory.NOT_ENABLED: (
        "no permission fixes this: enable the Region for the account if it should be audited, or leave it out "
        "with --regions"
    ),
    FailureCategory.BAD_CREDENTIALS: "refresh the credentials (or sign in again) and collect again",
    FailureCategory.INVALID_INPUT: (
        "collect again; if AWS refuses it again, report it to rootguard (the request rootguard built was "
        "refused), or save the output of `{command}` as {path}"
    ),
    FailureCategory.NOT_FOUND: "collect again (it may have been deleted while rootguard read the account)",
    FailureCategory.INCOMPLETE: "narrow what is read (see the message) and collect again",
    FailureCategory.NOT_ATTEMPTED: "collect again{later}",
    FailureCategory.FAILED: "collect again, or save the output of `{command}` as {path}",
}
"""The one fix that is true for each category; ``fix_for`` fills in the placeholders."""

GUARDRAIL_FIX = (
    "no {denied_by} allows {actions}: granting the permission to the identity alone does not help; ask the "
    "owner of that {denied_by} to allow it for the auditing identity and collect again"
)
"""``denied`` where AWS names a guardrail (``because no service control policy allows …``)."""


def fix_for(
    error: Mapping[str, Any], *, actions: str, command: str, path: str, where: str = "the Region"
) -> str | None:
    """The fix for a stored ``Error`` object that carries a ``Category``; None when it has none (or an
    unknown one): the reader then falls back to its own advice.

    ``actions``: the IAM actions of the operation (``iam:GetCredentialReport``); ``command`` and ``path``:
    the AWS CLI command and the bundle file that would fill the gap by hand.
    """
    try:
        category = FailureCategory(str(error.get("Category")))
    except ValueError:
        return None
    denied = str(error.get("DeniedBy") or "")
    if category is FailureCategory.DENIED and denied and denied != "identity-based policy":
        template = GUARDRAIL_FIX
    elif category is FailureCategory.EXPLICIT_DENY and not denied:
        denied = "policy"
        template = FIXES[category]
    else:
        template = FIXES[category]
    later = ""
    if category is FailureCategory.NOT_ATTEMPTED:
        cause = str(error.get("Cause") or "")
        later = (
            " with a longer --timeout (or fewer Regions with --regions)"
            if cause == NotAttemptedCause.DEADLINE
            else " later (the service kept failing in that Region)"
        )
    region = str(error.get("Region") or "")
    return template.format(
        actions=actions, command=command, path=path, denied_by=denied, later=later, where=region or where
    )


def reason_for(error: Mapping[str, Any]) -> str | None:
    """One sentence for a stored ``Error`` object with a ``Category``: what happened, in the category's
    words and AWS's; None without a known category."""
    try:
        category = FailureCategory(str(error.get("Category")))
    except ValueError:
        return None
    code = str(error.get("Code") or "Unknown")
    message = str(error.get("Message") or "")
    operation = str(error.get("Operation") or "the call")
    head = f"{operation} {REASONS[category]} ({code})"
    return f"{head}: {message}" if message else f"{head}."


def is_failure(error: Mapping[str, Any]) -> bool:
    """Whether a stored ``Error`` object is failed evidence (not an answer such as NoSuchEntity)."""
    category = error.get("Category")
    if category is None:
        return True
    return category not in ANSWER_CATEGORIES
