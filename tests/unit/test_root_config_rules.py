"""root-config-rules: the three managed rules, their state and compliance, and unreadable files."""

from __future__ import annotations

from typing import Any

import pytest

from alerting_builders import CONFIG_IDS, GARBAGE, HOME, OTHER, alerting, compliance, config_rule, put
from builders import DENIED, AccountBuilder, context
from rootguard.checks.registry import Outcome
from rootguard.checks.root_config_rules import root_config_rules
from rootguard.model.findings import Severity, Status
from rootguard.model.operations import CONFIG_COMPLIANCE, CONFIG_RULES


def verdict(builder: AccountBuilder) -> Outcome:
    return root_config_rules.evaluate(builder.evidence(), context())


def rules(builder: AccountBuilder, region: str, *items: dict[str, Any]) -> AccountBuilder:
    return put(builder, CONFIG_RULES, region, {"ConfigRules": list(items)})


def test_three_active_compliant_rules_pass() -> None:
    outcome = verdict(alerting())
    assert outcome.status is Status.PASS
    assert "iam-root-access-key-check (us-east-1) COMPLIANT" in outcome.message


def test_a_missing_rule_fails_and_names_it() -> None:
    outcome = verdict(rules(alerting(), HOME, config_rule(CONFIG_IDS[0]), config_rule(CONFIG_IDS[2])))
    assert outcome.status is Status.FAIL
    assert "no ROOT_ACCOUNT_HARDWARE_MFA_ENABLED rule in any Region" in outcome.message


def test_rules_in_another_region_count() -> None:
    builder = rules(alerting(), HOME)
    rules(builder, OTHER, *(config_rule(i) for i in CONFIG_IDS))
    put(builder, CONFIG_COMPLIANCE, OTHER, compliance())
    assert verdict(builder).status is Status.PASS


def test_a_rule_being_deleted_fails() -> None:
    items = [config_rule(i, state="DELETING" if i == CONFIG_IDS[2] else "ACTIVE") for i in CONFIG_IDS]
    outcome = verdict(rules(alerting(), HOME, *items))
    assert outcome.status is Status.FAIL
    assert "IAM_ROOT_ACCESS_KEY_CHECK rule is not ACTIVE (DELETING)" in outcome.message


def test_non_compliant_says_so_and_points_at_the_matching_check() -> None:
    outcome = verdict(put(alerting(), CONFIG_COMPLIANCE, HOME, compliance(root_account_mfa_enabled="NON_COMPLIANT")))
    assert outcome.status is Status.FAIL
    assert outcome.severity is Severity.MEDIUM
    assert "root-account-mfa-enabled (us-east-1) says NON_COMPLIANT: see root-mfa" in outcome.message


def test_insufficient_data_says_the_rule_never_evaluated() -> None:
    builder = put(alerting(), CONFIG_COMPLIANCE, HOME, compliance(iam_root_access_key_check="INSUFFICIENT_DATA"))
    outcome = verdict(builder)
    assert outcome.status is Status.FAIL
    assert "has not evaluated (INSUFFICIENT_DATA)" in outcome.message
    assert "configuration recorder" in outcome.message


def test_a_rule_absent_from_the_compliance_listing_has_not_evaluated() -> None:
    builder = put(alerting(), CONFIG_COMPLIANCE, HOME, {"ComplianceByConfigRules": []})
    assert "INSUFFICIENT_DATA" in verdict(builder).message


def test_a_custom_rule_with_the_same_name_does_not_count() -> None:
    custom = config_rule(CONFIG_IDS[0]) | {"Source": {"Owner": "CUSTOM_LAMBDA", "SourceIdentifier": "arn:aws:lambda:x"}}
    outcome = verdict(rules(alerting(), HOME, custom, config_rule(CONFIG_IDS[1]), config_rule(CONFIG_IDS[2])))
    assert outcome.status is Status.FAIL


@pytest.mark.parametrize("document", [None, DENIED, GARBAGE], ids=["absent", "denied", "malformed"])
def test_unreadable_rules_are_an_error_not_a_missing_rule(document: Any) -> None:
    builder = rules(alerting(), OTHER, *(config_rule(i) for i in CONFIG_IDS[:2]))
    rules(builder, HOME)
    put(builder, CONFIG_RULES, HOME, document)
    put(builder, CONFIG_COMPLIANCE, OTHER, compliance())
    outcome = verdict(builder)
    assert outcome.status is Status.ERROR, outcome.message
    assert CONFIG_RULES.path(builder.account, HOME) in outcome.message


@pytest.mark.parametrize("document", [None, DENIED, GARBAGE], ids=["absent", "denied", "malformed"])
def test_unreadable_compliance_is_an_error(document: Any) -> None:
    builder = put(alerting(), CONFIG_COMPLIANCE, HOME, document)
    outcome = verdict(builder)
    assert outcome.status is Status.ERROR
    assert CONFIG_COMPLIANCE.path(builder.account, HOME) in outcome.message
    assert "Fix:" in outcome.message


def test_no_rule_where_readable_is_an_error_while_another_region_is_unreadable() -> None:
    builder = rules(alerting(), HOME)
    put(builder, CONFIG_RULES, OTHER, DENIED)
    assert verdict(builder).status is Status.ERROR  # the rules may all live in the unreadable Region


def test_non_compliant_is_said_even_when_another_region_is_unreadable() -> None:
    builder = put(alerting(), CONFIG_COMPLIANCE, HOME, compliance(iam_root_access_key_check="NON_COMPLIANT"))
    put(builder, CONFIG_RULES, OTHER, DENIED)
    assert verdict(builder).status is Status.FAIL


def test_an_inactive_rule_is_an_error_while_another_region_is_unreadable() -> None:
    items = [config_rule(i, state="DELETING" if i == CONFIG_IDS[2] else "ACTIVE") for i in CONFIG_IDS]
    builder = put(rules(alerting(), HOME, *items), CONFIG_RULES, OTHER, DENIED)
    assert verdict(builder).status is Status.ERROR


def test_not_applicable_counts_as_fine() -> None:
    """Config says NOT_APPLICABLE when root holds no credentials at all."""
    builder = put(alerting(), CONFIG_COMPLIANCE, HOME, compliance(root_account_mfa_enabled="NOT_APPLICABLE"))
    assert verdict(builder).status is Status.PASS
