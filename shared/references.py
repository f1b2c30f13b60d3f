"""Tip references: random, unguessable, and easy to read aloud (Crockford base32)."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SHAPE = re.compile(r"^TL-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def new_reference() -> str:
    """A fresh reference such as 'TL-7K3M-Q9XD' (40 random bits)."""
    # One draw of 40 bits read as eight 5-bit digits: a system-random draw per character cost
    # more than the rest of building the tip's row.
    bits = secrets.randbits(40)
    chars = "".join(ALPHABET[(bits >> shift) & 31] for shift in range(35, -5, -5))
    return f"TL-{chars[:4]}-{chars[4:]}"


def normalise_reference(value: str) -> str | None:
    """The canonical form of a reference as typed or read out ('tl 7k3m q9xd'), or None."""
    compact = "".join(ch for ch in value.upper() if ch.isalnum()).translate(_READ_AS)
    if compact.startswith("T1"):  # "TL" after reading L as 1
        compact = "TL" + compact[2:]
    if not compact.startswith("TL") or len(compact) != 10:
        return None
    reference = f"TL-{compact[2:6]}-{compact[6:]}"
    return reference if _SHAPE.match(reference) else None
