"""The collector edge: boto3 sessions, typed clients, and the one way rootguard calls AWS.

This module is the only one that imports boto3/botocore; the collectors reach AWS through ``Aws``'s
typed clients and make every request through ``call()`` or ``paginate()``. The client types come from
the ``mypy-boto3-*`` stubs and are imported for the type checker only: they are a test dependency,
never imported at run time.

What an answer becomes (one rule for every collector):

- An answer is stored as ``aws <service> <operation> --output json`` prints it: ``cli_shape``, and
  for ``paginate()`` every page merged by botocore's paginator (``build_full_result``, what the AWS
  CLI prints).
- A failed call (``ClientError``, ``BotoCoreError``) is stored as the contract's error document
  ``{"Error": {"Code": …, "Message": …}}``: AWS's code and message, or the exception's class name and
  text. A failure on any page stores the error, never the pages before it.
- Except a failure that no later call could escape, which stops the run as ``fatal()`` maps it:
  credentials that are missing, expired, invalid or cannot be refreshed (``CredentialsError``), and
  an endpoint that cannot be reached (``CollectionError``). For Region-level evidence
  (``regional=True``: the Region list, the alerting paths, LookupEvents) an unreachable endpoint is
  that Region's error document instead: one Region out of reach is a gap, not AWS out of reach.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast

import boto3
import botocore.config
import botocore.exceptions
import botocore.paginate

from rootguard import __version__
from rootguard.errors import CollectionError, CredentialsError
from rootguard.evidence.store import error_document

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from mypy_boto3_cloudtrail.client import CloudTrailClient
    from mypy_boto3_cloudwatch.client import CloudWatchClient
    from mypy_boto3_config.client import ConfigServiceClient
    from mypy_boto3_ec2.client import EC2Client
    from mypy_boto3_events.client import EventBridgeClient
    from mypy_boto3_guardduty.client import GuardDutyClient
    from mypy_boto3_iam.client import IAMClient
    from mypy_boto3_logs.client import CloudWatchLogsClient
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_sns.client import SNSClient
    from mypy_boto3_sso_admin.client import SSOAdminClient
    from mypy_boto3_sts.client import STSClient

    _PageIterator = botocore.paginate.PageIterator[Any]
    Paginator = botocore.paginate.Paginator[Any]
else:
    _PageIterator = botocore.paginate.PageIterator
    Paginator = botocore.paginate.Paginator

DEFAULT_REGION = "us-east-1"

# Adaptive mode paces calls client-side when AWS throttles, on top of retrying them.
CLIENT_CONFIG = botocore.config.Config(
    retries={"mode": "adaptive", "max_attempts": 10},
    connect_timeout=10,
    read_timeout=60,
    user_agent_extra=f"rootguard/{__version__}",
)

CREDENTIAL_ERROR_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "SignatureDoesNotMatch",
        "UnrecognizedClientException",
        "InvalidToken",
        "RequestExpired",
        "AuthFailure",  # EC2 (DescribeRegions) says this for invalid credentials
    }
)

Recorder = Callable[[str], None]
ErrorDocument = dict[str, Any]
"""``{"Error": {"Code": …, "Message": …}}`` (``rootguard.evidence.store.error_document``)."""

IAM_PREFIXES = {"monitoring": "cloudwatch"}
"""Services whose IAM action prefix is not their signing name (CloudWatch signs as ``monitoring``)."""


class Aws:
    """A boto3 session with rootguard's client settings; records every API call it makes.

    One typed accessor per service (``aws.iam()``, ``aws.cloudtrail(region)`` …); each makes a new
    client. ``max_pool_connections`` raises botocore's limit of 10 for callers that share one client
    between many threads (clients are thread-safe).
    """

    def __init__(self, profile: str | None = None, region: str | None = None, recorder: Recorder | None = None) -> None:
        try:
            self.session = boto3.session.Session(profile_name=profile, region_name=region)
        except botocore.exceptions.ProfileNotFound as error:
            raise CredentialsError(f"{error}; list your profiles with `aws configure list-profiles`") from None
        self.region = self.session.region_name or DEFAULT_REGION
        if recorder is not None:
            self.session.events.register("before-call", _record(recorder))

    def client(self, service: str, region: str | None = None, *, max_pool_connections: int | None = None) -> BaseClient:
        """A client for ``service`` in ``region`` (default: the session's Region); the accessors below
        are this, typed."""
        make: Any = self.session.client  # typed per service literal; the accessors pass the literal
        config = CLIENT_CONFIG
        if max_pool_connections is not None:
            config = config.merge(botocore.config.Config(max_pool_connections=max_pool_connections))
        return cast("BaseClient", make(service, region_name=region or self.region, config=config))

    def cloudtrail(self, region: str | None = None, *, max_pool_connections: int | None = None) -> CloudTrailClient:
        return cast("CloudTrailClient", self.client("cloudtrail", region, max_pool_connections=max_pool_connections))

    def cloudwatch(self, region: str | None = None, *, max_pool_connections: int | None = None) -> CloudWatchClient:
        return cast("CloudWatchClient", self.client("cloudwatch", region, max_pool_connections=max_pool_connections))

    def config(self, region: str | None = None, *, max_pool_connections: int | None = None) -> ConfigServiceClient:
        return cast("ConfigServiceClient", self.client("config", region, max_pool_connections=max_pool_connections))

    def ec2(self, region: str | None = None, *, max_pool_connections: int | None = None) -> EC2Client:
        return cast("EC2Client", self.client("ec2", region, max_pool_connections=max_pool_connections))

    def events(self, region: str | None = None, *, max_pool_connections: int | None = None) -> EventBridgeClient:
        return cast("EventBridgeClient", self.client("events", region, max_pool_connections=max_pool_connections))

    def guardduty(self, region: str | None = None, *, max_pool_connections: int | None = None) -> GuardDutyClient:
        return cast("GuardDutyClient", self.client("guardduty", region, max_pool_connections=max_pool_connections))

    def iam(self, region: str | None = None, *, max_pool_connections: int | None = None) -> IAMClient:
        return cast("IAMClient", self.client("iam", region, max_pool_connections=max_pool_connections))

    def logs(self, region: str | None = None, *, max_pool_connections: int | None = None) -> CloudWatchLogsClient:
        return cast("CloudWatchLogsClient", self.client("logs", region, max_pool_connections=max_pool_connections))

    def s3(self, region: str | None = None, *, max_pool_connections: int | None = None) -> S3Client:
        return cast("S3Client", self.client("s3", region, max_pool_connections=max_pool_connections))

    def sns(self, region: str | None = None, *, max_pool_connections: int | None = None) -> SNSClient:
        return cast("SNSClient", self.client("sns", region, max_pool_connections=max_pool_connections))

    def sso_admin(self, region: str | None = None, *, max_pool_connections: int | None = None) -> SSOAdminClient:
        return cast("SSOAdminClient", self.client("sso-admin", region, max_pool_connections=max_pool_connections))

    def sts(self, region: str | None = None, *, max_pool_connections: int | None = None) -> STSClient:
        return cast("STSClient", self.client("sts", region, max_pool_connections=max_pool_connections))


def _record(recorder: Recorder) -> Callable[..., None]:
    def before_call(model: Any, **_: Any) -> None:
        signing_name = model.service_model.signing_name
        recorder(f"{IAM_PREFIXES.get(signing_name, signing_name)}:{model.name}")

    return before_call


# --- the one way to call AWS ------------------------------------------------------------------


def call(
    method: Callable[..., Any],
    /,
    *,
    regional: bool = False,
    read: Callable[[Any], Any] | None = None,
    **params: Any,
) -> Any:
    """``method(**params)`` under the rule above: the answer as the CLI prints it, or its error document.

    ``read`` replaces the CLI shaping for an answer that must be consumed inside the call, such as
    an S3 object's streamed body: its failures are the call's failures.
    """
    shape = cli_shape if read is None else read
    return _answered(lambda: shape(method(**params)), regional=regional)


@dataclass(frozen=True)
class PageLimit:
    """At most ``pages`` requests: an answer that goes on is stored as ``TooManyPages`` with ``advice``."""

    pages: int
    advice: str


def paginate(
    paginator: Paginator,
    /,
    *,
    regional: bool = False,
    lists: Sequence[str] = (),
    pace: Callable[[], None] | None = None,
    limit: PageLimit | None = None,
    **params: Any,
) -> Any:
    """Every page of ``paginator`` (``client.get_paginator(…)``), merged as the AWS CLI merges them.

    ``lists``: result lists stored even when AWS leaves them out of every page (as ``[]``, first and
    in this order), for evidence whose reader needs the list. ``pace`` runs before every request
    (a rate limit); ``limit`` caps the number of requests.
    """

    def merged() -> Any:
        if pace is not None or limit is not None:
            paginator.PAGE_ITERATOR_CLS = _each_request(_before_request(pace, limit))
        found = cli_shape(paginator.paginate(**params).build_full_result())
        if not lists:
            return found
        return {key: found.get(key, []) for key in lists} | found

    return _answered(merged, regional=regional)


class _TooManyPages(Exception):
    def __init__(self, limit: PageLimit) -> None:
        super().__init__(f"stopped after {limit.pages} pages; {limit.advice}")


def _answered(run: Callable[[], Any], *, regional: bool) -> Any:
    try:
        return run()
    except botocore.exceptions.ClientError as error:
        _stop_if_fatal(error, regional=regional)
        return error_document(error_code(error), error_message(error))
    except botocore.exceptions.BotoCoreError as error:
        _stop_if_fatal(error, regional=regional)
        return error_document(type(error).__name__, str(error))
    except _TooManyPages as error:
        return error_document("TooManyPages", str(error))


def _stop_if_fatal(error: Exception, *, regional: bool) -> None:
    raised = fatal(error)
    if isinstance(raised, CredentialsError) or (isinstance(raised, CollectionError) and not regional):
        raise raised from None


def _before_request(pace: Callable[[], None] | None, limit: PageLimit | None) -> Callable[[], None]:
    made = 0

    def before() -> None:
        nonlocal made
        if limit is not None and made >= limit.pages:
            raise _TooManyPages(limit)
        made += 1
        if pace is not None:
            pace()

    return before


def _each_request(before: Callable[[], None]) -> type[_PageIterator]:
    """A page iterator that runs ``before`` ahead of every request it makes (``Paginator.PAGE_ITERATOR_CLS``)."""

    class EachRequest(_PageIterator):
        def __init__(self, method: Callable[..., Any], *config: Any) -> None:
            def request(**params: Any) -> Any:
                before()
                return method(**params)

            super().__init__(request, *config)

    return EachRequest


# --- failures and shapes ----------------------------------------------------------------------


def error_code(error: botocore.exceptions.ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def error_message(error: botocore.exceptions.ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def fatal(error: Exception) -> Exception:
    """Map errors that make every call fail to one clear user-facing error; others pass through."""
    if isinstance(error, botocore.exceptions.NoCredentialsError):
        return CredentialsError(
            "no AWS credentials found: configure them (`aws configure`, `aws sso login`, environment "
            "variables or --profile) and run again"
        )
    if isinstance(error, botocore.exceptions.PartialCredentialsError | botocore.exceptions.NoAuthTokenError):
        return CredentialsError(f"incomplete AWS credentials: {error}")
    if isinstance(
        error,
        botocore.exceptions.TokenRetrievalError
        | botocore.exceptions.SSOTokenLoadError
        | botocore.exceptions.UnauthorizedSSOTokenError,
    ):
        return CredentialsError(f"AWS credentials could not be refreshed: {error}; sign in again (`aws sso login`)")
    if isinstance(error, botocore.exceptions.ClientError) and error_code(error) in CREDENTIAL_ERROR_CODES:
        return CredentialsError(
            f"AWS rejected the credentials ({error_code(error)}: {error_message(error)}); they are expired or "
            "invalid: refresh them and run again"
        )
    if isinstance(error, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectTimeoutError):
        return CollectionError(f"cannot reach AWS: {error}; check the network, --region and AWS_ENDPOINT_URL")
    return error


def cli_shape(value: Any) -> Any:
    """Make a boto3 response look like ``aws … --output json``: no metadata, ISO dates, base64 blobs."""
    if isinstance(value, dict):
        return {k: cli_shape(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [cli_shape(v) for v in value]
    if isinstance(value, datetime):
        return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value
