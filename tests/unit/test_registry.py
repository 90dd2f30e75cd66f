"""Invariants over every registered check, and the rule that each has PASS, FAIL and ERROR tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from admin_builders import ADMIN_ACCESS, details, role, simulation, user
from alerting_builders import (
    HOME,
    TOPIC_NAME,
    WATCHER_QUEUE,
    alerting,
    no_alerting,
    put,
    subscription,
    without_chain,
)
from builders import (
    ACCOUNT,
    AS_OF,
    BREAK_GLASS,
    DENIED,
    AccountBuilder,
    ago,
    context,
    root_cells,
    root_virtual_device,
    trail_record,
    user_cells,
)
from rootguard.checks import ALL_CHECKS, EvaluationContext
from rootguard.checks.registry import CIS_3, CIS_5, CIS_6
from rootguard.model.break_glass import BreakGlass, Principal
from rootguard.model.findings import Status
from rootguard.model.operations import (
    AUTHORIZATION_DETAILS,
    CONFIG_RULES,
    DEAD_LETTER_DEPTH,
    LIST_FUNCTIONS,
    SIMULATE_PRINCIPAL,
    TOPIC_SUBSCRIPTIONS,
)

CONTRACT_IDS = {
    "root-recent-use",
    "root-activity",
    "root-access-keys",
    "root-mfa",
    "root-hardware-mfa",
    "root-signing-certs",
    "root-usage-alarm",
}
CIS_V3 = {
    "root-recent-use": "1.7",
    "root-activity": "1.7",
    "root-access-keys": "1.4",
    "root-mfa": "1.5",
    "root-hardware-mfa": "1.6",
    "iam-user-mfa": "1.10",
    "iam-unused-credentials": "1.12",
    "iam-key-rotation": "1.14",
    "break-glass": "1.7",
    "admin-principals": "1.7",
    "admin-root-adjacent": "1.7",
    "iam-policies-via-groups": "1.15",
    "root-usage-alarm": "4.3",
}


def with_user(**cells: str) -> AccountBuilder:
    return AccountBuilder().rows([root_cells(), user_cells("alice", **cells)])


# One canonical account per (check, status); every registered check must appear with all three.
EXAMPLES: dict[tuple[str, Status], Callable[[], AccountBuilder]] = {
    ("root-recent-use", Status.PASS): AccountBuilder,
    ("root-recent-use", Status.FAIL): lambda: AccountBuilder().root(password_last_used=ago(days=1)),
    ("root-recent-use", Status.ERROR): lambda: AccountBuilder().report(DENIED),
    ("root-activity", Status.PASS): lambda: AccountBuilder().cloudtrail(),
    ("root-activity", Status.FAIL): lambda: AccountBuilder().cloudtrail(trail_record(AS_OF - timedelta(days=1))),
    ("root-activity", Status.ERROR): lambda: AccountBuilder().no_cloudtrail(),
    ("root-access-keys", Status.PASS): AccountBuilder,
    ("root-access-keys", Status.FAIL): lambda: AccountBuilder().root(access_key_1_active="true"),
    ("root-access-keys", Status.ERROR): lambda: AccountBuilder().report(DENIED).summary(DENIED),
    ("root-mfa", Status.PASS): AccountBuilder,
    ("root-mfa", Status.FAIL): lambda: AccountBuilder().root(mfa_active="false").summary(mfa=0),
    ("root-mfa", Status.ERROR): lambda: AccountBuilder().report(DENIED).summary(DENIED),
    ("root-hardware-mfa", Status.PASS): AccountBuilder,
    ("root-hardware-mfa", Status.FAIL): lambda: AccountBuilder().devices(root_virtual_device()),
    ("root-hardware-mfa", Status.ERROR): lambda: AccountBuilder().devices_document(DENIED),
    ("root-signing-certs", Status.PASS): AccountBuilder,
    ("root-signing-certs", Status.FAIL): lambda: AccountBuilder().root(cert_2_active="true"),
    ("root-signing-certs", Status.ERROR): lambda: AccountBuilder().report(DENIED).summary(DENIED),
    ("iam-user-mfa", Status.PASS): with_user,
    ("iam-user-mfa", Status.FAIL): lambda: with_user(mfa_active="false"),
    ("iam-user-mfa", Status.ERROR): lambda: AccountBuilder().report(DENIED),
    ("iam-unused-credentials", Status.PASS): lambda: with_user(password_last_used=ago(days=44)),
    ("iam-unused-credentials", Status.FAIL): lambda: with_user(password_last_used=ago(days=45)),
    ("iam-unused-credentials", Status.ERROR): lambda: AccountBuilder().report(DENIED),
    ("iam-key-rotation", Status.PASS): lambda: with_user(access_key_1_active="true", access_key_1_last_rotated=ago(89)),
    ("iam-key-rotation", Status.FAIL): lambda: with_user(access_key_1_active="true", access_key_1_last_rotated=ago(91)),
    ("iam-key-rotation", Status.ERROR): lambda: AccountBuilder().report(DENIED),
    ("break-glass", Status.PASS): AccountBuilder,
    ("break-glass", Status.FAIL): AccountBuilder,
    ("break-glass", Status.ERROR): lambda: AccountBuilder().report(DENIED),
    ("break-glass", Status.MANUAL): AccountBuilder,
    ("admin-principals", Status.PASS): AccountBuilder,
    ("admin-principals", Status.FAIL): lambda: AccountBuilder().put(AUTHORIZATION_DETAILS.path(ACCOUNT), details()),
    ("admin-principals", Status.ERROR): lambda: AccountBuilder().put(AUTHORIZATION_DETAILS.path(ACCOUNT), DENIED),
    ("admin-root-adjacent", Status.PASS): AccountBuilder,
    ("admin-root-adjacent", Status.FAIL): lambda: AccountBuilder().put(
        SIMULATE_PRINCIPAL.path(ACCOUNT, resource="role/Admin"), simulation(iam_CreateAccountAlias="explicitDeny")
    ),
    ("admin-root-adjacent", Status.ERROR): lambda: AccountBuilder().put(
        SIMULATE_PRINCIPAL.path(ACCOUNT, resource="role/Admin"), DENIED
    ),
    ("iam-policies-via-groups", Status.PASS): AccountBuilder,
    ("iam-policies-via-groups", Status.FAIL): lambda: AccountBuilder().put(
        AUTHORIZATION_DETAILS.path(ACCOUNT),
        details(users=(user("bob", ACCOUNT, attached_arns=(ADMIN_ACCESS,)),), roles=(role("Admin", ACCOUNT),)),
    ),
    ("iam-policies-via-groups", Status.ERROR): lambda: AccountBuilder().put(AUTHORIZATION_DETAILS.path(ACCOUNT), None),
    # The alerting checks: a working setup, one break, and a bundle without any Region folder.
    ("root-usage-alarm", Status.PASS): alerting,
    ("root-usage-alarm", Status.FAIL): lambda: put(
        alerting(), TOPIC_SUBSCRIPTIONS, HOME, {"Subscriptions": [subscription(confirmed=False)]}, TOPIC_NAME
    ),
    ("root-usage-alarm", Status.ERROR): lambda: no_alerting(AccountBuilder()),
    ("root-alerting", Status.PASS): alerting,
    ("root-alerting", Status.FAIL): lambda: without_chain(alerting()),
    ("root-alerting", Status.ERROR): lambda: no_alerting(AccountBuilder()),
    ("root-config-rules", Status.PASS): alerting,
    ("root-config-rules", Status.FAIL): lambda: put(alerting(), CONFIG_RULES, HOME, {"ConfigRules": []}),
    ("root-config-rules", Status.ERROR): lambda: no_alerting(AccountBuilder()),
    ("root-watcher-health", Status.PASS): alerting,
    ("root-watcher-health", Status.FAIL): lambda: put(
        alerting(), DEAD_LETTER_DEPTH, HOME, {"Attributes": {"ApproximateNumberOfMessages": "1"}}, WATCHER_QUEUE
    ),
    ("root-watcher-health", Status.ERROR): lambda: put(alerting(), LIST_FUNCTIONS, HOME, DENIED),
}
# The configuration an example needs besides the evidence (default: builders.context()).
CONTEXTS: dict[tuple[str, Status], EvaluationContext] = {
    ("break-glass", Status.FAIL): context(
        break_glass=BreakGlass(
            (Principal("root"), Principal("arn:aws:iam::123456789012:user/breakglass")), BREAK_GLASS.attestations
        )
    ),
    ("break-glass", Status.MANUAL): context(break_glass=BreakGlass()),
}


def test_ids_are_unique_and_cover_the_contract() -> None:
    ids = [spec.check_id for spec in ALL_CHECKS]
    assert len(ids) == len(set(ids))
    assert set(ids) >= CONTRACT_IDS


@pytest.mark.parametrize("spec", ALL_CHECKS, ids=lambda s: s.check_id)
def test_metadata_is_complete(spec) -> None:  # type: ignore[no-untyped-def]
    assert spec.title and spec.remediation and len(spec.remediation) > 40
    if spec.check_id in CIS_V3:
        assert spec.frameworks[CIS_3] == (CIS_V3[spec.check_id],)
        assert set(spec.frameworks) == {CIS_3, CIS_5, CIS_6}


def test_every_check_has_pass_fail_and_error_examples() -> None:
    for spec in ALL_CHECKS:
        for status in (Status.PASS, Status.FAIL, Status.ERROR):
            assert (spec.check_id, status) in EXAMPLES, f"{spec.check_id} has no {status} example"


@pytest.mark.parametrize(
    ("key", "make"), EXAMPLES.items(), ids=lambda v: f"{v[0]}-{v[1]}" if isinstance(v, tuple) else ""
)
def test_examples_give_their_status(key: tuple[str, Status], make: Callable[[], AccountBuilder]) -> None:
    check_id, status = key
    spec = next(s for s in ALL_CHECKS if s.check_id == check_id)
    outcome = spec.evaluate(make().evidence(), CONTEXTS.get(key, context()))
    assert outcome.status is status, outcome.message


@pytest.mark.parametrize("spec", ALL_CHECKS, ids=lambda s: s.check_id)
def test_error_messages_say_how_to_fix(spec) -> None:  # type: ignore[no-untyped-def]
    outcome = spec.evaluate(EXAMPLES[(spec.check_id, Status.ERROR)]().evidence(), context())
    assert "Fix:" in outcome.message
