"""The keys one tip is indexed under: fingerprint, place, cell and keyed identifier hashes."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from shared.domain.model import FAMILY_OF, Category, Family, Location, TipFacts

from .geo import cell_of
from .normalise import (
    normalise_phone,
    normalise_postcode,
    normalise_registration,
    normalise_text,
)

# Identifier kinds double as the prefix of their keys, so a phone never matches a registration.
PHONE = "phone"
VEHICLE = "vehicle"


@dataclass(frozen=True)
class DedupKeys:
    """Everything the duplicate and cluster decision needs about one tip, and nothing plain."""

    tip_id: str
    received_at: datetime
    fingerprint: str
    family: Family
    ward_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    cell: int | None = None
    place: str | None = None
    # Keyed hash of the raw location input; set only for tips that could not be placed.
    location_key: str | None = None
    # "phone:<hmac>" and "vehicle:<hmac>", sorted and unique.
    identifiers: tuple[str, ...] = ()

    @property
    def placed(self) -> bool:
        """True when the tip has a ward or a point, so place compares by those."""
        return self.ward_code is not None or self.has_point

    @property
    def has_point(self) -> bool:
        """True when the tip has coordinates for distance checks."""
        return self.lat is not None and self.lon is not None


def _digest(secret: bytes, kind: str, value: str) -> str:
    # The kind goes into the MAC input too, so equal strings of different kinds never collide.
    return hmac.new(secret, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()


def identifier_key(kind: str, normalised: str, *, secret: bytes) -> str:
    """Keyed hash of a normalised identifier, prefixed by its kind ("phone" or "vehicle")."""
    if kind not in (PHONE, VEHICLE):
        raise ValueError(f"unknown identifier kind {kind!r}")
    return f"{kind}:{_digest(secret, kind, normalised)}"


def identifier_kind(key: str) -> str:
    """The kind ("phone" or "vehicle") of an identifier key."""
    return key.partition(":")[0]


def description_fingerprint(description: str, *, secret: bytes) -> str:
    """Keyed hash of a description after normalising case, spacing, punctuation and Unicode."""
    return _digest(secret, "description", normalise_text(description))


def _location_key(facts: TipFacts, secret: bytes) -> str | None:
    parts = (
        normalise_postcode(facts.postcode or ""),
        normalise_text(facts.location_text or ""),
        f"{facts.lat:.5f},{facts.lon:.5f}"
        if facts.lat is not None and facts.lon is not None
        else "",
    )
    if not any(parts):
        return None
    return _digest(secret, "location", "|".join(parts))


def _identifiers(facts: TipFacts, secret: bytes) -> tuple[str, ...]:
    keys: set[str] = set()
    for raw in facts.phone_numbers:
        phone = normalise_phone(raw)
        if phone:
            keys.add(identifier_key(PHONE, phone, secret=secret))
    for vehicle in facts.vehicles:
        reg = normalise_registration(vehicle.registration or "")
        if reg:
            keys.add(identifier_key(VEHICLE, reg, secret=secret))
    return tuple(sorted(keys))


def keys_for(
    tip_id: str,
    facts: TipFacts,
    location: Location,
    category: Category,
    *,
    secret: bytes,
) -> DedupKeys:
    """Build the dedup keys of a tip from its facts, where it was placed and its category."""
    if not secret:
        raise ValueError("a non-empty server secret is needed to key identifier hashes")
    if facts.received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    has_point = location.lat is not None and location.lon is not None
    placed = location.ward_code is not None or has_point
    return DedupKeys(
        tip_id=tip_id,
        received_at=facts.received_at,
        fingerprint=description_fingerprint(facts.description, secret=secret),
        family=FAMILY_OF[category],
        ward_code=location.ward_code,
        lat=location.lat if has_point else None,
        lon=location.lon if has_point else None,
        cell=cell_of(location.lat, location.lon) if has_point else None,  # type: ignore[arg-type]
        place=location.place or None,
        location_key=None if placed else _location_key(facts, secret),
        identifiers=_identifiers(facts, secret),
    )
