"""Parser: every operator, keyword, value form and precedence rule; malformed patterns with positions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rootguard.analysis.filter_pattern import (
    And,
    Check,
    Comparison,
    ErrorKind,
    Existence,
    Expr,
    FilterPatternError,
    Number,
    Op,
    Or,
    parse,
    render,
    selector_text,
)

A = ("a",)
B = ("b",)
C = ("c",)


def eq(selector: tuple[str | int, ...], value: str | Number) -> Comparison:
    return Comparison(selector, Op.EQ, value)


def num(text: str) -> Number:
    return Number(Decimal(text), text)


OPERATOR_CASES: list[tuple[str, Expr]] = [
    ("{ $.a = 1 }", Comparison(A, Op.EQ, num("1"))),
    ("{ $.a != 1 }", Comparison(A, Op.NE, num("1"))),
    ("{ $.a < 1 }", Comparison(A, Op.LT, num("1"))),
    ("{ $.a > 1 }", Comparison(A, Op.GT, num("1"))),
    ("{ $.a <= 1 }", Comparison(A, Op.LE, num("1"))),
    ("{ $.a >= 1 }", Comparison(A, Op.GE, num("1"))),
    ("{$.a>=1}", Comparison(A, Op.GE, num("1"))),
    ('{$.a!="x"}', Comparison(A, Op.NE, "x")),
]

KEYWORD_CASES: list[tuple[str, Expr]] = [
    ("{ $.a IS NULL }", Existence(A, Check.IS_NULL)),
    ("{ $.a is null }", Existence(A, Check.IS_NULL)),
    ("{ $.a NOT NULL }", Existence(A, Check.NOT_NULL)),
    ("{ $.a EXISTS }", Existence(A, Check.EXISTS)),
    ("{ $.a exists }", Existence(A, Check.EXISTS)),
    ("{ $.a NOT EXISTS }", Existence(A, Check.NOT_EXISTS)),
    ("{ $.a Not Exists }", Existence(A, Check.NOT_EXISTS)),
    ("{ $.a NOT\n   EXISTS }", Existence(A, Check.NOT_EXISTS)),
    ("{ $.a IS TRUE }", Existence(A, Check.IS_TRUE)),
    ("{ $.a is True }", Existence(A, Check.IS_TRUE)),
    ("{ $.a IS FALSE }", Existence(A, Check.IS_FALSE)),
    ("{ $.a iS fAlSe }", Existence(A, Check.IS_FALSE)),
]

VALUE_CASES: list[tuple[str, Expr]] = [
    ('{ $.a = "Root" }', eq(A, "Root")),
    ("{ $.a = Root }", eq(A, "Root")),
    ('{ $.a = "two words" }', eq(A, "two words")),
    (r'{ $.a = "say \"hi\"" }', eq(A, 'say "hi"')),
    (r'{ $.a = "back\\slash" }', eq(A, "back\\slash")),
    (r'{ $.a = "C:\temp" }', eq(A, "C:\\temp")),  # an unknown escape stays as written
    ('{ $.a = "" }', eq(A, "")),
    ('{ $.a = "&& || ( ) { }" }', eq(A, "&& || ( ) { }")),
    ("{ $.a = signin.amazonaws.com }", eq(A, "signin.amazonaws.com")),
    ("{ $.a = arn:aws:iam::123456789012:root }", eq(A, "arn:aws:iam::123456789012:root")),
    ("{ $.a = a/b_c-d }", eq(A, "a/b_c-d")),
    ("{ $.a = 123.123.* }", eq(A, "123.123.*")),
    ('{ $.a = "*Event" }', eq(A, "*Event")),
    ("{ $.a = Event* }", eq(A, "Event*")),
    ("{ $.a = *vent* }", eq(A, "*vent*")),
    ("{ $.a = * }", eq(A, "*")),
    ("{ $.a = 42 }", eq(A, num("42"))),
    ("{ $.a = -42 }", eq(A, num("-42"))),
    ("{ $.a > +1000 }", Comparison(A, Op.GT, num("+1000"))),
    ("{ $.a <= 55.5 }", Comparison(A, Op.LE, num("55.5"))),
    ("{ $.a < 10e3 }", Comparison(A, Op.LT, num("10e3"))),
    ("{ $.a < 10e-3 }", Comparison(A, Op.LT, num("10e-3"))),
    ("{ $.a < -1.5E+2 }", Comparison(A, Op.LT, num("-1.5E+2"))),
    ("{ $.a = 123456789012 }", eq(A, num("123456789012"))),
    ('{ $.a = "42" }', eq(A, "42")),  # quoted digits stay a string
    ("{ $.a = 1.2.3 }", eq(A, "1.2.3")),  # not a number, so an unquoted string
]

SELECTOR_CASES: list[tuple[str, tuple[str | int, ...]]] = [
    ("{ $.eventName EXISTS }", ("eventName",)),
    ("{ $.userIdentity.sessionContext.attributes EXISTS }", ("userIdentity", "sessionContext", "attributes")),
    ("{ $.users[0] EXISTS }", ("users", 0)),
    ("{ $.users[0].id EXISTS }", ("users", 0, "id")),
    ("{ $.coordinates[0][1] EXISTS }", ("coordinates", 0, 1)),
    ("{ $.objectList[12].name EXISTS }", ("objectList", 12, "name")),
    ("{ $.x-amz_id2 EXISTS }", ("x-amz_id2",)),
]

PRECEDENCE_CASES: list[tuple[str, Expr]] = [
    ("{ $.a = 1 && $.b = 1 }", And((eq(A, num("1")), eq(B, num("1"))))),
    ("{ $.a = 1 || $.b = 1 }", Or((eq(A, num("1")), eq(B, num("1"))))),
    ("{ $.a = 1 || $.b = 1 && $.c = 1 }", Or((eq(A, num("1")), And((eq(B, num("1")), eq(C, num("1"))))))),
    ("{ $.a = 1 && $.b = 1 || $.c = 1 }", Or((And((eq(A, num("1")), eq(B, num("1")))), eq(C, num("1"))))),
    ("{ ($.a = 1 || $.b = 1) && $.c = 1 }", And((Or((eq(A, num("1")), eq(B, num("1")))), eq(C, num("1"))))),
    ("{ (($.a = 1)) }", eq(A, num("1"))),
    ("{ ($.a = 1 && $.b = 1) && $.c = 1 }", And((eq(A, num("1")), eq(B, num("1")), eq(C, num("1"))))),
    ("{ $.a = 1 || ($.b = 1 || $.c = 1) }", Or((eq(A, num("1")), eq(B, num("1")), eq(C, num("1"))))),
    ("\n{\n\t$.a = 1\n\t&&\n\t$.b = 1\n}\n", And((eq(A, num("1")), eq(B, num("1"))))),
]


@pytest.mark.parametrize(("pattern", "expected"), OPERATOR_CASES + KEYWORD_CASES + VALUE_CASES + PRECEDENCE_CASES)
def test_parse(pattern: str, expected: Expr) -> None:
    assert parse(pattern) == expected


@pytest.mark.parametrize(("pattern", "selector"), SELECTOR_CASES)
def test_selectors(pattern: str, selector: tuple[str | int, ...]) -> None:
    parsed = parse(pattern)
    assert isinstance(parsed, Existence)
    assert parsed.selector == selector
    assert selector_text(selector) == pattern.split()[1]


@pytest.mark.parametrize(("pattern", "_expected"), OPERATOR_CASES + KEYWORD_CASES + VALUE_CASES + PRECEDENCE_CASES)
def test_render_reparses_to_the_same_tree(pattern: str, _expected: Expr) -> None:
    tree = parse(pattern)
    assert parse(render(tree)) == tree


# (pattern, position of the caret, words the message must contain, kind)
MALFORMED: list[tuple[str, int, str, ErrorKind]] = [
    ("", 0, "empty", ErrorKind.EMPTY),
    ("   \n ", 0, "empty", ErrorKind.EMPTY),
    ("ERROR", 0, "not a JSON", ErrorKind.NOT_JSON),
    ('  "Failed to process"', 2, "not a JSON", ErrorKind.NOT_JSON),
    ("[ip, user, status_code = 4*]", 0, "not a JSON", ErrorKind.NOT_JSON),
    ("%root%", 0, "not a JSON", ErrorKind.NOT_JSON),
    ("?ERROR ?WARN", 0, "not a JSON", ErrorKind.NOT_JSON),
    ("{ }", 2, "no expression", ErrorKind.SYNTAX),
    ("{ $.a = 1 ", 10, "never closed", ErrorKind.SYNTAX),
    ("{ $.a = 1 }}", 11, "after the closing", ErrorKind.SYNTAX),
    ("{ $.a = 1 } extra", 12, "after the closing", ErrorKind.SYNTAX),
    ("{ ($.a = 1 }", 11, "')'", ErrorKind.SYNTAX),
    ("{ $.a = 1) }", 9, "found ')'", ErrorKind.SYNTAX),
    ("{ (($.a = 1) }", 13, "to close '(' at character 2", ErrorKind.SYNTAX),
    ('{ $.a "x" }', 6, "expected an operator", ErrorKind.SYNTAX),
    ("{ $.a }", 6, "expected an operator", ErrorKind.SYNTAX),
    ("{ $.a = }", 8, "expected a value", ErrorKind.SYNTAX),
    ("{ $.a = && $.b = 1 }", 8, "expected a value", ErrorKind.SYNTAX),
    ("{ $.a == 1 }", 6, "unknown operator '=='", ErrorKind.SYNTAX),
    ("{ $.a =< 1 }", 6, "unknown operator '=<'", ErrorKind.SYNTAX),
    ("{ $.a <> 1 }", 6, "unknown operator '<>'", ErrorKind.SYNTAX),
    ("{ $.a ! 1 }", 6, "unknown operator '!'", ErrorKind.SYNTAX),
    ("{ $.a = 1 & $.b = 1 }", 10, "unknown operator '&'", ErrorKind.SYNTAX),
    ("{ $.a = 1 ||| $.b = 1 }", 10, "unknown operator '|||'", ErrorKind.SYNTAX),
    ("{ $.a = 1 && }", 13, "after '&&'", ErrorKind.SYNTAX),
    ("{ && $.a = 1 }", 2, "expected a selector", ErrorKind.SYNTAX),
    ("{ $.a = 1 || }", 13, "after '||'", ErrorKind.SYNTAX),
    ("{ $.a = 1 $.b = 2 }", 10, "expected '&&', '||' or '}'", ErrorKind.SYNTAX),
    ("{ $.a > abc }", 8, "compares numbers", ErrorKind.SYNTAX),
    ("{ $.a >= * }", 9, "compares numbers", ErrorKind.SYNTAX),
    ('{ $.a = "open }', 8, "unterminated", ErrorKind.SYNTAX),
    ("{ $.a = a@b }", 9, "unexpected character '@'", ErrorKind.SYNTAX),
    ("{ $ = 1 }", 2, "starts with '$.'", ErrorKind.SYNTAX),
    ("{ $[0] = 1 }", 2, "starts with '$.'", ErrorKind.SYNTAX),
    ("{ $. = 1 }", 4, "property name", ErrorKind.SYNTAX),
    ("{ $.a[x] = 1 }", 5, "array index", ErrorKind.SYNTAX),
    ("{ $.a IS }", 9, "expected NULL, TRUE, FALSE", ErrorKind.SYNTAX),
    ("{ $.a IS EXISTS }", 6, "unknown test 'IS EXISTS'", ErrorKind.SYNTAX),
    ("{ $.a NOT TRUE }", 6, "unknown test 'NOT TRUE'", ErrorKind.SYNTAX),
    ("{ { $.a = 1 } }", 2, "found '{'", ErrorKind.SYNTAX),
    ("{ $.a.* = 1 }", 6, "wildcard selectors", ErrorKind.UNSUPPORTED),
    ("{ $.a[*] = 1 }", 5, "wildcard selectors", ErrorKind.UNSUPPORTED),
    ("{ $.a = %ro+t% }", 8, "regex", ErrorKind.UNSUPPORTED),
]


@pytest.mark.parametrize(("pattern", "position", "words", "kind"), MALFORMED)
def test_malformed_patterns_say_where_and_why(pattern: str, position: int, words: str, kind: ErrorKind) -> None:
    with pytest.raises(FilterPatternError) as caught:
        parse(pattern)
    error = caught.value
    assert error.position == position
    assert words in error.message
    assert error.kind is kind


def test_the_excerpt_puts_a_caret_under_the_offending_character() -> None:
    with pytest.raises(FilterPatternError) as caught:
        parse('{ $.a = 1 &&\n  $.b "x" }')
    excerpt_line, caret_line = caught.value.excerpt.split("\n")
    assert excerpt_line == '{ $.a = 1 &&   $.b "x" }'
    assert caret_line.index("^") == caught.value.position == 19
    assert excerpt_line[19] == '"'
    assert "at character 19" in str(caught.value)
