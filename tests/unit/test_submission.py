"""TipSubmission normalisation and rules (pure, fast)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.schemas.identifiers import normalise_phone, normalise_postcode, normalise_registration
from shared.schemas.submission import TipSubmission

BASE = {
    "description": "Selling from the stairwell every night",
    "location": {"text": "Bramley Court"},
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CB1 2AB", "CB1 2AB"),
        ("cb12ab", "CB1 2AB"),
        (" cb1  2ab ", "CB1 2AB"),
        ("CB1 2", "CB1 2"),
        ("cb4", "CB4"),
        ("EC1A1BB", "EC1A 1BB"),
    ],
)
def test_postcodes_are_normalised(raw: str, expected: str) -> None:
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["", "12345", "CB1 2ABC", "hello world"])
def test_bad_postcodes_are_rejected(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_postcode(raw)


def test_phone_and_registration_normalisation() -> None:
    assert normalise_phone("07700 900123") == "+447700900123"
    assert normalise_phone("+44 (0)7700 900123") == "+447700900123"
    assert normalise_registration("ab12 cde") == "AB12CDE"


def test_text_is_trimmed_and_nfc_normalised() -> None:
    tip = TipSubmission.model_validate(
        {**BASE, "description": "  Cafe\u0301 owner selling wraps  "}
    )
    assert tip.description == "Caf\u00e9 owner selling wraps"


def test_newlines_and_tabs_are_kept_other_controls_rejected() -> None:
    assert (
        "\n"
        in TipSubmission.model_validate(
            {**BASE, "description": "line one\nline two\tend"}
        ).description
    )
    with pytest.raises(ValidationError):
        TipSubmission.model_validate({**BASE, "description": "null \x00 byte in text"})


def test_call_id_only_from_the_phone_channel() -> None:
    assert (
        TipSubmission.model_validate({**BASE, "call_id": "C-1"}, context={"channel": "api"}).call_id
        == "C-1"
    )
    with pytest.raises(ValidationError):
        TipSubmission.model_validate({**BASE, "call_id": "C-1"}, context={"channel": "web"})


def test_contact_details_require_non_anonymous_and_are_kept_out_of_the_stored_form() -> None:
    tip = TipSubmission.model_validate(
        {**BASE, "reporter": {"anonymous": False, "name": "Sam", "phone": "07700900123"}}
    )
    assert tip.reporter.phone == "+447700900123"
    assert tip.without_contact()["reporter"] == {"anonymous": False}
