"""The Code-Point Open postcode table, sector shares, and postcode spotting in free text."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from shared.domain.errors import ConfigError

POSTCODES_FILE = "cambridge_postcodes_codepoint_2025.csv"
SECTORS_FILE = "cambridge_postcode_sector_to_ward.csv"

# Above this many postcodes on one point, a postcode is a PO box or large user, not a place.
NON_GEOGRAPHIC_SHARED = 20
SECTOR_MIN_SHARE = 0.6

# Districts the city sits in. Anything else (CB6-CB11, CB21-CB25, PE, SG, London, ...) is
# clearly outside Cambridge; CB1-CB5 postcodes missing from the table are only unknown.
CITY_DISTRICTS = frozenset({"CB1", "CB2", "CB3", "CB4", "CB5"})

_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_FULL_RE = re.compile(rf"\b({_OUTWARD}) ?([0-9][A-Z]{{2}})\b")
# In free text a bare "N 5" is too easy to hit by accident: sectors and districts are only
# spotted there for nearby postcode areas.
_NEAR_AREAS = r"(?:CB|PE|SG|CM|IP|CO|NR|MK|LU|AL|SS)"
_SECTOR_TEXT_RE = re.compile(rf"\b({_NEAR_AREAS}[0-9]{{1,2}}) ([0-9])(?![0-9A-Z])")
_DISTRICT_TEXT_RE = re.compile(rf"\b({_NEAR_AREAS}[0-9]{{1,2}})(?![0-9A-Z])")
_FIELD_SECTOR_RE = re.compile(rf"^({_OUTWARD}) ?([0-9])$")
_FIELD_DISTRICT_RE = re.compile(rf"^({_OUTWARD})$")


@dataclass(frozen=True)
class PostcodeRow:
    postcode: str
    sector: str
    lat: float
    lon: float
    ward_code: str
    ward_name: str
    shared: int
    quality: int

    @property
    def geographic(self) -> bool:
        return self.shared <= NON_GEOGRAPHIC_SHARED


@dataclass(frozen=True)
class PostcodeMention:
    """A postcode or part of one found in a field: kind is full, sector or district."""

    kind: str
    text: str
    district: str

    @property
    def city_district(self) -> bool:
        return self.district in CITY_DISTRICTS


def district_of(code: str) -> str:
    """Outward code of a full postcode, sector or district."""
    return code.split(" ")[0]


def parse_field(value: str) -> PostcodeMention | None:
    """Read the location.postcode field: a full or partial postcode."""
    compact = re.sub(r"\s+", " ", value.strip().upper())
    m = _FULL_RE.fullmatch(compact)
    if m:
        return PostcodeMention("full", f"{m.group(1)} {m.group(2)}", m.group(1))
    m = _FIELD_SECTOR_RE.match(compact)
    if m:
        return PostcodeMention("sector", f"{m.group(1)} {m.group(2)}", m.group(1))
    m = _FIELD_DISTRICT_RE.match(compact)
    if m:
        return PostcodeMention("district", m.group(1), m.group(1))
    return None


def find_in_text(text: str) -> list[PostcodeMention]:
    """Postcodes written inside free text, full ones first."""
    upper = text.upper()
    found: list[PostcodeMention] = []
    spans: list[tuple[int, int]] = []
    for m in _FULL_RE.finditer(upper):
        found.append(PostcodeMention("full", f"{m.group(1)} {m.group(2)}", m.group(1)))
        spans.append(m.span())

    def free(span: tuple[int, int]) -> bool:
        return all(span[1] <= a or span[0] >= b for a, b in spans)

    for m in _SECTOR_TEXT_RE.finditer(upper):
        if free(m.span()):
            found.append(PostcodeMention("sector", f"{m.group(1)} {m.group(2)}", m.group(1)))
            spans.append(m.span())
    for m in _DISTRICT_TEXT_RE.finditer(upper):
        if free(m.span()):
            found.append(PostcodeMention("district", m.group(1), m.group(1)))
    return found


class PostcodeTable:
    """Full postcodes and sector ward shares for the city."""

    def __init__(
        self,
        rows: dict[str, PostcodeRow],
        sectors: dict[str, list[tuple[str, float]]],
    ) -> None:
        self.rows = rows
        self.sectors = sectors

    @classmethod
    def load(cls, data_dir: Path) -> PostcodeTable:
        """Read both CSV files from the data directory."""
        rows: dict[str, PostcodeRow] = {}
        path = data_dir / POSTCODES_FILE
        try:
            with path.open(newline="", encoding="utf-8") as fh:
                for rec in csv.DictReader(fh):
                    row = PostcodeRow(
                        postcode=rec["postcode"].strip().upper(),
                        sector=rec["sector"].strip().upper(),
                        lat=float(rec["lat"]),
                        lon=float(rec["lon"]),
                        ward_code=rec["ward_code"].strip(),
                        ward_name=rec["ward_name"].strip(),
                        shared=int(rec["shared_coord_count"]),
                        quality=int(rec["pq"]),
                    )
                    rows[row.postcode] = row
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"cannot read postcode table: {exc}", path=str(path)) from exc
        if not rows:
            raise ConfigError("postcode table is empty", path=str(path))

        sectors: dict[str, list[tuple[str, float]]] = {}
        path = data_dir / SECTORS_FILE
        try:
            with path.open(newline="", encoding="utf-8") as fh:
                for rec in csv.DictReader(fh):
                    sector = rec["sector"].strip().upper()
                    sectors.setdefault(sector, []).append(
                        (rec["ward_name"].strip(), float(rec["ward_share"]))
                    )
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"cannot read sector table: {exc}", path=str(path)) from exc
        for shares in sectors.values():
            shares.sort(key=lambda s: -s[1])
        return cls(rows, sectors)

    def get(self, postcode: str) -> PostcodeRow | None:
        """The row for a full postcode in "CB4 2JQ" form."""
        return self.rows.get(postcode)

    def sector_shares(self, sector: str) -> list[tuple[str, float]]:
        """Ward shares of a sector, largest first (empty when unknown)."""
        return self.sectors.get(sector, [])
