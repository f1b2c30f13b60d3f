"""Turning a stored or submitted tip (JSON-shaped data) into TipFacts for the pipeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.domain.model import TipFacts, Vehicle


def _when(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def facts_from_submission(data: dict[str, Any], *, received_at: datetime) -> TipFacts:
    """TipFacts from a validated submission in its JSON form."""
    location = data.get("location") or {}
    return TipFacts(
        description=data["description"],
        received_at=received_at,
        location_text=location.get("text"),
        postcode=location.get("postcode"),
        lat=location.get("lat"),
        lon=location.get("lon"),
        happening_now=bool(data.get("happening_now", False)),
        observed_at=_when(data.get("observed_at")),
        when_text=data.get("when_text"),
        people=data.get("people"),
        vehicles=tuple(Vehicle(**vehicle) for vehicle in data.get("vehicles") or ()),
        phone_numbers=tuple(data.get("phone_numbers") or ()),
    )
