"""Invariants over every registered check, and the rule that each has PASS, FAIL and ERROR tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from alerting_builders import HOME, TOPIC_NAME, alerting, no_alerting, put, subscription, without_chain
from builders import AS_OF, DENIED, AccountBuilder, ago, context, root_virtual_device, trail_record
from rootguard.checks import ALL_CHECKS
from rootguard.checks.registry import CIS_3, CIS_5, CIS_6
from rootguard.model.findings import Status
from rootguard.model.operations import CONFIG_RULES, TOPIC_SUBSCRIPTIONS

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
    "root-usage-alarm": "4.3",
}

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
    outcome = spec.evaluate(make().evidence(), context())
    assert outcome.status is status, outcome.message


@pytest.mark.parametrize("spec", ALL_CHECKS, ids=lambda s: s.check_id)
def test_error_messages_say_how_to_fix(spec) -> None:  # type: ignore[no-untyped-def]
    outcome = spec.evaluate(EXAMPLES[(spec.check_id, Status.ERROR)]().evidence(), context())
    assert "Fix:" in outcome.message
