"""The rules of SPEC section 6 as plain predicates, and their wording for team leads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from shared.domain.model import Family

from .geo import haversine_m

DUPLICATE_WINDOW = timedelta(hours=24)
CLUSTER_WINDOW = timedelta(days=14)
IDENTIFIER_WINDOW = timedelta(days=30)
SAME_PLACE_M = 250.0
NEAR_M = 250.0
# Float rounding in the distance formula must not decide a boundary: positions are never
# anywhere near a millimetre exact.
TOLERANCE_M = 0.001

EXACT = "dedup.exact"
NEAR = "cluster.near"
PLACE = "cluster.place"
PHONE = "cluster.phone"
VEHICLE = "cluster.vehicle"
MERGE = "cluster.merge"
# Order reasons are listed in, for one linked cluster.
RULE_ORDER = (NEAR, PLACE, PHONE, VEHICLE)

# Only these families corroborate by place; "other" never does.
PLACE_FAMILIES: frozenset[Family] = frozenset({"supply", "use"})
_FAMILY_WORDS = {"supply": "supply", "use": "drug use", "other": "other"}


class Point(Protocol):
    """Anything with a position (None when unknown)."""

    @property
    def lat(self) -> float | None: ...
    @property
    def lon(self) -> float | None: ...


class Placed(Point, Protocol):
    """Anything with the place fields of a tip (keys of a new tip, or a stored entry)."""

    @property
    def ward_code(self) -> str | None: ...
    @property
    def location_key(self) -> str | None: ...


def within(a: datetime, b: datetime, window: timedelta) -> bool:
    """True when two times are no further apart than window, in either order."""
    return abs(a - b) <= window


def distance_m(a: Point, b: Point) -> float | None:
    """Metres between two tips, or None when either has no point."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    return haversine_m(a.lat, a.lon, b.lat, b.lon)


def is_near(d: float | None) -> bool:
    """True when a distance (None: unknown) is close enough to corroborate."""
    return d is not None and d <= NEAR_M + TOLERANCE_M


def same_place(a: Placed, b: Placed) -> str | None:
    """How two tips are at the same place for exact duplicates ("40 m away", ...), or None."""
    d = distance_m(a, b)
    if d is not None and d <= SAME_PLACE_M + TOLERANCE_M:
        return metres(d)
    if a.ward_code is not None and a.ward_code == b.ward_code:
        return "in the same ward"
    a_placed = a.ward_code is not None or (a.lat is not None and a.lon is not None)
    b_placed = b.ward_code is not None or (b.lat is not None and b.lon is not None)
    if not a_placed and not b_placed and a.location_key and a.location_key == b.location_key:
        return "at the same location given"
    return None


def metres(d: float) -> str:
    """A distance in words: "40 m away"."""
    return "at the same point" if d < 0.5 else f"{round(d)} m away"


def when(new: datetime, other: datetime) -> str:
    """How long before (or after, for replayed history) new the other tip came: "3 h earlier"."""
    seconds = int(abs((new - other).total_seconds()))
    if seconds == 0:
        return "at the same time"
    if seconds < 60:
        span = "under a minute"
    elif seconds < 3600:
        span = f"{seconds // 60} min"
    elif seconds < 48 * 3600:
        span = f"{seconds // 3600} h"
    else:
        span = f"{seconds // 86400} days"
    return f"{span} {'earlier' if new >= other else 'later'}"


def family_word(family: Family) -> str:
    """The family as a team lead would say it: "supply", "drug use"."""
    return _FAMILY_WORDS[family]


def place_label(place: str) -> str:
    """A canonical place key ("street:green end road") as a name ("Green End Road")."""
    name = place.partition(":")[2] or place
    return " ".join(word[:1].upper() + word[1:] for word in name.split())
