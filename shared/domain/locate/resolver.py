"""The Locator: resolves a tip's location by precision (pin, postcode, place, sector)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.domain.errors import ConfigError
from shared.domain.model import Location, LocationMethod, Reason, TipFacts

from . import gazetteer, postcodes
from .matcher import Match, Matcher
from .places import PlaceVerdict, judge
from .postcodes import PostcodeMention, PostcodeRow, PostcodeTable
from .wards import WardIndex

DEFAULT_LANDMARKS = Path(__file__).with_name("landmarks.yaml")
# Generalised ward outlines can be 10-20 m out; inside this a postcode's own ward is trusted.
EDGE_TOLERANCE_M = 25.0


@dataclass
class _Postcodes:
    """What the postcode field and the texts say, sorted by usefulness."""

    full: tuple[PostcodeRow, PostcodeMention] | None = None
    outside: PostcodeMention | None = None
    sector: PostcodeMention | None = None
    outside_partial: PostcodeMention | None = None


class Locator:
    """Resolves where a tip happened to one of the 14 city wards, or says why it cannot."""

    def __init__(self, wards: WardIndex, table: PostcodeTable, gaz: gazetteer.Gazetteer) -> None:
        self._wards = wards
        self._table = table
        self._gaz = gaz
        self._matcher = Matcher(gaz)

    @classmethod
    def load(cls, data_dir: Path, landmarks_path: Path | None = None) -> Locator:
        """Load ward polygons, postcodes, police.uk places and the landmarks file."""
        data_dir = Path(data_dir)
        if not data_dir.is_dir():
            raise ConfigError("data directory not found", path=str(data_dir))
        landmarks = Path(landmarks_path) if landmarks_path else DEFAULT_LANDMARKS
        if not landmarks.is_file():
            raise ConfigError("landmarks file not found", path=str(landmarks))
        wards = WardIndex.load(data_dir)
        table = PostcodeTable.load(data_dir)
        gaz = gazetteer.build(data_dir, landmarks, wards, table)
        return cls(wards, table, gaz)

    @classmethod
    def from_env(cls) -> Locator:
        """Load from TIPLINE_DATA_DIR."""
        value = os.environ.get("TIPLINE_DATA_DIR")
        if not value:
            raise ConfigError("TIPLINE_DATA_DIR is not set")
        return cls.load(Path(value))

    @property
    def wards(self) -> dict[str, str]:
        """Ward code to ward name, 14 entries."""
        return dict(self._wards.names)

    def ward_geometries(self) -> dict[str, Any]:
        """Ward code to its WGS84 shapely geometry."""
        return dict(self._wards.geoms)

    def ward_code_for_name(self, name: str) -> str | None:
        """Ward code for a name, tolerant of case and apostrophes."""
        return self._wards.code_for_name(name)

    @property
    def place_count(self) -> int:
        """How many distinct places the gazetteer knows."""
        return len(self._gaz.places)

    # -- resolving -------------------------------------------------------------------

    def resolve(self, facts: TipFacts) -> Location:
        """Where the tip happened, how that was worked out, and how sure it is."""
        reasons: list[Reason] = []
        pcs = self._postcodes(facts, reasons)
        verdict, source = self._place(facts)
        place_key = verdict.place.key if verdict.place else None

        pin = self._pin(facts, reasons)
        if pin is not None:
            loc = self._from_pin(pin, pcs, reasons)
        elif pcs.full is not None:
            loc = self._from_postcode(pcs.full, reasons)
        elif pcs.outside is not None:
            loc = self._out(f"Postcode {pcs.outside.text} is outside Cambridge", pcs.outside.text)
        else:
            loc = None
        if loc is not None:
            self._note_place_conflict(loc, verdict, source, reasons)
            return self._finish(loc, reasons, place_key)

        if verdict.status == "located":
            loc = self._from_place(verdict, source, reasons)
            if pcs.sector is not None:
                self._note_sector_conflict(loc, pcs.sector, reasons)
            return self._finish(loc, reasons, place_key)
        if verdict.status == "out_of_area":
            place = verdict.place
            assert place is not None and verdict.match is not None
            loc = self._out(
                f"{place.name} is outside Cambridge ({source} says {verdict.match.written!r})",
                place.name,
            )
            return self._finish(loc, reasons, place_key)
        if verdict.status == "ambiguous":
            settled = self._settle_with_sector(verdict, pcs.sector, source, reasons)
            if settled is not None:
                return self._finish(settled, reasons, place_key)
            names = ", ".join(self._wards.names[c] for c in verdict.candidates)
            assert verdict.match is not None
            reasons.append(
                Reason(
                    "location.ambiguous",
                    f"{verdict.match.phrase.place.name} exists in several wards ({names});"
                    " nothing else in the tip says which",
                    (verdict.match.written, *verdict.candidates),
                )
            )
        if pcs.sector is not None:
            loc = self._from_sector(pcs.sector, reasons)
            if loc is not None:
                return self._finish(loc, reasons, place_key)
        if pcs.outside_partial is not None:
            text = pcs.outside_partial.text
            loc = self._out(f"Postcode district {text} is outside Cambridge", text)
            return self._finish(loc, reasons, place_key)
        reasons.append(
            Reason("location.none", "No pin, known postcode or known place in the tip", ())
        )
        return self._finish(Location(method="none"), reasons, place_key)

    # -- sources -----------------------------------------------------------------------

    @staticmethod
    def _pin(facts: TipFacts, reasons: list[Reason]) -> tuple[float, float] | None:
        if facts.lat is None or facts.lon is None:
            return None
        if abs(facts.lat) < 1e-6 and abs(facts.lon) < 1e-6:
            reasons.append(
                Reason("location.latlon_ignored", "Pin at 0,0 is a missing value", ("0,0",))
            )
            return None
        return float(facts.lat), float(facts.lon)

    def _postcodes(self, facts: TipFacts, reasons: list[Reason]) -> _Postcodes:
        mentions: list[PostcodeMention] = []
        if facts.postcode:
            parsed = postcodes.parse_field(facts.postcode)
            if parsed is not None:
                mentions.append(parsed)
        for text in (facts.location_text, facts.description):
            if text:
                mentions.extend(postcodes.find_in_text(text))
        out = _Postcodes()
        for m in mentions:
            if m.kind == "full":
                row = self._table.get(m.text)
                if row is not None and row.geographic:
                    out.full = out.full or (row, m)
                elif row is not None:
                    reasons.append(
                        Reason(
                            "location.postcode_ignored",
                            f"Postcode {m.text} is a PO box or large-user postcode, not a place",
                            (m.text,),
                        )
                    )
                elif not m.city_district:
                    out.outside = out.outside or m
                else:
                    reasons.append(
                        Reason(
                            "location.postcode_ignored",
                            f"Postcode {m.text} is not in the Cambridge postcode table",
                            (m.text,),
                        )
                    )
                    sector = PostcodeMention("sector", m.text[:-2], m.district)
                    out.sector = out.sector or sector
            elif m.city_district:
                if m.kind == "sector":
                    out.sector = out.sector or m
            else:
                out.outside_partial = out.outside_partial or m
        return out

    def _place(self, facts: TipFacts) -> tuple[PlaceVerdict, str]:
        adjacent = self._wards.adjacent
        text_matches: list[Match] = []
        if facts.location_text:
            text_matches = self._matcher.find(facts.location_text, in_description=False)
        desc_matches: list[Match] = []
        if facts.description:
            desc_matches = self._matcher.find(facts.description, in_description=True)
        if text_matches:
            verdict = judge(text_matches, adjacent, town_qualifies=True, extra=desc_matches)
            if verdict.status in ("located", "out_of_area") or not desc_matches:
                return verdict, "the location text"
            if verdict.status == "ambiguous":
                return verdict, "the location text"
        if desc_matches:
            return judge(desc_matches, adjacent, town_qualifies=False), "the description"
        return PlaceVerdict("none"), ""

    def _from_pin(
        self, pin: tuple[float, float], pcs: _Postcodes, reasons: list[Reason]
    ) -> Location:
        lat, lon = pin
        where = self._wards.locate(lat, lon)
        shown = f"{lat:.5f},{lon:.5f}"
        code = where.ward_code
        if code is None and where.edge_m <= EDGE_TOLERANCE_M and where.nearest_code:
            code = where.nearest_code
            reasons.append(
                Reason(
                    "location.low_confidence",
                    f"Pin is {where.edge_m:.0f} m outside the city outline; taken as"
                    f" {self._wards.names[code]} ward",
                    (shown,),
                )
            )
            conf = 0.7
        else:
            conf = 0.95
        if pcs.full is not None:
            row, mention = pcs.full
            if code == row.ward_code:
                reasons.append(
                    Reason(
                        "location.latlon",
                        f"Pin {shown} is in {self._wards.names[code]} ward, as is postcode"
                        f" {row.postcode}",
                        (shown, row.postcode),
                    )
                )
                return self._located("latlon", code, 0.97, lat, lon)
            gap = self._wards.distance_to_ward(lat, lon, row.ward_code)
            pc_ward = self._wards.names[row.ward_code]
            if gap <= EDGE_TOLERANCE_M:
                reasons.append(
                    Reason(
                        "location.conflict",
                        f"Pin {shown} is {gap:.0f} m from {pc_ward} ward, where postcode"
                        f" {row.postcode} is; ward edges are not exact that close, so the"
                        " postcode's ward is used",
                        (shown, row.postcode),
                    )
                )
                reasons.append(
                    Reason(
                        "location.postcode",
                        f"Postcode {row.postcode} is in {pc_ward} ward",
                        (row.postcode,),
                    )
                )
                return self._located("postcode", row.ward_code, 0.85, lat, lon)
            pin_ward = self._wards.names[code] if code else "outside the city"
            reasons.append(
                Reason(
                    "location.conflict",
                    f"Postcode {row.postcode} is in {pc_ward} ward but the pin is"
                    f" {gap:.0f} m away ({pin_ward}); the pin is more precise",
                    (shown, row.postcode),
                )
            )
            conf = min(conf, 0.8)
        if code is None:
            return self._out(f"Pin {shown} is outside every Cambridge ward", shown)
        name = self._wards.names[code]
        if where.edge_m < 20.0 and where.nearest_code and pcs.full is None:
            conf = min(conf, 0.8)
            reasons.append(
                Reason(
                    "location.low_confidence",
                    f"Pin is {where.edge_m:.0f} m from the"
                    f" {self._wards.names[where.nearest_code]} boundary",
                    (shown,),
                )
            )
        reasons.insert(0, Reason("location.latlon", f"Pin {shown} is in {name} ward", (shown,)))
        return self._located("latlon", code, conf, lat, lon)

    def _from_postcode(
        self, full: tuple[PostcodeRow, PostcodeMention], reasons: list[Reason]
    ) -> Location:
        row, _ = full
        name = self._wards.names.get(row.ward_code, row.ward_name)
        conf = 0.95 if row.quality <= 10 else 0.85
        reasons.insert(
            0,
            Reason(
                "location.postcode", f"Postcode {row.postcode} is in {name} ward", (row.postcode,)
            ),
        )
        return self._located("postcode", row.ward_code, conf, row.lat, row.lon)

    def _from_place(self, verdict: PlaceVerdict, source: str, reasons: list[Reason]) -> Location:
        assert verdict.match is not None and verdict.ward_code is not None
        m = verdict.match
        place = m.phrase.place
        ward = self._wards.names[verdict.ward_code]
        how = " (read past a typo)" if m.fuzzy else ""
        reasons.insert(
            0,
            Reason(
                "location.place",
                f"{source.capitalize()} names {place.name}{how}, in {ward} ward",
                (m.written, place.key),
            ),
        )
        if verdict.spans_wards:
            others = ", ".join(self._wards.names[c] for c, _ in place.wards)
            reasons.append(
                Reason(
                    "location.low_confidence",
                    f"{place.name} runs through several wards ({others}); {ward} taken"
                    " as the most likely",
                    (m.written,),
                )
            )
        for other in verdict.disagreeing:
            reasons.append(
                Reason(
                    "location.conflict",
                    f"{source.capitalize()} also names {other.phrase.place.name}, in"
                    f" {self._wards.names[other.phrase.place.main_ward or '']} ward",
                    (other.written,),
                )
            )
        lat = place.lat if place.kind != "area" else None
        lon = place.lon if place.kind != "area" else None
        conf = verdict.confidence - (0.1 if source == "the description" else 0.0)
        return self._located("place", verdict.ward_code, conf, lat, lon)

    def _from_sector(self, sector: PostcodeMention, reasons: list[Reason]) -> Location | None:
        shares = self._table.sector_shares(sector.text)
        if not shares:
            reasons.append(
                Reason(
                    "location.sector",
                    f"Postcode sector {sector.text} is not in the Cambridge table",
                    (sector.text,),
                )
            )
            return None
        ward_name, share = shares[0]
        code = self._wards.code_for_name(ward_name)
        if share < postcodes.SECTOR_MIN_SHARE or code is None:
            split = ", ".join(f"{n} {s:.0%}" for n, s in shares[:3])
            reasons.append(
                Reason(
                    "location.sector",
                    f"Postcode sector {sector.text} is split between wards ({split}); too"
                    " uncertain to place",
                    (sector.text,),
                )
            )
            return None
        reasons.insert(
            0,
            Reason(
                "location.sector",
                f"Postcode sector {sector.text}: {share:.0%} of its postcodes are in"
                f" {ward_name} ward",
                (sector.text,),
            ),
        )
        conf = round(0.3 + 0.4 * share, 2)
        if conf < 0.6:
            reasons.append(
                Reason(
                    "location.low_confidence",
                    "Only part of a postcode was given",
                    (sector.text,),
                )
            )
        return Location(
            method="sector", ward_code=code, ward=self._wards.names[code], confidence=conf
        )

    def _settle_with_sector(
        self,
        verdict: PlaceVerdict,
        sector: PostcodeMention | None,
        source: str,
        reasons: list[Reason],
    ) -> Location | None:
        if sector is None or verdict.match is None:
            return None
        shares = {
            self._wards.code_for_name(n): s for n, s in self._table.sector_shares(sector.text)
        }
        fits = [c for c in verdict.candidates if shares.get(c, 0.0) > 0.0]
        if len(fits) != 1:
            return None
        code = fits[0]
        place = verdict.match.phrase.place
        reasons.insert(
            0,
            Reason(
                "location.place",
                f"{source.capitalize()} names {place.name}; of the wards it is in, only"
                f" {self._wards.names[code]} has postcodes in sector {sector.text}",
                (verdict.match.written, sector.text),
            ),
        )
        return self._located("place", code, 0.7, None, None)

    # -- helpers -----------------------------------------------------------------------

    def _note_place_conflict(
        self, loc: Location, verdict: PlaceVerdict, source: str, reasons: list[Reason]
    ) -> None:
        if verdict.place is None or verdict.status not in ("located", "out_of_area"):
            return
        if verdict.status == "located" and verdict.ward_code == loc.ward_code:
            return
        said = (
            f"{self._wards.names[verdict.ward_code]} ward"
            if verdict.ward_code
            else "outside Cambridge"
        )
        reasons.append(
            Reason(
                "location.conflict",
                f"{source.capitalize()} names {verdict.place.name} ({said}); the more"
                f" precise {loc.method} was used",
                (verdict.match.written if verdict.match else verdict.place.name,),
            )
        )

    def _note_sector_conflict(
        self, loc: Location, sector: PostcodeMention, reasons: list[Reason]
    ) -> None:
        shares = self._table.sector_shares(sector.text)
        if shares and self._wards.code_for_name(shares[0][0]) != loc.ward_code:
            reasons.append(
                Reason(
                    "location.conflict",
                    f"Postcode sector {sector.text} is mostly {shares[0][0]}; the named"
                    " place is more precise",
                    (sector.text,),
                )
            )

    def _located(
        self, method: LocationMethod, code: str, conf: float, lat: float | None, lon: float | None
    ) -> Location:
        return Location(
            method=method,
            ward_code=code,
            ward=self._wards.names[code],
            confidence=round(max(0.0, min(1.0, conf)), 2),
            lat=lat,
            lon=lon,
        )

    @staticmethod
    def _out(detail: str, evidence: str) -> Location:
        return Location(
            method="out_of_area",
            confidence=0.8,
            reasons=(Reason("location.out_of_area", detail, (evidence,)),),
        )

    @staticmethod
    def _finish(loc: Location, reasons: list[Reason], place_key: str | None) -> Location:
        merged = tuple(loc.reasons) + tuple(reasons)
        if (
            loc.located
            and loc.confidence < 0.6
            and not any(r.rule == "location.low_confidence" for r in merged)
        ):
            merged += (Reason("location.low_confidence", f"Confidence {loc.confidence:.2f}", ()),)
        return Location(
            method=loc.method,
            ward_code=loc.ward_code,
            ward=loc.ward,
            confidence=loc.confidence,
            lat=loc.lat if loc.method in ("latlon", "postcode", "place") else None,
            lon=loc.lon if loc.method in ("latlon", "postcode", "place") else None,
            place=place_key,
            reasons=merged,
        )
