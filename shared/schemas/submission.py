"""TipSubmission: the one shape every channel's tip is validated into (SPEC section 3)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shared.schemas.identifiers import normalise_phone, normalise_postcode, normalise_registration
from shared.schemas.text import clean_text, optional_text

Channel = Literal["api", "web"]
FUTURE_TOLERANCE = timedelta(minutes=5)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


class LocationIn(_Strict):
    """Where it happened: text, a postcode, a point, or any mix."""

    text: str | None = Field(
        default=None, description="A street, landmark or description of the spot"
    )
    postcode: str | None = Field(default=None, description="Full or partial UK postcode")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return optional_text(value, max_length=300)

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return normalise_postcode(value)

    @model_validator(mode="after")
    def _enough(self) -> LocationIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("give both lat and lon, or neither")
        if self.text is None and self.postcode is None and self.lat is None:
            raise ValueError("give at least one of text, postcode, or both lat and lon")
        return self


class VehicleIn(_Strict):
    registration: str | None = None
    make: str | None = None
    model: str | None = None
    colour: str | None = None

    @field_validator("registration")
    @classmethod
    def _reg(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return normalise_registration(value)

    @field_validator("make", "model", "colour")
    @classmethod
    def _words(cls, value: str | None) -> str | None:
        return optional_text(value, max_length=60)


class ReporterIn(_Strict):
    anonymous: bool = True
    name: str | None = None
    phone: str | None = None
    email: str | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return optional_text(value, max_length=200)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return normalise_phone(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        text = optional_text(value, max_length=254)
        if text is not None and not _EMAIL.match(text):
            raise ValueError("is not an email address")
        return text

    @model_validator(mode="after")
    def _anonymous_means_no_contact(self) -> ReporterIn:
        if self.anonymous and (self.name or self.phone or self.email):
            raise ValueError("name, phone and email are only allowed when anonymous is false")
        return self

    @property
    def has_contact(self) -> bool:
        return bool(self.name or self.phone or self.email)


PhoneList = Annotated[list[str], Field(max_length=10)]
VehicleList = Annotated[list[VehicleIn], Field(max_length=10)]


class TipSubmission(_Strict):
    """A tip as submitted by the phone system or the web form, validated and normalised."""

    description: str = Field(description="What was seen: 10 to 5,000 characters")
    location: LocationIn
    observed_at: AwareDatetime | None = Field(default=None, description="ISO 8601 with offset")
    happening_now: bool = False
    when_text: str | None = None
    people: str | None = None
    vehicles: VehicleList = Field(default_factory=list)
    phone_numbers: PhoneList = Field(default_factory=list)
    reporter: ReporterIn = Field(default_factory=ReporterIn)
    call_id: str | None = Field(default=None, description="Phone channel only: the call reference")

    @field_validator("description")
    @classmethod
    def _description(cls, value: str) -> str:
        return clean_text(value, min_length=10, max_length=5000)

    @field_validator("when_text")
    @classmethod
    def _when(cls, value: str | None) -> str | None:
        return optional_text(value, max_length=500)

    @field_validator("people")
    @classmethod
    def _people(cls, value: str | None) -> str | None:
        return optional_text(value, max_length=2000)

    @field_validator("phone_numbers")
    @classmethod
    def _phones(cls, value: list[str]) -> list[str]:
        return [normalise_phone(item) for item in value]

    @field_validator("observed_at")
    @classmethod
    def _not_future(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        try:
            # Times that cannot be shown in UTC (year 1 at +14:00) would break every reader.
            value.astimezone(UTC)
        except OverflowError as exc:
            raise ValueError("is not a time Tipline can record") from exc
        if value > datetime.now(UTC) + FUTURE_TOLERANCE:
            raise ValueError("is in the future")
        return value

    @field_validator("call_id")
    @classmethod
    def _call_id(cls, value: str | None, info: ValidationInfo) -> str | None:
        channel = (info.context or {}).get("channel", "api")
        if value is not None and channel != "api":
            raise ValueError("is only accepted from the phone system")
        return optional_text(value, max_length=100)

    def without_contact(self) -> dict[str, Any]:
        """The submission as JSON-able data, minus the reporter's contact details."""
        data = self.model_dump(mode="json")
        data["reporter"] = {"anonymous": self.reporter.anonymous}
        return data


class Receipt(BaseModel):
    """What a reporter or the phone system gets back once a tip is stored."""

    reference: str
    status: Literal["received", "with_team", "closed"]
