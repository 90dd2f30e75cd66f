"""Builders for CloudTrail records and the containers they travel in (contract §5)."""

from __future__ import annotations

import gzip
import itertools
import json
from typing import Any

ACCOUNT = "123456789012"
_ids = itertools.count(1)


def record(
    identity: str | None = "IAMUser",
    *,
    event_name: str = "DescribeInstances",
    event_source: str = "ec2.amazonaws.com",
    user_name: str | None = "alice",
    time: str = "2026-11-02T09:15:00Z",
    **extra: Any,
) -> dict[str, Any]:
    """A record; ``identity=None`` gives a userIdentity without ``type`` (as some service events have)."""
    number = next(_ids)
    who: dict[str, Any] = {"principalId": f"AIDA{number:016d}", "accountId": ACCOUNT}
    if identity is not None:
        who["type"] = identity
    if identity == "Root":
        who["arn"] = f"arn:aws:iam::{ACCOUNT}:root"
    elif user_name is not None:
        who["arn"] = f"arn:aws:iam::{ACCOUNT}:user/{user_name}"
        who["userName"] = user_name
    return {
        "eventVersion": "1.09",
        "userIdentity": who,
        "eventTime": time,
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "192.0.2.10",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": None,
        "responseElements": None,
        "eventID": f"00000000-0000-4000-8000-{number:012d}",
        "eventType": "AwsApiCall",
        "recipientAccountId": ACCOUNT,
    } | extra


def root(**kwargs: Any) -> dict[str, Any]:
    return record("Root", **kwargs)


def assume_root(identity: str = "AssumedRole") -> dict[str, Any]:
    return record(
        identity,
        event_name="AssumeRoot",
        event_source="sts.amazonaws.com",
        requestParameters={
            "targetPrincipal": "210987654321",
            "taskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"},
        },
    )


def decoys() -> list[dict[str, Any]]:
    """Records that mention Root in every way that is not the root user."""
    role = record("AssumedRole", user_name=None)
    role["userIdentity"]["arn"] = f"arn:aws:sts::{ACCOUNT}:assumed-role/Root/session"
    role["userIdentity"]["sessionContext"] = {"sessionIssuer": {"type": "Role", "userName": "Root"}}
    return [
        record("IAMUser", user_name="Root"),
        record("IAMUser", user_name="root"),
        role,
        record(requestParameters={"type": "Root", "name": "Root"}),
        record(requestParameters={"userIdentity": {"type": "Root"}}),
        record(requestParameters={"policy": json.dumps({"userIdentity": {"type": "Root"}})}),
        record(None, event_name="RotateKey", event_source="kms.amazonaws.com", eventType="AwsServiceEvent"),
        record("AWSService", event_name="AssumeRoot", event_source="iam.amazonaws.com"),  # not STS
        {k: v for k, v in record().items() if k != "userIdentity"},
    ]


def delivered(records: list[dict[str, Any]], **dumps: Any) -> bytes:
    return json.dumps({"Records": records}, **dumps).encode()


def lookup(records: list[dict[str, Any]]) -> bytes:
    events = [
        {
            "EventId": r["eventID"],
            "EventName": r["eventName"],
            "Username": r["userIdentity"].get("userName", "root"),
            "CloudTrailEvent": json.dumps(r),
        }
        for r in records
    ]
    return json.dumps({"Events": events}, indent=4).encode()


def eventbridge(one: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "AWS API Call via CloudTrail",
        "source": "aws.ec2",
        "account": ACCOUNT,
        "time": one["eventTime"],
        "region": "us-east-1",
        "resources": [],
        "detail": one,
    }


def log_events(records: list[dict[str, Any]]) -> bytes:
    return json.dumps(
        {
            "messageType": "DATA_MESSAGE",
            "owner": ACCOUNT,
            "logGroup": "aws-cloudtrail-logs",
            "logStream": f"{ACCOUNT}_CloudTrail_us-east-1",
            "subscriptionFilters": ["all"],
            "logEvents": [{"id": str(n), "timestamp": 0, "message": json.dumps(r)} for n, r in enumerate(records)],
        }
    ).encode()


def json_lines(values: list[Any]) -> bytes:
    return b"\n".join(json.dumps(v).encode() for v in values) + b"\n"


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def digest() -> bytes:
    return json.dumps(
        {
            "awsAccountId": ACCOUNT,
            "digestStartTime": "2026-11-02T08:00:00Z",
            "digestEndTime": "2026-11-02T09:00:00Z",
            "digestS3Bucket": "trail-bucket",
            "digestS3Object": "AWSLogs/…/CloudTrail-Digest/…json.gz",
            "logFiles": [{"s3Bucket": "trail-bucket", "s3Object": "AWSLogs/x.json.gz", "hashValue": "ab"}],
        }
    ).encode()


def insight() -> dict[str, Any]:
    return {
        "eventVersion": "1.08",
        "eventTime": "2026-11-02T09:00:00Z",
        "awsRegion": "us-east-1",
        "eventID": "insight-1",
        "eventType": "AwsCloudTrailInsight",
        "recipientAccountId": ACCOUNT,
        "sharedEventID": "s-1",
        "insightDetails": {"state": "Start", "eventSource": "iam.amazonaws.com", "eventName": "GetRole"},
        "eventCategory": "Insight",
    }


def event_ids(scan: Any) -> list[str]:
    return [r.record["eventID"] for r in scan.root_records]
