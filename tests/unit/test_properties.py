"""Property tests: the recent-use verdict is a function of the most recent of the three dates."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from builders import AS_OF, AccountBuilder, context, iso
from rootguard.checks.root_usage import root_recent_use
from rootguard.model.findings import Status

# A cell is either a whole-second age in days-before-as-of or one of the documented sentinels.
cell = st.one_of(
    st.integers(min_value=0, max_value=3000 * 86400).map(lambda s: ("age", s)),
    st.sampled_from([("sentinel", "N/A"), ("sentinel", "no_information"), ("sentinel", "not_supported")]),
)


def text(value: tuple[str, object]) -> str:
    kind, payload = value
    return iso(AS_OF - timedelta(seconds=int(payload))) if kind == "age" else str(payload)  # type: ignore[call-overload]


@settings(max_examples=300, deadline=None)
@given(password=cell, key1=cell, key2=cell, window=st.integers(min_value=1, max_value=400))
def test_verdict_follows_the_most_recent_date(password, key1, key2, window) -> None:  # type: ignore[no-untyped-def]
    builder = AccountBuilder().root(
        password_last_used=text(password),
        access_key_1_last_used_date=text(key1),
        access_key_2_last_used_date=text(key2),
    )
    outcome = root_recent_use.evaluate(builder.evidence(), context(window=window))
    cells = (password, key1, key2)
    ages = [payload for kind, payload in cells if kind == "age"]
    if any(int(age) <= window * 86400 for age in ages):  # type: ignore[call-overload]
        expected = Status.FAIL
    elif ("sentinel", "not_supported") in cells:
        expected = Status.ERROR
    else:
        expected = Status.PASS
    assert outcome.status is expected, outcome.message
