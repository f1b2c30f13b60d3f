"""Reading a tip's text: fields, tokens, clauses, negation, hypotheticals and evidence snippets."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from shared.domain.classify.taxonomy import Cue, Taxonomy
from shared.domain.model import TipFacts

_TOKEN = re.compile(r"[\w£]+(?:'\w+)?")
# Sentences never run across these, even when the reporter forgets punctuation.
_SENTENCE = re.compile(r"[.!?]+(?=\s|$)|\n")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_SEPARATOR = "\n\n"
# A negated verb followed by a new subject starts another clause in run-on writing: in "when they
# can't pay they take his card" the "can't" is about paying, not taking. The new subject may be
# contracted ("if he doesn't pay they'll break his legs"). Verbs of opinion ("don't think he's
# dealing") keep the negation on what follows.
_NEGATED_VERB = re.compile(r"(?:n't|n’t|not|never|cannot)$")
_NEW_SUBJECT = re.compile(
    r"\s+(?!(?:think|thought|believe|reckon|suppose|imagine|know|expect|say|said|mean|feel|"
    r"want|see|saw|seen|saying|suggesting|claiming|sure|certain|aware|convinced)\b)"
    r"[a-z]+(?:\s+[a-z]+)?\s+(?:they|he|she|we|i)(?:'ll|'d|'re|'s|'ve|'m)?\s+(?:[a-z]+\s+)?$"
)


@dataclass(frozen=True)
class Hit:
    """One place a cue matched, and whether it counts."""

    cue: Cue
    field: str
    start: int
    end: int
    words: str
    negated: bool = False
    hypothetical: bool = False
    doubted: bool = False  # negated because the reporter does not know, not because they deny it


class Document:
    """A tip's text fields joined into one searchable text, with token and clause indexes."""

    def __init__(self, facts: TipFacts, taxonomy: Taxonomy) -> None:
        parts = [
            ("description", facts.description),
            ("when_text", facts.when_text),
            ("people", facts.people),
            ("location_text", facts.location_text),
        ]
        original: list[str] = []
        self.spans: list[tuple[str, int, int]] = []
        offset = 0
        for name, value in parts:
            if not value:
                continue
            value = unicodedata.normalize("NFC", value).translate(_QUOTES)
            self.spans.append((name, offset, offset + len(value)))
            original.append(value)
            offset += len(value) + len(_SEPARATOR)
        self.original = _SEPARATOR.join(original)
        lowered = self.original.lower()
        if len(lowered) != len(self.original):
            # Lower-casing a few Unicode letters ("İ") changes length, and evidence offsets must
            # stay aligned: those letters keep their case, every other letter is lowered.
            lowered = "".join(ch if len(ch.lower()) != 1 else ch.lower() for ch in self.original)
        self.text = lowered
        self.taxonomy = taxonomy
        self.token_starts = [m.start() for m in _TOKEN.finditer(self.text)]
        self.sentence_ends = [m.start() for m in _SENTENCE.finditer(self.text)]
        breaks = [m.start() for m in taxonomy.clause_breaks.finditer(self.text)]
        self.clause_ends = sorted(set(breaks) | set(self.sentence_ends))
        self.screen = taxonomy.literals.screen(self.text)

    def field_at(self, pos: int) -> str:
        """The field (description, people, ...) a position falls in."""
        for name, start, end in self.spans:
            if start <= pos <= end:
                return name
        return "description"

    def field_bounds(self, pos: int) -> tuple[int, int]:
        for _name, start, end in self.spans:
            if start <= pos <= end:
                return start, end
        return 0, len(self.text)

    def token_index(self, pos: int) -> int:
        """Index of the token at or just before a position."""
        return max(0, bisect_right(self.token_starts, pos) - 1)

    def clause(self, start: int, end: int) -> tuple[int, int]:
        """Start and end of the clause around [start, end)."""
        field_start, field_end = self.field_bounds(start)
        i = bisect_left(self.clause_ends, start)
        left = self.clause_ends[i - 1] + 1 if i > 0 else 0
        j = bisect_left(self.clause_ends, end)
        right = self.clause_ends[j] if j < len(self.clause_ends) else len(self.text)
        return max(left, field_start), min(right, field_end)

    def _window_start(self, start: int, clause_start: int, tokens: int) -> int:
        first = self.token_index(start) - tokens
        if first < 0:
            return clause_start
        return max(clause_start, self.token_starts[first])

    def sentence_start(self, pos: int) -> int:
        """Where the sentence holding a position begins (within its field)."""
        i = bisect_left(self.sentence_ends, pos)
        start = self.sentence_ends[i - 1] + 1 if i > 0 else 0
        return max(start, self.field_bounds(pos)[0])

    def is_negated(self, start: int, end: int) -> bool:
        """A negation cue shortly before, or a denial right after, in the same clause."""
        c_start, c_end = self.clause(start, end)
        w_start = self._window_start(start, c_start, self.taxonomy.negation_window)
        for m in self.taxonomy.negation_before.finditer(self.text, w_start, start):
            between = self.text[m.end() : start]
            if not (_NEGATED_VERB.search(m.group()) and _NEW_SUBJECT.match(between)):
                return True
        return self.taxonomy.negation_after.match(self.text, end, c_end) is not None

    def is_doubted(self, start: int, end: int) -> bool:
        """The reporter says shortly before, in the same clause, that they do not know."""
        doubt = self.taxonomy.doubt
        return doubt is not None and self._shortly_before(
            doubt, start, end, self.taxonomy.negation_window
        )

    def is_hypothetical(self, start: int, end: int) -> bool:
        """A worry or a possibility ('before someone gets stabbed'), not something that happened."""
        return self._shortly_before(
            self.taxonomy.hypothetical, start, end, self.taxonomy.hypothetical_window
        )

    def _shortly_before(self, pattern: re.Pattern[str], start: int, end: int, words: int) -> bool:
        """`pattern` within `words` tokens before a match, in the same clause."""
        c_start, _ = self.clause(start, end)
        w_start = self._window_start(start, c_start, words)
        return pattern.search(self.text, w_start, start) is not None

    def snippet(self, start: int, end: int, width: int = 50) -> str:
        """The reporter's own words around a match, trimmed to a readable length."""
        s_start, s_end = self.field_bounds(start)
        i = bisect_left(self.sentence_ends, start)
        left = self.sentence_ends[i - 1] + 1 if i > 0 else 0
        j = bisect_left(self.sentence_ends, end)
        right = self.sentence_ends[j] if j < len(self.sentence_ends) else len(self.text)
        left, right = max(left, s_start, start - width), min(right, s_end, end + width)
        words = self.original[left:right].strip(" ,;:-\n\t")
        if left > s_start and left == start - width:
            words = "..." + words.split(" ", 1)[-1] if " " in words else words
        if right < s_end and right == end + width:
            words = words.rsplit(" ", 1)[0] + "..." if " " in words else words
        return words

    def find(self, cue: Cue) -> list[Hit]:
        """Every match of a cue in the fields it applies to."""
        hits: list[Hit] = []
        if cue.regex in self.screen.ruled_out:
            return hits
        for name, start, end in self.spans:
            if name not in cue.fields:
                continue
            for m in cue.regex.finditer(self.text, start, end):
                s, e = m.span()
                negated = cue.negatable and self.is_negated(s, e)
                doubted = cue.negatable and not negated and self.is_doubted(s, e)
                hypothetical = (
                    cue.hypothetical_blocks
                    and not negated
                    and not doubted
                    and self.is_hypothetical(s, e)
                )
                hits.append(
                    Hit(
                        cue,
                        name,
                        s,
                        e,
                        self.original[s:e],
                        negated or doubted,
                        hypothetical,
                        doubted,
                    )
                )
        return hits

    def age_of(self, cue: Cue, hit: Hit) -> int | None:
        """The age captured by a mention that names one, e.g. 'about 14'."""
        if not cue.captures_age:
            return None
        m = cue.regex.match(self.text, hit.start, hit.end)
        if m is None:
            return None
        ages = [v for k, v in m.groupdict().items() if k.startswith("age_") and v is not None]
        return int(ages[0]) if ages else None
