"""Normalisation, keyed hashes and the place grid behind duplicate and cluster lookups."""

from __future__ import annotations

import math
import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.dedup import (
    cell_of,
    haversine_m,
    identifier_key,
    keys_for,
    neighbour_cells,
    normalise_phone,
    normalise_registration,
    normalise_text,
)
from shared.domain.dedup.geo import EARTH_RADIUS_M, cell_xy
from shared.domain.dedup.keys import description_fingerprint
from shared.domain.model import Location, TipFacts, Vehicle

SECRET = b"test-secret"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_description_normalisation_ignores_case_spacing_and_punctuation() -> None:
    a = "Dealing outside  the Co-op, every night!!"
    b = "dealing OUTSIDE the co op every night"
    assert normalise_text(a) == normalise_text(b) == "dealing outside the co op every night"


def test_description_normalisation_folds_unicode() -> None:
    # Full-width letters, a ligature and curly apostrophes fold to plain text.
    assert normalise_text("ＤＥＡＬＩＮＧ at Tesco’s ﬁre exit") == "dealing at tescos fire exit"
    assert normalise_text("STRASSE") == normalise_text("straße")


def _folded_per_character(text: str) -> str:
    # The rule spelled out one character at a time: apostrophes vanish, punctuation and
    # spacing become one space.
    folded = unicodedata.normalize("NFKC", text).casefold()
    out = []
    for ch in folded:
        if ch in "'\u2018\u2019\u02bc\uff07`":
            continue
        out.append(" " if unicodedata.category(ch).startswith("P") or ch.isspace() else ch)
    return " ".join("".join(out).split())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40) | st.text(max_size=20))
def test_plain_text_folds_as_the_rule_says_character_by_character(text: str) -> None:
    # ASCII text takes a faster path (one translation); it must fold exactly like the rule.
    assert normalise_text(text) == _folded_per_character(text)


def test_symbols_stay_and_punctuation_goes() -> None:
    assert (
        normalise_text("£20 a bag + 1 free @ the $hop | ok?") == "£20 a bag + 1 free the $hop | ok"
    )


def test_fingerprint_is_keyed_and_normalised() -> None:
    fp = description_fingerprint("Selling at the park.", secret=SECRET)
    assert fp == description_fingerprint("selling   at THE park", secret=SECRET)
    assert fp != description_fingerprint("Selling at the park.", secret=b"other")
    assert fp != description_fingerprint("Selling at the parks", secret=SECRET)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("+44 (0)7700 900123", "+447700900123"),
        ("0044 7700 900123", "+447700900123"),
        ("+447700900123", "+447700900123"),
        ("999", None),
    ],
)
def test_phone_normalisation(raw: str, e164: str | None) -> None:
    assert normalise_phone(raw) == e164


def test_registration_normalisation() -> None:
    assert normalise_registration(" ab12 cde ") == "AB12CDE"
    assert normalise_registration("AB12-CDE") == "AB12CDE"
    assert normalise_registration("  ") is None


def test_identifier_keys_are_prefixed_keyed_and_never_plain() -> None:
    phone = identifier_key("phone", "+447700900123", secret=SECRET)
    assert phone.startswith("phone:")
    assert "7700900123" not in phone
    assert phone != identifier_key("phone", "+447700900123", secret=b"other")
    # The same string as a registration never matches it as a phone number.
    same = identifier_key("vehicle", "+447700900123", secret=SECRET)
    assert same.startswith("vehicle:")
    assert same.partition(":")[2] != phone.partition(":")[2]
    with pytest.raises(ValueError):
        identifier_key("email", "x", secret=SECRET)


def _facts(**kw: object) -> TipFacts:
    base: dict[str, object] = {"description": "Dealing by the shops", "received_at": T0}
    base.update(kw)
    return TipFacts(**base)  # type: ignore[arg-type]


def test_keys_for_hashes_every_identifier_form_alike() -> None:
    facts = _facts(
        phone_numbers=("07700 900123", "+447700900123"),
        vehicles=(Vehicle(registration="ab12 cde"), Vehicle(registration=None)),
    )
    keys = keys_for("t1", facts, Location("none"), "street_dealing", secret=SECRET)
    assert len(keys.identifiers) == 2
    assert sorted(k.partition(":")[0] for k in keys.identifiers) == ["phone", "vehicle"]
    assert all("7700900123" not in k and "AB12CDE" not in k for k in keys.identifiers)
    assert keys.family == "supply"


def test_keys_for_location_key_only_when_unplaceable() -> None:
    text = _facts(location_text="Behind the bins, Arbury Court", postcode="cb4 2je")
    unplaced = keys_for("t1", text, Location("none"), "drug_use", secret=SECRET)
    assert unplaced.location_key is not None and not unplaced.placed
    other_spelling = _facts(location_text="behind the bins arbury court", postcode="CB4 2JE")
    assert (
        keys_for("t2", other_spelling, Location("none"), "drug_use", secret=SECRET).location_key
        == unplaced.location_key
    )
    placed = keys_for(
        "t3", text, Location("place", ward_code="E05013050"), "drug_use", secret=SECRET
    )
    assert placed.location_key is None and placed.placed
    pinned = keys_for(
        "t4", text, Location("out_of_area", lat=51.5, lon=-0.1), "drug_use", secret=SECRET
    )
    assert pinned.placed and pinned.cell == cell_of(51.5, -0.1)


def test_keys_for_refuses_an_empty_secret_and_naive_times() -> None:
    with pytest.raises(ValueError):
        keys_for("t1", _facts(), Location("none"), "other", secret=b"")
    with pytest.raises(ValueError):
        keys_for(
            "t1", _facts(received_at=datetime(2025, 1, 1)), Location("none"), "other", secret=SECRET
        )


def test_haversine_known_distance() -> None:
    # Cambridge market square to King's College chapel: a little over 200 m.
    assert 150 < haversine_m(52.2053, 0.1183, 52.2044, 0.1164) < 200
    assert haversine_m(0.0, 0.0, 0.0, 1.0) == pytest.approx(EARTH_RADIUS_M * math.pi / 180)


def test_neighbourhood_in_cambridge_is_at_most_three_by_three() -> None:
    cells = neighbour_cells(52.2206, 0.1480)
    bands: dict[int, list[int]] = {}
    for x, y in map(cell_xy, cells):
        bands.setdefault(y, []).append(x)
    assert len(cells) <= 9
    # Each latitude band numbers its own cells, so x spans are per band.
    assert len(bands) <= 3 and max(bands) - min(bands) <= 2
    assert all(max(xs) - min(xs) <= 2 for xs in bands.values())
    assert cell_of(52.2206, 0.1480) in cells


def _destination(lat: float, lon: float, bearing: float, metres: float) -> tuple[float, float]:
    d = metres / EARTH_RADIUS_M
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    return math.degrees(p2), math.degrees(l2)


@settings(max_examples=500, deadline=None)
@given(
    lat=st.floats(-89.9, 89.9),
    lon=st.floats(-179.0, 179.0),
    bearing=st.floats(0, 360),
    metres=st.floats(0, 250),
)
def test_every_point_within_250_m_is_in_the_neighbourhood(
    lat: float, lon: float, bearing: float, metres: float
) -> None:
    lat2, lon2 = _destination(lat, lon, bearing, metres)
    if haversine_m(lat, lon, lat2, lon2) <= 250.001:
        assert cell_of(lat2, lon2) in neighbour_cells(lat, lon)


@settings(max_examples=200, deadline=None)
@given(lat=st.floats(52.0, 52.4), lon=st.floats(-0.1, 0.4), bearing=st.floats(0, 360))
def test_cambridge_neighbourhoods_cover_250_m(lat: float, lon: float, bearing: float) -> None:
    lat2, lon2 = _destination(lat, lon, bearing, 250.0)
    assert cell_of(lat2, lon2) in neighbour_cells(lat, lon)
    assert len(neighbour_cells(lat, lon)) <= 9
