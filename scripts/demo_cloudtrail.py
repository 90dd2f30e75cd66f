"""Ninety days of CloudTrail for the demo organisation (imported by build_demo.py).

What a reader of `rootguard activity --demo` should find:
- prod (210987654321): root signs in at the console on 2026-11-17 (with MFA) and does daily admin
  work (creates a user, attaches a policy, reads EC2) and changes its own MFA (a root-only task) with
  no approval; three failed root sign-ins from an unknown address on 2026-11-02; the old root access
  key used from a script on 2026-10-09; an Auto Scaling group created by root long ago keeps
  launching instances (service-invoked); an administrator opens an AssumeRoot session into the
  sandbox on 2026-11-12.
- sandbox (109876543210): the approved break-glass sign-in of 2026-11-06 (CHG-1042) to activate IAM
  access to billing; the AssumeRoot session's DeleteBucketPolicy; an IAM user called "root" (a decoy).
Around them, ordinary role and user traffic, so the root records are needles in a haystack.

The two accounts hold CloudTrail in the two forms a bundle has it, and so show both sides of coverage
(contract §7 ``coverage``):
- prod keeps a copy of the trail's S3 archive: one log file a day per Region, no digest files. Nothing
  proves the hours between deliveries were quiet, so its coverage is incomplete (its root use is found
  and FAILs all the same);
- the sandbox holds what ``rootguard collect`` stores: LookupEvents answers to the three questions
  (``root``, ``console-login``, ``assume-root``) in each enabled Region (us-east-1, eu-west-1), asked
  for the 90 days before collection, as ``aws cloudtrail lookup-events --output json`` prints them.
  They cover the whole window, so its "no unapproved root activity" is a PASS. The IAM user called
  "root" answers the ``root`` question too: event history matches user names, not identities.
"""

from __future__ import annotations

import gzip
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

PROD, SANDBOX = "210987654321", "109876543210"
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
ASSUME_ROOT_KEY = "ASIAEXAMPLEASSUMEROOT"
CONSOLE_KEY = "ASIAEXAMPLECONSOLE001"
ROOT_KEY = "AKIAEXAMPLEROOTKEY01"

_rng = random.Random(20261120)


def _id() -> str:
    return str(uuid.UUID(int=_rng.getrandbits(128), version=4))


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def record(
    when: datetime, account: str, source: str, name: str, identity: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    base: dict[str, Any] = {
        "eventVersion": "1.10",
        "userIdentity": identity,
        "eventTime": _iso(when),
        "eventSource": source,
        "eventName": name,
        "awsRegion": extra.pop("region", "us-east-1"),
        "sourceIPAddress": extra.pop("ip", "198.51.100.23"),
        "userAgent": extra.pop("agent", BROWSER),
        "requestParameters": extra.pop("request", None),
        "responseElements": extra.pop("response", None),
        "requestID": _id(),
        "eventID": _id(),
        "readOnly": extra.pop("read_only", False),
        "eventType": extra.pop("event_type", "AwsApiCall"),
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    base.update(extra)
    return base


def root_identity(account: str, key: str | None = None, mfa: str | None = None, **extra: Any) -> dict[str, Any]:
    identity: dict[str, Any] = {
        "type": "Root",
        "principalId": account,
        "arn": f"arn:aws:iam::{account}:root",
        "accountId": account,
    }
    if key:
        identity["accessKeyId"] = key
    if mfa is not None:
        identity["sessionContext"] = {"attributes": {"creationDate": "2026-11-17T08:14:53Z", "mfaAuthenticated": mfa}}
    identity.update(extra)
    return identity


def console_login(when: datetime, account: str, ip: str, *, success: bool, mfa: str) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if not success:
        extra["errorMessage"] = "Failed authentication"
    return record(
        when,
        account,
        "signin.amazonaws.com",
        "ConsoleLogin",
        root_identity(account),
        ip=ip,
        response={"ConsoleLogin": "Success" if success else "Failure"},
        additionalEventData={
            "LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No",
            "MFAUsed": mfa,
        },
        event_type="AwsConsoleSignIn",
        **extra,
    )


def prod_root() -> list[dict[str, Any]]:
    login = _t("2026-11-17T08:14:52Z")
    console = root_identity(PROD, CONSOLE_KEY, "true")
    session = {"sessionCredentialFromConsole": "true"}
    events = [
        console_login(login, PROD, "198.51.100.23", success=True, mfa="Yes"),
        record(
            login + timedelta(minutes=3),
            PROD,
            "iam.amazonaws.com",
            "CreateUser",
            console,
            request={"userName": "ops-temp"},
            **session,
        ),
        record(
            login + timedelta(minutes=4),
            PROD,
            "iam.amazonaws.com",
            "AttachUserPolicy",
            console,
            request={"userName": "ops-temp", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
            **session,
        ),
        record(
            login + timedelta(minutes=9),
            PROD,
            "ec2.amazonaws.com",
            "DescribeInstances",
            console,
            region="eu-west-1",
            read_only=True,
            **session,
        ),
        record(
            login + timedelta(minutes=14),
            PROD,
            "iam.amazonaws.com",
            "EnableMFADevice",
            console,
            request={"userName": "AWS ROOT USER", "serialNumber": f"arn:aws:iam::{PROD}:mfa/root-account-mfa-device"},
            **session,
        ),
    ]
    events += [
        console_login(
            _t("2026-11-02T03:12:07Z") + timedelta(seconds=40 * i), PROD, "203.0.113.66", success=False, mfa="No"
        )
        for i in range(3)
    ]
    key = root_identity(PROD, ROOT_KEY)
    events += [
        record(
            _t("2026-10-09T06:01:00Z") + timedelta(seconds=5 * i),
            PROD,
            "ec2.amazonaws.com",
            name,
            key,
            region="eu-west-1",
            ip="192.0.2.44",
            agent="aws-cli/2.17.0 Python/3.11 Linux/6.1 exe/x86_64",
            read_only=True,
        )
        for i, name in enumerate(("DescribeInstances", "DescribeVolumes", "DescribeSnapshots"))
    ]
    asg = root_identity(PROD, invokedBy="autoscaling.amazonaws.com")
    events += [
        record(
            _t("2026-10-21T04:00:00Z") + timedelta(days=3 * i),
            PROD,
            "ec2.amazonaws.com",
            "RunInstances",
            asg,
            ip="autoscaling.amazonaws.com",
            agent="autoscaling.amazonaws.com",
        )
        for i in range(10)
    ]
    admin = {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEADMIN0001:alice",
        "arn": f"arn:aws:sts::{PROD}:assumed-role/OrgAdmin/alice",
        "accountId": PROD,
        "sessionContext": {"attributes": {"mfaAuthenticated": "true"}, "assumedRoot": "false"},
    }
    events.append(
        record(
            _t("2026-11-12T10:00:02Z"),
            PROD,
            "sts.amazonaws.com",
            "AssumeRoot",
            admin,
            ip="198.51.100.23",
            request={
                "targetPrincipal": SANDBOX,
                "taskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
            },
            response={"credentials": {"accessKeyId": ASSUME_ROOT_KEY, "expiration": "Nov 12, 2026, 10:15:02 AM"}},
        )
    )
    return events


def sandbox_root() -> list[dict[str, Any]]:
    login = _t("2026-11-06T14:03:10Z")
    console = root_identity(SANDBOX, "ASIAEXAMPLECONSOLE002", "true")
    return [
        console_login(login, SANDBOX, "198.51.100.23", success=True, mfa="Yes"),
        record(
            login + timedelta(minutes=2),
            SANDBOX,
            "billingconsole.amazonaws.com",
            "SetIAMAccessPreference",
            console,
            event_type="AwsConsoleAction",
            sessionCredentialFromConsole="true",
        ),
        record(
            _t("2026-11-12T10:01:10Z"),
            SANDBOX,
            "s3.amazonaws.com",
            "DeleteBucketPolicy",
            root_identity(SANDBOX, ASSUME_ROOT_KEY, "false"),
            ip="198.51.100.23",
            agent="aws-cli/2.22.0 Python/3.12 Darwin/24 exe/x86_64",
            request={"bucketName": "sandbox-locked-bucket"},
        ),
    ]


def noise(account: str, start: datetime, days: int, per_day: int) -> list[dict[str, Any]]:
    """Ordinary traffic: roles polling, users clicking, services acting. One IAM user is named root."""
    roles = ["Deployer", "ReadOnlyAudit", "LambdaExec", "Root-Backup-Role"]
    users = ["alice", "ci-deploy", "root"] if account == SANDBOX else ["alice", "ci-deploy", "rootops"]
    calls = [
        ("ec2.amazonaws.com", "DescribeInstances", True),
        ("s3.amazonaws.com", "GetObject", True),
        ("lambda.amazonaws.com", "Invoke", False),
        ("iam.amazonaws.com", "GetRole", True),
        ("sts.amazonaws.com", "AssumeRole", False),
        ("logs.amazonaws.com", "PutLogEvents", False),
    ]
    out = []
    for day in range(days):
        for _ in range(per_day):
            when = start + timedelta(days=day, seconds=_rng.randrange(86400))
            source, name, read_only = _rng.choice(calls)
            if _rng.random() < 0.7:
                role = _rng.choice(roles)
                identity: dict[str, Any] = {
                    "type": "AssumedRole",
                    "principalId": f"AROAEXAMPLE{role.upper()[:8]}:session",
                    "arn": f"arn:aws:sts::{account}:assumed-role/{role}/session",
                    "accountId": account,
                    "sessionContext": {
                        "sessionIssuer": {"type": "Role", "userName": role},
                        "attributes": {"mfaAuthenticated": "false"},
                    },
                }
            else:
                user = _rng.choice(users)
                identity = {
                    "type": "IAMUser",
                    "principalId": "AIDAEXAMPLE",
                    "arn": f"arn:aws:iam::{account}:user/{user}",
                    "accountId": account,
                    "userName": user,
                }
            out.append(
                record(
                    when,
                    account,
                    source,
                    name,
                    identity,
                    ip=f"10.0.{_rng.randrange(256)}.{_rng.randrange(256)}",
                    agent="Boto3/1.35.0",
                    read_only=read_only,
                    request={"note": "type Root appears here only as text", "roleName": "Root"}
                    if _rng.random() < 0.01
                    else None,
                )
            )
    return out


def delivered_files(account: str, records: list[dict[str, Any]]) -> dict[str, bytes]:
    """Group records into daily delivered log files, gzip'd as CloudTrail delivers them."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for item in sorted(records, key=lambda r: r["eventTime"]):
        when = datetime.fromisoformat(item["eventTime"].replace("Z", "+00:00")).astimezone(UTC)
        groups.setdefault((item["awsRegion"], when.strftime("%Y%m%dT2355Z")), []).append(item)
    out: dict[str, bytes] = {}
    for (region, stamp), items in sorted(groups.items()):
        day = f"{stamp[0:4]}/{stamp[4:6]}/{stamp[6:8]}"
        name = (
            f"{account}/cloudtrail-logs/AWSLogs/{account}/CloudTrail/{region}/{day}/"
            f"{account}_CloudTrail_{region}_{stamp}_{_rng.getrandbits(64):016X}.json.gz"
        )
        out[name] = gzip.compress(json.dumps({"Records": items}, separators=(",", ":")).encode(), mtime=0)
    return out


COLLECTED_AT = _t("2026-11-20T12:00:00Z")
SANDBOX_REGIONS = ("eu-west-1", "us-east-1")
"""The sandbox's enabled Regions: the Region folders of its bundle."""
QUESTIONS = (
    ("root", lambda item: _username(item) == "root"),
    ("console-login", lambda item: item["eventName"] == "ConsoleLogin"),
    ("assume-root", lambda item: item["eventName"] == "AssumeRoot"),
)


def _username(item: dict[str, Any]) -> str:
    """The user name event history shows: "root" for the root user, else the IAM user or role session."""
    identity = item["userIdentity"]
    if identity["type"] == "Root":
        return "root"
    if identity["type"] == "IAMUser":
        return str(identity.get("userName", ""))
    return str(identity["arn"].rsplit("/", 1)[-1])


def lookup_answers(account: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """What ``rootguard collect`` stores: every question in every enabled Region, newest event first, over
    the 90 days LookupEvents keeps before collection."""
    since = COLLECTED_AT - timedelta(days=90)
    kept = [item for item in records if since <= _t(item["eventTime"]) <= COLLECTED_AT]
    kept.sort(key=lambda item: (item["eventTime"], item["eventID"]), reverse=True)
    out: dict[str, Any] = {}
    for region in SANDBOX_REGIONS:
        for question, asks in QUESTIONS:
            events = [_event(item) for item in kept if item["awsRegion"] == region and asks(item)]
            out[f"{account}/cloudtrail-logs/lookup-events/{region}/{question}.json"] = {"Events": events}
    return out


def _event(item: dict[str, Any]) -> dict[str, Any]:
    """One LookupEvents event as the AWS CLI prints it (dates as text)."""
    event: dict[str, Any] = {
        "EventId": item["eventID"],
        "EventName": item["eventName"],
        "ReadOnly": "true" if item.get("readOnly") else "false",
        "EventTime": _t(item["eventTime"]).isoformat(),
        "EventSource": item["eventSource"],
        "Username": _username(item),
        "Resources": [],
        "CloudTrailEvent": json.dumps(item, separators=(",", ":")),
    }
    key = item["userIdentity"].get("accessKeyId")
    if key:
        event["AccessKeyId"] = key
    return event


def demo_cloudtrail() -> dict[str, Any]:
    # Ninety days of logs before collection, so the default 90-day window is covered from its first day.
    start = _t("2026-08-22T00:00:00Z")
    files: dict[str, Any] = {}
    files.update(delivered_files(PROD, prod_root() + noise(PROD, start, 91, 10)))
    files.update(lookup_answers(SANDBOX, sandbox_root() + noise(SANDBOX, start, 91, 4)))
    return files
