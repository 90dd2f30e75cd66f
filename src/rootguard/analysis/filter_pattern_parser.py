"""Parse CloudWatch Logs JSON filter patterns into the tree of ``filter_pattern_ast``.

Only JSON patterns (``{ … }``) are parsed. Term, space-delimited (``[…]``) and regex (``%…%``)
patterns are valid CloudWatch but say nothing a JSON-record judgement could use, so they raise
``FilterPatternError`` with ``kind=NOT_JSON`` and the caller reports "cannot be judged".

What the CloudWatch Logs User Guide documents, and so what is accepted:
- selectors ``$.a.b``, ``$.a[0].b``, ``$.a[0][1]``; names are letters, digits, ``_`` and ``-``;
- ``=``, ``!=``, ``<``, ``>``, ``<=``, ``>=``; ``IS NULL``, ``EXISTS``, ``NOT EXISTS``, ``IS TRUE``,
  ``IS FALSE`` (keywords case-insensitive), plus ``NOT NULL`` as the obvious converse of ``IS NULL``;
- values: ``"quoted"`` (``\\"`` and ``\\\\`` escapes), unquoted words, numbers with sign, decimals
  and exponents (``10e-3``), and ``*`` wildcards;
- ``&&`` over ``||``, parentheses, and any whitespace (newlines included) between tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum, auto

from rootguard.analysis.filter_pattern_ast import (
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
    Selector,
    Step,
    Value,
)

_SPACE = re.compile(r"\s+")
_NAME = re.compile(r"[A-Za-z0-9_-]+")
_INDEX = re.compile(r"\[(\d+)\]")
_WORD = re.compile(r"[A-Za-z0-9_.:/*+-]+")
_OPERATOR = re.compile(r"[=!<>]+")
_LOGIC = re.compile(r"&+|\|+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_PUNCT = {"{": "LBRACE", "}": "RBRACE", "(": "LPAREN", ")": "RPAREN"}
_CHECKS = {tuple(check.value.split()): check for check in Check}
_OPERATORS = {op.value: op for op in Op}


class Tok(Enum):
    LBRACE = auto()
    RBRACE = auto()
    LPAREN = auto()
    RPAREN = auto()
    AND = auto()
    OR = auto()
    OP = auto()
    SELECTOR = auto()
    STRING = auto()
    WORD = auto()
    END = auto()


@dataclass(frozen=True)
class Token:
    kind: Tok
    text: str
    position: int
    selector: Selector = ()
    """Parsed steps, for ``SELECTOR`` tokens."""


def parse(pattern: str) -> Expr:
    """The tree of a JSON filter pattern; ``FilterPatternError`` says where and why it is not one."""
    start = _skip_space(pattern, 0)
    if start == len(pattern):
        raise FilterPatternError("the pattern is empty (CloudWatch matches every event)", 0, pattern, ErrorKind.EMPTY)
    if pattern[start] != "{":
        raise FilterPatternError(
            "not a JSON filter pattern (it does not start with '{')", start, pattern, ErrorKind.NOT_JSON
        )
    return _Parser(pattern, _tokens(pattern)).pattern()


def _skip_space(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


def _tokens(pattern: str) -> list[Token]:
    tokens: list[Token] = []
    at = _skip_space(pattern, 0)
    while at < len(pattern):
        token = _token(pattern, at)
        tokens.append(token)
        at = _skip_space(pattern, at + len(token.text))
    tokens.append(Token(Tok.END, "", len(pattern)))
    return tokens


def _token(pattern: str, at: int) -> Token:
    char = pattern[at]
    if char in _PUNCT:
        return Token(Tok[_PUNCT[char]], char, at)
    if char == "$":
        return _selector(pattern, at)
    if char == '"':
        return _quoted(pattern, at)
    if char == "%":
        raise FilterPatternError("regex values (%…%) are not supported", at, pattern, ErrorKind.UNSUPPORTED)
    for regex, make in ((_LOGIC, _logic), (_OPERATOR, _operator), (_WORD, _word)):
        match = regex.match(pattern, at)
        if match:
            return make(pattern, at, match.group())
    raise FilterPatternError(f"unexpected character {char!r} (quote values that contain it)", at, pattern)


def _logic(pattern: str, at: int, text: str) -> Token:
    if text == "&&":
        return Token(Tok.AND, text, at)
    if text == "||":
        return Token(Tok.OR, text, at)
    raise FilterPatternError(f"unknown operator {text!r}: use '&&' or '||'", at, pattern)


def _operator(pattern: str, at: int, text: str) -> Token:
    if text not in _OPERATORS:
        raise FilterPatternError(f"unknown operator {text!r}: use one of = != < > <= >=", at, pattern)
    return Token(Tok.OP, text, at)


def _word(_pattern: str, at: int, text: str) -> Token:
    return Token(Tok.WORD, text, at)


def _selector(pattern: str, at: int) -> Token:
    steps: list[Step] = []
    end = at + 1
    while end < len(pattern) and pattern[end] in ".[":
        if pattern[end] == "[":
            index = _INDEX.match(pattern, end)
            if not index:
                raise _selector_error("an array index must be [digits]", pattern, end)
            steps.append(int(index.group(1)))
            end = index.end()
            continue
        name = _NAME.match(pattern, end + 1)
        if not name:
            raise _selector_error("expected a property name after '.'", pattern, end + 1)
        steps.append(name.group())
        end = name.end()
    if not steps or isinstance(steps[0], int):
        raise FilterPatternError("a selector starts with '$.' and a property name", at, pattern)
    return Token(Tok.SELECTOR, pattern[at:end], at, tuple(steps))


def _selector_error(message: str, pattern: str, at: int) -> FilterPatternError:
    # `$.a.*` and `$.a[*]` are JSONPath wildcards that the guide does not document: "unsupported", not "malformed".
    if "*" in pattern[at : at + 2]:
        return FilterPatternError(
            "wildcard selectors ($.a.*, $.a[*]) are not supported", at, pattern, ErrorKind.UNSUPPORTED
        )
    return FilterPatternError(message, at, pattern)


def _quoted(pattern: str, at: int) -> Token:
    end = at + 1
    while end < len(pattern):
        if pattern[end] == "\\":
            end += 2
            continue
        if pattern[end] == '"':
            return Token(Tok.STRING, pattern[at : end + 1], at)
        end += 1
    raise FilterPatternError("unterminated string", at, pattern)


def _unescape(quoted: str) -> str:
    # Only \" and \\ are escapes; any other backslash stays as written.
    return re.sub(r'\\(["\\])', r"\1", quoted[1:-1])


class _Parser:
    """Recursive descent: pattern := '{' or '}'; or := and ('||' and)*; and := primary ('&&' primary)*."""

    def __init__(self, pattern: str, tokens: list[Token]) -> None:
        self.pattern_text = pattern
        self.tokens = tokens
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def fail(self, message: str, token: Token | None = None) -> FilterPatternError:
        return FilterPatternError(message, (token or self.current).position, self.pattern_text)

    def at(self, kind: Tok) -> bool:
        # A method, not `self.current.kind is …`, so mypy does not keep a narrowing across advance().
        return self.current.kind is kind

    def expect(self, kind: Tok, message: str) -> Token:
        if not self.at(kind):
            raise self.fail(message)
        return self.advance()

    def pattern(self) -> Expr:
        opening = self.expect(Tok.LBRACE, "expected '{'")
        if self.at(Tok.RBRACE):
            raise self.fail("the braces hold no expression")
        expr = self.or_expr()
        if self.at(Tok.END):
            raise self.fail(f"'{{' at character {opening.position} is never closed")
        self.expect(Tok.RBRACE, f"expected '&&', '||' or '}}', found {self.current.text!r}")
        if not self.at(Tok.END):
            raise self.fail("unexpected text after the closing '}'")
        return expr

    def or_expr(self) -> Expr:
        items = [self.and_expr()]
        while self.current.kind is Tok.OR:
            self.advance()
            items.append(self.and_expr())
        return _joined(Or, items)

    def and_expr(self) -> Expr:
        items = [self.primary()]
        while self.current.kind is Tok.AND:
            self.advance()
            items.append(self.primary())
        return _joined(And, items)

    def primary(self) -> Expr:
        token = self.current
        if token.kind is Tok.LPAREN:
            self.advance()
            inner = self.or_expr()
            self.expect(Tok.RPAREN, f"expected ')' to close '(' at character {token.position}")
            return inner
        if token.kind is Tok.SELECTOR:
            return self.test(self.advance())
        previous = self.tokens[self.index - 1].text if self.index else ""
        after = f" after {previous!r}" if previous in {"&&", "||", "("} else ""
        found = "the end of the pattern" if token.kind is Tok.END else repr(token.text)
        raise self.fail(f"expected a selector such as $.eventName{after}, found {found}")

    def test(self, selector: Token) -> Expr:
        if self.current.kind is Tok.OP:
            op = _OPERATORS[self.advance().text]
            return Comparison(selector.selector, op, self.value(op))
        if self.current.kind is Tok.WORD and self.current.text.upper() in {"IS", "NOT", "EXISTS"}:
            return Existence(selector.selector, self.check())
        raise self.fail(f"expected an operator or IS/NOT/EXISTS after {selector.text}")

    def check(self) -> Check:
        first = self.advance()
        words: tuple[str, ...] = (first.text.upper(),)
        if words[0] != "EXISTS":
            second = self.expect(Tok.WORD, f"expected NULL, TRUE, FALSE or EXISTS after {first.text}")
            words = (words[0], second.text.upper())
        if words not in _CHECKS:
            raise self.fail(f"unknown test {' '.join(words)!r}", first)
        return _CHECKS[words]

    def value(self, op: Op) -> Value:
        token = self.current
        if token.kind is Tok.STRING:
            value: Value = _unescape(self.advance().text)
        elif token.kind is Tok.WORD:
            value = _number(self.advance().text) or token.text
        else:
            found = "the end of the pattern" if token.kind is Tok.END else repr(token.text)
            raise self.fail(f"expected a value after {op.value!r}, found {found}")
        if op not in {Op.EQ, Op.NE} and not isinstance(value, Number):
            raise self.fail(f"{op.value!r} compares numbers; {token.text} is not a number", token)
        return value


def _number(text: str) -> Number | None:
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Number(Decimal(text), text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        return None


def _joined(kind: type[And] | type[Or], items: list[Expr]) -> Expr:
    """One item stays itself; nested groups of the same kind flatten, so redundant parentheses vanish."""
    if len(items) == 1:
        return items[0]
    flat: list[Expr] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return kind(tuple(flat))
