"""Representative EventBridge events of root use, to test rule patterns against (pure data).

Shapes follow research/detections.md §2.1–2.3 and §2.10: CloudTrail records wrapped in the EventBridge
envelope (``source``, ``detail-type``, ``detail``). A rule that claims to watch root must match every
sample of its kind; GuardDuty's root finding is Low severity, which rules filtering on severity miss.
"""

from __future__ import annotations

from typing import Any


def _root(account: str) -> dict[str, Any]:
    return {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root", "accountId": account}


def _envelope(account: str, region: str, source: str, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "7bf73129-1428-4cd3-a780-95db273d1602",
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": "2026-11-17T08:14:52Z",
        "region": region,
        "resources": [],
        "detail": detail,
    }


def _api_call(account: str, region: str, service: str, name: str, *, read_only: bool, key: str) -> dict[str, Any]:
    identity = _root(account) | {"accessKeyId": key}
    if key.startswith("ASIA"):
        identity["sessionContext"] = {"attributes": {"mfaAuthenticated": "true"}}
    detail = {
        "eventVersion": "1.10",
        "userIdentity": identity,
        "eventTime": "2026-11-17T08:14:52Z",
        "eventSource": f"{service}.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "198.51.100.23",
        "userAgent": "aws-cli/2.17.0",
        "readOnly": read_only,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    return _envelope(account, region, f"aws.{service}", "AWS API Call via CloudTrail", detail)


def root_api_calls(account: str, region: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Root write calls a rule must match: a console IAM change and a script launching an instance."""
    return (
        (
            "root console call iam:CreateUser",
            _api_call(account, region, "iam", "CreateUser", read_only=False, key="ASIAEXAMPLE"),
        ),
        (
            "root access-key call ec2:RunInstances",
            _api_call(account, region, "ec2", "RunInstances", read_only=False, key="AKIAEX"),
        ),
    )


def root_read_call(account: str, region: str) -> dict[str, Any]:
    """A read-only root call: EventBridge delivers it only to rules in state ENABLED_WITH_ALL_CLOUDTRAIL_…."""
    return _api_call(account, region, "s3", "ListBuckets", read_only=True, key="AKIAEX")


def root_sign_in(account: str, region: str) -> dict[str, Any]:
    detail = {
        "eventVersion": "1.10",
        "userIdentity": _root(account),
        "eventTime": "2026-11-17T08:14:52Z",
        "eventSource": "signin.amazonaws.com",
        "eventName": "ConsoleLogin",
        "awsRegion": region,
        "sourceIPAddress": "198.51.100.23",
        "userAgent": "Mozilla/5.0",
        "responseElements": {"ConsoleLogin": "Success"},
        "additionalEventData": {"MFAUsed": "Yes", "LoginTo": "https://console.aws.amazon.com/"},
        "eventType": "AwsConsoleSignIn",
        "managementEvent": True,
        "recipientAccountId": account,
        "eventCategory": "Management",
    }
    return _envelope(account, region, "aws.signin", "AWS Console Sign In via CloudTrail", detail)


def root_samples(account: str, region: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """Every event a root-activity rule must match in a Region."""
    return (*root_api_calls(account, region), ("root console sign-in", root_sign_in(account, region)))


def guardduty_root_finding(account: str, region: str) -> dict[str, Any]:
    """GuardDuty's Policy:IAMUser/RootCredentialUsage finding as EventBridge delivers it (severity Low)."""
    detail = {
        "schemaVersion": "2.0",
        "accountId": account,
        "region": region,
        "type": "Policy:IAMUser/RootCredentialUsage",
        "severity": 2,
        "title": "The root credentials were used.",
        "resource": {"resourceType": "AccessKey", "accessKeyDetails": {"userType": "Root", "userName": "Root"}},
        "service": {"serviceName": "guardduty", "action": {"actionType": "AWS_API_CALL"}},
    }
    return _envelope(account, region, "aws.guardduty", "GuardDuty Finding", detail)
