"""CloudWatch Logs JSON filter patterns: parse, evaluate on CloudTrail records, judge against CIS 4.3.

The public surface of four private-by-convention modules:

- ``filter_pattern_ast``: the tree (``Comparison``, ``Existence``, ``And``, ``Or``), ``Op``, ``Check``,
  ``FilterPatternError`` and a canonical printer;
- ``filter_pattern_parser``: text → tree;
- ``filter_pattern_semantics``: tree × record → bool, with the CloudWatch choices documented there;
- ``filter_pattern_search`` and ``filter_pattern_judge``: comparison with the CIS root-usage filter.
"""

from __future__ import annotations

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
    render,
    selector_text,
)
from rootguard.analysis.filter_pattern_judge import (
    CIS_ROOT_USAGE,
    CIS_ROOT_USAGE_PATTERN,
    Judgement,
    describe,
    judge,
    misses_console_actions,
    old_console_action,
)
from rootguard.analysis.filter_pattern_parser import parse
from rootguard.analysis.filter_pattern_search import TooComplex, witness
from rootguard.analysis.filter_pattern_semantics import MISSING, evaluate, matches_records, resolve

__all__ = [
    "CIS_ROOT_USAGE",
    "CIS_ROOT_USAGE_PATTERN",
    "MISSING",
    "And",
    "Check",
    "Comparison",
    "ErrorKind",
    "Existence",
    "Expr",
    "FilterPatternError",
    "Judgement",
    "Number",
    "Op",
    "Or",
    "Selector",
    "TooComplex",
    "describe",
    "evaluate",
    "judge",
    "matches_records",
    "misses_console_actions",
    "old_console_action",
    "parse",
    "render",
    "resolve",
    "selector_text",
    "witness",
]
