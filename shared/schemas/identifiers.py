"""Normalising the identifiers reporters give: postcodes, phone numbers, registrations."""

from __future__ import annotations

import re

import phonenumbers

_OUTWARD = r"(?:[A-Z]{1,2}[0-9][0-9A-Z]?)"
_FULL = re.compile(rf"^({_OUTWARD})\s*([0-9][A-Z]{{2}})$")
_SECTOR = re.compile(rf"^({_OUTWARD})\s+([0-9])$")
_DISTRICT = re.compile(rf"^({_OUTWARD})$")


def normalise_postcode(value: str) -> str:
    """Upper-case a full or partial UK postcode with one space: 'cb12ab' -> 'CB1 2AB'."""
    text = " ".join(value.upper().split())
    for pattern in (_FULL, _SECTOR):
        match = pattern.match(text)
        if match:
            return f"{match.group(1)} {match.group(2)}"
    if _DISTRICT.match(text):
        return text
    raise ValueError("is not a UK postcode or part of one (for example CB1 2AB, CB1 2 or CB1)")


def is_full_postcode(postcode: str) -> bool:
    """True for a complete postcode such as 'CB1 2AB'."""
    return bool(_FULL.match(postcode))


def normalise_phone(value: str) -> str:
    """A UK (or +country) phone number in E.164: '07700 900123' -> '+447700900123'."""
    text = value.strip()
    if not text:
        raise ValueError("is empty")
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("is not a recognisable phone number") from exc
    if not phonenumbers.is_possible_number(number):
        raise ValueError("is not a recognisable phone number (wrong number of digits)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_registration(value: str) -> str:
    """Vehicle registration in upper case without spaces: 'ab12 cde' -> 'AB12CDE'."""
    reg = "".join(value.upper().split())
    if not reg:
        raise ValueError("is empty")
    if not re.fullmatch(r"[A-Z0-9-]{1,10}", reg):
        raise ValueError("must be letters and digits only, at most 10")
    return reg.replace("-", "")
