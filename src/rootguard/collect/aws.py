"""The collector edge: boto3 sessions, typed clients, and the one way rootguard calls AWS.

This module is the only one that imports boto3/botocore; the collectors reach AWS through ``Aws``'s
typed clients and make every request through ``call()`` or ``paginate()``. The client types come from
the ``mypy-boto3-*`` stubs and are imported for the type checker only: they are a test dependency,
never imported at run time.

What an answer becomes (one rule for every collector):

- An answer is stored as ``aws <service> <operation> --output json`` prints it: ``cli_shape``, and
  for ``paginate()`` every page merged by botocore's paginator (``build_full_result``, what the AWS
  CLI prints).
- Every failure a call can meet (an AWS error code, HTTP 5xx, an answer that cannot be parsed or was
  cut short, a connection reset, a timeout, a Region that is not enabled, a call not made) is stored as
  the contract's error document (§5), extended: ``{"Error": {"Code", "Message", "Category", "Operation",
  "Region", "HttpStatus", "Attempts", …}}``. ``Category`` comes from ``rootguard.model.failures``, which
  also holds the fix for each. ``Message`` is one line: AWS's message, or a summary (HTTP status, AWS
  error code); a response body that is not AWS's (an HTML error page) never reaches it. A failure on
  any page stores the error, never the pages before it.
- Except a failure that no later call could escape, which stops the run as ``fatal()`` maps it:
  credentials that are missing, expired, invalid or cannot be refreshed, or a profile that cannot be
  used (``CredentialsError``), and an endpoint that cannot be reached (``CollectionError``). For
  Region-level evidence (``regional=True``: the Region list, the alerting paths, LookupEvents) an
  unreachable endpoint is that Region's error document instead, and the credential codes AWS answers in
  a Region that is not enabled (``UnrecognizedClientException``, ``InvalidClientTokenId``,
  ``AuthFailure``) outside the Region the identity was verified in mean ``not-enabled-in-region``.

Bounded time (``Guard``, one per ``Aws``):

- Retries: botocore's ``standard`` mode, ``MAX_ATTEMPTS`` (4) attempts per call. Its jittered
  exponential back-off is at most 1 + 2 + 4 s for throttling and 0.05 + 0.1 + 0.2 s for server errors
  (botocore 1.44), so one call waits at most about 7 s between its attempts.
- Timeouts: ``CONNECT_TIMEOUT`` (5 s) to connect and ``READ_TIMEOUT`` (20 s) between bytes of an answer;
  with a run deadline the read timeout is a quarter of it (at least 1 s, at most 20 s) and never longer
  than the time left, so a hung endpoint costs at most that.
- Circuit breaker: ``BREAKER_THRESHOLD`` (5) failed attempts in a row (HTTP 5xx, timeouts, resets,
  answers that cannot be parsed) of one service in one Region open its breaker for the rest of the run.
  One call that fails all 4 attempts does not open it; the next failing attempt does: that call is not
  retried, and every later call to that service there is stored as ``not-attempted`` naming why. Any
  answer below 500 (a refusal included) sets the count back to zero.
- Deadline (``timeout`` seconds for the whole collection): when it has passed no attempt starts and no
  retry is made; the calls left are stored as ``not-attempted`` because the time ran out, so the run
  still returns its documents (and the report still comes out).
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import boto3
import botocore.config
import botocore.credentials
import botocore.exceptions
import botocore.paginate
from botocore.parsers import ResponseParserError

from rootguard import __version__
from rootguard.collect.regions import check_region_name
from rootguard.errors import CollectionError, CredentialsError, RootguardError, UsageError
from rootguard.model.failures import (
    REGION_CREDENTIAL_CODES,
    THROTTLING_CODES,
    FailureCategory,
    NotAttemptedCause,
    classify,
    denied_by,
)

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from mypy_boto3_athena.client import AthenaClient
    from mypy_boto3_cloudtrail.client import CloudTrailClient
    from mypy_boto3_cloudwatch.client import CloudWatchClient
    from mypy_boto3_config.client import ConfigServiceClient
    from mypy_boto3_ec2.client import EC2Client
    from mypy_boto3_events.client import EventBridgeClient
    from mypy_boto3_guardduty.client import GuardDutyClient
    from mypy_boto3_iam.client import IAMClient
    from mypy_boto3_lambda.client import LambdaClient
    from mypy_boto3_logs.client import CloudWatchLogsClient
    from mypy_boto3_organizations.client import OrganizationsClient
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_securityhub.client import SecurityHubClient
    from mypy_boto3_sns.client import SNSClient
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sso_admin.client import SSOAdminClient
    from mypy_boto3_sts.client import STSClient

    _PageIterator = botocore.paginate.PageIterator[Any]
    Paginator = botocore.paginate.Paginator[Any]
else:
    _PageIterator = botocore.paginate.PageIterator
    Paginator = botocore.paginate.Paginator

DEFAULT_REGION = "us-east-1"

MAX_ATTEMPTS = 4
"""Attempts per call (the first and three retries), botocore's standard retry mode."""
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 20.0
"""Seconds without a byte of the answer before an attempt fails (botocore retries it)."""
BREAKER_THRESHOLD = MAX_ATTEMPTS + 1
"""Failed attempts in a row (5xx, timeouts, resets, unparseable answers) that stop asking a service in a Region:
more than one call's worth, so one call that fails every attempt does not open it alone, the next one does."""

CLIENT_CONFIG = botocore.config.Config(
    retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},  # ("max_attempts" would count retries)
    connect_timeout=CONNECT_TIMEOUT,
    read_timeout=READ_TIMEOUT,
    user_agent_extra=f"rootguard/{__version__}",
)

Recorder = Callable[[str], None]
ErrorDocument = dict[str, Any]
"""``{"Error": {"Code": …, "Message": …, "Category": …, …}}`` (module docstring; contract §5)."""

IAM_PREFIXES = {"monitoring": "cloudwatch"}
"""Services whose IAM action prefix is not their signing name (CloudWatch signs as ``monitoring``)."""
GLOBAL_REGIONS = {"aws-global": "us-east-1", "aws-us-gov-global": "us-gov-west-1", "aws-cn-global": "cn-north-1"}
"""botocore's pseudo-Regions of global endpoints (IAM) → the Region their requests are signed for."""

CREDENTIAL_FAILURES = (
    botocore.exceptions.NoCredentialsError,
    botocore.exceptions.PartialCredentialsError,
    botocore.exceptions.NoAuthTokenError,
    botocore.exceptions.TokenRetrievalError,
    botocore.exceptions.SSOError,
    botocore.exceptions.CredentialRetrievalError,
    botocore.exceptions.UnknownCredentialError,
    botocore.exceptions.RefreshWithMFAUnsupportedError,
    botocore.exceptions.MetadataRetrievalError,
    botocore.exceptions.ProfileNotFound,
    botocore.exceptions.ConfigNotFound,
    botocore.exceptions.ConfigParseError,
    botocore.exceptions.InvalidConfigError,
)
"""What botocore raises when it has no usable credentials or profile: no later call could do better."""
PROFILE_FAILURES = (
    botocore.exceptions.ProfileNotFound,
    botocore.exceptions.ConfigNotFound,
    botocore.exceptions.ConfigParseError,
    botocore.exceptions.InvalidConfigError,
)
SSO_FAILURES = (botocore.exceptions.TokenRetrievalError, botocore.exceptions.SSOError)
TRANSPORT_FAILURES = (botocore.exceptions.ConnectionError, botocore.exceptions.HTTPClientError)
"""No complete answer arrived: botocore retries these, and the breaker counts them."""


class Aws:
    """A boto3 session with rootguard's client settings and ``Guard``; records every API call it makes.

    One typed accessor per service (``aws.iam()``, ``aws.cloudtrail(region)`` …); each makes a new
    client. ``max_pool_connections`` raises botocore's limit of 10 for callers that share one client
    between many threads (clients are thread-safe). ``timeout``: seconds for everything this session
    collects (module docstring); ``None``: no deadline.
    """

    def __init__(
        self,
        profile: str | None = None,
        region: str | None = None,
        recorder: Recorder | None = None,
        *,
        timeout: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if region is not None:
            check_region_name(region, "--region")
        try:
            self.session = boto3.session.Session(profile_name=profile, region_name=region)
            configured = self.session.region_name
        except CREDENTIAL_FAILURES as error:
            raise fatal(error) from None
        if region is None and configured:
            check_region_name(configured, "the configured Region (AWS_REGION, AWS_DEFAULT_REGION or the profile's)")
        self.region = configured or DEFAULT_REGION
        read_timeout = READ_TIMEOUT if timeout is None else min(READ_TIMEOUT, max(1.0, timeout / 4))
        self.guard = Guard(self.region, timeout=timeout, read_timeout=read_timeout, clock=clock)
        self.guard.install(self.session.events)
        if recorder is not None:
            self.session.events.register("before-call", _record(recorder))
        self.credentials: SessionCredentials | None = None
        """Set on an edge made by ``bound()``: every client it makes signs with these."""
        self._client_lock = threading.Lock()
        self.session_document: Any = None
        """On an edge made by ``bound()``: the STS answer that made it, without the secret (``collect.sessions``)."""
        self._reuse: threading.local | None = None
        """On an edge made by ``bound(reuse=True)``: the clients each thread made for such edges."""
        self._reusable = threading.local()

    @classmethod
    def bound(
        cls, parent: Aws, credentials: SessionCredentials, *, region: str | None = None, reuse: bool = False
    ) -> Aws:
        """An edge that signs with ``credentials`` (an assumed session) and shares ``parent``'s boto3
        session, loader and recorder: making a session per member account is what makes an organization
        run slow. It has its own ``Guard`` (a breaker per member, its own call counts) with the parent's
        deadline: the run's ``--timeout`` bounds every member.

        ``reuse``: the clients it makes are the ones this thread made for an earlier such edge, re-keyed to
        these credentials (a client costs milliseconds of CPU; an organization run needs five per member).
        Only for a thread that uses one such edge at a time, and is done with the last one's clients when it
        asks the next for one: the earlier edge's clients then sign as this one. Such edges share the parent's
        ``Guard`` (its handlers are on every client the session makes)."""
        edge = cls.__new__(cls)
        edge.session = parent.session
        edge.region = region or parent.region
        if reuse:
            edge.guard = parent.guard
        else:
            edge.guard = Guard(
                edge.region,
                timeout=parent.guard.timeout,
                read_timeout=parent.guard.read_timeout,
                clock=parent.guard.clock,
            )
            edge.guard.deadline = parent.guard.deadline
        edge.credentials = credentials
        edge._client_lock = parent._client_lock
        edge._reusable = parent._reusable
        edge._reuse = parent._reusable if reuse else None
        edge.session_document = None
        return edge

    def client(
        self,
        service: str,
        region: str | None = None,
        *,
        max_pool_connections: int | None = None,
        endpoint_url: str | None = None,
        max_attempts: int | None = None,
        read_timeout: float | None = None,
    ) -> BaseClient:
        """A client for ``service`` in ``region`` (default: the session's Region); the accessors below
        are this, typed. Credentials are resolved here: a profile or credentials that cannot be used
        stop the run (``CredentialsError``). ``max_attempts`` overrides ``MAX_ATTEMPTS`` (STS's
        AssumeRoot, which AWS rate-limits, is retried longer); ``read_timeout`` replaces ``READ_TIMEOUT``
        for calls that wait on purpose (an SQS long poll holds the answer for up to 20 s)."""
        make: Any = self.session.client  # typed per service literal; the accessors pass the literal
        config = CLIENT_CONFIG
        if max_pool_connections is not None:
            config = config.merge(botocore.config.Config(max_pool_connections=max_pool_connections))
        if read_timeout is not None:
            config = config.merge(botocore.config.Config(read_timeout=read_timeout))
        if max_attempts is not None:
            retries = botocore.config.Config(retries={"mode": "standard", "total_max_attempts": max_attempts})
            config = config.merge(retries)
        key = (service, region or self.region, max_pool_connections, endpoint_url, max_attempts, read_timeout)
        reused = self._reused_client(key)
        if reused is not None:
            return reused
        extra: dict[str, Any] = {}
        if endpoint_url is not None:
            extra["endpoint_url"] = endpoint_url
        if self.credentials is not None:
            extra.update(
                aws_access_key_id=self.credentials.access_key_id,
                aws_secret_access_key=self.credentials.secret_access_key,
                aws_session_token=self.credentials.session_token,
            )
        try:
            with self._client_lock:  # a boto3 session is not thread-safe; its clients are
                client = cast("BaseClient", make(service, region_name=region or self.region, config=config, **extra))
        except botocore.exceptions.BotoCoreError as error:
            raised = fatal(error)
            if isinstance(raised, RootguardError):
                raise raised from None
            raise CollectionError(f"cannot set up the AWS {service} client: {one_line(str(error))}") from None
        if self.credentials is not None and self._reuse is None:
            # The session's handlers are the parent's guard: this edge's guard watches its own clients.
            self.guard.install(client.meta.events)
        self.guard.install_retry_veto(client)
        if self._reuse is not None:
            self._reuse.__dict__.setdefault("clients", {})[key] = client
        return client

    def _reused_client(self, key: tuple[Any, ...]) -> BaseClient | None:
        """This thread's client for ``key``, now signing with this edge's credentials (``bound(reuse=True)``)."""
        if self._reuse is None or self.credentials is None:
            return None
        client = self._reuse.__dict__.get("clients", {}).get(key)
        if client is not None:
            signer: Any = client._request_signer  # botocore's own accessor, client._get_credentials(), reads it
            signer._credentials = botocore.credentials.Credentials(
                self.credentials.access_key_id, self.credentials.secret_access_key, self.credentials.session_token
            )
        return cast("BaseClient | None", client)

    def athena(self, region: str | None = None, *, max_pool_connections: int | None = None) -> AthenaClient:
        return cast("AthenaClient", self.client("athena", region, max_pool_connections=max_pool_connections))

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

    def lambda_(self, region: str | None = None, *, max_pool_connections: int | None = None) -> LambdaClient:
        return cast("LambdaClient", self.client("lambda", region, max_pool_connections=max_pool_connections))

    def logs(self, region: str | None = None, *, max_pool_connections: int | None = None) -> CloudWatchLogsClient:
        return cast("CloudWatchLogsClient", self.client("logs", region, max_pool_connections=max_pool_connections))

    def organizations(
        self, region: str | None = None, *, max_pool_connections: int | None = None
    ) -> OrganizationsClient:
        return cast(
            "OrganizationsClient", self.client("organizations", region, max_pool_connections=max_pool_connections)
        )

    def s3(self, region: str | None = None, *, max_pool_connections: int | None = None) -> S3Client:
        return cast("S3Client", self.client("s3", region, max_pool_connections=max_pool_connections))

    def securityhub(self, region: str | None = None) -> SecurityHubClient:
        return cast("SecurityHubClient", self.client("securityhub", region))

    def sns(self, region: str | None = None, *, max_pool_connections: int | None = None) -> SNSClient:
        return cast("SNSClient", self.client("sns", region, max_pool_connections=max_pool_connections))

    def sqs(self, region: str | None = None, *, read_timeout: float | None = None) -> SQSClient:
        return cast("SQSClient", self.client("sqs", region, read_timeout=read_timeout))

    def sso_admin(self, region: str | None = None, *, max_pool_connections: int | None = None) -> SSOAdminClient:
        return cast("SSOAdminClient", self.client("sso-admin", region, max_pool_connections=max_pool_connections))

    def sts(
        self,
        region: str | None = None,
        *,
        max_pool_connections: int | None = None,
        endpoint_url: str | None = None,
        max_attempts: int | None = None,
    ) -> STSClient:
        return cast(
            "STSClient",
            self.client(
                "sts",
                region,
                max_pool_connections=max_pool_connections,
                endpoint_url=endpoint_url,
                max_attempts=max_attempts,
            ),
        )

    # --- the run's budget, for collectors that would otherwise start work the deadline forbids ----

    def out_of_time(self) -> bool:
        return self.guard.expired()

    def not_attempted(self, action: str, region: str) -> ErrorDocument:
        """The document of a call the collector does not make because the run's time ran out."""
        return not_attempted_document(action, region, NotAttemptedCause.DEADLINE, self.guard.deadline_reason())

    def remaining(self) -> float | None:
        """Seconds left before the deadline (never negative); None without one."""
        return self.guard.remaining()


@dataclass(frozen=True)
class SessionCredentials:
    """Temporary credentials from STS (AssumeRoot, AssumeRole): held in memory, never written."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)


def _record(recorder: Recorder) -> Callable[..., None]:
    def before_call(model: Any, **_: Any) -> None:
        recorder(_action(model))

    return before_call


def _action(model: Any) -> str:
    """``iam:SimulatePrincipalPolicy``: the IAM action an operation model needs."""
    signing_name = model.service_model.signing_name
    return f"{IAM_PREFIXES.get(signing_name, signing_name)}:{model.name}"


# --- the guard: deadline, circuit breaker, per-attempt bookkeeping ------------------------------


@dataclass
class _Call:
    """What the edge knows about the API call in progress on this thread (one per request, all attempts)."""

    guard: Guard
    operation: str
    service: str
    region: str
    attempts: int = 0
    status: int | None = None
    code: str | None = None
    message: str = ""
    failure: str = ""
    """The last attempt's failure in words ("HTTP 500", "read timeout") for messages and the breaker."""
    foreign_body: str = ""
    """How the last body looked when it was not AWS's answer ("text/html, 265 bytes")."""
    body_size: int | None = None
    content_type: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, self.region)


_local = threading.local()


def _current() -> _Call | None:
    found = getattr(_local, "call", None)
    return found if isinstance(found, _Call) else None


class _Stop(Exception):
    """The guard refuses an attempt (deadline, open breaker). Not a botocore ``ConnectionError``, so botocore
    never retries it."""

    def __init__(self, cause: NotAttemptedCause, why: str, *, retried: bool) -> None:
        super().__init__(why)
        self.cause, self.why, self.retried = cause, why, retried


class _Garbled(Exception):
    """A 2xx answer of a JSON protocol whose body is not a JSON object (cut short, or not AWS's)."""


@dataclass
class _Breaker:
    failures: int = 0
    """Failed attempts in a row."""
    opened: str = ""
    """Why it opened ("failed 5 times in a row (the last: HTTP 500) …"); empty while closed."""


class Guard:
    """One run's budget: the deadline, a circuit breaker per (service, Region), and what was asked.

    Installed as botocore event handlers on the session (every client made from it) plus one retry veto
    per client (``install_retry_veto``).
    """

    def __init__(
        self,
        home_region: str,
        *,
        timeout: float | None = None,
        read_timeout: float = READ_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
        threshold: int = BREAKER_THRESHOLD,
    ) -> None:
        self.home_region = home_region
        self.timeout = timeout
        self.read_timeout = read_timeout
        self.clock = clock
        self.deadline = None if timeout is None else clock() + timeout
        self.threshold = threshold
        self._lock = threading.Lock()
        self._breakers: dict[tuple[str, str], _Breaker] = {}
        self.calls = 0
        """API calls started (a paginated read is one per page)."""
        self.attempts = 0
        """HTTP requests sent (retries included)."""

    def install(self, events: Any) -> None:
        events.register("before-parameter-build", self._begin)
        events.register("before-send", self._before_send)
        events.register("before-parse", self._before_parse)
        events.register("response-received", self._response_received)

    def install_retry_veto(self, client: BaseClient) -> None:
        """Runs before botocore's retry handler: no retry (and no back-off sleep) once the deadline has
        passed or the breaker is open."""
        service_id = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register_first(f"needs-retry.{service_id}", self._needs_retry)

    # budget

    def remaining(self) -> float | None:
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - self.clock())

    def expired(self) -> bool:
        return self.deadline is not None and self.clock() >= self.deadline

    def deadline_reason(self) -> str:
        return f"the run's time limit (--timeout {self.timeout:g} s) ran out before it" if self.timeout else ""

    def opened(self, service: str, region: str) -> str:
        with self._lock:
            breaker = self._breakers.get((service, region))
            return breaker.opened if breaker is not None else ""

    def _refusal(self, key: tuple[str, str]) -> tuple[NotAttemptedCause, str] | None:
        if self.expired():
            return NotAttemptedCause.DEADLINE, self.deadline_reason()
        why = self.opened(*key)
        if why:
            service, region = key
            return NotAttemptedCause.CIRCUIT_OPEN, f"{IAM_PREFIXES.get(service, service)} in {region} {why}"
        return None

    def record(self, key: tuple[str, str], failure: str | None) -> None:
        """One attempt's outcome for the breaker: ``failure`` in words, or None for an answer below 500."""
        with self._lock:
            breaker = self._breakers.setdefault(key, _Breaker())
            if breaker.opened:
                return
            if failure is None:
                breaker.failures = 0
                return
            breaker.failures += 1
            if breaker.failures >= self.threshold:
                breaker.opened = (
                    f"failed {breaker.failures} times in a row (the last: {failure}), so rootguard stopped asking it"
                )

    # botocore event handlers

    def _begin(self, model: Any = None, context: Any = None, **_: Any) -> None:
        if model is None:
            return
        region = str((context or {}).get("client_region") or self.home_region)
        _local.call = _Call(
            guard=self,
            operation=_action(model),
            service=str(model.service_model.signing_name),
            region=GLOBAL_REGIONS.get(region, region),
        )
        with self._lock:
            self.calls += 1

    def _before_send(self, request: Any = None, **_: Any) -> None:
        state = _current()
        if state is None or state.guard is not self or request is None:
            return
        scope = _credential_scope(request.headers.get("Authorization"))
        if scope is not None:
            state.region, state.service = scope
        refused = self._refusal(state.key)
        if refused is not None:
            raise _Stop(*refused, retried=state.attempts > 0)
        state.attempts += 1
        with self._lock:
            self.attempts += 1
        remaining = self.remaining()
        context = getattr(request, "context", None)
        if remaining is not None and isinstance(context, dict):
            # botocore honours a per-request read timeout (boto/botocore#3770): never wait past the deadline.
            context["read_timeout"] = max(0.05, min(self.read_timeout, remaining))

    def _before_parse(self, operation_model: Any = None, response_dict: Any = None, **_: Any) -> None:
        state = _current()
        if state is None or state.guard is not self or not isinstance(response_dict, dict):
            return
        status = response_dict.get("status_code")
        body = response_dict.get("body")
        headers = response_dict.get("headers") or {}
        state.status = status if isinstance(status, int) else None
        state.content_type = str(headers.get("content-type") or headers.get("Content-Type") or "")
        if not isinstance(body, bytes | bytearray) or not isinstance(status, int):
            return  # a streamed body (S3 GetObject) is read, and its failures caught, by the caller
        state.body_size = len(body)
        protocol = _protocol(operation_model)
        if status >= 300:
            if not _is_aws_error_body(protocol, bytes(body)):
                state.foreign_body = f"{state.content_type or 'no content type'}, {len(body)} bytes"
                response_dict["body"] = _plain_error_body(protocol, status)
        elif protocol in ("json", "rest-json") and not _is_json_object(bytes(body)):
            raise _Garbled(f"{len(body)} bytes")

    def _response_received(
        self, exception: Any = None, response_dict: Any = None, parsed_response: Any = None, **_: Any
    ) -> None:
        state = _current()
        if state is None or state.guard is not self:
            return
        if exception is not None:
            if isinstance(exception, _Stop):
                return
            state.status, state.code = None, type(exception).__name__
            state.failure = _transport_words(exception)
            state.message = state.failure
            if isinstance(exception, TRANSPORT_FAILURES):
                self.record(state.key, state.failure)
            return
        status = response_dict.get("status_code") if isinstance(response_dict, dict) else None
        error = parsed_response.get("Error") if isinstance(parsed_response, dict) else None
        code = str(error.get("Code") or "") if isinstance(error, dict) else ""
        state.status = status if isinstance(status, int) else None
        state.code = code or None
        state.message = str(error.get("Message") or "") if isinstance(error, dict) else ""
        if not isinstance(status, int):
            return
        if status >= 500:
            state.failure = f"HTTP {status}"
            self.record(state.key, state.failure)
        elif code not in THROTTLING_CODES and status != HTTPStatus.TOO_MANY_REQUESTS:
            self.record(state.key, None)

    def _needs_retry(self, response: Any = None, caught_exception: Any = None, **_: Any) -> None:
        state = _current()
        if state is None or state.guard is not self or not _retryable(response, caught_exception):
            return
        refused = self._refusal(state.key)
        if refused is not None:
            raise _Stop(*refused, retried=True)


def _credential_scope(header: Any) -> tuple[str, str] | None:
    """(Region, signing service) of a SigV4 ``Authorization`` header."""
    if isinstance(header, bytes):
        header = header.decode("ascii", "replace")
    if not isinstance(header, str):
        return None
    found = re.search(r"Credential=[^/,\s]+/\d{8}/([^/]+)/([^/]+)/aws4_request", header)
    return (found.group(1), found.group(2)) if found else None


def _protocol(operation_model: Any) -> str:
    model = getattr(operation_model, "service_model", None)
    return str(getattr(model, "resolved_protocol", None) or getattr(model, "protocol", ""))


def _is_json_object(body: bytes) -> bool:
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False


def _is_aws_error_body(protocol: str, body: bytes) -> bool:
    """Whether an error response's body is the protocol's error document (what botocore can parse)."""
    if protocol in ("json", "rest-json"):
        return not body.strip() or _is_json_object(body)
    text = body.lstrip()[:64].lower()
    if not text:
        return True  # botocore's generic error parse handles an empty body
    return text.startswith(b"<") and not text.startswith((b"<!doctype", b"<html"))


def _plain_error_body(protocol: str, status: int) -> bytes:
    """An error body the protocol's parser reads as code ``<status>``: botocore's own generic error for
    5xx (an empty body), the protocol's error document otherwise."""
    if status >= 500:
        return b""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    if protocol in ("json", "rest-json"):
        return json.dumps({"__type": str(status), "message": reason}).encode()
    error = f"<Error><Code>{status}</Code><Message>{reason}</Message></Error>"
    if protocol == "ec2":
        return f"<Response><Errors>{error}</Errors></Response>".encode()
    if protocol == "rest-xml":
        return error.encode()
    return f"<ErrorResponse>{error}</ErrorResponse>".encode()


def _retryable(response: Any, caught_exception: Any) -> bool:
    """A failed attempt botocore may retry: transport failures, 5xx, throttling."""
    if caught_exception is not None:
        return isinstance(caught_exception, TRANSPORT_FAILURES)
    if not isinstance(response, tuple) or len(response) != 2:
        return False
    http_response, parsed = response
    status = getattr(http_response, "status_code", 0)
    error = parsed.get("Error") if isinstance(parsed, dict) else None
    code = str(error.get("Code") or "") if isinstance(error, dict) else ""
    return status >= 500 or status == HTTPStatus.TOO_MANY_REQUESTS or code in THROTTLING_CODES


def _transport_words(error: Exception) -> str:
    host = _host(error)
    if isinstance(error, botocore.exceptions.ReadTimeoutError):
        return f"read timeout: no answer from {host} in time"
    if isinstance(error, botocore.exceptions.ConnectTimeoutError):
        return f"connect timeout: {host} did not accept a connection in time"
    if isinstance(error, botocore.exceptions.EndpointConnectionError):
        return f"cannot connect to {host}"
    if isinstance(error, botocore.exceptions.ConnectionClosedError | botocore.exceptions.ResponseStreamingError):
        return f"connection closed by {host} before a complete answer"
    if isinstance(error, botocore.exceptions.IncompleteReadError):
        return f"the answer from {host} was cut short"
    return f"{type(error).__name__} talking to {host}"


def _host(error: Exception) -> str:
    kwargs = getattr(error, "kwargs", {}) or {}
    url = str(kwargs.get("endpoint_url") or "")
    return urlsplit(url).netloc or url or "the endpoint"


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
    _local.call = None
    try:
        return run()
    except botocore.exceptions.ClientError as error:
        return _client_failure(error, regional=regional)
    except _Stop as stop:
        return _stopped(stop)
    except (ResponseParserError, _Garbled) as error:
        return _unparseable(error)
    except botocore.exceptions.BotoCoreError as error:
        return _botocore_failure(error, regional=regional)
    except _TooManyPages as error:
        return failure_document("TooManyPages", str(error), FailureCategory.INCOMPLETE, _current())
    finally:
        _local.call = None


def _client_failure(error: botocore.exceptions.ClientError, *, regional: bool) -> ErrorDocument:
    state = _current()
    code, raw = error_code(error), error_message(error)
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    status = status if isinstance(status, int) else (state.status if state is not None else None)
    elsewhere = regional and state is not None and state.region not in ("", state.guard.home_region)
    category = classify(code, raw, http_status=status, elsewhere=elsewhere)
    if category is FailureCategory.BAD_CREDENTIALS:
        raise CredentialsError(
            f"AWS rejected the credentials ({code}: {one_line(raw)}); they are expired or invalid: refresh them "
            "and run again"
        ) from None
    message = one_line(raw) or _http_words(status, code)
    if state is not None and state.foreign_body:
        message = f"{_http_words(status, code)}; the body was not an AWS answer ({state.foreign_body})"
    if category is FailureCategory.NOT_ENABLED and code in REGION_CREDENTIAL_CODES and state is not None:
        message = (
            f"{code} in {state.region}: AWS does not know these credentials there, which is what a Region that "
            f"is not enabled for the account answers ({message})"
        )
    if state is not None and state.attempts > 1:
        message += f" (after {state.attempts} attempts)"
    return failure_document(
        code,
        message,
        category,
        state,
        status=status,
        denied=denied_by(raw) if category in (FailureCategory.DENIED, FailureCategory.EXPLICIT_DENY) else None,
    )


def _stopped(stop: _Stop) -> ErrorDocument:
    state = _current()
    if state is None or not stop.retried or state.attempts == 0:
        operation = state.operation if state is not None else "the call"
        region = state.region if state is not None else ""
        return not_attempted_document(operation, region, stop.cause, stop.why)
    # Some attempt was made: the call failed as its last attempt did, and was not retried further.
    code = state.code or "Unknown"
    category = classify(code, state.message, http_status=state.status)
    if category is FailureCategory.FAILED and state.failure:
        category = FailureCategory.UNAVAILABLE
    words = state.failure or _http_words(state.status, code)
    if state.foreign_body:
        words = f"{words}; the body was not an AWS answer ({state.foreign_body})"
    elif state.message and state.message != state.failure:
        words = f"{words}: {one_line(state.message)}"
    message = f"{words} (after {state.attempts} attempt{'s' if state.attempts > 1 else ''}; not retried: {stop.why})"
    return failure_document(code, message, category, state, status=state.status)


def _unparseable(error: Exception) -> ErrorDocument:
    state = _current()
    status = state.status if state is not None else None
    size = state.body_size if state is not None else None
    kind = state.content_type if state is not None and state.content_type else "no content type"
    what = f"HTTP {status}" if status is not None else "an answer"
    detail = f"{kind}, {size} bytes" if size is not None else kind
    message = f"{what} that could not be parsed ({detail}): cut short, or not in AWS's format"
    if state is not None:
        state.guard.record(state.key, f"unparseable HTTP {status}" if status else "unparseable answer")
    del error  # its text holds the raw body: never stored
    return failure_document("ResponseParserError", message, FailureCategory.UNAVAILABLE, state, status=status)


def _botocore_failure(error: botocore.exceptions.BotoCoreError, *, regional: bool) -> ErrorDocument:
    raised = fatal(error)
    if isinstance(raised, CredentialsError) or (isinstance(raised, CollectionError) and not regional):
        raise raised from None
    state = _current()
    code = type(error).__name__
    if isinstance(error, (*TRANSPORT_FAILURES, botocore.exceptions.IncompleteReadError)):
        message = _transport_words(error)
        if state is not None and state.attempts > 1:
            message += f" (after {state.attempts} attempts)"
        return failure_document(code, message, FailureCategory.UNAVAILABLE, state)
    if isinstance(error, botocore.exceptions.ParamValidationError | botocore.exceptions.InvalidRegionError):
        return failure_document(code, one_line(str(error)), FailureCategory.INVALID_INPUT, state)
    return failure_document(code, one_line(str(error)), FailureCategory.FAILED, state)


def failure_document(
    code: str,
    message: str,
    category: FailureCategory,
    state: _Call | None = None,
    *,
    status: int | None = None,
    denied: str | None = None,
    operation: str | None = None,
    region: str | None = None,
    cause: NotAttemptedCause | None = None,
) -> ErrorDocument:
    """The stored document of a failed call: contract §5's ``Code`` and ``Message``, and the edge's fields."""
    error: dict[str, Any] = {"Code": code, "Message": message, "Category": category.value}
    if denied:
        error["DeniedBy"] = denied
    if cause is not None:
        error["Cause"] = cause.value
    operation = operation or (state.operation if state is not None else None)
    region = region or (state.region if state is not None else None)
    if operation:
        error["Operation"] = operation
    if region:
        error["Region"] = region
    if status is not None:
        error["HttpStatus"] = status
    if state is not None and state.attempts:
        error["Attempts"] = state.attempts
    return {"Error": error}


def not_attempted_document(operation: str, region: str, cause: NotAttemptedCause, why: str) -> ErrorDocument:
    return failure_document(
        "NotAttempted",
        f"not attempted: {why}",
        FailureCategory.NOT_ATTEMPTED,
        operation=operation,
        region=region,
        cause=cause,
    )


def restated(document: ErrorDocument, message: str) -> ErrorDocument:
    """The same failure with another ``Message`` (a collector explaining what it means where it is stored)."""
    error = dict(document.get("Error", {}))
    error["Message"] = message
    return {"Error": error}


def _http_words(status: int | None, code: str) -> str:
    if status is None:
        return f"AWS answered {code}"
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    head = f"HTTP {status}" + (f" {reason}" if reason else "")
    return head if code in ("", str(status)) else f"{head} ({code})"


_MARKUP = re.compile(r"<\s*(?:!doctype|html|head|body|title|h1|p|div|pre|br)\b|^b['\"]<", re.IGNORECASE)
MESSAGE_LIMIT = 300


def one_line(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message fit for a finding: one line, at most ``limit`` characters, and never an HTML page."""
    flat = " ".join(str(text).split())
    if _MARKUP.search(flat):
        return ""
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


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
        return CredentialsError(f"incomplete AWS credentials: {one_line(str(error))}")
    said = one_line(str(error)).rstrip(".")
    if isinstance(error, SSO_FAILURES):
        return CredentialsError(f"AWS credentials could not be refreshed: {said}; sign in again (`aws sso login`)")
    if isinstance(error, PROFILE_FAILURES):
        return CredentialsError(
            f"the AWS profile cannot be used: {said}; check the AWS config and credentials files "
            "(`aws configure list-profiles`)"
        )
    if isinstance(error, CREDENTIAL_FAILURES):
        return CredentialsError(f"AWS credentials could not be obtained: {one_line(str(error))}")
    if isinstance(error, botocore.exceptions.InvalidRegionError):
        return UsageError(f"{one_line(str(error))}")
    if isinstance(error, botocore.exceptions.ClientError) and (
        classify(error_code(error), error_message(error)) is FailureCategory.BAD_CREDENTIALS
    ):
        return CredentialsError(
            f"AWS rejected the credentials ({error_code(error)}: {one_line(error_message(error))}); they are "
            "expired or invalid: refresh them and run again"
        )
    if isinstance(error, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectTimeoutError):
        return CollectionError(
            f"cannot reach AWS: {_transport_words(error)}; check the network, --region and AWS_ENDPOINT_URL"
        )
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


def error_fields(document: Any) -> Mapping[str, Any] | None:
    """The ``Error`` object of a stored error document, or None for an answer."""
    if isinstance(document, dict) and set(document) == {"Error"} and isinstance(document["Error"], dict):
        return cast("Mapping[str, Any]", document["Error"])
    return None
