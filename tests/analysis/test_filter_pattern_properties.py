"""Properties: rewrites that keep a pattern's meaning keep its judgement and its matches.

A random pattern over the CIS selectors (and a numeric one) is printed many ways: clauses shuffled,
extra parentheses, random whitespace and newlines, quoted or unquoted simple values, keywords in
any case, clauses duplicated. Every printing must parse, evaluate like the original on random
records, and be judged the same. The judgement must also agree with evaluation on random records.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rootguard.analysis.filter_pattern import (
    CIS_ROOT_USAGE,
    CIS_ROOT_USAGE_PATTERN,
    MISSING,
    And,
    Check,
    Comparison,
    Existence,
    Expr,
    Judgement,
    Number,
    Op,
    Or,
    evaluate,
    judge,
    parse,
    render,
    selector_text,
)

TYPE = ("userIdentity", "type")
INVOKED = ("userIdentity", "invokedBy")
STRING_SELECTORS = [TYPE, INVOKED, ("eventType",), ("eventName",), ("sourceIPAddress",)]
NUMERIC = ("errorCount",)
STRINGS = [
    "Root",
    "RootUser",
    "Root*",
    "*User",
    "*oo*",
    "AwsServiceEvent",
    "AwsApiCall",
    "signin.amazonaws.com",
    "ConsoleLogin",
    "1.2.3.4",
    'say "hi"',
    "two words",
]
NUMBERS = [Number(Decimal(text), text) for text in ("5", "-1.5", "1e3", "0")]
UNQUOTABLE = re.compile(r"[A-Za-z0-9_.:/*+-]+")
LOOKS_NUMERIC = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")

string_atoms = st.builds(
    Comparison, st.sampled_from(STRING_SELECTORS), st.sampled_from([Op.EQ, Op.NE]), st.sampled_from(STRINGS)
)
number_atoms = st.builds(Comparison, st.just(NUMERIC), st.sampled_from(list(Op)), st.sampled_from(NUMBERS))
keyword_atoms = st.builds(Existence, st.sampled_from([*STRING_SELECTORS, NUMERIC]), st.sampled_from(list(Check)))
atoms = st.one_of(string_atoms, string_atoms, number_atoms, keyword_atoms)


def _group(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    lists = st.lists(children, min_size=2, max_size=3)
    return st.one_of(lists.map(lambda xs: And(tuple(xs))), lists.map(lambda xs: Or(tuple(xs))))


patterns = st.recursive(atoms, _group, max_leaves=5).map(lambda e: parse(render(e)))


def _value(draw: st.DrawFn) -> Any:
    return draw(st.one_of(st.just(MISSING), st.sampled_from([*STRINGS, "IAMUser", None, True, 5, {}, ["Root"]])))


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = {}
    identity_shape = draw(st.sampled_from(["object", "missing", "string"]))
    if identity_shape == "string":
        record["userIdentity"] = "Root"
    elif identity_shape == "object":
        identity: dict[str, Any] = {}
        for key in ("type", "invokedBy"):
            value = _value(draw)
            if value is not MISSING:
                identity[key] = value
        record["userIdentity"] = identity
    for key in ("eventType", "eventName", "sourceIPAddress"):
        value = _value(draw)
        if value is not MISSING:
            record[key] = value
    number = draw(st.one_of(st.just(MISSING), st.sampled_from([-2, -1.5, 0, 4.9, 5, 6, 1000, 1001, "5"])))
    if number is not MISSING:
        record["errorCount"] = number
    return record


# ---- a printer that varies everything CloudWatch does not care about -------------------------


def _space(data: st.DataObject, required: bool = False) -> str:
    options = [" ", "  ", "\n", "\t", " \n  ", "\r\n"] if required else ["", " ", "  ", "\n", "\t", " \n  "]
    return data.draw(st.sampled_from(options))


def _case(data: st.DataObject, word: str) -> str:
    flips = data.draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.lower() if flip else c for c, flip in zip(word, flips, strict=True))


def _value_text(data: st.DataObject, value: str | Number) -> str:
    if isinstance(value, Number):
        return value.text
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    simple = UNQUOTABLE.fullmatch(value) and not LOOKS_NUMERIC.fullmatch(value)
    return value if simple and data.draw(st.booleans()) else quoted


def _atom_text(data: st.DataObject, atom: Comparison | Existence) -> str:
    selector = selector_text(atom.selector)
    if isinstance(atom, Comparison):
        return f"{selector}{_space(data)}{atom.op.value}{_space(data)}{_value_text(data, atom.value)}"
    words = [_case(data, word) for word in atom.kind.value.split()]
    return selector + _space(data, required=True) + _space(data, required=True).join(words)


def _variant(data: st.DataObject, expr: Expr) -> str:
    """Text for ``expr`` that may be parenthesised; ``And``/``Or`` items are shuffled and may repeat."""
    if isinstance(expr, Comparison | Existence):
        text = _atom_text(data, expr)
    else:
        items = list(data.draw(st.permutations(expr.items)))
        if data.draw(st.booleans()):
            items.append(data.draw(st.sampled_from(items)))
        joiner = "&&" if isinstance(expr, And) else "||"
        parts = [_item(data, item, inside_and=isinstance(expr, And)) for item in items]
        text = (_space(data) + joiner + _space(data)).join(parts)
    if data.draw(st.integers(0, 4)) == 0:
        text = f"({_space(data)}{text}{_space(data)})"
    return text


def _item(data: st.DataObject, item: Expr, inside_and: bool) -> str:
    text = _variant(data, item)
    # An Or inside an And needs its parentheses; _variant may or may not have added some.
    return f"({text})" if inside_and and isinstance(item, Or) else text


def printed(data: st.DataObject, expr: Expr) -> str:
    body = _variant(data, expr)
    if data.draw(st.booleans()):  # a duplicated top-level clause: X && X
        body = f"({body}){_space(data)}&&{_space(data)}({_variant(data, expr)})"
    return _space(data) + "{" + _space(data) + body + _space(data) + "}" + _space(data)


def verdict(judgement: Judgement) -> tuple[bool, ...]:
    return (
        judgement.parses,
        judgement.decided,
        judgement.catches_all_cis,
        judgement.noisy,
        judgement.equivalent,
        judgement.misses_console_actions,
    )


RELAXED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@RELAXED
@given(patterns, st.data())
def test_rewrites_evaluate_the_same_on_random_records(expr: Expr, data: st.DataObject) -> None:
    text = printed(data, expr)
    rewritten = parse(text)
    for record in data.draw(st.lists(records(), min_size=1, max_size=8)):
        assert evaluate(rewritten, record) == evaluate(expr, record), (text, record)


@RELAXED
@given(patterns, st.data())
def test_rewrites_are_judged_the_same(expr: Expr, data: st.DataObject) -> None:
    text = printed(data, expr)
    assert verdict(judge(text)) == verdict(judge(render(expr))), text


@RELAXED
@given(st.data())
def test_rewrites_of_the_cis_filter_are_equivalent(data: st.DataObject) -> None:
    text = printed(data, CIS_ROOT_USAGE)
    judgement = judge(text)
    assert judgement.equivalent, text
    assert verdict(judgement) == verdict(judge(CIS_ROOT_USAGE_PATTERN))


@RELAXED
@given(patterns, st.lists(records(), min_size=1, max_size=10))
def test_the_judgement_agrees_with_evaluation(expr: Expr, sample: list[dict[str, Any]]) -> None:
    judgement = judge(render(expr))
    assert judgement.decided
    for record in sample:
        cis, mine = evaluate(CIS_ROOT_USAGE, record), evaluate(expr, record)
        if judgement.catches_all_cis and cis:
            assert mine, record
        if not judgement.noisy and mine:
            assert cis, record


@RELAXED
@given(patterns)
def test_printing_is_canonical(expr: Expr) -> None:
    assert parse(render(expr)) == expr
