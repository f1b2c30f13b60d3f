"""Distances on the Earth and the grid of cells that indexes tips by place."""

from __future__ import annotations

from math import asin, cos, floor, pi, radians, sin, sqrt

EARTH_RADIUS_M = 6_371_008.8
# Metres per degree of latitude (and of longitude at the equator) on that sphere.
M_PER_DEG = EARTH_RADIUS_M * pi / 180
# Slightly over 250 m, so float rounding can never push a 250 m neighbour two cells away.
CELL_M = 256.0
CELL_LAT_DEG = CELL_M / M_PER_DEG
# Bands this close to a pole are one cell each: longitude degrees shrink to nothing there.
POLAR_LAT = 85.0
_X_SPAN = 1 << 20


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points."""
    p1, p2 = radians(lat1), radians(lat2)
    dlat = p2 - p1
    dlon = radians(lon2 - lon1)
    h = sin(dlat / 2) ** 2 + cos(p1) * cos(p2) * sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * asin(min(1.0, sqrt(h)))


def bounding_box(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """(lat_lo, lat_hi, lon_lo, lon_hi) in degrees enclosing every point within radius_m."""
    ang = radius_m / EARTH_RADIUS_M * 1.001
    dlat = ang * 180 / pi
    lat_lo, lat_hi = max(-90.0, lat - dlat), min(90.0, lat + dlat)
    c = cos(radians(lat))
    if c <= sin(ang) or max(abs(lat_lo), abs(lat_hi)) >= 90.0:
        return lat_lo, lat_hi, -180.0, 180.0
    dlon = asin(min(1.0, sin(ang) / c)) * 180 / pi
    return lat_lo, lat_hi, lon - dlon, lon + dlon


def _band(lat: float) -> int:
    return floor((lat + 90.0) / CELL_LAT_DEG)


def _band_width(band: int) -> float:
    """Longitude width in degrees of the cells in one band: at least CELL_M everywhere in it."""
    lo = -90.0 + band * CELL_LAT_DEG
    edge = max(abs(lo), abs(lo + CELL_LAT_DEG))
    if edge >= POLAR_LAT:
        return 360.0
    return CELL_M / (M_PER_DEG * cos(radians(edge)))


def _pack(x: int, band: int) -> int:
    return band * _X_SPAN + x + 1


def cell_of(lat: float, lon: float) -> int:
    """The grid cell (about 256 m square) holding a point, as one integer key."""
    band = _band(lat)
    return _pack(floor((lon + 180.0) / _band_width(band)), band)


def cell_xy(cell: int) -> tuple[int, int]:
    """Unpack a cell key into (x, y): y is the latitude band, x the cell along it."""
    band, rest = divmod(cell, _X_SPAN)
    return rest - 1, band


def neighbour_cells(lat: float, lon: float, radius_m: float = 250.0) -> tuple[int, ...]:
    """Cells that can hold a point within radius_m of (lat, lon): at most the 3x3 around it."""
    lat_lo, lat_hi, lon_lo, lon_hi = bounding_box(lat, lon, radius_m)
    cells: list[int] = []
    for band in range(_band(lat_lo), _band(lat_hi) + 1):
        width = _band_width(band)
        if width >= 360.0:
            cells.append(_pack(0, band))
            continue
        first = floor((lon_lo + 180.0) / width)
        last = floor((lon_hi + 180.0) / width)
        cells.extend(_pack(x, band) for x in range(first, last + 1))
    return tuple(cells)
