"""Classifier: one record in, category / task / MFA / flags out; every decoy in research §2 included."""

from __future__ import annotations

from typing import Any

import pytest
from trail_builders import (
    ACCOUNT,
    CONSOLE_KEY,
    MEMBER,
    ROOT_KEY,
    api_call,
    assume_root,
    only,
    root_identity,
    run,
    sign_in,
)

from rootguard.analysis import Flag
from rootguard.model.activity import Category

C = Category
SESSION_KEY = "ASIAASSUMEDROOT00001"


def old_console(name: str = "DescribeInstances", source: str = "ec2.amazonaws.com", **kw: Any) -> dict[str, Any]:
    """≈2016–2020 console call: invokedBy and userAgent both signin.amazonaws.com, no sessionCredentialFromConsole."""
    identity = root_identity(invokedBy="signin.amazonaws.com", mfa="false")
    return api_call(name, source, identity=identity, console=False, agent="signin.amazonaws.com", **kw)


def service(invoked_by: str = "autoscaling.amazonaws.com", name: str = "RunInstances", **kw: Any) -> dict[str, Any]:
    identity = root_identity(key=None, mfa=None, invokedBy=invoked_by)
    return api_call(name, "ec2.amazonaws.com", identity=identity, console=False, ip=invoked_by, agent=invoked_by, **kw)


CATEGORY_CASES: list[tuple[str, list[dict[str, Any]], Category, str | None]] = [
    ("console sign-in", [sign_in()], C.SIGN_IN, None),
    ("CheckMfa step", [sign_in(name="CheckMfa")], C.SIGN_IN, None),
    ("external IdP sign-in", [sign_in(name="ExternalIdPDirectoryLogin")], C.SIGN_IN, None),
    ("failed sign-in, AWS example", [sign_in(success=False)], C.SIGN_IN_FAILURE, None),
    (
        "failed sign-in, response element only",
        [sign_in(responseElements={"ConsoleLogin": "Failure"})],
        C.SIGN_IN_FAILURE,
        None,
    ),
    ("failed sign-in, error message only", [sign_in(responseElements=None, errorMessage="x")], C.SIGN_IN_FAILURE, None),
    (
        "password change is a task, not a sign-in",
        [sign_in(name="PasswordUpdated")],
        C.ROOT_ONLY_TASK,
        "Change the root user password",
    ),
    ("2024 console call", [api_call("CreateUser")], C.AVOIDABLE, None),
    ("old console shape is a person", [old_console()], C.AVOIDABLE, None),
    (
        "old console shape, root-only task",
        [old_console("CreateAccessKey", "iam.amazonaws.com")],
        C.ROOT_ONLY_TASK,
        "Manage the root user's access keys",
    ),
    ("autoscaling acting for root", [service()], C.SERVICE_INVOKED, None),
    ("AWS Internal", [service("AWS Internal", "RotateKey")], C.SERVICE_INVOKED, None),
    (
        "AwsServiceEvent without invokedBy",
        [api_call("RotateKey", "kms.amazonaws.com", eventType="AwsServiceEvent")],
        C.SERVICE_INVOKED,
        None,
    ),
    (
        "service edit of a bucket policy is not a root-only task",
        [service("cloudformation.amazonaws.com", "PutBucketPolicy")],
        C.SERVICE_INVOKED,
        None,
    ),
    (
        "console credential used by a service is still a person",
        [api_call("CreateStack", identity=root_identity(invokedBy="cloudformation.amazonaws.com"))],
        C.AVOIDABLE,
        None,
    ),
    (
        "root access key",
        [api_call("TerminateInstances", identity=root_identity(key=ROOT_KEY, mfa=None), console=False)],
        C.AVOIDABLE,
        None,
    ),
    (
        "root access key, root-only task",
        [api_call("DeleteAccessKey", identity=root_identity(key=ROOT_KEY))],
        C.ROOT_ONLY_TASK,
        "Manage the root user's access keys",
    ),
    (
        "assumedRoot flag (string)",
        [
            api_call(
                "DeleteBucketPolicy",
                "s3.amazonaws.com",
                identity=root_identity(MEMBER, key="ASIAX", sessionContext={"assumedRoot": "true"}),
            )
        ],
        C.ASSUMED_ROOT,
        "Edit or delete an S3 bucket policy that denies all principals",
    ),
    (
        "assumedRoot flag (boolean)",
        [
            api_call(
                "ListBuckets",
                "s3.amazonaws.com",
                identity=root_identity(MEMBER, key="ASIAX", sessionContext={"assumedRoot": True}),
            )
        ],
        C.ASSUMED_ROOT,
        None,
    ),
    (
        "AssumeRoot key correlation",
        [
            assume_root(SESSION_KEY),
            api_call(
                "DeleteBucketPolicy",
                "s3.amazonaws.com",
                account=MEMBER,
                identity=root_identity(MEMBER, key=SESSION_KEY, mfa="false"),
                console=False,
            ),
        ],
        C.ASSUMED_ROOT,
        "Edit or delete an S3 bucket policy that denies all principals",
    ),
    (
        "sign-in with AssumeRoot credentials is not a password use",
        [
            assume_root(SESSION_KEY),
            sign_in(account=MEMBER, userIdentity=root_identity(MEMBER, key=SESSION_KEY, mfa=None)),
        ],
        C.ASSUMED_ROOT,
        None,
    ),
    (
        "a failed AssumeRoot returned no key",
        [
            assume_root(SESSION_KEY, error="AccessDenied"),
            api_call("DeleteBucketPolicy", "s3.amazonaws.com", identity=root_identity(MEMBER, key=SESSION_KEY)),
        ],
        C.ROOT_ONLY_TASK,
        "Edit or delete an S3 bucket policy that denies all principals",
    ),
    (
        "IAM user's access key by root",
        [api_call("CreateAccessKey", parameters={"userName": "alice"})],
        C.AVOIDABLE,
        None,
    ),
    (
        "IAM policy edit by root",
        [api_call("AttachUserPolicy", parameters={"userName": "alice", "policyArn": "arn"})],
        C.AVOIDABLE,
        None,
    ),
    (
        "billing contact in an AwsConsoleSignIn event",
        [api_call("SetContactAddress", "billingconsole.amazonaws.com", eventType="AwsConsoleSignIn")],
        C.AVOIDABLE,
        None,
    ),
]


@pytest.mark.parametrize(
    ("items", "category", "task"), [c[1:] for c in CATEGORY_CASES], ids=[c[0] for c in CATEGORY_CASES]
)
def test_category_and_task(items: list[dict[str, Any]], category: Category, task: str | None) -> None:
    event = only(*items)
    assert event.category is category
    assert event.root_only_task == task


NOT_ROOT: list[tuple[str, dict[str, Any]]] = [
    (
        "IAM user named root",
        api_call(
            identity={
                "type": "IAMUser",
                "arn": f"arn:aws:iam::{ACCOUNT}:user/root",
                "userName": "root",
                "accountId": ACCOUNT,
            }
        ),
    ),
    (
        "role named Root",
        api_call(
            identity={
                "type": "AssumedRole",
                "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Root/alice",
                "accountId": ACCOUNT,
                "sessionContext": {"sessionIssuer": {"type": "Role", "userName": "Root"}},
            }
        ),
    ),
    (
        "Root inside requestParameters",
        api_call(
            "CreateRole",
            identity={"type": "IAMUser", "arn": f"arn:aws:iam::{ACCOUNT}:user/alice", "accountId": ACCOUNT},
            parameters={"roleName": "Root", "userIdentity": {"type": "Root"}},
        ),
    ),
    ("identity type in another case", api_call(identity={"type": "root", "arn": f"arn:aws:iam::{ACCOUNT}:root"})),
    (
        "AwsServiceEvent without a type",
        api_call("RotateKey", identity={"accountId": ACCOUNT, "invokedBy": "AWS Internal"}),
    ),
    ("no userIdentity at all", {"eventTime": "2026-11-02T09:00:00Z", "eventName": "X"}),
    ("userIdentity is a string", api_call(identity="Root")),  # type: ignore[arg-type]
    ("the AssumeRoot call itself", assume_root(SESSION_KEY)),
]


@pytest.mark.parametrize("item", [c[1] for c in NOT_ROOT], ids=[c[0] for c in NOT_ROOT])
def test_decoys_are_not_root_events(item: dict[str, Any]) -> None:
    assert run(item).events == ()


MFA_CASES: list[tuple[str, dict[str, Any], bool | None]] = [
    ("MFAUsed Yes", sign_in(mfa_used="Yes"), True),
    ("MFAUsed No", sign_in(mfa_used="No"), False),
    ("MFAUsed YES (AWS example)", sign_in(mfa_used="YES"), True),
    ("MFAUsed true (boolean)", sign_in(mfa_used=True), True),
    ("MFAUsed false (boolean)", sign_in(mfa_used=False), False),
    ("MFAUsed absent", sign_in(mfa_used=None), None),
    ("MFAUsed nonsense", sign_in(mfa_used="maybe"), None),
    ("mfaAuthenticated true", api_call(identity=root_identity(mfa="true")), True),
    ("mfaAuthenticated false", api_call(identity=root_identity(mfa="false")), False),
    ("mfaAuthenticated True", api_call(identity=root_identity(mfa="True")), True),
    ("mfaAuthenticated boolean", api_call(identity=root_identity(mfa=True)), True),
    ("mfaAuthenticated boolean false", api_call(identity=root_identity(mfa=False)), False),
    ("no session context", api_call(identity=root_identity(mfa=None)), None),
]


@pytest.mark.parametrize(("item", "mfa"), [c[1:] for c in MFA_CASES], ids=[c[0] for c in MFA_CASES])
def test_mfa_spellings(item: dict[str, Any], mfa: bool | None) -> None:
    assert only(item).mfa is mfa


CT, GD, CFG = "cloudtrail.amazonaws.com", "guardduty.amazonaws.com", "config.amazonaws.com"
CHANGES = [
    (CT, "StopLogging"),
    (CT, "DeleteTrail"),
    (CT, "UpdateTrail"),
    (CT, "PutEventSelectors"),
    (CT, "PutInsightSelectors"),
    (GD, "DeleteDetector"),
    (GD, "UpdateDetector"),
    (GD, "DisassociateFromMasterAccount"),
    (GD, "DeleteMembers"),
    (GD, "StopMonitoringMembers"),
    (CFG, "StopConfigurationRecorder"),
    (CFG, "DeleteConfigurationRecorder"),
    (CFG, "DeleteDeliveryChannel"),
    (CFG, "DeleteConfigRule"),
]
READS = [(CT, "DescribeTrails"), (CT, "GetTrailStatus"), (GD, "ListDetectors"), (CFG, "DescribeConfigRules")]


@pytest.mark.parametrize(("source", "name"), CHANGES)
def test_changes_to_security_services_are_flagged(source: str, name: str) -> None:
    assert Flag.SECURITY_SERVICE_CHANGE in only(api_call(name, source)).flags


@pytest.mark.parametrize(("source", "name"), READS)
def test_reads_of_security_services_are_not(source: str, name: str) -> None:
    assert Flag.SECURITY_SERVICE_CHANGE not in only(api_call(name, source)).flags


def test_read_only_is_guessed_from_the_name_when_the_field_is_missing() -> None:
    read = api_call("LookupEvents", CT)
    del read["readOnly"]
    change = api_call("StopLogging", CT, readOnly="false")
    assert Flag.SECURITY_SERVICE_CHANGE not in only(read).flags
    assert Flag.SECURITY_SERVICE_CHANGE in only(change).flags
    assert Flag.SECURITY_SERVICE_CHANGE not in only(api_call("StopLogging", "ec2.amazonaws.com")).flags


def test_a_failed_attempt_is_flagged_both_ways() -> None:
    event = only(api_call("StopLogging", CT, errorCode="AccessDenied", errorMessage="no"))
    assert event.error_code == "AccessDenied"
    assert set(event.flags) >= {Flag.SECURITY_SERVICE_CHANGE, Flag.FAILED}


def test_sign_in_failures_carry_the_message_as_error_code() -> None:
    assert only(sign_in(success=False)).error_code == "Failed authentication"
    assert only(sign_in(responseElements={"ConsoleLogin": "Failure"})).error_code == "Failure"
    assert (
        only(sign_in(name="PasswordUpdated", responseElements={"PasswordUpdated": "Failure"})).error_code == "Failure"
    )
    ok = only(sign_in())
    assert ok.error_code is None and Flag.FAILED not in ok.flags


def test_root_access_key_flag_needs_an_akia_key() -> None:
    assert Flag.ROOT_ACCESS_KEY in only(api_call(identity=root_identity(key=ROOT_KEY))).flags
    assert Flag.ROOT_ACCESS_KEY not in only(api_call(identity=root_identity(key=CONSOLE_KEY))).flags
    assert only(api_call(identity=root_identity(key=ROOT_KEY))).access_key_id == ROOT_KEY
    assert only(sign_in()).access_key_id is None  # "" in the record means no key


def test_console_flag_marks_console_sessions() -> None:
    assert Flag.CONSOLE in only(api_call()).flags
    assert Flag.CONSOLE in only(old_console()).flags
    assert Flag.CONSOLE in only(sign_in()).flags
    assert (
        Flag.CONSOLE not in only(api_call(identity=root_identity(key=ROOT_KEY), agent="AWS CloudWatch Console")).flags
    )
    assert Flag.CONSOLE not in only(service()).flags


def test_account_comes_from_recipient_then_identity_then_arn() -> None:
    record = api_call(account=ACCOUNT)
    assert only(record).account_id == ACCOUNT
    del record["recipientAccountId"]
    record["userIdentity"] = root_identity(MEMBER)
    assert only(record).account_id == MEMBER
    del record["userIdentity"]["accountId"]
    record["userIdentity"]["arn"] = "arn:aws-us-gov:iam::123456789012:root"
    assert only(record).account_id == "123456789012"


def test_odd_values_never_crash_and_missing_strings_become_empty() -> None:
    record = {
        "userIdentity": {"type": "Root", "accessKeyId": ["AKIA"], "sessionContext": "x", "invokedBy": ["a"]},
        "eventTime": "2026-11-02T09:00:00Z",
        "eventSource": {"not": "a string"},
        "eventName": None,
        "awsRegion": "eu-west-2r",
        "sourceIPAddress": "225.01.00.16",
        "requestParameters": "userName=alice",
        "responseElements": ["Failure"],
        "additionalEventData": None,
        "readOnly": "perhaps",
    }
    event = only(record)
    assert event.category is C.AVOIDABLE
    assert (event.region, event.source_ip, event.event_name, event.event_source) == (
        "eu-west-2r",
        "225.01.00.16",
        "",
        "",
    )
    assert (event.event_id, event.user_agent, event.account_id, event.access_key_id) == ("", "", "", None)
    assert event.mfa is None and event.error_code is None


def test_numeric_account_ids_keep_their_digits() -> None:
    # YAML and some pipelines turn unquoted account ids into numbers.
    assert only(api_call(recipientAccountId=111122223333)).account_id == "111122223333"
