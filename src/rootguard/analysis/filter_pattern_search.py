"""Find a record that one set of patterns matches and another does not, or prove there is none.

Every atom tests the value of one selector, so records only differ, as far as the patterns can
tell, in which atoms hold for each selector. For each selector we build candidate values (absent,
null, booleans, containers, every constant mentioned, strings around each constant and wildcard,
numbers around each numeric constant) and keep one per distinct vector of atom results. The search
then walks the product of those classes depth-first, pruning with three-valued evaluation, and
checks each complete candidate by building a real record and evaluating the real patterns on it.
So a witness is always a true counterexample. "None" is exact for keyword tests and numbers (one
point per interval between constants) and for strings as far as the candidates reach: each
constant, with text before and/or after it, and pairwise concatenations and overlaps of constants.
That covers any mix of exact, prefix, suffix and contains tests we could construct; it is not a
proof for three or more overlapping wildcards on one selector.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rootguard.analysis.filter_pattern_ast import And, Atom, Comparison, Expr, Number, Or, Selector, atoms
from rootguard.analysis.filter_pattern_semantics import MISSING, evaluate, holds, resolve

SEARCH_BUDGET = 200_000
"""Search steps before giving up; realistic filters need a few hundred."""

_FAMILIAR: Mapping[Selector, tuple[str, ...]] = {
    # Real CloudTrail values come first so counterexamples read like records a reader has seen.
    ("userIdentity", "type"): ("Root", "IAMUser"),
    ("userIdentity", "invokedBy"): ("autoscaling.amazonaws.com",),
    ("eventType",): ("AwsApiCall", "AwsConsoleSignIn", "AwsServiceEvent"),
    ("eventName",): ("GetAccountSummary", "ConsoleLogin"),
    ("sourceIPAddress",): ("198.51.100.7",),
}
_FRESH = "other"


class TooComplex(Exception):
    """The search budget ran out: the patterns have too many independent selectors to decide."""


class _Hole:
    """A list slot created to reach a higher index; becomes ``null`` in the finished record."""


_HOLE = _Hole()


@dataclass(frozen=True)
class _Domain:
    selector: Selector
    atoms: tuple[Atom, ...]
    values: tuple[Any, ...]
    """One representative per class, absent (``MISSING``) last so examples show present values first."""


def witness(matching: Sequence[Expr], not_matching: Sequence[Expr]) -> dict[str, Any] | None:
    """A record every ``matching`` pattern matches and no ``not_matching`` pattern does; ``None`` if none exists.

    Raises ``TooComplex`` when the search budget runs out before an answer.
    """
    domains = _domains([*matching, *not_matching])
    return _Search(matching, not_matching, domains).run()


def _domains(exprs: Sequence[Expr]) -> list[_Domain]:
    by_selector: dict[Selector, list[Atom]] = {}
    for expr in exprs:
        for atom in atoms(expr):
            by_selector.setdefault(atom.selector, []).append(atom)
    domains = [_domain(selector, tuple(found)) for selector, found in by_selector.items()]
    # Most-constrained selectors first: their failures prune the largest subtrees.
    return sorted(domains, key=lambda d: -len(d.atoms))


def _domain(selector: Selector, on: tuple[Atom, ...]) -> _Domain:
    seen: set[tuple[bool, ...]] = set()
    kept: list[Any] = []
    for value in [*_candidates(selector, on), MISSING]:
        vector = tuple(holds(atom, value) for atom in on)
        if vector not in seen:
            seen.add(vector)
            kept.append(value)
    return _Domain(selector, on, tuple(kept))


def _candidates(selector: Selector, on: tuple[Atom, ...]) -> list[Any]:
    literals = [atom.value for atom in on if isinstance(atom, Comparison)]
    texts = [v if isinstance(v, str) else v.text for v in literals]
    cores = [text.strip("*") for text in texts]
    strings = [*_FAMILIAR.get(selector, ()), *cores, _FRESH, ""]
    for core in cores:
        strings += [f"{core}x", f"x{core}", f"x{core}x"]
    strings += texts  # a wildcard literal as plain text: last, as it reads oddly in an example
    strings += [a + b for a in cores for b in cores if a != b]
    strings += [a + b[k:] for a in cores for b in cores if a != b for k in range(1, len(b)) if a.endswith(b[:k])]
    return [*strings, *_numbers(literals), None, True, False, {}, []]


def _numbers(literals: list[str | Number]) -> list[int | float]:
    """Every numeric constant, a point strictly between each neighbouring pair, and one beyond each end.

    Comparisons with constants cut the number line into points and open intervals; one number from
    each piece covers every outcome. Numeric-looking strings count, since they match a number's text.
    """
    points = sorted({n for n in (_as_decimal(v) for v in literals) if n is not None})
    if not points:
        return [0]
    between = [(a + b) / 2 for a, b in itertools.pairwise(points)]
    return [_plain(n) for n in (*points, *between, points[0] - 1, points[-1] + 1)]


def _as_decimal(value: str | Number) -> Decimal | None:
    if isinstance(value, Number):
        return value.value
    try:
        number = Decimal(value.strip("*"))
    except ArithmeticError:
        return None
    return number if number.is_finite() else None


def _plain(number: Decimal) -> int | float:
    # Records hold what json.loads produces: int when integral, float otherwise.
    return int(number) if number == number.to_integral_value() else float(number)


class _Search:
    def __init__(self, matching: Sequence[Expr], not_matching: Sequence[Expr], domains: list[_Domain]) -> None:
        self.matching = matching
        self.not_matching = not_matching
        self.domains = domains
        self.assignment: dict[Selector, Any] = {}
        self.steps = 0

    def run(self) -> dict[str, Any] | None:
        return self._visit(0)

    def _visit(self, depth: int) -> dict[str, Any] | None:
        self.steps += 1
        if self.steps > SEARCH_BUDGET:
            raise TooComplex
        if self._pruned():
            return None
        if depth == len(self.domains):
            return self._complete()
        domain = self.domains[depth]
        for value in domain.values:
            self.assignment[domain.selector] = value
            found = self._visit(depth + 1)
            if found is not None:
                return found
        del self.assignment[domain.selector]
        return None

    def _pruned(self) -> bool:
        return any(_partial(e, self.assignment) is False for e in self.matching) or any(
            _partial(e, self.assignment) is True for e in self.not_matching
        )

    def _complete(self) -> dict[str, Any] | None:
        record = build_record(self.assignment, self.domains)
        if record is None:
            return None
        if all(evaluate(e, record) for e in self.matching) and not any(evaluate(e, record) for e in self.not_matching):
            return record
        return None


def _partial(expr: Expr, assignment: Mapping[Selector, Any]) -> bool | None:
    """Three-valued evaluation: ``None`` while an unassigned selector could still decide the result."""
    if isinstance(expr, And | Or):
        results = [_partial(item, assignment) for item in expr.items]
        decisive = isinstance(expr, Or)  # True decides an Or, False decides an And
        if decisive in results:
            return decisive
        return None if None in results else not decisive
    if expr.selector not in assignment:
        return None
    return holds(expr, assignment[expr.selector])


def build_record(assignment: Mapping[Selector, Any], domains: Sequence[_Domain]) -> dict[str, Any] | None:
    """A record whose selectors fall in the assigned classes, or ``None`` when they cannot coexist.

    Longer paths are placed first; a shorter selector then finds its container already there and
    keeps it, so the check below compares classes (atom vectors), not exact values.
    """
    record: dict[str, Any] = {}
    for selector in sorted(assignment, key=len, reverse=True):
        value = assignment[selector]
        if value is not MISSING and not _place(record, selector, value):
            return None
    _fill_holes(record)
    for domain in domains:
        actual = resolve(record, domain.selector)
        wanted = assignment[domain.selector]
        if any(holds(a, actual) != holds(a, wanted) for a in domain.atoms):
            return None
    return record


def _place(record: dict[str, Any], selector: Selector, value: Any) -> bool:
    node: Any = record
    for step, following in zip(selector, [*selector[1:], None], strict=True):
        if following is None:
            if not _slot_free(node, step):
                return True  # a longer selector already put a container here
            _put(node, step, copy.deepcopy(value))
            return True
        fresh: Any = [] if isinstance(following, int) else {}
        if _slot_free(node, step):
            _put(node, step, fresh)
        child = node[step]
        if type(child) is not type(fresh):
            return False
        node = child
    return True  # pragma: no cover - selectors are never empty


def _slot_free(node: Any, step: str | int) -> bool:
    if isinstance(node, list):
        return not isinstance(step, int) or step >= len(node) or node[step] is _HOLE
    return step not in node


def _put(node: Any, step: str | int, value: Any) -> None:
    if isinstance(node, list) and isinstance(step, int):
        node.extend([_HOLE] * (step + 1 - len(node)))
    node[step] = value


def _fill_holes(node: Any) -> None:
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in list(items):
        if child is _HOLE:
            node[key] = None
        else:
            _fill_holes(child)
