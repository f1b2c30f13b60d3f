"""Turning validation failures into the per-field error list of SPEC section 3."""

from __future__ import annotations

from typing import TypedDict

from pydantic import ValidationError


class FieldError(TypedDict):
    field: str
    message: str


def field_errors(exc: ValidationError) -> list[FieldError]:
    """One {"field", "message"} per problem, with dotted field paths such as 'location.lat'."""
    errors: list[FieldError] = []
    for error in exc.errors(include_url=False):
        path = ".".join(str(part) for part in error["loc"]) or "body"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "is not a field Tipline accepts"
        elif error["type"] == "missing":
            message = "is required"
        errors.append({"field": path, "message": message})
    return errors
