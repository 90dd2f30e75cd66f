"""The catalogue of root-only tasks: its data holds together, and each row matches what it should."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from trail_builders import api_call, sign_in

from rootguard.analysis.root_tasks import Catalogue, load_catalogue, match_root_task, parse_catalogue

PYPROJECT = Path(__file__).parent.parent.parent / "pyproject.toml"
REQUIRED = {
    "root-password-change",
    "root-password-recovery",
    "root-email-change",
    "root-account-settings",
    "root-access-keys",
    "root-signing-certificates",
    "root-mfa",
    "root-mfa-own",
    "root-login-profile",
    "close-account",
    "billing-iam-access",
    "tax-invoices",
    "billing-security-questions",
    "s3-mfa-delete",
    "s3-bucket-policy-unlock",
    "sqs-queue-policy-unlock",
}


def test_the_shipped_catalogue_loads_once_from_package_data() -> None:
    assert resources.files("rootguard.analysis").joinpath("root_tasks.toml").is_file()
    catalogue = load_catalogue()
    assert isinstance(catalogue, Catalogue)
    assert load_catalogue() is catalogue  # cached: read once per process
    package_data = tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]["package-data"]["rootguard"]
    assert "analysis/*.toml" in package_data


def test_every_row_cites_an_aws_documentation_page() -> None:
    catalogue = load_catalogue()
    for row in (*catalogue.tasks, *catalogue.not_root_only):
        assert row.source.startswith("https://docs.aws.amazon.com/"), row.id
        assert row.task.strip() and row.event_names and row.event_sources, row.id


def test_ids_are_unique_and_cover_the_documented_tasks() -> None:
    catalogue = load_catalogue()
    ids = [t.id for t in catalogue.tasks] + [e.id for e in catalogue.not_root_only]
    assert len(ids) == len(set(ids))
    assert {t.id for t in catalogue.tasks} >= REQUIRED


def test_conditional_rows_say_why_in_a_note() -> None:
    # Rows whose event cannot tell a root-only use from an ordinary one must say so.
    by_id = {t.id: t for t in load_catalogue().tasks}
    for row_id in ("s3-bucket-policy-unlock", "sqs-queue-policy-unlock", "root-account-settings", "tax-invoices"):
        assert by_id[row_id].note, row_id
    assert "denies" in by_id["s3-bucket-policy-unlock"].task or "locks" in (by_id["s3-bucket-policy-unlock"].note or "")


def test_ordinary_iam_policy_edits_are_listed_as_not_root_only() -> None:
    exclusions = {e.id: e for e in load_catalogue().not_root_only}
    policy_edits = exclusions["iam-policy-edits"]
    assert {"PutUserPolicy", "AttachUserPolicy"} <= policy_edits.event_names
    assert "administrator" in policy_edits.reason
    for exclusion in exclusions.values():
        for name in exclusion.event_names:
            record = api_call(name, next(iter(exclusion.event_sources)), parameters={"userName": "alice"})
            assert match_root_task(record) is None, (exclusion.id, name)


# One positive and (where the row has a condition or a look-alike) one negative record per row.
CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("password change", sign_in(name="PasswordUpdated", mfa_used=None), "root-password-change"),
    ("password recovery requested", sign_in(name="PasswordRecoveryRequested"), "root-password-recovery"),
    ("password recovery completed", sign_in(name="PasswordRecoveryCompleted"), "root-password-recovery"),
    ("e-mail change, signin source", sign_in(name="EmailUpdated"), "root-email-change"),
    ("e-mail change, iam source", api_call("EmailUpdated", "iam.amazonaws.com"), "root-email-change"),
    ("account settings", api_call("SetAccountPreferences", "billingconsole.amazonaws.com"), "root-account-settings"),
    ("own access key, no parameters", api_call("CreateAccessKey"), "root-access-keys"),
    ("own access key, empty parameters", api_call("DeleteAccessKey", parameters={}), "root-access-keys"),
    (
        "own access key, key id only",
        api_call("UpdateAccessKey", parameters={"accessKeyId": "AKIA1"}),
        "root-access-keys",
    ),
    ("IAM user's access key", api_call("CreateAccessKey", parameters={"userName": "alice"}), None),
    ("IAM user named root's access key", api_call("CreateAccessKey", parameters={"userName": "root"}), None),
    ("own signing certificate", api_call("UploadSigningCertificate"), "root-signing-certificates"),
    ("IAM user's certificate", api_call("DeleteSigningCertificate", parameters={"userName": "bob"}), None),
    (
        "root MFA (AWS example)",
        api_call("EnableMFADevice", parameters={"userName": "AWS ROOT USER", "serialNumber": "arn:…:mfa/root"}),
        "root-mfa",
    ),
    ("root MFA, case differs", api_call("DeactivateMFADevice", parameters={"userName": "aws root user"}), "root-mfa"),
    ("root MFA via AssumeRoot", api_call("DeactivateMFADevice", parameters={"serialNumber": "x"}), "root-mfa-own"),
    ("IAM user's MFA", api_call("ResyncMFADevice", parameters={"userName": "carol"}), None),
    ("root password via AssumeRoot", api_call("CreateLoginProfile"), "root-login-profile"),
    ("root password read", api_call("GetLoginProfile", parameters={}), "root-login-profile"),
    ("IAM user's password", api_call("DeleteLoginProfile", parameters={"userName": "dave"}), None),
    ("close account", api_call("CloseAccount", "billingconsole.amazonaws.com"), "close-account"),
    ("IAM access to billing", api_call("SetIAMAccessPreference", "billingconsole.amazonaws.com"), "billing-iam-access"),
    ("tax invoice", api_call("DownloadTaxInvoice", "billingconsole.amazonaws.com"), "tax-invoices"),
    ("tax invoice list", api_call("GetTaxInvoicesMetadata", "billingconsole.amazonaws.com"), "tax-invoices"),
    (
        "security questions",
        api_call("SetSecurityQuestions", "billingconsole.amazonaws.com"),
        "billing-security-questions",
    ),
    ("contact address (not root-only)", api_call("SetContactAddress", "billingconsole.amazonaws.com"), None),
    (
        "MFA delete on",
        api_call(
            "PutBucketVersioning",
            "s3.amazonaws.com",
            parameters={"bucketName": "b", "VersioningConfiguration": {"Status": "Enabled", "MfaDelete": "Enabled"}},
        ),
        "s3-mfa-delete",
    ),
    (
        "MFA delete off",
        api_call(
            "PutBucketVersioning",
            "s3.amazonaws.com",
            parameters={"VersioningConfiguration": {"Status": "Enabled", "MfaDelete": "Disabled"}},
        ),
        "s3-mfa-delete",
    ),
    (
        "plain versioning",
        api_call(
            "PutBucketVersioning", "s3.amazonaws.com", parameters={"VersioningConfiguration": {"Status": "Enabled"}}
        ),
        None,
    ),
    ("bucket policy delete", api_call("DeleteBucketPolicy", "s3.amazonaws.com"), "s3-bucket-policy-unlock"),
    ("bucket policy put", api_call("PutBucketPolicy", "s3.amazonaws.com"), "s3-bucket-policy-unlock"),
    ("bucket policy read", api_call("GetBucketPolicy", "s3.amazonaws.com"), None),
    (
        "queue policy",
        api_call("SetQueueAttributes", "sqs.amazonaws.com", parameters={"queueUrl": "q", "attributes": {"Policy": ""}}),
        "sqs-queue-policy-unlock",
    ),
    (
        "queue timeout",
        api_call("SetQueueAttributes", "sqs.amazonaws.com", parameters={"attributes": {"VisibilityTimeout": "100"}}),
        None,
    ),
    ("IAM policy edit", api_call("AttachUserPolicy", parameters={"userName": "u", "policyArn": "arn"}), None),
    ("right name, wrong service", api_call("CloseAccount", "organizations.amazonaws.com"), None),
    ("parameters of the wrong type", api_call("CreateAccessKey", parameters="userName=alice"), "root-access-keys"),
]


@pytest.mark.parametrize(("record", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rows_match_their_events_only(record: dict[str, Any], expected: str | None) -> None:
    task = match_root_task(record)
    assert (task.id if task else None) == expected


def test_every_task_row_has_a_positive_case() -> None:
    covered = {expected for _, _, expected in CASES if expected}
    assert covered == {t.id for t in load_catalogue().tasks}


VALID_ROW = """
[[task]]
id = "x"
task = "X"
event_source = "iam.amazonaws.com"
event_names = ["X"]
source = "https://docs.aws.amazon.com/x.html"
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (VALID_ROW + 'request_parameter_absnt = "userName"\n', "unknown keys"),
        (VALID_ROW.replace('source = "https://docs.aws.amazon.com/x.html"', ""), "source is required"),
        (VALID_ROW.replace("https://docs.aws.amazon.com/x.html", "https://example.com/x"), "AWS documentation URL"),
        (VALID_ROW + VALID_ROW, "duplicate ids"),
        (VALID_ROW.replace('["X"]', "[]"), "event_names"),
        (VALID_ROW + "request_parameter_equals = { path = 'userName' }\n", "request_parameter_equals"),
        (VALID_ROW + "request_parameter_present = ''\n", "dotted"),
    ],
)
def test_a_malformed_catalogue_is_refused(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_catalogue(text)


def test_a_valid_document_parses_with_its_conditions() -> None:
    catalogue = parse_catalogue(VALID_ROW + 'request_parameter_absent = ["a.b", "c"]\n')
    (task,) = catalogue.tasks
    assert task.absent == (("a", "b"), ("c",))
    assert catalogue.not_root_only == ()
