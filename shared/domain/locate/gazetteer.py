"""The gazetteer: police.uk street names plus the curated landmarks file, as phrases to match."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from shared.domain.errors import ConfigError

from .normalise import fold, norm_phrase
from .postcodes import PostcodeTable
from .wards import WardIndex

PLACES_FILE = "cambridge_locations_policeuk_2024-09_2025-09.csv"

# police.uk names that are not usable as places, or too vague to mean one spot.
_SKIP_NAMES = frozenset({"cambridge"})
# "The Green", "The Grove": every district has one, so they never name one spot.
_GENERIC_AFTER_THE = frozenset({"green", "grove", "mews", "cres", "lawns"})
# "The Brambles", "The Paddocks": ordinary words; only trusted as the whole location text.
_COMMON_AFTER_THE = frozenset({"orchards", "paddocks", "brambles", "beeches", "homing", "mallards"})
# Single-word police.uk names that are also ordinary words.
_COMMON_SINGLE = frozenset({"evergreens", "brookside", "sunnyside", "claremont", "summerfield"})


@dataclass(frozen=True)
class Place:
    """A named place: its canonical key, display name, ward shares and best point."""

    key: str
    name: str
    kind: str  # street, landmark, area, out_of_area
    wards: tuple[tuple[str, float], ...] = ()
    lat: float | None = None
    lon: float | None = None
    source: str = ""

    @property
    def main_ward(self) -> str | None:
        return self.wards[0][0] if self.wards else None


@dataclass(frozen=True)
class Phrase:
    """One way of writing a place, as canonical words."""

    words: tuple[str, ...]
    place: Place
    weak: bool = False  # only when it is the whole location text
    proper: bool = False  # a single word that must be capitalised inside a description


@dataclass
class Gazetteer:
    places: dict[str, Place] = field(default_factory=dict)
    phrases: dict[tuple[str, ...], Phrase] = field(default_factory=dict)

    def add(self, phrase: Phrase, *, override: bool) -> None:
        """Register a phrase; curated entries replace police.uk ones with the same words."""
        if not phrase.words:
            return
        if phrase.words in self.phrases and not override:
            return
        self.phrases[phrase.words] = phrase
        self.places[phrase.place.key] = phrase.place


def display_name(raw: str) -> str:
    """police.uk capitalises after apostrophes ("Coldham'S Grove"); undo that."""
    return re.sub(r"'S\b", "'s", raw)


def place_key(kind: str, name: str) -> str:
    """Canonical key, e.g. "street:green end road", stable across spellings."""
    kind_label = "street" if kind == "street" else kind
    return f"{kind_label}:{' '.join(re.sub(r'[^a-z0-9]+', ' ', fold(name)).split())}"


def _shares(counts: dict[str, float]) -> tuple[tuple[str, float], ...]:
    total = sum(counts.values()) or 1.0
    return tuple(sorted(((c, n / total) for c, n in counts.items()), key=lambda s: -s[1]))


def load_policeuk(data_dir: Path, wards: WardIndex, gaz: Gazetteer) -> None:
    """Add the police.uk street and place names, merging names that normalise alike."""
    path = data_dir / PLACES_FILE
    merged: dict[tuple[str, ...], dict[str, Any]] = {}
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            for rec in csv.DictReader(fh):
                if rec["is_generic_place_type"] == "Y" or rec["is_road_number"] == "Y":
                    continue
                name = display_name(rec["location_name"].strip())
                words = norm_phrase(name)
                if not words or " ".join(words) in _SKIP_NAMES:
                    continue
                if len(words) == 2 and words[0] == "the" and words[1] in _GENERIC_AFTER_THE:
                    continue
                counts: dict[str, float] = {}
                for part in rec["wards"].split(";"):
                    ward_name, _, n = part.rpartition(":")
                    code = wards.code_for_name(ward_name) if ward_name else None
                    if code:
                        counts[code] = counts.get(code, 0.0) + float(n)
                if not counts:
                    continue  # outside the simplified outline: no ward to give
                entry = merged.setdefault(
                    words, {"name": name, "counts": {}, "lat": 0.0, "lon": 0.0, "n": 0}
                )
                for c, n in counts.items():
                    entry["counts"][c] = entry["counts"].get(c, 0.0) + n
                weight = int(rec["n_points"] or 1)
                entry["lat"] += float(rec["lat"]) * weight
                entry["lon"] += float(rec["lon"]) * weight
                entry["n"] += weight
    except (OSError, KeyError, ValueError) as exc:
        raise ConfigError(f"cannot read police.uk places: {exc}", path=str(path)) from exc
    if not merged:
        raise ConfigError("no usable places", path=str(path))
    for words, entry in merged.items():
        place = Place(
            key=place_key("street", entry["name"]),
            name=entry["name"],
            kind="street",
            wards=_shares(entry["counts"]),
            lat=entry["lat"] / entry["n"],
            lon=entry["lon"] / entry["n"],
            source="police.uk street-level crime locations",
        )
        weak = len(words) == 2 and words[0] == "the" and words[1] in _COMMON_AFTER_THE
        proper = len(words) == 1
        if len(words) == 1 and words[0] in _COMMON_SINGLE:
            weak = True
        gaz.add(Phrase(words, place, weak=weak, proper=proper), override=False)


class _YamlReader:
    """Reads landmarks.yaml entries, checking each point lands in its stated ward."""

    def __init__(self, path: Path, wards: WardIndex, postcodes: PostcodeTable) -> None:
        self.path = path
        self.wards = wards
        self.postcodes = postcodes

    def fail(self, where: str, message: str) -> ConfigError:
        return ConfigError(f"{where}: {message}", path=str(self.path))

    def point(self, where: str, entry: dict[str, Any]) -> tuple[float, float, str | None]:
        if "postcode" in entry:
            row = self.postcodes.get(str(entry["postcode"]).strip().upper())
            if row is None or not row.geographic:
                raise self.fail(where, f"postcode {entry['postcode']} not usable")
            return row.lat, row.lon, row.ward_code
        try:
            lat, lon = float(entry["lat"]), float(entry["lon"])
        except (KeyError, TypeError, ValueError) as exc:
            raise self.fail(where, "needs a postcode or lat and lon") from exc
        return lat, lon, self.wards.locate(lat, lon).ward_code

    def ward_code(self, where: str, name: str) -> str:
        code = self.wards.code_for_name(str(name))
        if code is None:
            raise self.fail(where, f"unknown ward {name!r}")
        return code

    def ward_shares(self, where: str, entry: dict[str, Any]) -> tuple[tuple[str, float], ...]:
        raw = entry.get("wards")
        if not isinstance(raw, dict) or not raw:
            raise self.fail(where, "needs wards: {ward name: share}")
        return _shares({self.ward_code(where, k): float(v) for k, v in raw.items()})

    def aliases(self, where: str, entry: dict[str, Any], key: str) -> list[str]:
        raw = entry.get(key) or []
        if not isinstance(raw, list):
            raise self.fail(where, f"{key} must be a list")
        return [str(a) for a in raw]


def load_yaml(path: Path, wards: WardIndex, postcodes: PostcodeTable, gaz: Gazetteer) -> None:
    """Add landmarks, streets, areas and out-of-area places from the curated file."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read landmarks: {exc}", path=str(path)) from exc
    if not isinstance(doc, dict):
        raise ConfigError("landmarks file must be a mapping", path=str(path))
    rd = _YamlReader(path, wards, postcodes)

    for i, entry in enumerate(doc.get("landmarks") or []):
        where = f"landmarks[{i}] {entry.get('name')!r}"
        lat, lon, found = rd.point(where, entry)
        expected = rd.ward_code(where, entry.get("ward", ""))
        if found != expected:
            got = wards.names.get(found or "", "outside the city")
            raise rd.fail(where, f"point is in {got}, not {entry['ward']}")
        place = Place(
            key=place_key("landmark", entry["name"]),
            name=str(entry["name"]),
            kind="landmark",
            wards=((expected, 1.0),),
            lat=lat,
            lon=lon,
            source=str(entry.get("source", "")),
        )
        for alias in [entry["name"], *rd.aliases(where, entry, "aliases")]:
            gaz.add(Phrase(norm_phrase(alias), place), override=True)
        for alias in rd.aliases(where, entry, "weak"):
            gaz.add(Phrase(norm_phrase(alias), place, weak=True), override=True)

    for i, entry in enumerate(doc.get("streets") or []):
        where = f"streets[{i}] {entry.get('name')!r}"
        shares = rd.ward_shares(where, entry)
        lat, lon, found = rd.point(where, entry)
        if found not in {c for c, _ in shares}:
            raise rd.fail(where, "point is not in any of the listed wards")
        place = Place(
            key=place_key("street", entry["name"]),
            name=str(entry["name"]),
            kind="street",
            wards=shares,
            lat=lat,
            lon=lon,
            source=str(entry.get("source", "")),
        )
        for alias in [entry["name"], *rd.aliases(where, entry, "aliases")]:
            gaz.add(Phrase(norm_phrase(alias), place), override=True)

    for i, entry in enumerate(doc.get("areas") or []):
        where = f"areas[{i}] {entry.get('name')!r}"
        place = Place(
            key=place_key("area", entry["name"]),
            name=str(entry["name"]),
            kind="area",
            wards=rd.ward_shares(where, entry),
            source="ward and district names",
        )
        for alias in rd.aliases(where, entry, "aliases"):
            gaz.add(Phrase(norm_phrase(alias), place), override=True)
        for alias in rd.aliases(where, entry, "weak"):
            gaz.add(Phrase(norm_phrase(alias), place, weak=True), override=True)

    for i, entry in enumerate(doc.get("out_of_area") or []):
        where = f"out_of_area[{i}] {entry.get('name')!r}"
        place = Place(
            key=place_key("out_of_area", entry["name"]),
            name=str(entry["name"]),
            kind="out_of_area",
            source="places outside the City of Cambridge",
        )
        weak = bool(entry.get("weak", False))
        for alias in [entry["name"], *rd.aliases(where, entry, "aliases")]:
            words = norm_phrase(alias)
            # Never let a town name shadow a city street such as "Histon Road".
            if words in gaz.phrases and gaz.phrases[words].place.kind != "out_of_area":
                continue
            gaz.add(Phrase(words, place, weak=weak), override=False)


def build(
    data_dir: Path, landmarks_path: Path, wards: WardIndex, postcodes: PostcodeTable
) -> Gazetteer:
    """The full gazetteer: police.uk names first, curated entries on top."""
    gaz = Gazetteer()
    load_policeuk(data_dir, wards, gaz)
    load_yaml(landmarks_path, wards, postcodes, gaz)
    return gaz
