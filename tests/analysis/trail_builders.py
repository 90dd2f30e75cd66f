"""Builders for CloudTrail records in the shapes AWS writes them (see research/detections.md §2).

Tests state what matters to them (``api_call("StopLogging", source=CLOUDTRAIL)``); the rest is a
plausible 2024-shaped root console record.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from rootguard.analysis import analyze
from rootguard.model.activity import Activity, ActivityEvent, TrailRecord
from rootguard.model.approvals import Approval

ACCOUNT = "111122223333"
MEMBER = "444455556666"
MANAGEMENT = "777788889999"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SINCE = T0 - timedelta(days=90)
UNTIL = T0 + timedelta(days=30)
CONSOLE_KEY = "ASIAROOTCONSOLE00001"
ROOT_KEY = "AKIAROOTLONGTERM0001"
IP = "198.51.100.7"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/131.0"

_counter = iter(range(1, 1_000_000))


def at(minutes: float = 0, *, hours: float = 0, days: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, hours=hours, days=days)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def root_identity(
    account: str = ACCOUNT,
    *,
    key: str | None = CONSOLE_KEY,
    mfa: Any = "true",
    **extra: Any,
) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "type": "Root",
        "principalId": account,
        "arn": f"arn:aws:iam::{account}:root",
        "accountId": account,
    }
    if key is not None:
        identity["accessKeyId"] = key
    if mfa is not None:
        identity["sessionContext"] = {
            "sessionIssuer": {},
            "webIdFederationData": {},
            "attributes": {"creationDate": "2026-11-02T08:59:00Z", "mfaAuthenticated": mfa},
        }
    return identity | extra


def api_call(
    name: str = "CreateUser",
    source: str = "iam.amazonaws.com",
    *,
    when: datetime = T0,
    account: str = ACCOUNT,
    identity: dict[str, Any] | None = None,
    parameters: Any = None,
    console: bool = True,
    ip: str = IP,
    agent: str = BROWSER,
    region: str = "us-east-1",
    event_id: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A root API call; from a 2024-style console session unless told otherwise."""
    record: dict[str, Any] = {
        "eventVersion": "1.10",
        "userIdentity": identity if identity is not None else root_identity(account),
        "eventTime": stamp(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": ip,
        "userAgent": agent,
        "requestParameters": parameters,
        "responseElements": None,
        "eventID": event_id or f"evt-{next(_counter):06d}",
        "readOnly": name.startswith(("Get", "List", "Describe", "Lookup")),
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    if console:
        record["sessionCredentialFromConsole"] = "true"
    return record | fields


def sign_in(
    *,
    when: datetime = T0,
    account: str = ACCOUNT,
    ip: str = IP,
    mfa_used: Any = "Yes",
    success: bool = True,
    name: str = "ConsoleLogin",
    event_id: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A root console sign-in event (AWS example shape, 2022)."""
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": root_identity(account, key="", mfa=None),
        "eventTime": stamp(when),
        "eventSource": "signin.amazonaws.com",
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "userAgent": BROWSER,
        "requestParameters": None,
        "responseElements": {name: "Success" if success else "Failure"},
        "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No"},
        "eventID": event_id or f"evt-{next(_counter):06d}",
        "eventType": "AwsConsoleSignIn",
        "recipientAccountId": account,
    }
    if mfa_used is not None:
        record["additionalEventData"]["MFAUsed"] = mfa_used
    if not success:
        record["errorMessage"] = "Failed authentication"
    return record | fields


def assume_root(
    key: str,
    *,
    target: str = MEMBER,
    policy: str = "S3UnlockBucketPolicy",
    when: datetime = T0,
    error: str | None = None,
) -> dict[str, Any]:
    """The management-account side of a centralized root session (IAM UG, "Track privileged tasks")."""
    record: dict[str, Any] = {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:ops",
            "arn": f"arn:aws:sts::{MANAGEMENT}:assumed-role/OrgRootAdmin/ops",
            "accountId": MANAGEMENT,
            "accessKeyId": "ASIACALLER0000000001",
            "sessionContext": {"attributes": {"mfaAuthenticated": "false"}, "assumedRoot": "true"},
        },
        "eventTime": stamp(when),
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRoot",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.10",
        "userAgent": "aws-cli/2.22.0",
        "requestParameters": {
            "targetPrincipal": target,
            "taskPolicyArn": {"arn": f"arn:aws:iam::aws:policy/root-task/{policy}"},
        },
        "responseElements": {
            "credentials": {"accessKeyId": key, "sessionToken": "…", "expiration": "Nov 2, 2026, 9:15:00 AM"}
        },
        "eventID": f"evt-{next(_counter):06d}",
        "eventType": "AwsApiCall",
        "recipientAccountId": MANAGEMENT,
    }
    if error is not None:
        record["errorCode"] = error
        record["responseElements"] = None
    return record


def records(*items: dict[str, Any], source: str = "test.json") -> list[TrailRecord]:
    return [TrailRecord(record=item, source=source) for item in items]


def run(
    *items: dict[str, Any],
    approvals: Sequence[Approval] = (),
    since: datetime = SINCE,
    until: datetime = UNTIL,
) -> Activity:
    return analyze(records(*items), approvals=approvals, since=since, until=until)


def only(*items: dict[str, Any]) -> ActivityEvent:
    """The single root event the records produce (AssumeRoot calls and non-root records add none)."""
    (event,) = run(*items).events
    return event
