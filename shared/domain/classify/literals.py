"""Skipping phrase lists that cannot match a tip, by the plain words every match must contain.

Most of the taxonomy's phrase lists match nothing in a given tip, yet each costs a full regular
expression scan. A pattern such as `sell(?:s|ing)? (?:weed|coke)` cannot match a tip that does
not contain "sell"; one pass of an Aho-Corasick automaton over the tip finds which of those
required words are present, and only the patterns that could match are run. A pattern for which
no such words can be proven (a bare `\\d{1,2}`) is always run, so skipping never changes a result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

import ahocorasick

# Shorter runs ("a ", "on") appear in nearly every tip and would filter nothing.
MIN_LENGTH = 3

Requirement = frozenset[str]


def required_literals(regex: re.Pattern[str]) -> Requirement | None:
    """Plain strings of which every match contains at least one, or None when none can be proven.

    For a case-insensitive pattern the strings are lower case, as in a tip's lowered text.
    """
    folded = bool(regex.flags & re.IGNORECASE)
    try:
        parsed = sre_parse.parse(regex.pattern, regex.flags)
    except Exception:  # a pattern the parser of this Python reads differently: always run it
        return None
    return _sequence(list(parsed), folded)


def _better(a: Requirement | None, b: Requirement | None) -> Requirement | None:
    """The more selective of two requirements: longer shortest string, then fewer strings."""
    if a is None:
        return b
    if b is None:
        return a
    key_a = (min(map(len, a)), -len(a))
    key_b = (min(map(len, b)), -len(b))
    return b if key_b > key_a else a


def _sequence(items: list[tuple[Any, Any]], folded: bool) -> Requirement | None:
    """The best requirement any one element of a sequence guarantees (all of them must match)."""
    best: Requirement | None = None
    run: list[str] = []

    def end_run() -> None:
        nonlocal best
        if len(run) >= MIN_LENGTH:
            best = _better(best, frozenset(["".join(run)]))
        run.clear()

    for op, value in items:
        if op is sre.LITERAL:
            ch = chr(value)
            if folded:
                if not ch.isascii():
                    # Case-insensitive matching folds some letters in ways lower() does not.
                    end_run()
                    continue
                ch = ch.lower()
            run.append(ch)
            continue
        end_run()
        if op is sre.SUBPATTERN:
            _group, add_flags, del_flags, inner = value
            if not add_flags and not del_flags:  # inline flags would change what matches
                best = _better(best, _sequence(list(inner), folded))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, _high, inner = value
            if low >= 1:
                best = _better(best, _sequence(list(inner), folded))
        elif op is sre.BRANCH:
            _, branches = value
            parts = [_sequence(list(b), folded) for b in branches]
            if all(p is not None for p in parts):
                best = _better(best, frozenset().union(*(p for p in parts if p is not None)))
        # Anything else (classes, any character, look-arounds, anchors) guarantees no string.
    end_run()
    return best


class LiteralIndex:
    """The required strings of many patterns, found in a text in one pass."""

    def __init__(self, patterns: Iterable[re.Pattern[str]]) -> None:
        self._exact: dict[re.Pattern[str], Requirement] = {}
        self._folded: dict[re.Pattern[str], Requirement] = {}
        self._automaton = ahocorasick.Automaton()
        # For each required string, the patterns it can let through.
        self._needing: dict[str, set[re.Pattern[str]]] = {}
        for regex in patterns:
            need = required_literals(regex)
            if need is None:
                continue
            (self._folded if regex.flags & re.IGNORECASE else self._exact)[regex] = need
            for word in need:
                self._automaton.add_word(word, word)
                self._needing.setdefault(word, set()).add(regex)
        self._all = self._exact | self._folded
        self._empty = not self._all
        if not self._empty:
            self._automaton.make_automaton()

    def __len__(self) -> int:
        return len(self._all)

    def screen(self, text: str) -> Screen:
        """Which indexed patterns could match `text` (the tip's lowered text)."""
        if self._empty:
            return Screen(frozenset())
        present = {word for _, word in self._automaton.iter(text)}
        # Outside ASCII, case-insensitive patterns fold letters lower() leaves alone: run them.
        indexed = self._all if text.isascii() else self._exact
        possible = set().union(*(self._needing[word] for word in present))
        return Screen(frozenset(indexed.keys() - possible))


class Screen:
    """The indexed patterns one text lacks every required string of."""

    __slots__ = ("ruled_out",)

    def __init__(self, ruled_out: frozenset[re.Pattern[str]]) -> None:
        # Read directly by the scan of every phrase list, so a check is one set lookup.
        self.ruled_out = ruled_out

    def cannot_match(self, regex: re.Pattern[str]) -> bool:
        """True when the pattern needs a string the text lacks, so a scan would find nothing."""
        return regex in self.ruled_out
