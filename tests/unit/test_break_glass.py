"""break-glass: declared principals checked against evidence, attestations checked for age at as-of."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from admin_builders import details, role
from builders import AS_OF, BREAK_GLASS, DENIED, AccountBuilder, attestation, context, root_cells, user_cells
from rootguard.checks.break_glass import break_glass, evaluate_break_glass
from rootguard.model.break_glass import AttestationKind, BreakGlass, Principal
from rootguard.model.findings import Severity, Status
from rootguard.model.gaps import Gap, GapKind
from rootguard.model.operations import AUTHORIZATION_DETAILS
from rootguard.model.thresholds import Thresholds

ACCOUNT = "123456789012"
USER = f"arn:aws:iam::{ACCOUNT}:user/breakglass"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/BreakGlassAdmin"
FRESH = BREAK_GLASS.attestations


def declared(*principals: str, attestations: tuple = FRESH) -> BreakGlass:  # type: ignore[type-arg]
    return BreakGlass(tuple(Principal(p) for p in principals), attestations)


def with_breakglass_user(**cells: str) -> AccountBuilder:
    return AccountBuilder().rows([root_cells(), user_cells("breakglass", **cells)])


def test_root_declared_and_attested_passes_with_the_attestations_as_evidence() -> None:
    outcome = break_glass.evaluate(AccountBuilder().evidence(), context())
    assert outcome.status is Status.PASS, outcome.message
    assert "root password kept in a vault attested by ciso@example.com at 2026-10-21T12:00:00Z" in outcome.message
    assert [a["kind"] for a in outcome.evidence["attestations"]] == [k.value for k in AttestationKind]
    assert outcome.evidence["attestations"][0]["age_days"] == 30
    assert outcome.evidence["principals"][0]["status"] == "PASS"


def test_a_declared_user_with_mfa_passes() -> None:
    outcome = break_glass.evaluate(with_breakglass_user().evidence(), context(break_glass=declared(USER)))
    assert outcome.status is Status.PASS, outcome.message
    assert "user 'breakglass' exists and has MFA" in outcome.message


@pytest.mark.parametrize(
    ("builder", "phrase"),
    [
        (AccountBuilder(), f"user {USER} is not in the credential report: it does not exist"),
        (with_breakglass_user(mfa_active="false"), "user 'breakglass' has no MFA"),
    ],
)
def test_missing_user_or_user_without_mfa_fails_high(builder: AccountBuilder, phrase: str) -> None:
    outcome = break_glass.evaluate(builder.evidence(), context(break_glass=declared("root", USER)))
    assert outcome.status is Status.FAIL
    assert outcome.severity is Severity.HIGH
    assert phrase in outcome.message


def test_a_user_of_another_account_is_not_declared_for_this_one() -> None:
    other = declared("arn:aws:iam::210987654321:user/breakglass")
    outcome = break_glass.evaluate(AccountBuilder().evidence(), context(break_glass=other))
    assert outcome.status is Status.MANUAL
    assert outcome.message.startswith("No break-glass principal is declared for this account")


def test_nothing_declared_is_manual() -> None:
    outcome = break_glass.evaluate(AccountBuilder().evidence(), context(break_glass=BreakGlass()))
    assert outcome.status is Status.MANUAL
    assert "rootguard.toml [break_glass]" in outcome.message


@pytest.mark.parametrize(
    ("attestations", "phrase"),
    [
        # One kind missing.
        (FRESH[:2], "no attestation of the last test of the break-glass procedure (procedure-tested)"),
        # 181 days at as-of: older than the 180-day maximum.
        (
            (*FRESH[:2], attestation(AttestationKind.PROCEDURE_TESTED, days=181)),
            "older than the 180-day maximum: attest it again",
        ),
        # Made after as-of: it did not exist at the time evaluated.
        ((*FRESH[:2], attestation(AttestationKind.PROCEDURE_TESTED, days=-1)), "no attestation of the last test"),
        # For another account only.
        (
            (*FRESH[:2], attestation(AttestationKind.PROCEDURE_TESTED, accounts=frozenset({"210987654321"}))),
            "no attestation of the last test",
        ),
    ],
)
def test_missing_or_stale_attestations_are_manual(attestations: tuple, phrase: str) -> None:  # type: ignore[type-arg]
    outcome = break_glass.evaluate(
        AccountBuilder().evidence(), context(break_glass=declared("root", attestations=attestations))
    )
    assert outcome.status is Status.MANUAL, outcome.message
    assert phrase in outcome.message
    assert "Confirmed: the root user" in outcome.message


def test_attestation_age_edge_and_threshold_from_the_context() -> None:
    exactly = declared("root", attestations=(*FRESH[:2], attestation(AttestationKind.PROCEDURE_TESTED, days=180)))
    ctx = context(break_glass=exactly)
    assert break_glass.evaluate(AccountBuilder().evidence(), ctx).status is Status.PASS
    stricter = replace(ctx, thresholds=Thresholds(attestation_max_age_days=179))
    assert break_glass.evaluate(AccountBuilder().evidence(), stricter).status is (Status.MANUAL)
    # As-of comes from the context: a year later every attestation is stale.
    later = replace(context(), as_of=AS_OF + timedelta(days=365))
    assert break_glass.evaluate(AccountBuilder().evidence(), later).status is Status.MANUAL


def test_the_newest_attestation_of_a_kind_counts() -> None:
    both = (*FRESH[:2], attestation(AttestationKind.PROCEDURE_TESTED, days=400),
            attestation(AttestationKind.PROCEDURE_TESTED, days=3, by="oncall"))  # fmt: skip
    outcome = break_glass.evaluate(
        AccountBuilder().evidence(), context(break_glass=declared("root", attestations=both))
    )
    assert outcome.status is Status.PASS
    assert "procedure attested by oncall" in outcome.message


def test_a_declared_role_is_looked_up_in_the_authorization_details() -> None:
    ctx = context(break_glass=declared("root", ROLE))
    present = AccountBuilder().put(
        AUTHORIZATION_DETAILS.path(ACCOUNT), details(roles=(role("BreakGlassAdmin", ACCOUNT),))
    )
    assert break_glass.evaluate(present.evidence(), ctx).status is Status.PASS
    absent = AccountBuilder().put(AUTHORIZATION_DETAILS.path(ACCOUNT), details(roles=(role("Other", ACCOUNT),)))
    outcome = break_glass.evaluate(absent.evidence(), ctx)
    assert outcome.status is Status.FAIL
    assert f"role {ROLE} does not exist" in outcome.message
    denied = break_glass.evaluate(AccountBuilder().put(AUTHORIZATION_DETAILS.path(ACCOUNT), DENIED).evidence(), ctx)
    assert denied.status is Status.ERROR
    assert "iam:GetAccountAuthorizationDetails" in denied.message


def test_a_declared_role_is_manual_when_no_role_inventory_is_given() -> None:
    outcome = evaluate_break_glass(AccountBuilder().evidence(), context(break_glass=declared("root", ROLE)), None)
    assert outcome.status is Status.MANUAL
    assert f"role {ROLE}: its existence could not be verified" in outcome.message


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        (frozenset({ROLE}), Status.PASS),
        (frozenset({f"arn:aws:iam::{ACCOUNT}:role/Other"}), Status.FAIL),
        (
            Gap(GapKind.API_ERROR, "x.json", "denied.", "grant iam:GetAccountAuthorizationDetails", "AccessDenied"),
            Status.ERROR,
        ),
        (None, Status.MANUAL),
    ],
)
def test_role_inventory_interface(roles: frozenset[str] | Gap | None, status: Status) -> None:
    outcome = evaluate_break_glass(AccountBuilder().evidence(), context(break_glass=declared(ROLE)), roles)
    assert outcome.status is status, outcome.message


@pytest.mark.parametrize(
    ("builder", "phrase"),
    [
        (AccountBuilder().report(DENIED), "AccessDenied"),
        (AccountBuilder().without(f"{ACCOUNT}/global/iam/get-credential-report.json"), "was not collected"),
        (AccountBuilder().report({"Content": "bm90IGEgcmVwb3J0"}), "not a credential report"),
        (with_breakglass_user(mfa_active="sometimes"), "mfa_active is unreadable value 'sometimes'"),
    ],
)
def test_unverifiable_principals_are_errors(builder: AccountBuilder, phrase: str) -> None:
    outcome = break_glass.evaluate(builder.evidence(), context(break_glass=declared("root", USER)))
    assert outcome.status is Status.ERROR, outcome.message
    assert phrase in outcome.message
    assert "Fix:" in outcome.message


def test_fail_wins_over_error_and_manual() -> None:
    bg = declared(USER, "arn:aws:iam::123456789012:user/ghost", attestations=())
    outcome = break_glass.evaluate(with_breakglass_user(mfa_active="x").evidence(), context(break_glass=bg))
    assert outcome.status is Status.FAIL
    assert "ghost" in outcome.message
