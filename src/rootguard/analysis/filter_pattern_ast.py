"""The syntax tree of a CloudWatch Logs JSON filter pattern, its errors, and a canonical printer.

Grammar (CloudWatch Logs User Guide, "Filter pattern syntax", section on JSON log events):
``{ expr }`` where ``expr`` joins comparisons with ``&&`` and ``||`` (``&&`` binds tighter) and
parentheses. The tree is deliberately small so that semantics and judgement can walk it exhaustively.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

Step = str | int
"""One step of a selector: a property name, or an array index."""
Selector = tuple[Step, ...]


class Op(StrEnum):
    """Comparison operators; ``=`` and ``!=`` also take strings and wildcards, the others numbers only."""

    EQ = "="
    NE = "!="
    LT = "<"
    GT = ">"
    LE = "<="
    GE = ">="


class Check(StrEnum):
    """The keyword tests that take no value."""

    IS_NULL = "IS NULL"
    NOT_NULL = "NOT NULL"
    EXISTS = "EXISTS"
    NOT_EXISTS = "NOT EXISTS"
    IS_TRUE = "IS TRUE"
    IS_FALSE = "IS FALSE"


@dataclass(frozen=True)
class Number:
    """A numeric literal: the exact value, and the text it was written as (compared against JSON strings)."""

    value: Decimal
    text: str


Value = str | Number
"""A string literal (``*`` at either end is a wildcard) or a number."""


@dataclass(frozen=True)
class Comparison:
    selector: Selector
    op: Op
    value: Value


@dataclass(frozen=True)
class Existence:
    selector: Selector
    kind: Check


@dataclass(frozen=True)
class And:
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Expr, ...]


Atom = Comparison | Existence
Expr = Comparison | Existence | And | Or


class ErrorKind(StrEnum):
    """Why a pattern could not be parsed; callers word their finding differently for each."""

    EMPTY = "empty"
    """An empty pattern: CloudWatch matches every event with it (the judge says so: it catches root use too)."""
    NOT_JSON = "not-json"
    """A term, space-delimited or regex pattern: valid CloudWatch, but not a JSON pattern we can judge."""
    UNSUPPORTED = "unsupported"
    """JSON syntax CloudWatch may accept that this parser does not model (e.g. ``%regex%`` values)."""
    SYNTAX = "syntax"
    """Malformed: CloudWatch would reject it too."""


class FilterPatternError(ValueError):
    """A pattern that cannot be parsed, with the character position and a caret excerpt."""

    def __init__(self, message: str, position: int, pattern: str = "", kind: ErrorKind = ErrorKind.SYNTAX) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.pattern = pattern
        self.kind = kind

    @property
    def excerpt(self) -> str:
        """The pattern on one line with a caret under the offending character."""
        flat = self.pattern.replace("\n", " ").replace("\r", " ").replace("\t", " ")
        return f"{flat}\n{' ' * self.position}^"

    def __str__(self) -> str:
        return f"{self.message} (at character {self.position})\n{self.excerpt}"


def selector_text(selector: Selector) -> str:
    """``("userIdentity", "type")`` → ``$.userIdentity.type``; indexes print as ``[0]``."""
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in selector)


def value_text(value: Value) -> str:
    """Literals print quoted (strings) or as written (numbers), so the printed pattern reparses equal."""
    if isinstance(value, Number):
        return value.text
    # Only \ and " are escapes in CloudWatch strings, so only they are escaped here (not JSON's \n etc.).
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def render_expr(expr: Expr) -> str:
    """The expression without braces; ``Or`` inside ``And`` gets parentheses, nothing else does."""
    if isinstance(expr, Comparison):
        return f"{selector_text(expr.selector)} {expr.op.value} {value_text(expr.value)}"
    if isinstance(expr, Existence):
        return f"{selector_text(expr.selector)} {expr.kind.value}"
    if isinstance(expr, And):
        return " && ".join(f"({render_expr(i)})" if isinstance(i, Or) else render_expr(i) for i in expr.items)
    return " || ".join(render_expr(i) for i in expr.items)


def render(expr: Expr) -> str:
    """A canonical pattern text: ``{ … }`` with single spaces and quoted strings."""
    return f"{{ {render_expr(expr)} }}"


def atoms(expr: Expr) -> tuple[Atom, ...]:
    """Every comparison and keyword test in the expression, in reading order."""
    if isinstance(expr, Comparison | Existence):
        return (expr,)
    return tuple(atom for item in expr.items for atom in atoms(item))


def conjuncts(expr: Expr) -> tuple[Expr, ...]:
    """The top-level ``&&`` clauses (the expression itself when it is not an ``And``)."""
    return expr.items if isinstance(expr, And) else (expr,)
