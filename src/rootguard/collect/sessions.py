"""Sessions in member accounts: ``sts:AssumeRoot`` (centralized root access) and ``sts:AssumeRole`` (chains).

Both return an ``Aws`` edge bound to the temporary credentials (``Aws.bound``: the caller's boto3 session
and loader are shared, so a session per member costs a few clients, not a new boto3 session). Both make
their STS calls through ``call()``: a refusal, a throttle that outlasted the retries, a Region that is not
enabled or a timeout is the call's error document, raised as ``SessionRefused`` for the caller to store.

The STS answer is kept as ``Aws.session_document`` without the secret (``redacted``): the access key id
and expiry stay (the member's CloudTrail names the key), ``SecretAccessKey`` and ``SessionToken`` never
leave memory.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rootguard.collect.aws import Aws, ErrorDocument, SessionCredentials, call, error_fields, failure_document
from rootguard.model.failures import FailureCategory

if TYPE_CHECKING:
    from mypy_boto3_sts.client import STSClient

AUDIT_ROOT_TASK_POLICY = "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
"""The AWS managed task policy that lets an AssumeRoot session read the member's root credentials."""
MAX_ROOT_SESSION = 900
"""AssumeRoot sessions last at most 900 seconds (sts:AssumeRoot, DurationSeconds)."""
STS_ATTEMPTS = 10
"""AWS rate-limits AssumeRoot without documenting the rate: STS calls get more attempts than other calls."""
SECRET_FIELDS = ("SecretAccessKey", "SessionToken")
DEFAULT_SESSION_NAME = "rootguard-audit"


class SessionRefused(Exception):
    """STS did not give a session: ``document`` is the call's error document (what the bundle stores)."""

    def __init__(self, document: ErrorDocument) -> None:
        error = error_fields(document) or {}
        super().__init__(f"{error.get('Code')}: {error.get('Message')}")
        self.document = document


def sts_endpoint(region: str) -> str | None:
    """The Regional STS endpoint of ``region``; None when AWS_ENDPOINT_URL (or its STS variant) names
    one, which botocore then uses (a local stand-in server in tests)."""
    if os.environ.get("AWS_ENDPOINT_URL_STS") or os.environ.get("AWS_ENDPOINT_URL"):
        return None
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://sts.{region}.{suffix}"


_STS_CLIENTS: weakref.WeakKeyDictionary[Aws, dict[str, STSClient]] = weakref.WeakKeyDictionary()
_STS_LOCK = threading.Lock()


def sts_client(aws: Aws, region: str) -> STSClient:
    """The STS client of ``aws`` for ``region`` (Regional endpoint, ``STS_ATTEMPTS``), made once per edge:
    an organization run assumes a session per member from the same caller, and a client costs milliseconds."""
    with _STS_LOCK:
        made = _STS_CLIENTS.setdefault(aws, {})
        if region not in made:
            made[region] = aws.sts(region, endpoint_url=sts_endpoint(region), max_attempts=STS_ATTEMPTS)
        return made[region]


def assume_root_session(
    aws: Aws,
    target_account_id: str,
    task_policy_arn: str = AUDIT_ROOT_TASK_POLICY,
    *,
    region: str,
    duration_seconds: int = MAX_ROOT_SESSION,
) -> Aws:
    """A root session in the member ``target_account_id`` limited to ``task_policy_arn``, through the
    Regional STS endpoint of ``region``. Raises ``SessionRefused`` with the error document."""
    answer = call(
        sts_client(aws, region).assume_root,
        TargetPrincipal=target_account_id,
        TaskPolicyArn={"arn": task_policy_arn},
        DurationSeconds=min(duration_seconds, MAX_ROOT_SESSION),
    )
    return _bound(aws, answer, region, "sts:AssumeRoot")


def assume_role_session(
    aws: Aws,
    role_arns: str | Sequence[str],
    *,
    external_id: str | None = None,
    session_name: str = DEFAULT_SESSION_NAME,
    region: str | None = None,
) -> Aws:
    """A session in the last role of ``role_arns`` (one ARN, or a chain: each hop assumed with the session
    of the one before). ``external_id`` is sent on every hop (a trust policy without the condition ignores
    it, as c7n-org does). Raises ``SessionRefused`` with the failing hop's error document."""
    chain = [role_arns] if isinstance(role_arns, str) else list(role_arns)
    if not chain:
        raise ValueError("assume_role_session needs at least one role ARN")
    where = region or aws.region
    current = aws
    for arn in chain:
        sts = sts_client(current, where)
        params: dict[str, Any] = {"RoleArn": arn, "RoleSessionName": session_name}
        if external_id:
            params["ExternalId"] = external_id
        answer = call(sts.assume_role, **params)
        current = _bound(aws, answer, where, "sts:AssumeRole")
    return current


def redacted(answer: Any) -> Any:
    """The STS answer as the bundle stores it: ``Credentials`` without ``SecretAccessKey`` and ``SessionToken``."""
    if not isinstance(answer, dict) or not isinstance(answer.get("Credentials"), dict):
        return answer
    credentials = {key: value for key, value in answer["Credentials"].items() if key not in SECRET_FIELDS}
    return answer | {"Credentials": credentials}


def _bound(parent: Aws, answer: Any, region: str, action: str) -> Aws:
    if error_fields(answer) is not None:
        raise SessionRefused(answer)
    found = answer.get("Credentials") if isinstance(answer, dict) else None
    keys = ("AccessKeyId", "SecretAccessKey", "SessionToken")
    if not isinstance(found, dict) or not all(isinstance(found.get(key), str) for key in keys):
        raise SessionRefused(
            failure_document(
                "MalformedAnswer",
                f"{action} answered without usable credentials",
                FailureCategory.UNAVAILABLE,
                operation=action,
                region=region,
            )
        )
    credentials = SessionCredentials(found["AccessKeyId"], found["SecretAccessKey"], found["SessionToken"])
    edge = Aws.bound(parent, credentials, region=region)
    edge.session_document = redacted(answer)
    return edge
