"""Request and response shapes of the team queue API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.domain.route.teams import DESTINATION_NAME
from shared.schemas.text import clean_text

Outcome = Literal["actioned", "intelligence_logged", "no_further_action", "referred", "duplicate"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClaimIn(_In):
    lease_minutes: int | None = Field(default=None, ge=1, le=8 * 60)


class ResolveIn(_In):
    outcome: Outcome
    note: str

    @field_validator("note")
    @classmethod
    def _note(cls, value: str) -> str:
        return clean_text(value, min_length=1, max_length=5000)


class ReassignIn(_In):
    # Shaped like a destination name; whether it exists is checked against the teams file.
    destination: str = Field(pattern=rf"^{DESTINATION_NAME.pattern}$", max_length=64)
    reason: str

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return clean_text(value, min_length=3, max_length=1000)


class NoteIn(_In):
    text: str

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return clean_text(value, min_length=1, max_length=5000)


class ItemOut(BaseModel):
    """One queue item as a lead sees it in a list."""

    reference: str
    destination: str
    state: str
    priority: str
    category: str | None
    flags: list[str]
    ward: str | None
    ward_code: str | None
    location_method: str | None
    cluster: str | None
    cluster_size: int
    duplicate_count: int
    received_at: datetime
    queued_at: datetime
    age_seconds: int
    claimed_by: str | None
    lease_expires_at: datetime | None
    breaching: bool
    claim_by: datetime
    outcome: str | None


class TipOut(BaseModel):
    """A tip in full, for staff allowed to see it."""

    reference: str
    channel: str
    status: str
    received_at: datetime
    anonymous: bool
    has_contact: bool
    submission: dict[str, Any]
    decision: dict[str, Any] | None
    cluster: dict[str, Any] | None
    items: list[ItemOut]
    duplicate_of: str | None
    duplicates: int
    notes: list[dict[str, Any]]
    audit: list[dict[str, Any]]
