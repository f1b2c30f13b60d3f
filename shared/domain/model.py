"""Plain value types shared by every step of the decision pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

Category = Literal["county_lines", "cultivation", "street_dealing", "drug_use", "other"]
# Precedence order (SPEC section 4): the first that applies wins.
CATEGORIES: tuple[Category, ...] = (
    "county_lines",
    "cultivation",
    "street_dealing",
    "drug_use",
    "other",
)

Flag = Literal["child_at_risk", "vulnerable_adult", "weapon", "violence", "in_progress"]
FLAGS: tuple[Flag, ...] = ("child_at_risk", "vulnerable_adult", "weapon", "violence", "in_progress")

Priority = Literal["P1", "P2", "P3", "P4"]
PRIORITIES: tuple[Priority, ...] = ("P1", "P2", "P3", "P4")

LocationMethod = Literal["latlon", "postcode", "place", "sector", "out_of_area", "none"]
LOCATION_METHODS: tuple[LocationMethod, ...] = (
    "latlon",
    "postcode",
    "place",
    "sector",
    "out_of_area",
    "none",
)

# Category families for corroboration (SPEC section 6): supply and use never corroborate each other.
Family = Literal["supply", "use", "other"]
FAMILY_OF: dict[str, Family] = {
    "county_lines": "supply",
    "cultivation": "supply",
    "street_dealing": "supply",
    "drug_use": "use",
    "other": "other",
}


@dataclass(frozen=True)
class Reason:
    """One rule that fired, in words a team lead can read, with the evidence behind it."""

    rule: str
    detail: str
    evidence: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "detail": self.detail, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Vehicle:
    registration: str | None = None
    make: str | None = None
    model: str | None = None
    colour: str | None = None


@dataclass(frozen=True)
class TipFacts:
    """What the pipeline knows of one tip: the validated submission, as plain values."""

    description: str
    received_at: datetime
    location_text: str | None = None
    postcode: str | None = None
    lat: float | None = None
    lon: float | None = None
    happening_now: bool = False
    observed_at: datetime | None = None
    when_text: str | None = None
    people: str | None = None
    vehicles: tuple[Vehicle, ...] = ()
    phone_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Location:
    """Where a tip happened, how that was worked out, and how sure we are."""

    method: LocationMethod
    ward_code: str | None = None
    ward: str | None = None
    confidence: float = 0.0
    # Best point for distance checks (the pin, the postcode, the place); None when unknown.
    lat: float | None = None
    lon: float | None = None
    # Canonical key of a matched named place, for "names the same place" corroboration.
    place: str | None = None
    reasons: tuple[Reason, ...] = ()

    @property
    def located(self) -> bool:
        return self.ward_code is not None


@dataclass(frozen=True)
class Classification:
    category: Category
    flags: tuple[Flag, ...] = ()
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Grade:
    priority: Priority
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Routing:
    """The destinations a tip goes to, in order; the first is its primary queue."""

    team: str | None
    destinations: tuple[str, ...]
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Corroboration:
    """Outcome of the duplicate and cluster decision for one tip."""

    duplicate_of: str | None = None
    cluster: str | None = None
    cluster_size: int = 1
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Decision:
    location: Location
    classification: Classification
    corroboration: Corroboration
    grade: Grade
    routing: Routing
    reasons: tuple[Reason, ...] = field(default=())

    @property
    def all_reasons(self) -> tuple[Reason, ...]:
        return (
            self.location.reasons
            + self.classification.reasons
            + self.corroboration.reasons
            + self.grade.reasons
            + self.routing.reasons
            + self.reasons
        )
