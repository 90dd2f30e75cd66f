"""Adversarial but valid JSON spellings: random whitespace, key order and ``\\u`` escapes anywhere."""

from __future__ import annotations

import json
import random
from typing import Any

WHITESPACE = ("", "", "", " ", "  ", "\t", "\n", "\r\n", "\n    ")
INLINE_WHITESPACE = ("", "", "", " ", "  ", "\t")


class Speller:
    """Writes a value as JSON, choosing whitespace, key order and escapes with its own random source.

    ``escape`` is the chance that a character of a string (keys included) is written as a
    ``\\uXXXX`` escape, in upper or lower case hex; ``chars`` limits escapes to those characters
    (``"R"`` alone makes the rarest spelling of Root). ``one_line`` keeps the text on one line.
    """

    def __init__(
        self, seed: int, escape: float, *, chars: str | None = None, one_line: bool = False, shuffle: bool = True
    ) -> None:
        self.rng = random.Random(seed)
        self.escape = escape
        self.chars = chars
        self.spaces = INLINE_WHITESPACE if one_line else WHITESPACE
        self.shuffle = shuffle

    def dumps(self, value: Any) -> str:
        if isinstance(value, dict):
            items = list(value.items())
            if self.shuffle:
                self.rng.shuffle(items)
            inner = ",".join(
                f"{self._ws()}{self.string(k)}{self._ws()}:{self._ws()}{self.dumps(v)}{self._ws()}" for k, v in items
            )
            return "{" + (inner or self._ws()) + "}"
        if isinstance(value, list):
            inner = ",".join(f"{self._ws()}{self.dumps(v)}{self._ws()}" for v in value)
            return "[" + (inner or self._ws()) + "]"
        if isinstance(value, str):
            return self.string(value)
        return json.dumps(value)

    def string(self, text: str) -> str:
        out = []
        for char in text:
            if self.escape and (self.chars is None or char in self.chars) and self.rng.random() < self.escape:
                code = f"{ord(char):04x}"
                out.append("\\u" + (code.upper() if self.rng.random() < 0.5 else code))
            else:
                out.append(json.dumps(char)[1:-1])
        return '"' + "".join(out) + '"'

    def _ws(self) -> str:
        return self.rng.choice(self.spaces)
