"""The public report form: from posted fields to a TipSubmission, and errors back to fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from shared.schemas.identifiers import normalise_phone
from shared.schemas.submission import TipSubmission

LONDON = ZoneInfo("Europe/London")
VEHICLE_ROWS = 3
PHONE_ROWS = 3
VEHICLE_PARTS = ("registration", "make", "model", "colour")
HONEYPOT = "website"

# Fields in the order the page shows them, for the error summary.
PAGE_ORDER = (
    "description",
    "location-text",
    "location-postcode",
    "location-lat",
    "location-lon",
    "observed-date",
    "observed-time",
    "when-text",
    "people",
    *(f"vehicle-{row}-{part}" for row in range(1, VEHICLE_ROWS + 1) for part in VEHICLE_PARTS),
    *(f"phone-{row}" for row in range(1, PHONE_ROWS + 1)),
    "contact-yes",
    "reporter-name",
    "reporter-phone",
    "reporter-email",
)

# Every text field the form posts (all but the contact choice), so a re-rendered form keeps
# exactly what was typed.
TEXT_FIELDS = tuple(name for name in PAGE_ORDER if name != "contact-yes")

LABELS = {
    "description": "What happened",
    "location-text": "Where it happened",
    "location-postcode": "Postcode",
    "location-lat": "Latitude",
    "location-lon": "Longitude",
    "observed-date": "Date",
    "observed-time": "Time",
    "when-text": "When it happens",
    "people": "Description of the people",
    "reporter-name": "Your name",
    "reporter-phone": "Your phone number",
    "reporter-email": "Your email address",
    "contact-yes": "Contact details",
}


@dataclass
class FieldProblem:
    """One problem to show in the error summary and beside its field."""

    field_id: str
    message: str


@dataclass
class ReportForm:
    """What the reporter typed, and (after validation) the problems with it."""

    values: dict[str, str]
    happening_now: bool = False
    wants_contact: bool = False
    honeypot: str = ""
    problems: list[FieldProblem] = field(default_factory=list)
    vehicle_rows: list[int] = field(default_factory=list)
    phone_rows: list[int] = field(default_factory=list)

    @classmethod
    def empty(cls) -> ReportForm:
        """A blank form: anonymous by default."""
        return cls(values=dict.fromkeys(TEXT_FIELDS, ""))

    @classmethod
    def from_post(cls, form: MultiDict[str, str]) -> ReportForm:
        """Read the posted fields, keeping them as typed."""
        return cls(
            values={name: form.get(name, "") for name in TEXT_FIELDS},
            happening_now=form.get("happening-now") == "yes",
            wants_contact=form.get("contact") == "yes",
            honeypot=form.get(HONEYPOT, ""),
        )

    @property
    def errors(self) -> dict[str, str]:
        """Field id to its first message, for showing beside each field."""
        found: dict[str, str] = {}
        for problem in self.problems:
            found.setdefault(problem.field_id, problem.message)
        return found

    def add(self, field_id: str, message: str) -> None:
        """Record a problem with one field."""
        self.problems.append(FieldProblem(field_id, message))

    def submission(self) -> TipSubmission | None:
        """The validated submission, or None with `problems` filled in."""
        data = self._data()
        own = set(self.errors)
        try:
            submission = TipSubmission.model_validate(data, context={"channel": "web"})
        except ValidationError as exc:
            submission = None
            for error in exc.errors(include_url=False):
                self._problem_from(error, skip=own)
        # The summary lists problems in the order the fields appear on the page.
        self.problems.sort(key=lambda problem: _page_position(problem.field_id))
        return None if self.problems else submission

    def _value(self, name: str) -> str | None:
        text = self.values.get(name, "")
        return text if text.strip() else None

    def _data(self) -> dict[str, Any]:
        location: dict[str, Any] = {
            "text": self._value("location-text"),
            "postcode": self._value("location-postcode"),
        }
        for key in ("lat", "lon"):
            raw = self._value(f"location-{key}")
            if raw is None:
                continue
            try:
                location[key] = float(raw)
            except ValueError:
                self.add(
                    f"location-{key}", f"{LABELS[f'location-{key}']} must be a number, like 52.2053"
                )
        data: dict[str, Any] = {
            "description": self.values.get("description", ""),
            "location": {key: value for key, value in location.items() if value is not None},
            "happening_now": self.happening_now,
            "when_text": self._value("when-text"),
            "people": self._value("people"),
            "observed_at": self._observed_at(),
            "vehicles": self._vehicles(),
            "phone_numbers": self._phones(),
            "reporter": self._reporter(),
        }
        return {key: value for key, value in data.items() if value is not None}

    def _observed_at(self) -> str | None:
        day, clock = self._value("observed-date"), self._value("observed-time")
        if day is None and clock is None:
            return None
        if day is None:
            self.add("observed-date", "Enter the date as well as the time")
            return None
        try:
            parsed_day = date.fromisoformat(day.strip())
        except ValueError:
            self.add("observed-date", "Date must be a real date, like 2025-03-27")
            return None
        if clock is None:
            self.add("observed-time", "Enter a time (a rough one is fine), or clear the date")
            return None
        try:
            parsed_time = time.fromisoformat(clock.strip())
        except ValueError:
            self.add("observed-time", "Time must be a real time, like 21:30")
            return None
        # Reporters give local time; the submission needs an offset, which depends on BST.
        return datetime.combine(parsed_day, parsed_time, tzinfo=LONDON).isoformat()

    def _vehicles(self) -> list[dict[str, str]]:
        vehicles: list[dict[str, str]] = []
        self.vehicle_rows = []
        for row in range(1, VEHICLE_ROWS + 1):
            parts = {part: self._value(f"vehicle-{row}-{part}") for part in VEHICLE_PARTS}
            present = {key: value for key, value in parts.items() if value is not None}
            if present:
                vehicles.append(present)
                self.vehicle_rows.append(row)
        return vehicles

    def _phones(self) -> list[str]:
        phones: list[str] = []
        self.phone_rows = []
        for row in range(1, PHONE_ROWS + 1):
            value = self._value(f"phone-{row}")
            if value is None:
                continue
            # Checked one by one here because the submission reports a bad list, not a bad row.
            try:
                normalise_phone(value)
            except ValueError as exc:
                self.add(f"phone-{row}", f"Phone number {row} {exc}")
                continue
            phones.append(value)
            self.phone_rows.append(row)
        return phones

    def _reporter(self) -> dict[str, Any]:
        contact = {key: self._value(f"reporter-{key}") for key in ("name", "phone", "email")}
        given = {key: value for key, value in contact.items() if value is not None}
        if not self.wants_contact:
            if given:
                self.add(
                    "contact-yes",
                    "You chose to stay anonymous: choose ‘Yes’ to give your contact details, "
                    "or clear them",
                )
            return {"anonymous": True}
        if not given:
            self.add(
                "reporter-name", "Give a name, phone number or email, or choose to stay anonymous"
            )
        return {"anonymous": False, **given}

    def _problem_from(self, error: Any, *, skip: set[str]) -> None:
        loc = [str(part) for part in error["loc"]]
        field_id = self._field_id(loc)
        if field_id in skip or (loc == ["location"] and skip & {"location-lat", "location-lon"}):
            return  # already explained by the form's own check
        message = str(error["msg"]).removeprefix("Value error, ")
        kind = error["type"]
        if kind in ("greater_than_equal", "less_than_equal"):
            bounds = "-90 and 90" if loc[-1] == "lat" else "-180 and 180"
            message = f"must be between {bounds}"
        elif kind == "missing":
            message = "is required"
        elif loc == ["location"]:
            self.add(
                "location-text",
                "Tell us where: a street or place, a postcode, or a point on the map",
            )
            return
        elif loc and loc[0] == "observed_at":
            self.add("observed-date", "The date and time must not be in the future")
            return
        label = LABELS.get(field_id) or self._row_label(field_id)
        self.add(field_id, f"{label} {message}")

    def _field_id(self, loc: list[str]) -> str:
        head = loc[0] if loc else "description"
        if head == "location":
            return f"location-{loc[1]}" if len(loc) > 1 else "location-text"
        if head == "vehicles" and len(loc) > 2 and loc[1].isdigit():
            row = self.vehicle_rows[int(loc[1])] if int(loc[1]) < len(self.vehicle_rows) else 1
            return f"vehicle-{row}-{loc[2]}"
        if head == "phone_numbers":
            index = int(loc[1]) if len(loc) > 1 and loc[1].isdigit() else 0
            return f"phone-{self.phone_rows[index] if index < len(self.phone_rows) else 1}"
        if head == "reporter":
            return f"reporter-{loc[1]}" if len(loc) > 1 else "contact-yes"
        return {"when_text": "when-text"}.get(head, head if head in LABELS else "description")

    @staticmethod
    def _row_label(field_id: str) -> str:
        if field_id.startswith("vehicle-"):
            _, row, part = field_id.split("-", 2)
            return f"Vehicle {row} {part}"
        if field_id.startswith("phone-"):
            return f"Phone number {field_id.split('-', 1)[1]}"
        return "This answer"


def _page_position(field_id: str) -> int:
    return PAGE_ORDER.index(field_id) if field_id in PAGE_ORDER else len(PAGE_ORDER)
