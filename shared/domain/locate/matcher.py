"""Finds gazetteer phrases in free text: exact phrases first, then guarded typo matching."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .gazetteer import Gazetteer, Phrase
from .normalise import Token, tokenise

# Words that may surround a weak name ("the market", "Abbey") when it is the whole
# location text, e.g. "near the market, Cambridge".
_FILLER = frozenset(
    [
        "the",
        "in",
        "at",
        "on",
        "near",
        "around",
        "by",
        "outside",
        "behind",
        "area",
        "ward",
        "estate",
        "cambridge",
        "of",
        "a",
        "side",
        "opposite",
        "next",
        "to",
        "bottom",
        "top",
        "end",
        "corner",
        "city",
        "centre",
        "inside",
        "round",
        "just",
    ]
)
# A town outside the city only places the tip there when the writer says it happened
# there; "lads up from London" says where people came from.
_LOCATIVE = frozenset(
    [
        "in",
        "at",
        "near",
        "outside",
        "around",
        "behind",
        "on",
        "opposite",
        "inside",
        "round",
        "nr",
        "by",
        "towards",
    ]
)
_MIN_FUZZY_BODY = 5


@dataclass(frozen=True)
class Match:
    """A phrase found at token positions [start, end) of a field."""

    phrase: Phrase
    start: int
    end: int
    written: str
    fuzzy: bool = False


def _allowed_edits(text: str) -> int:
    # One slip in a short word, two in a long one; never enough to turn one real name
    # into another (names this close are resolved by the exact pass first).
    return 1 if len(text) <= 9 else 2


class Matcher:
    """Indexes the gazetteer by token so a tip never scans every place."""

    def __init__(self, gaz: Gazetteer) -> None:
        self.phrases = gaz.phrases
        lengths: dict[str, set[int]] = {}
        by_last: dict[tuple[str, int], list[tuple[str, Phrase]]] = {}
        by_first: dict[tuple[str, int], list[tuple[str, Phrase]]] = {}
        singles: list[tuple[str, Phrase]] = []
        self.vocab: set[str] = set()
        for words, phrase in gaz.phrases.items():
            lengths.setdefault(words[0], set()).add(len(words))
            self.vocab.update(words)
            if phrase.weak:
                continue
            if len(words) >= 2:
                body = " ".join(words[:-1])
                if len(body) >= _MIN_FUZZY_BODY:
                    by_last.setdefault((words[-1], len(words)), []).append((body, phrase))
                rest = " ".join(words[1:])
                if len(rest) >= _MIN_FUZZY_BODY:
                    by_first.setdefault((words[0], len(words)), []).append((rest, phrase))
            elif len(words[0]) >= 7:
                singles.append((words[0], phrase))
        self.lengths = {w: tuple(sorted(ls, reverse=True)) for w, ls in lengths.items()}
        self.by_last = {k: ([b for b, _ in v], [p for _, p in v]) for k, v in by_last.items()}
        self.by_first = {k: ([b for b, _ in v], [p for _, p in v]) for k, v in by_first.items()}
        self.last_lengths: dict[str, tuple[int, ...]] = {}
        for last, n in self.by_last:
            self.last_lengths[last] = tuple(sorted({*self.last_lengths.get(last, ()), n}))
        self.first_lengths: dict[str, tuple[int, ...]] = {}
        for first, n in self.by_first:
            self.first_lengths[first] = tuple(sorted({*self.first_lengths.get(first, ()), n}))
        self.singles = ([s for s, _ in singles], [p for _, p in singles])

    def find(self, text: str, *, in_description: bool) -> list[Match]:
        """All usable place mentions in a field, in text order."""
        toks = tokenise(text)
        words = [t.norm for t in toks]
        found = self._exact(words)
        covered = [False] * len(words)
        for m in found:
            for k in range(m.start, m.end):
                covered[k] = True
        found += self._fuzzy(toks, words, covered, in_description)
        found.sort(key=lambda m: m.start)
        return [m for m in found if self._usable(m, toks, words, in_description)]

    def _exact(self, words: list[str]) -> list[Match]:
        out: list[Match] = []
        i, n = 0, len(words)
        while i < n:
            step = 1
            for length in self.lengths.get(words[i], ()):
                if i + length <= n:
                    key = tuple(words[i : i + length])
                    phrase = self.phrases.get(key)
                    if phrase is not None:
                        out.append(Match(phrase, i, i + length, " ".join(key)))
                        step = length
                        break
            i += step
        return out

    def _fuzzy(
        self, toks: list[Token], words: list[str], covered: list[bool], in_description: bool
    ) -> list[Match]:
        out: list[Match] = []

        def free(a: int, b: int) -> bool:
            return a >= 0 and b <= len(words) and not any(covered[a:b])

        def take(m: Match) -> None:
            out.append(m)
            for k in range(m.start, m.end):
                covered[k] = True

        for j, w in enumerate(words):
            # "Grean End Road": the street word is right, the name has a slip.
            for n in self.last_lengths.get(w, ()):
                a = j - n + 1
                if free(a, j + 1):
                    body = " ".join(words[a:j])
                    phrase = self._closest(body, self.by_last.get((w, n)))
                    if phrase is not None:
                        take(Match(phrase, a, j + 1, " ".join(words[a : j + 1]), True))
                        break
            # "Stourbridge Comon": the first word is right, a later one has a slip.
            for n in self.first_lengths.get(w, ()):
                if free(j, j + n):
                    rest = " ".join(words[j + 1 : j + n])
                    phrase = self._closest(rest, self.by_first.get((w, n)))
                    if phrase is not None:
                        take(Match(phrase, j, j + n, " ".join(words[j : j + n]), True))
                        break
        for j, w in enumerate(words):
            # "Adenbrookes": one long proper word with a slip.
            if covered[j] or len(w) < 7 or w in self.vocab:
                continue
            if in_description and not toks[j].capital:
                continue
            phrase = self._closest(w, self.singles)
            if phrase is not None:
                take(Match(phrase, j, j + 1, w, True))
        return out

    @staticmethod
    def _closest(text: str, pool: tuple[list[str], list[Phrase]] | None) -> Phrase | None:
        if pool is None or len(text) < _MIN_FUZZY_BODY:
            return None
        limit = _allowed_edits(text)
        hits = process.extract(text, pool[0], scorer=OSA.distance, score_cutoff=limit, limit=3)
        hits = [h for h in hits if pool[0][h[2]][0] == text[0] and h[1] > 0]
        if not hits:
            return None
        best = min(h[1] for h in hits)
        winners = {pool[1][h[2]].place.key for h in hits if h[1] == best}
        if len(winners) != 1:
            return None  # two names equally close: do not pick one
        return next(pool[1][h[2]] for h in hits if h[1] == best)

    def _usable(self, m: Match, toks: list[Token], words: list[str], in_description: bool) -> bool:
        phrase = m.phrase
        if phrase.weak:
            if in_description or m.fuzzy:
                return False
            others = words[: m.start] + words[m.end :]
            return all(w in _FILLER for w in others)
        if in_description and phrase.proper and not toks[m.start].capital:
            return False
        if in_description and phrase.place.kind == "out_of_area":
            k = m.start - 1
            while k >= 0 and words[k] in {"the", "of"}:
                k -= 1
            return k >= 0 and words[k] in _LOCATIVE
        return True
