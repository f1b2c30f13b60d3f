"""Text cleaning shared by every free-text field of a submission."""

from __future__ import annotations

import re
import unicodedata

# C0/C1 controls other than tab and newline, plus DEL; carriage returns are folded first.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(value: str, *, max_length: int, min_length: int = 0) -> str:
    """Trim, NFC-normalise and length-check free text; reject control characters."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if _SURROGATE.search(text):
        # Lone surrogates (from JSON "\ud800" escapes) cannot be stored or encoded as UTF-8.
        raise ValueError("contains characters that are not valid Unicode text")
    bad = _CONTROL.search(text)
    if bad:
        raise ValueError(f"contains a control character (U+{ord(bad.group()):04X}); remove it")
    if len(text) < min_length:
        raise ValueError(f"must be at least {min_length} characters (got {len(text)})")
    if len(text) > max_length:
        raise ValueError(f"must be at most {max_length:,} characters (got {len(text):,})")
    return text


def optional_text(value: str | None, *, max_length: int) -> str | None:
    """Clean optional text, turning blank into None."""
    if value is None:
        return None
    text = clean_text(value, max_length=max_length)
    return text or None
