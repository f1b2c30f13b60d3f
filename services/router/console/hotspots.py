"""The hotspot picture: ward shapes as SVG paths, tip counts per ward, points, hour-by-day grid."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.domain.locate import Locator
from shared.store.dedup import DedupEntry
from shared.store.models import Decision, Tip

LONDON = ZoneInfo("Europe/London")
MAP_WIDTH = 800.0
MAP_PADDING = 10.0
# Equirectangular: a degree of longitude at Cambridge's latitude is cos(52.2°) of a degree of latitude.
LON_SCALE = math.cos(math.radians(52.2))
SHADES = 5
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class WardShape:
    code: str
    name: str
    path: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class MapFrame:
    """Projects WGS84 points onto the SVG's coordinate space."""

    min_lon: float
    max_lat: float
    scale: float
    width: float
    height: float

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """SVG x, y for a longitude and latitude."""
        x = MAP_PADDING + (lon - self.min_lon) * LON_SCALE * self.scale
        y = MAP_PADDING + (self.max_lat - lat) * self.scale
        return round(x, 1), round(y, 1)


@dataclass(frozen=True)
class CityMap:
    frame: MapFrame
    wards: tuple[WardShape, ...]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    radius: float
    tips: int
    ward: str | None
    label: str


@dataclass
class Picture:
    """Everything the hotspot page draws for one set of filters."""

    total: int
    ward_counts: dict[str, int]
    ward_shade: dict[str, int]
    points: list[Point]
    heat: list[list[int]]
    heat_shade: list[list[int]]
    unmapped: int = 0
    heat_max: int = 0
    ward_max: int = 0
    sources: Counter[str] = field(default_factory=Counter)


def _rings(geometry: Any) -> list[list[tuple[float, float]]]:
    polygons = getattr(geometry, "geoms", [geometry])
    rings: list[list[tuple[float, float]]] = []
    for polygon in polygons:
        rings.append(list(polygon.exterior.coords))
        rings.extend(list(interior.coords) for interior in polygon.interiors)
    return rings


@lru_cache(maxsize=2)
def city_map(locator: Locator) -> CityMap:
    """The wards as SVG paths, projected once per loaded locator."""
    geometries = locator.ward_geometries()
    names = locator.wards
    min_lon = min(g.bounds[0] for g in geometries.values())
    min_lat = min(g.bounds[1] for g in geometries.values())
    max_lon = max(g.bounds[2] for g in geometries.values())
    max_lat = max(g.bounds[3] for g in geometries.values())
    scale = (MAP_WIDTH - 2 * MAP_PADDING) / ((max_lon - min_lon) * LON_SCALE)
    height = (max_lat - min_lat) * scale + 2 * MAP_PADDING
    frame = MapFrame(min_lon, max_lat, scale, MAP_WIDTH, round(height, 1))
    shapes = []
    for code in sorted(geometries, key=lambda c: names.get(c, c)):
        geometry = geometries[code]
        parts = []
        for ring in _rings(geometry):
            points = [frame.project(lon, lat) for lon, lat in ring]
            parts.append("M" + " L".join(f"{x},{y}" for x, y in points) + " Z")
        label = geometry.representative_point()
        label_x, label_y = frame.project(label.x, label.y)
        shapes.append(WardShape(code, names.get(code, code), " ".join(parts), label_x, label_y))
    return CityMap(frame, tuple(shapes))


def _shade(count: int, top: int) -> int:
    if count <= 0 or top <= 0:
        return 0
    return max(1, math.ceil(SHADES * count / top))


def _local_time(tip: Tip) -> tuple[datetime, str]:
    observed = (tip.submission or {}).get("observed_at")
    if observed:
        try:
            return datetime.fromisoformat(observed).astimezone(LONDON), "observed"
        except ValueError:
            pass
    received = tip.received_at if tip.received_at.tzinfo else tip.received_at.replace(tzinfo=UTC)
    return received.astimezone(LONDON), "received"


def picture(
    db: Session,
    *,
    city: CityMap,
    since: date,
    until: date,
    category: str | None,
    team: str | None,
    visible: list[str] | None,
) -> Picture:
    """Counts, points and the hour-by-day grid for tips received in [since, until].

    `visible` limits a lead to tips that reached their own queues (None: everything).
    """
    start = datetime.combine(since, time.min, tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=LONDON).astimezone(UTC)
    query = (
        select(Tip, Decision, DedupEntry.cluster_id)
        .join(Decision, Decision.tip_id == Tip.id)
        # The live cluster (after any merges) groups the points drawn on the map.
        .outerjoin(DedupEntry, DedupEntry.tip_id == Tip.id)
        .where(Tip.received_at >= start, Tip.received_at < end, Tip.duplicate_of.is_(None))
    )
    if category:
        query = query.where(Decision.category == category)
    ward_counts: Counter[str] = Counter()
    heat = [[0] * 24 for _ in DAYS]
    clusters: dict[str, list[tuple[float, float, str | None]]] = {}
    total = unmapped = 0
    sources: Counter[str] = Counter()
    for tip, decision, cluster_number in db.execute(query):
        routed_to = set(decision.destinations or [])
        # Destination lists are JSON, so team and visibility are checked here rather than in SQL.
        if team and team not in routed_to:
            continue
        if visible is not None and not routed_to & set(visible):
            continue
        total += 1
        if decision.ward_code:
            ward_counts[decision.ward_code] += 1
        local, source = _local_time(tip)
        sources[source] += 1
        heat[local.weekday()][local.hour] += 1
        if decision.lat is not None and decision.lon is not None:
            key = f"c{cluster_number}" if cluster_number else tip.id
            clusters.setdefault(key, []).append((decision.lat, decision.lon, decision.ward))
        else:
            unmapped += 1
    points = []
    for members in clusters.values():
        lat = sum(m[0] for m in members) / len(members)
        lon = sum(m[1] for m in members) / len(members)
        x, y = city.frame.project(lon, lat)
        if not (0 <= x <= city.frame.width and 0 <= y <= city.frame.height):
            continue  # outside the city's frame: counted, not drawn
        ward = members[0][2]
        size = len(members)
        label = f"{size} tip{'s' if size != 1 else ''}" + (f" in {ward}" if ward else "")
        points.append(Point(x, y, round(4 + 3 * math.sqrt(size - 1), 1), size, ward, label))
    points.sort(key=lambda p: -p.tips)
    ward_max = max(ward_counts.values(), default=0)
    heat_max = max((max(row) for row in heat), default=0)
    return Picture(
        total=total,
        ward_counts=dict(ward_counts),
        ward_shade={
            code: _shade(ward_counts.get(code, 0), ward_max)
            for code in (s.code for s in city.wards)
        },
        points=points,
        heat=heat,
        heat_shade=[[_shade(count, heat_max) for count in row] for row in heat],
        unmapped=unmapped,
        heat_max=heat_max,
        ward_max=ward_max,
        sources=sources,
    )
