"""The watcher's settings, read from its Lambda environment, and where its approvals document lives.

``ROOTGUARD_WATCH_TOPIC_ARN`` (required): the SNS topic alerts go to. ``ROOTGUARD_WATCH_ACCOUNT_NAMES``: a JSON object
of account id → name. ``ROOTGUARD_WATCH_APPROVALS``: the approvals TOML (contract §6) as ``s3://bucket/key``,
``ssm:<parameter name>`` or a file path; empty for none.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class ApprovalsPlace(StrEnum):
    NONE = "none"
    FILE = "file"
    S3 = "s3"
    SSM = "ssm"


@dataclass(frozen=True)
class ApprovalsSource:
    place: ApprovalsPlace
    location: str = ""
    """A path, ``bucket/key`` or a parameter name."""
    bucket: str = ""
    key: str = ""

    @property
    def label(self) -> str:
        return {
            ApprovalsPlace.NONE: "no approvals configured",
            ApprovalsPlace.FILE: self.location,
            ApprovalsPlace.S3: f"s3://{self.bucket}/{self.key}",
            ApprovalsPlace.SSM: f"SSM parameter {self.location}",
        }[self.place]


@dataclass(frozen=True)
class WatcherConfig:
    topic_arn: str
    approvals: ApprovalsSource
    account_names: Mapping[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()
    """Settings that could not be read; the watcher still alerts and says so in every message."""


def approvals_source(value: str) -> ApprovalsSource:
    value = value.strip()
    if not value:
        return ApprovalsSource(ApprovalsPlace.NONE)
    if value.startswith("s3://"):
        bucket, _, key = value[len("s3://") :].partition("/")
        return ApprovalsSource(ApprovalsPlace.S3, value, bucket=bucket, key=key)
    if value.startswith("ssm:"):
        return ApprovalsSource(ApprovalsPlace.SSM, value[len("ssm:") :])
    return ApprovalsSource(ApprovalsPlace.FILE, value)


def read_config(environment: Mapping[str, str]) -> WatcherConfig:
    problems: list[str] = []
    names: dict[str, str] = {}
    raw_names = environment.get("ROOTGUARD_WATCH_ACCOUNT_NAMES", "").strip()
    if raw_names:
        try:
            parsed = json.loads(raw_names)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()):
            names = parsed
        else:
            problems.append("ROOTGUARD_WATCH_ACCOUNT_NAMES is not a JSON object of account id to name")
    source = approvals_source(environment.get("ROOTGUARD_WATCH_APPROVALS", ""))
    if source.place is ApprovalsPlace.S3 and (not source.bucket or not source.key):
        problems.append(f"ROOTGUARD_WATCH_APPROVALS {source.location!r} needs s3://bucket/key")
    return WatcherConfig(
        topic_arn=environment.get("ROOTGUARD_WATCH_TOPIC_ARN", "").strip(),
        approvals=source,
        account_names=names,
        problems=tuple(problems),
    )
