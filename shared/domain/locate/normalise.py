"""Text normalisation shared by the gazetteer and the matcher, so both sides compare alike."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Street and place words in one canonical short form. Contracting (not expanding) keeps
# "St" unambiguous: "St Andrew's Street" becomes "st andrews st" on both sides.
ABBREVIATIONS: dict[str, str] = {
    "road": "rd",
    "rd": "rd",
    "raod": "rd",
    "street": "st",
    "st": "st",
    "str": "st",
    "saint": "st",
    "avenue": "ave",
    "ave": "ave",
    "av": "ave",
    "avn": "ave",
    "lane": "ln",
    "ln": "ln",
    "close": "cl",
    "cl": "cl",
    "court": "ct",
    "ct": "ct",
    "crt": "ct",
    "drive": "dr",
    "dr": "dr",
    "drv": "dr",
    "gardens": "gdns",
    "gdns": "gdns",
    "gdn": "gdns",
    "gardns": "gdns",
    "place": "pl",
    "pl": "pl",
    "crescent": "cres",
    "cres": "cres",
    "cresc": "cres",
    "terrace": "tce",
    "terr": "tce",
    "tce": "tce",
    "square": "sq",
    "sq": "sq",
    "grove": "gro",
    "gro": "gro",
    "gr": "gro",
    "park": "pk",
    "pk": "pk",
    "parade": "pde",
    "pde": "pde",
    "centre": "centre",
    "center": "centre",
    "ctr": "centre",
    "station": "stn",
    "stn": "stn",
    "recreation": "rec",
    "rec": "rec",
    "hospital": "hosp",
    "hosp": "hosp",
    "shopping": "shopping",
    "n": "and",
    "&": "and",
}

# Last words of street names: a match ending in one of these is a street-shaped phrase,
# which is where typo-tolerant matching is allowed to look.
STREET_SUFFIXES: frozenset[str] = frozenset(
    {
        "rd",
        "st",
        "ave",
        "ln",
        "cl",
        "ct",
        "dr",
        "gdns",
        "pl",
        "cres",
        "tce",
        "sq",
        "gro",
        "pk",
        "pde",
        "way",
        "walk",
        "row",
        "mews",
        "yard",
        "hill",
        "green",
        "common",
        "causeway",
        "piece",
        "pieces",
        "meadow",
        "meadows",
        "centre",
        "stn",
        "rec",
        "hosp",
        "fields",
    }
)

_APOSTROPHES = "'’‘`´"
_APOS_RE = re.compile(f"[{_APOSTROPHES}]")
_NON_WORD = re.compile(r"[^a-z0-9&]+")
_WORD_RE = re.compile(r"[A-Za-z0-9]+|&")


@dataclass(frozen=True)
class Token:
    """One normalised word of a text, with whether the writer capitalised it."""

    norm: str
    capital: bool


def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes ("King's" -> "kings")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _APOS_RE.sub("", text.lower())


def norm_word(word: str) -> str:
    """Canonical form of one already-folded word."""
    return ABBREVIATIONS.get(word, word)


def norm_phrase(text: str) -> tuple[str, ...]:
    """A name or alias as a tuple of canonical words."""
    words = _NON_WORD.sub(" ", fold(text).replace("&", " & ")).split()
    return tuple(norm_word(w) for w in words)


def tokenise(text: str) -> list[Token]:
    """Split free text into canonical tokens, keeping capitalisation for proper-noun checks."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    # Drop apostrophes so "King's" stays one word, "kings".
    plain = _APOS_RE.sub("", plain)
    out: list[Token] = []
    for raw in _WORD_RE.findall(plain):
        low = raw.lower()
        out.append(Token(norm_word(low), raw[0].isupper()))
    return out
