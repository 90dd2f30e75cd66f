"""boto3 sessions and clients: the standard credential chain, profiles, AWS_ENDPOINT_URL, retries.

This module and the collectors are the only places that import boto3/botocore.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from rootguard import __version__
from rootguard.errors import CollectionError, CredentialsError

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

IAM_PREFIXES = {"monitoring": "cloudwatch"}
"""Services whose IAM action prefix is not their signing name (CloudWatch signs as ``monitoring``)."""


class Aws:
    """A boto3 session with rootguard's client settings; records every API call it makes."""

    def __init__(self, profile: str | None = None, region: str | None = None, recorder: Recorder | None = None) -> None:
        try:
            self.session = boto3.session.Session(profile_name=profile, region_name=region)
        except botocore.exceptions.ProfileNotFound as error:
            raise CredentialsError(f"{error}; list your profiles with `aws configure list-profiles`") from None
        self.region = self.session.region_name or DEFAULT_REGION
        if recorder is not None:
            self.session.events.register("before-call", _record(recorder))

    def client(self, service: str, region: str | None = None, *, max_pool_connections: int | None = None) -> Any:
        """A client for ``service`` in ``region`` (default: the session's Region).

        ``max_pool_connections`` raises botocore's limit of 10 for callers that share one client
        between many threads (clients are thread-safe).
        """
        make: Any = self.session.client  # typed per service literal; rootguard passes a plain str
        config = CLIENT_CONFIG
        if max_pool_connections is not None:
            config = config.merge(botocore.config.Config(max_pool_connections=max_pool_connections))
        return make(service, region_name=region or self.region, config=config)


def _record(recorder: Recorder) -> Callable[..., None]:
    def before_call(model: Any, **_: Any) -> None:
        signing_name = model.service_model.signing_name
        recorder(f"{IAM_PREFIXES.get(signing_name, signing_name)}:{model.name}")

    return before_call


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
