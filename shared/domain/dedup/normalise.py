"""Normalisation of free text and identifiers before they are compared or hashed."""

from __future__ import annotations

import re
import unicodedata

# Apostrophes vanish rather than split a word, so "Tesco's" and "Tescos" compare equal.
_APOSTROPHES = frozenset("'\u2018\u2019\u02bc\uff07`")
_NON_DIGIT = re.compile(r"\D")
_NON_ALNUM = re.compile(r"[^0-9A-Z]")
# Fewer digits than this is not a phone number anyone can be reached on (e.g. "999").
_MIN_PHONE_DIGITS = 7


def _folded_char(ch: str) -> str:
    """What one case-folded character becomes: nothing, a space, or itself."""
    if ch in _APOSTROPHES:
        return ""
    if unicodedata.category(ch).startswith("P") or ch.isspace():
        return " "
    return ch


# Most tips are plain ASCII: one translate call does for them what the loop does per character.
_ASCII = str.maketrans({chr(i): _folded_char(chr(i)) for i in range(128)})


def normalise_text(text: str) -> str:
    """Return text folded for comparison: NFKC, case-folded, punctuation and spacing removed."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if folded.isascii():
        return " ".join(folded.translate(_ASCII).split())
    return " ".join("".join(map(_folded_char, folded)).split())


def normalise_phone(raw: str) -> str | None:
    """Return a phone number in E.164 (UK numbers given nationally become +44), or None."""
    text = unicodedata.normalize("NFKC", raw).strip().replace("(0)", "")
    international = text.startswith("+")
    digits = _NON_DIGIT.sub("", text)
    if len(digits) < _MIN_PHONE_DIGITS:
        return None
    if international:
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+44" + digits[1:]
    # No prefix at all: keep the digits so the same input still matches itself.
    return digits


def normalise_registration(raw: str) -> str | None:
    """Return a vehicle registration in upper case with no spaces or separators, or None."""
    reg = _NON_ALNUM.sub("", unicodedata.normalize("NFKC", raw).upper())
    return reg or None


def normalise_postcode(raw: str) -> str:
    """Return a postcode (full or partial) upper-cased with no spaces, for equality only."""
    return _NON_ALNUM.sub("", unicodedata.normalize("NFKC", raw).upper())
