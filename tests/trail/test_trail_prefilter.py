"""The byte pre-filter: complete for every spelling of Root, at any depth of string-encoding."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from trail_records import delivered, record, root

from rootguard.trail import prefilter, scan_bytes


def escapes(char: str) -> list[str]:
    code = f"{ord(char):04x}"
    return sorted({char, f"\\u{code}", f"\\u{code.upper()}"})


SPELLINGS = ["".join(parts) for parts in itertools.product(*(escapes(c) for c in "Root"))]


def nest(text: str, backslash: str) -> str:
    """``text`` as the content of a JSON string, with backslashes written as ``backslash``."""
    return text.replace("\\", backslash).replace('"', '\\"')


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_escaping_of_root_passes_and_is_found(spelling: str) -> None:
    hit = root()
    text = delivered([record(), hit]).decode().replace('"type": "Root"', f'"type": "{spelling}"')
    assert prefilter.may_hold_root(text.encode())
    assert [r.record for r in scan_bytes("x.json", text.encode()).root_records] == [hit]


@pytest.mark.parametrize("backslash", ["\\\\", "\\u005c", "\\u005C"])
@pytest.mark.parametrize("spelling", ["\\u0052oot", "R\\u006fot", "Roo\\u0074"])
def test_escapes_inside_strings_inside_strings_pass(spelling: str, backslash: str) -> None:
    inner = json.dumps({"userIdentity": {"type": "Root"}}).replace("Root", spelling)
    once = nest(inner, backslash)
    twice = nest(once, backslash)
    for depth in (once, twice):
        data = ('{"Events": [{"CloudTrailEvent": "' + depth + '"}]}').encode()
        assert b"Root" not in data
        assert prefilter.may_hold_root(data), data


def test_escaped_digits_and_u_of_an_escape_still_pass() -> None:
    """The characters of ``\\u0052`` can themselves be escaped one level up: ``\\u0075`` for u …"""
    assert prefilter.may_hold_root(b'"\\\\\\u0075\\u0030\\u0030\\u0035\\u0032oot"')


def test_files_without_root_or_escapes_do_not_pass() -> None:
    assert not prefilter.may_hold_root(delivered([record() for _ in range(20)]))
    assert not prefilter.may_hold_root(b'{"a": "C:\\\\temp\\\\rootfs", "b": "\\u2028"}')
    assert prefilter.may_hold_root(b'{"a": "\\u003d"}')  # any \\u00 escape passes: a parse decides


@given(st.binary(max_size=300), st.binary(min_size=1, max_size=6))
def test_memmem_agrees_with_bytes_find(haystack: bytes, needle: bytes) -> None:
    assert prefilter.contains(haystack, needle) == (needle in haystack)


def test_glibc_memmem_is_used_here() -> None:
    assert prefilter.SEARCH == "memmem"


def test_shape_checks() -> None:
    good = delivered([record()], indent=2)
    assert prefilter.delivered_form(good[:256], good[-256:])
    assert not prefilter.delivered_form(good[:256], good[:-2][-256:])
    assert not prefilter.delivered_form(b'[{"Records": []}]', b'[{"Records": []}]')
    assert prefilter.looks_complete(b"  [", b"]\n")
    assert not prefilter.looks_complete(b"  [", b'"\n')


@given(st.binary(max_size=300), st.binary(min_size=1, max_size=6).filter(lambda needle: b"\0" not in needle))
def test_text_search_agrees_with_bytes_find_even_past_a_nul(haystack: bytes, needle: bytes) -> None:
    assert prefilter.find_text(haystack, needle) == (needle in haystack)
    assert prefilter.find_text(haystack + b"\0" + needle, needle)
    assert prefilter.may_hold_root(b'{"Records": [\0, {"userIdentity": {"type": "Root"}}]}')


def test_glibc_strstr_is_used_here() -> None:
    assert prefilter.TEXT_SEARCH == "strstr"
