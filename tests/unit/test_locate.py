"""Location resolver: public API, each precedence rule, and the traps in the Cambridge data."""

from __future__ import annotations

import functools
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shared.domain.errors import ConfigError
from shared.domain.locate import Locator
from shared.domain.model import Location, TipFacts


def data_dir() -> Path:
    """The Cambridge data directory: TIPLINE_DATA_DIR, or ../shared/data/cambridge."""
    env = os.environ.get("TIPLINE_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "data" / "cambridge"


@functools.cache
def load_locator() -> Locator:
    """One loaded resolver for the whole run (loading takes a fraction of a second)."""
    return Locator.load(data_dir())


@pytest.fixture
def locator() -> Locator:
    if not data_dir().is_dir():
        pytest.skip(f"Cambridge data not found at {data_dir()}")
    return load_locator()


def tip(
    text: str | None = None,
    *,
    desc: str = "People dealing here every evening.",
    postcode: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> TipFacts:
    return TipFacts(
        description=desc,
        received_at=datetime(2025, 10, 1, tzinfo=UTC),
        location_text=text,
        postcode=postcode,
        lat=lat,
        lon=lon,
    )


def rules(loc: Location) -> set[str]:
    return {r.rule for r in loc.reasons}


# -- API ---------------------------------------------------------------------------------


def test_wards_and_names(locator: Locator) -> None:
    assert len(locator.wards) == 14
    assert locator.wards["E05013056"] == "King's Hedges"
    assert locator.ward_code_for_name("kings hedges") == "E05013056"
    assert locator.ward_code_for_name("KING’S HEDGES") == "E05013056"
    assert locator.ward_code_for_name("Queen Ediths ward") == locator.ward_code_for_name(
        "Queen Edith's"
    )
    assert locator.ward_code_for_name("Histon") is None
    geoms = locator.ward_geometries()
    assert set(geoms) == set(locator.wards)
    assert all(g.is_valid and g.area > 0 for g in geoms.values())


def test_missing_data_dir_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        Locator.load(tmp_path / "nope")
    with pytest.raises(ConfigError):
        Locator.load(tmp_path)


def test_bad_landmarks_file_is_config_error(tmp_path: Path) -> None:
    if not data_dir().is_dir():
        pytest.skip("no data")
    bad = tmp_path / "landmarks.yaml"
    bad.write_text(
        "landmarks:\n  - name: Grafton\n    postcode: CB4 2JQ\n    ward: Market\n", "utf-8"
    )
    with pytest.raises(ConfigError, match="Arbury"):
        Locator.load(data_dir(), bad)
    with pytest.raises(ConfigError):
        Locator.load(data_dir(), tmp_path / "missing.yaml")
    bad.write_text("- just a list\n", "utf-8")
    with pytest.raises(ConfigError):
        Locator.load(data_dir(), bad)


# -- pins and postcodes -----------------------------------------------------------------


def test_pin_in_ward(locator: Locator) -> None:
    loc = locator.resolve(tip(lat=52.224553, lon=0.128306))
    assert (loc.method, loc.ward) == ("latlon", "Arbury")
    assert loc.lat == pytest.approx(52.224553)
    assert "location.latlon" in rules(loc)


def test_pin_outside_city_is_out_of_area(locator: Locator) -> None:
    loc = locator.resolve(tip("Mill Road", lat=52.2520, lon=0.1030))
    assert loc.method == "out_of_area"
    assert loc.ward_code is None and loc.lat is None
    assert "location.conflict" in rules(loc)
    assert loc.place == "street:mill road"


def test_pin_near_edge_defers_to_postcode(locator: Locator) -> None:
    # README trap: Arbury Court (CB4 2JQ) is in Arbury; a point just off lands next door.
    loc = locator.resolve(tip(postcode="CB4 2JQ", lat=52.2246, lon=0.1300))
    assert loc.ward == "Arbury"
    assert "location.conflict" in rules(loc)


def test_pin_far_from_postcode_wins(locator: Locator) -> None:
    loc = locator.resolve(tip(postcode="CB4 2JQ", lat=52.2185, lon=0.1300))
    assert (loc.method, loc.ward) == ("latlon", "West Chesterton")
    assert "location.conflict" in rules(loc)


def test_full_postcode(locator: Locator) -> None:
    loc = locator.resolve(tip(postcode="cb42jq"))
    assert (loc.method, loc.ward) == ("postcode", "Arbury")
    assert loc.reasons[0].detail == "Postcode CB4 2JQ is in Arbury ward"
    assert loc.reasons[0].evidence == ("CB4 2JQ",)
    assert loc.lat is not None


def test_non_geographic_postcode_is_skipped(locator: Locator) -> None:
    loc = locator.resolve(tip("Jesus Green", postcode="CB1 0AG"))
    assert (loc.method, loc.ward) == ("place", "Market")
    assert "location.postcode_ignored" in rules(loc)


def test_postcode_outside_city(locator: Locator) -> None:
    for pc in ("CB24 6AB", "PE29 3TN", "CB22 5LA"):
        loc = locator.resolve(tip(postcode=pc))
        assert loc.method == "out_of_area", pc


def test_postcode_beats_place_with_conflict(locator: Locator) -> None:
    loc = locator.resolve(tip("Mill Road", postcode="CB4 2JQ"))
    assert (loc.method, loc.ward) == ("postcode", "Arbury")
    assert "location.conflict" in rules(loc)
    assert loc.place == "street:mill road"


def test_sector_thresholds(locator: Locator) -> None:
    loc = locator.resolve(tip(postcode="CB4 2"))
    assert (loc.method, loc.ward) == ("sector", "King's Hedges")
    assert loc.lat is None and loc.confidence < 0.6
    assert locator.resolve(tip(postcode="CB1 3")).method == "none"
    assert locator.resolve(tip(postcode="CB1 8")).method == "none"


# -- places ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        ("Arbury Court", "Arbury"),
        ("Abbey Walk", "Petersfield"),
        ("Kings Hedges", "King's Hedges"),
        ("King's Hedges estate", "King's Hedges"),
        ("green end rd", "East Chesterton"),
        ("Grean End Road", "East Chesterton"),
        ("outside the co-op on mill rd, romsey", "Romsey"),
        ("St. Bede's Cres", "Cherry Hinton"),
        ("behind the Grafton", "Market"),
        ("Adenbrookes", "Queen Edith's"),
        ("Histon Road", "Arbury"),
        ("Huntingdon Rd", "Castle"),
    ],
)
def test_place_in_text(locator: Locator, text: str, ward: str) -> None:
    loc = locator.resolve(tip(text))
    assert (loc.method, loc.ward) == ("place", ward)


def test_place_key_is_canonical(locator: Locator) -> None:
    a = locator.resolve(tip("green end rd"))
    b = locator.resolve(tip(desc="Dealing outside a house on Green End Road."))
    assert a.place == b.place == "street:green end road"
    assert locator.resolve(tip("the grafton")).place == "landmark:grafton centre"


def test_place_only_in_description(locator: Locator) -> None:
    loc = locator.resolve(tip(desc="Young lads dealing outside the shops at Arbury Court."))
    assert (loc.method, loc.ward) == ("place", "Arbury")
    assert "description" in loc.reasons[0].detail


def test_street_spanning_wards_is_low_confidence(locator: Locator) -> None:
    loc = locator.resolve(tip("Mill Road"))
    assert loc.ward in ("Romsey", "Petersfield")
    assert loc.confidence < 0.7
    assert "location.low_confidence" in rules(loc)
    assert locator.resolve(tip("Mill Road near Gwydir Street")).ward == "Petersfield"


def test_ambiguous_name(locator: Locator) -> None:
    loc = locator.resolve(tip("High Street"))
    assert loc.method == "none"
    amb = next(r for r in loc.reasons if r.rule == "location.ambiguous")
    assert "Cherry Hinton" in amb.detail
    assert locator.resolve(tip("High St, Cherry Hinton")).ward == "Cherry Hinton"
    assert locator.resolve(tip("High Street", postcode="CB1 9")).ward == "Cherry Hinton"


@pytest.mark.parametrize(
    "text", ["Histon", "Grantchester", "High Street, Histon", "Great Shelford", "St Ives"]
)
def test_out_of_area_places(locator: Locator, text: str) -> None:
    loc = locator.resolve(tip(text))
    assert loc.method == "out_of_area"
    assert loc.ward is None


def test_trumpington_is_in_the_city(locator: Locator) -> None:
    assert locator.resolve(tip("Trumpington")).ward == "Trumpington"


def test_travel_mention_is_not_a_location(locator: Locator) -> None:
    loc = locator.resolve(tip(desc="Lads come up from London on the train to sell."))
    assert loc.method == "none"


@pytest.mark.parametrize(
    "text", ["the park", "the shop", "the station car park", "near my house", "the green"]
)
def test_common_words_are_not_places(locator: Locator, text: str) -> None:
    assert locator.resolve(tip(text)).ward is None


def test_ward_words_inside_description_need_more(locator: Locator) -> None:
    loc = locator.resolve(tip(desc="The drug market here is busy, like a castle under siege."))
    assert loc.method == "none"


def test_nothing_at_all(locator: Locator) -> None:
    loc = locator.resolve(tip())
    assert loc.method == "none" and loc.confidence == 0.0
    assert "location.none" in rules(loc)


@pytest.mark.parametrize(
    ("text", "ward"),
    [
        ("Ely, flats by the railway station", None),
        ("Huntingdon, near the bus station", None),
        ("flats by the railway station", "Petersfield"),
        ("by the Grafton", "Market"),
    ],
)
def test_a_named_town_beats_a_facility_every_town_has(
    locator: Locator, text: str, ward: str | None
) -> None:
    loc = locator.resolve(tip(text=text))
    assert loc.ward == ward
    if ward is None:
        assert loc.method == "out_of_area"
