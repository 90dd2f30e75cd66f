"""Which accounts an organization run audits (pure: a hand-built structure), account states, the accounts
file, the rate limiter and role names."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest

from fake_time import FakeTime
from rootguard.collect.member import RateLimiter, role_arn
from rootguard.collect.org_selection import AccountOverride, SelectionRequest, select
from rootguard.collect.organization import OrgAccount, Structure, _accounts, account_state
from rootguard.config.accounts_file import load_accounts_file, parse_accounts
from rootguard.errors import UsageError

MANAGEMENT, A, B, C, D = "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"
ROOT, PROD, INNER, DEV = "r-ab12", "ou-ab12-prod0001", "ou-ab12-inner001", "ou-ab12-dev00001"


def structure() -> Structure:
    accounts = (
        OrgAccount(MANAGEMENT, "management", "ACTIVE", (ROOT,)),
        OrgAccount(A, "a", "ACTIVE", (ROOT, PROD)),
        OrgAccount(B, "b", "ACTIVE", (ROOT, PROD, INNER)),
        OrgAccount(C, "c", "SUSPENDED", (ROOT, DEV)),
        OrgAccount(D, "d", "ACTIVE", (ROOT, DEV)),
    )
    children = {ROOT: (PROD, DEV), PROD: (INNER,), INNER: (), DEV: ()}
    return Structure({}, MANAGEMENT, accounts, (ROOT,), children)


def ids(request: SelectionRequest) -> tuple[str, ...]:
    return tuple(plan.account_id for plan in select(structure(), request, MANAGEMENT).plans)


def test_every_account_by_default_management_first_and_suspended_not_probed() -> None:
    selection = select(structure(), SelectionRequest(), MANAGEMENT)
    assert [p.account_id for p in selection.plans] == [MANAGEMENT, A, B, C, D]
    plans = {p.account_id: p for p in selection.plans}
    assert plans[MANAGEMENT].direct and not plans[MANAGEMENT].root_probe
    assert not plans[C].active
    assert plans[A].root_probe and plans[A].member_audit and not plans[A].direct
    assert selection.excluded == {}


def test_ou_selection_is_recursive_and_names_what_it_leaves_out() -> None:
    selection = select(structure(), SelectionRequest(ous=(PROD,)), MANAGEMENT)
    assert [p.account_id for p in selection.plans] == [A, B]
    assert selection.excluded == {
        MANAGEMENT: f"not under --ou {PROD}",
        C: f"not under --ou {PROD}",
        D: f"not under --ou {PROD}",
    }


def test_include_and_exclude() -> None:
    assert ids(SelectionRequest(include=(B, D))) == (B, D)
    selection = select(structure(), SelectionRequest(exclude=(A, MANAGEMENT)), MANAGEMENT)
    assert [p.account_id for p in selection.plans] == [B, C, D]
    assert selection.excluded == {MANAGEMENT: "--exclude-accounts", A: "--exclude-accounts"}
    assert select(structure(), SelectionRequest(exclude=("999999999999",)), MANAGEMENT).warnings


def test_names_the_organization_does_not_have_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="999999999999"):
        select(structure(), SelectionRequest(include=("999999999999",)), MANAGEMENT)
    with pytest.raises(UsageError, match="ou-zz"):
        select(structure(), SelectionRequest(ous=("ou-zz",)), MANAGEMENT)
    with pytest.raises(UsageError, match="no account"):
        select(structure(), SelectionRequest(include=(A,), exclude=(A,)), MANAGEMENT)


def test_the_accounts_file_selects_and_sets_roles() -> None:
    overrides = {
        B: AccountOverride(roles=("arn:aws:iam::{account_id}:role/Audit",), external_id="xyz"),
        "999999999999": AccountOverride(),
    }
    request = SelectionRequest(accounts_file="accounts.yml", overrides=overrides, audit_role="Default")
    selection = select(structure(), request, MANAGEMENT)
    (plan,) = selection.plans
    assert (plan.account_id, plan.roles, plan.external_id) == (B, ("arn:aws:iam::{account_id}:role/Audit",), "xyz")
    assert selection.excluded[A] == "not in --accounts-file accounts.yml"
    assert selection.document["not_in_organization"] == ["999999999999"]
    assert any("999999999999" in warning for warning in selection.warnings)
    assert role_arn(plan.roles[0], B) == f"arn:aws:iam::{B}:role/Audit"
    assert role_arn("OrganizationAccountAccessRole", A) == f"arn:aws:iam::{A}:role/OrganizationAccountAccessRole"


def test_a_failed_listing_still_gives_the_management_account_and_named_accounts_rows() -> None:
    failed = Structure({}, None, (), ())
    selection = select(failed, SelectionRequest(include=(A,)), MANAGEMENT)
    assert [p.account_id for p in selection.plans] == [A]
    selection = select(failed, SelectionRequest(), MANAGEMENT)
    assert [p.account_id for p in selection.plans] == [MANAGEMENT]


def test_state_first_then_the_retired_status() -> None:
    assert account_state({"State": "PENDING_CLOSURE", "Status": "ACTIVE"}) == "PENDING_CLOSURE"
    assert account_state({"Status": "SUSPENDED"}) == "SUSPENDED"
    assert account_state({}) == "UNKNOWN"
    listed = {
        "Accounts": [
            {"Id": A, "Name": "a", "Status": "SUSPENDED"},
            {"Id": B, "Name": "b", "State": "CLOSED", "Status": "SUSPENDED"},
            {"Id": "../../etc", "Name": "bad"},
            {"Id": C, "State": "ACTIVE"},
        ]
    }
    accounts = _accounts(listed, {A: ROOT, B: PROD, PROD: ROOT})
    assert [(a.account_id, a.state, a.path) for a in accounts] == [
        (A, "SUSPENDED", (ROOT,)),
        (B, "CLOSED", (ROOT, PROD)),
        (C, "ACTIVE", ()),
    ]
    assert _accounts({"Error": {"Code": "AccessDenied", "Message": "no"}}, {}) == []


def test_the_rate_limiter_spaces_calls_across_workers() -> None:
    fake = FakeTime()
    limiter = RateLimiter(4, clock=fake.clock, sleep=fake.sleep)
    starts = []
    for _ in range(5):
        limiter.acquire()
        starts.append(fake.clock())
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert all(gap == pytest.approx(0.25) for gap in gaps)


def test_the_rate_limiter_holds_across_threads() -> None:
    limiter = RateLimiter(50)
    stamps: list[float] = []
    lock = threading.Lock()

    def acquire() -> None:
        limiter.acquire()
        with lock:
            stamps.append(time.monotonic())

    threads = [threading.Thread(target=acquire) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(stamps) - min(stamps) >= 9 / 50 - 0.01


ACCOUNTS_YML = """\
accounts:
  - account_id: "222222222222"
    name: prod
    role: arn:aws:iam::222222222222:role/Audit
    external_id: abc123
    regions: [us-east-1, eu-west-1]
    tags: [env:prod]
    vars: {ignored: true}
  - account_id: 033333333333
    role: [arn:aws:iam::111111111111:role/Hop, Audit]
"""


def test_a_c7n_org_accounts_file_is_read(tmp_path: Path) -> None:
    file = tmp_path / "accounts.yml"
    file.write_text(ACCOUNTS_YML)
    first, second = load_accounts_file(file)
    assert (first.account_id, first.name, first.roles, first.external_id) == (
        "222222222222",
        "prod",
        ("arn:aws:iam::222222222222:role/Audit",),
        "abc123",
    )
    assert first.regions == ("us-east-1", "eu-west-1")
    assert first.tags == ("env:prod",)
    assert second.roles == ("arn:aws:iam::111111111111:role/Hop", "Audit")


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"nope": []}, "accounts:"),
        ({"accounts": []}, "empty"),
        ({"accounts": [{"name": "x"}]}, "entry 1: account_id"),
        ({"accounts": [{"account_id": "12"}]}, "entry 1: account_id"),
        ({"accounts": [{"account_id": A, "role": 5}]}, f"entry 1 ({A}): role"),
        ({"accounts": [{"account_id": A, "regions": "us-east-1"}]}, "regions"),
        ({"accounts": [{"account_id": A}, {"account_id": A}]}, "entry 2 repeats"),
    ],
)
def test_a_bad_accounts_file_names_the_file_and_the_entry(document: object, message: str) -> None:
    with pytest.raises(UsageError, match=r"accounts\.yml") as raised:
        parse_accounts(document, "accounts.yml")
    assert message in str(raised.value)


def test_an_accounts_file_that_is_not_yaml_or_missing_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "accounts.yml"
    bad.write_text("accounts: [\n")
    with pytest.raises(UsageError, match="not valid YAML"):
        load_accounts_file(bad)
    with pytest.raises(UsageError, match="cannot be read"):
        load_accounts_file(tmp_path / "missing.yml")


def test_an_ou_tree_read_in_part_warns_instead_of_refusing_the_ou() -> None:
    whole = structure()
    partial = Structure({}, MANAGEMENT, whole.accounts, whole.root_ids, whole.children, tree_complete=False)
    selection = select(partial, SelectionRequest(ous=(PROD, "ou-ab12-unlisted")), MANAGEMENT)
    assert [p.account_id for p in selection.plans] == [A, B]
    assert any("OU tree could not be read whole" in warning for warning in selection.warnings)
