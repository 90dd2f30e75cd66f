"""The category table (rootguard.model.failures): every AWS failure gets one category and one true fix."""

from __future__ import annotations

import pytest

from rootguard.model.failures import (
    DENIED_CATEGORIES,
    FIXES,
    REASONS,
    FailureCategory,
    classify,
    denied_by,
    fix_for,
    is_failure,
    reason_for,
)

SCP = (
    "User: arn:aws:sts::123456789012:assumed-role/Audit/s is not authorized to perform: iam:GetAccountSummary "
    "with an explicit deny in a service control policy"
)


@pytest.mark.parametrize(
    ("code", "message", "status", "elsewhere", "category"),
    [
        ("AccessDenied", "User: x is not authorized to perform: iam:X because no identity-based policy allows "
         "the iam:X action", 403, False, "denied"),
        ("AccessDenied", SCP, 403, False, "explicit-deny"),
        ("AccessDeniedException", "… with an explicit deny in a permissions boundary", 400, False, "explicit-deny"),
        ("UnauthorizedOperation", "You are not authorized to perform this operation.", 403, False, "denied"),
        ("AuthorizationError", "not authorized", 403, False, "denied"),
        ("Throttling", "Rate exceeded", 400, False, "throttled"),
        ("ThrottlingException", "Rate exceeded", 400, False, "throttled"),
        ("TooManyRequestsException", "", 429, False, "throttled"),
        ("RequestLimitExceeded", "", 503, False, "throttled"),
        ("500", "Internal Server Error", 500, False, "unavailable"),
        ("InternalFailure", "", 500, False, "unavailable"),
        ("ServiceUnavailable", "", 503, False, "unavailable"),
        ("SomethingNew", "", 502, False, "unavailable"),
        ("OptInRequired", "", 401, False, "not-enabled-in-region"),
        ("UnrecognizedClientException", "The security token included in the request is invalid", 400, True,
         "not-enabled-in-region"),
        ("InvalidClientTokenId", "", 403, True, "not-enabled-in-region"),
        ("AuthFailure", "", 401, True, "not-enabled-in-region"),
        ("UnrecognizedClientException", "", 400, False, "bad-credentials"),
        ("ExpiredToken", "", 400, True, "bad-credentials"),
        ("SignatureDoesNotMatch", "", 403, False, "bad-credentials"),
        ("ValidationError", "", 400, False, "invalid-input"),
        ("InvalidParameterValue", "", 400, False, "invalid-input"),
        ("InvalidNextTokenException", "", 400, False, "invalid-input"),
        ("NoSuchEntity", "", 404, False, "not-found"),
        ("TrailNotFoundException", "", 400, False, "not-found"),
        ("TooManyPages", "", None, False, "incomplete"),
        ("NotAttempted", "", None, False, "not-attempted"),
        ("Weird", "", 400, False, "failed"),
    ],
)  # fmt: skip
def test_each_code_has_its_category(
    code: str, message: str, status: int | None, elsewhere: bool, category: str
) -> None:
    assert classify(code, message, http_status=status, elsewhere=elsewhere) == category


@pytest.mark.parametrize(
    ("message", "by"),
    [
        (SCP, "service control policy"),
        ("… with an explicit deny in a resource control policy", "resource control policy"),
        ("… with an explicit deny in a permissions boundary", "permissions boundary"),
        ("… with an explicit deny in an identity-based policy", "identity-based policy"),
        ("… with an explicit deny in a resource-based policy", "resource-based policy"),
        ("… with an explicit deny in a session policy", "session policy"),
        ("… because no service control policy allows the iam:X action", "service control policy"),
        ("… because no permissions boundary allows the iam:X action", "permissions boundary"),
        ("… because no identity-based policy allows the iam:X action", "identity-based policy"),
        ("You are not authorized to perform this operation.", None),
    ],
)
def test_who_denied_is_read_from_aws_message(message: str, by: str | None) -> None:
    assert denied_by(message) == by


def fix(**error: object) -> str:
    found = fix_for(error, actions="iam:X", command="aws iam x --output json", path="111111111111/global/iam/x.json")
    assert found is not None
    return found


def test_every_category_has_words_and_a_fix() -> None:
    assert set(REASONS) == set(FailureCategory) == set(FIXES)


@pytest.mark.parametrize("category", list(FailureCategory))
def test_only_the_denied_categories_advise_a_permission(category: FailureCategory) -> None:
    text = fix(Category=category.value, DeniedBy="service control policy" if category in DENIED_CATEGORIES else None)
    mentions_permission = "grant" in text or "allow" in text or "exempt" in text
    assert mentions_permission == (category in DENIED_CATEGORIES), text


def test_the_denied_fixes_name_what_to_change() -> None:
    assert fix(Category="denied").startswith("grant iam:X to the auditing identity")
    assert fix(Category="denied", DeniedBy="identity-based policy").startswith("grant iam:X")
    assert "no service control policy allows iam:X" in fix(Category="denied", DeniedBy="service control policy")
    scp = fix(Category="explicit-deny", DeniedBy="service control policy")
    assert "explicit Deny in a service control policy" in scp and "does not help" in scp
    assert "explicit Deny in a policy" in fix(Category="explicit-deny")


def test_not_attempted_says_what_to_change_by_cause() -> None:
    assert "--timeout" in fix(Category="not-attempted", Cause="deadline")
    assert "kept failing" in fix(Category="not-attempted", Cause="circuit-open")


def test_documents_without_a_category_are_left_to_the_reader() -> None:
    assert fix_for({"Code": "AccessDenied"}, actions="a", command="c", path="p") is None
    assert fix_for({"Code": "X", "Category": "no-such"}, actions="a", command="c", path="p") is None
    assert reason_for({"Code": "X"}) is None


def test_the_reason_names_the_operation_category_and_code() -> None:
    reason = reason_for(
        {"Code": "500", "Message": "HTTP 500 Internal Server Error", "Category": "unavailable",
         "Operation": "iam:SimulatePrincipalPolicy"}
    )  # fmt: skip
    assert reason == (
        "iam:SimulatePrincipalPolicy AWS service error or unavailable (not a permission problem) (500): "
        "HTTP 500 Internal Server Error"
    )


def test_not_found_is_an_answer_not_a_failure() -> None:
    assert not is_failure({"Code": "NoSuchEntity", "Category": "not-found"})
    assert is_failure({"Code": "AccessDenied"})
    assert is_failure({"Code": "500", "Category": "unavailable"})
