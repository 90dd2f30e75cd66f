"""EventBridge envelopes for the watcher tests, built from AWS documentation examples.

The CloudTrail records are the documentation's own (tests/fixtures/cloudtrail-public/SOURCES.md lists the
pages); the envelope is the one the EventBridge user guide shows ("AWS Console Sign In via CloudTrail"
example, EventTypes.md): ``version``, ``id``, ``detail-type``, ``source``, ``account``, ``time``,
``region``, ``resources``, ``detail``. The AssumeRoot pair follows the IAM User Guide page "Track
privileged tasks in AWS CloudTrail" (field values from its examples; research/detections.md §2.9).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DOCS = Path(__file__).parent / "fixtures" / "cloudtrail-public" / "docs"
REAL = Path(__file__).parent / "fixtures" / "cloudtrail-public" / "real"
SIGN_IN_PAGE = "awsdocs-aws-cloudtrail-user-guide__cloudtrail-event-reference-aws-console-sign-in-events"

MEMBER = "111122223333"
MANAGEMENT = "444455556666"
SESSION_KEY = "ASIAIOSFODNN7EXAMPLE"


def record(name: str, folder: Path = DOCS) -> dict[str, Any]:
    found = json.loads((folder / name).read_text())
    if "Records" in found:
        return found["Records"][0]
    return found.get("detail", found)


def envelope(detail: dict[str, Any], detail_type: str, *, source: str, event_id: str = "0") -> dict[str, Any]:
    account = detail.get("recipientAccountId") or detail["userIdentity"].get("accountId", MEMBER)
    return {
        "version": "0",
        "id": f"6f87d04b-9f74-4f04-a780-7acf4b0a9b{int(event_id):02d}",
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": detail["eventTime"],
        "region": detail.get("awsRegion", "us-east-1"),
        "resources": [],
        "detail": detail,
    }


def sign_in_without_mfa() -> dict[str, Any]:
    return envelope(
        record(f"{SIGN_IN_PAGE}__L215__Root__ConsoleLogin.json"),
        "AWS Console Sign In via CloudTrail",
        source="aws.signin",
    )


def sign_in_with_mfa() -> dict[str, Any]:
    # The EventBridge guide's spelling of the detail type; delivered events use "Sign In".
    return envelope(
        record(f"{SIGN_IN_PAGE}__L250__Root__ConsoleLogin.json"),
        "AWS Console Signin via CloudTrail",
        source="aws.signin",
        event_id="1",
    )


def failed_sign_in() -> dict[str, Any]:
    return envelope(
        record(f"{SIGN_IN_PAGE}__L286__Root__ConsoleLogin.json"),
        "AWS Console Sign In via CloudTrail",
        source="aws.signin",
        event_id="2",
    )


CREATE_BUCKET = "awsdocs-amazon-cloudwatch-events-user-guide__EventTypes__L3127__Root__CreateBucket.json"
TERMINATE_INSTANCES = "awsdocs-amazon-ec2-user-guide__monitor-with-cloudtrail__L32__Root__TerminateInstances.json"
GUIDE_SIGN_IN = "awsdocs-amazon-cloudwatch-events-user-guide__EventTypes__L2020__Root__ConsoleLogin.json"


def root_api_call() -> dict[str, Any]:
    """The EventBridge guide's root ``CreateBucket`` example, as delivered (already an envelope)."""
    return json.loads(
        (DOCS / "awsdocs-amazon-cloudwatch-events-user-guide__EventTypes__L3127__Root__CreateBucket.json").read_text()
    )


def root_access_key_call() -> dict[str, Any]:
    found = json.loads(
        (
            DOCS / "awsdocs-amazon-ec2-user-guide__monitor-with-cloudtrail__L32__Root__TerminateInstances.json"
        ).read_text()
    )
    return envelope(found["Records"][0], "AWS API Call via CloudTrail", source="aws.ec2", event_id="3")


def service_invoked() -> dict[str, Any]:
    """A real root record with ``invokedBy: autoscaling.amazonaws.com`` (cloud-custodian test data)."""
    return envelope(
        record("cloud-custodian__event-cloud-trail-run-instances.json", REAL),
        "AWS API Call via CloudTrail",
        source="aws.ec2",
        event_id="4",
    )


def assume_root_call() -> dict[str, Any]:
    """The management account's ``AssumeRoot`` event ("Track privileged tasks in AWS CloudTrail")."""
    detail = {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAIOSFODNN7EXAMPLE:platform-oncall",
            "arn": f"arn:aws:sts::{MANAGEMENT}:assumed-role/RootTaskOperator/platform-oncall",
            "accountId": MANAGEMENT,
            "accessKeyId": "ASIAOPERATOREXAMPLE1",
            "sessionContext": {"attributes": {"mfaAuthenticated": "false", "creationDate": "2024-11-14T20:17:30Z"}},
        },
        "eventTime": "2024-11-14T20:18:07Z",
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRoot",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.22.0 md/awscrt#0.22.0 ua/2.0 os/linux",
        "requestParameters": {
            "targetPrincipal": MEMBER,
            "taskPolicyArn": {"arn": "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"},
        },
        "responseElements": {
            "credentials": {
                "accessKeyId": SESSION_KEY,
                "sessionToken": "<session token>",
                "expiration": "Nov 14, 2024, 8:33:07 PM",
            }
        },
        "eventID": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111",
        "readOnly": True,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": MANAGEMENT,
        "eventCategory": "Management",
    }
    return envelope(detail, "AWS API Call via CloudTrail", source="aws.sts", event_id="5")


def assume_root_session_call() -> dict[str, Any]:
    """The member account's record of that session: type Root, signed with the returned key."""
    detail = {
        "eventVersion": "1.10",
        "userIdentity": {
            "type": "Root",
            "principalId": MEMBER,
            "arn": f"arn:aws:iam::{MEMBER}:root",
            "accountId": MEMBER,
            "accessKeyId": SESSION_KEY,
            "sessionContext": {"attributes": {"creationDate": "2024-11-14T20:18:07Z", "mfaAuthenticated": "false"}},
        },
        "eventTime": "2024-11-14T20:19:01Z",
        "eventSource": "s3.amazonaws.com",
        "eventName": "DeleteBucketPolicy",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "[aws-cli/2.22.0 md/awscrt#0.22.0 ua/2.0 os/linux]",
        "requestParameters": {
            "bucketName": "amzn-s3-demo-bucket",
            "Host": "amzn-s3-demo-bucket.s3.amazonaws.com",
            "policy": "",
        },
        "responseElements": None,
        "eventID": "a1b2c3d4-5678-90ab-cdef-EXAMPLE22222",
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": MEMBER,
        "eventCategory": "Management",
    }
    return envelope(detail, "AWS API Call via CloudTrail", source="aws.s3", event_id="6")


APPROVALS_TOML = f"""
[[approval]]
ticket = "CHG-2041"
start = "2016-01-05T18:00:00Z"
end = "2016-01-05T20:00:00Z"
accounts = ["123456789012"]
reason = "break-glass: restore the billing contact"
approved_by = "alice@example.com"

[[approval]]
ticket = "CHG-9999"
start = "2030-01-01T00:00:00Z"
end = "2030-01-02T00:00:00Z"
accounts = ["{MEMBER}"]
reason = "never matches the examples"
approved_by = "bob@example.com"
"""


def approved_break_glass_sign_in() -> dict[str, Any]:
    """The EventBridge guide's root sign-in (2016-01-05T18:21:27Z, 123456789012): inside CHG-2041."""
    return json.loads(
        (DOCS / "awsdocs-amazon-cloudwatch-events-user-guide__EventTypes__L2020__Root__ConsoleLogin.json").read_text()
    )


def self_test(test_id: str = "rg-test-0001") -> dict[str, Any]:
    return {
        "version": "0",
        "id": "11111111-2222-3333-4444-555555555555",
        "detail-type": "rootguard watch self-test",
        "source": "rootguard.test",
        "account": MEMBER,
        "time": "2026-12-07T15:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": {"test_id": test_id, "sent_at": "2026-12-07T15:00:00Z", "note": "synthetic; not root activity"},
    }


def sns_wrapped(event: dict[str, Any]) -> dict[str, Any]:
    """How SNS delivers a message to an SQS queue without raw delivery."""
    return {
        "Type": "Notification",
        "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
        "TopicArn": f"arn:aws:sns:us-east-1:{MEMBER}:root-activity",
        "Message": json.dumps(event),
        "Timestamp": "2026-12-07T15:00:01.000Z",
        "SignatureVersion": "1",
    }


def lambda_sqs_batch(*bodies: str) -> dict[str, Any]:
    return {
        "Records": [
            {"messageId": f"m{index}", "eventSource": "aws:sqs", "body": body} for index, body in enumerate(bodies)
        ]
    }


def mutated(event: dict[str, Any], **changes: Any) -> dict[str, Any]:
    copied = copy.deepcopy(event)
    copied.update(changes)
    return copied
