"""Ward polygons: point-in-polygon lookup, distances to ward edges, ward names."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from shared.domain.errors import ConfigError

from .normalise import fold

WARDS_FILE = "cambridge_wards_dec2024.geojson"
LOOKUP_FILE = "cambridge_wards_lookup.csv"

# A local flat projection around Cambridge, good to well under a metre over the city,
# so edge distances come out in metres without a projection library.
_LAT0 = 52.2
_LON0 = 0.12
_M_PER_DEG_LAT = 111_230.0
_M_PER_DEG_LON = 111_320.0 * math.cos(math.radians(_LAT0))


def to_metres(lon: float, lat: float) -> tuple[float, float]:
    """Project WGS84 degrees into the local metric plane."""
    return ((lon - _LON0) * _M_PER_DEG_LON, (lat - _LAT0) * _M_PER_DEG_LAT)


def _project(geom: BaseGeometry) -> BaseGeometry:
    def fn(coords: Any) -> Any:
        out = coords.copy()
        out[:, 0] = (coords[:, 0] - _LON0) * _M_PER_DEG_LON
        out[:, 1] = (coords[:, 1] - _LAT0) * _M_PER_DEG_LAT
        return out

    return shapely.transform(geom, fn)


def name_key(name: str) -> str:
    """Ward name as a lookup key: "King's Hedges" and "kings hedges" agree."""
    return " ".join(fold(name).replace("-", " ").split())


@dataclass(frozen=True)
class PointInWard:
    ward_code: str | None
    edge_m: float  # distance to the nearest ward edge (or to the city when outside)
    nearest_code: str | None  # nearest ward when outside, or the neighbour across the edge


class WardIndex:
    """The 14 city wards with a spatial index over metric copies of their polygons."""

    def __init__(self, names: dict[str, str], geoms: dict[str, BaseGeometry]) -> None:
        self.names = names
        self.codes_by_key = {name_key(n): c for c, n in names.items()}
        self.geoms = geoms
        self._codes = list(geoms)
        self._metric = [_project(geoms[c]) for c in self._codes]
        for g in self._metric:
            shapely.prepare(g)
        self._edges = [g.boundary for g in self._metric]
        self._tree = STRtree(self._metric)
        self.adjacent: dict[str, frozenset[str]] = {
            c: frozenset(
                d
                for j, d in enumerate(self._codes)
                if d != c and self._metric[i].distance(self._metric[j]) < 5.0
            )
            for i, c in enumerate(self._codes)
        }

    @classmethod
    def load(cls, data_dir: Path) -> WardIndex:
        """Read the ward polygons and check them against the ward lookup table."""
        path = data_dir / WARDS_FILE
        try:
            features = json.loads(path.read_text(encoding="utf-8"))["features"]
            names: dict[str, str] = {}
            geoms: dict[str, BaseGeometry] = {}
            for feat in features:
                props = feat["properties"]
                code, name = props["WD24CD"], props["WD24NM"]
                names[code] = name
                geoms[code] = shape(feat["geometry"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"cannot read ward polygons: {exc}", path=str(path)) from exc
        if len(names) != 14:
            raise ConfigError(f"expected 14 wards, found {len(names)}", path=str(path))
        lookup = data_dir / LOOKUP_FILE
        try:
            with lookup.open(newline="", encoding="utf-8") as fh:
                listed = {r["ward_code"]: r["ward_name"] for r in csv.DictReader(fh)}
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"cannot read ward lookup: {exc}", path=str(lookup)) from exc
        if listed != names:
            raise ConfigError("ward lookup disagrees with the ward polygons", path=str(lookup))
        return cls(dict(sorted(names.items())), geoms)

    def locate(self, lat: float, lon: float) -> PointInWard:
        """The ward containing a point, and how far the point is from that ward's edge."""
        x, y = to_metres(lon, lat)
        pt = Point(x, y)
        hits = self._tree.query(pt, predicate="intersects")
        if len(hits):
            i = int(hits[0])
            edge = float(self._edges[i].distance(pt))
            neighbour = None
            if edge < 50.0:
                near = self._tree.query(pt.buffer(edge + 1.0), predicate="intersects")
                others = [int(j) for j in near if int(j) != i]
                if others:
                    j = min(others, key=lambda k: self._metric[k].distance(pt))
                    neighbour = self._codes[j]
            return PointInWard(self._codes[i], edge, neighbour)
        j = int(self._tree.nearest(pt))
        return PointInWard(None, float(self._metric[j].distance(pt)), self._codes[j])

    def distance_to_ward(self, lat: float, lon: float, code: str) -> float:
        """Metres from a point to a ward (0 inside it)."""
        x, y = to_metres(lon, lat)
        return float(self._metric[self._codes.index(code)].distance(Point(x, y)))

    def code_for_name(self, name: str) -> str | None:
        """Ward code for a ward name written any reasonable way."""
        key = name_key(name)
        if key.endswith(" ward"):
            key = key[: -len(" ward")]
        return self.codes_by_key.get(key)
