"""The intake service's OpenAPI document: the phone API, public status, health."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from shared.schemas.submission import Receipt, TipSubmission
from shared.web.openapi import (
    InvalidOut,
    OpenApi,
    add_health,
    answer,
    header,
    path_param,
)

RETRY_AFTER = header("Seconds to wait before retrying", {"type": "string", "pattern": "^[0-9]+$"})
REFERENCE = path_param(
    "reference",
    "A tip reference such as TL-7K3M-Q9XD (case, spaces and O/I/L misreadings are forgiven)",
    maxLength=40,
)


class StatusOut(BaseModel):
    """A reference's status: one word and fixed wording, never the tip's content."""

    reference: str
    status: Literal["received", "with_team", "closed"]
    message: str


def build() -> dict[str, Any]:
    """The intake service's OpenAPI document."""
    doc = OpenApi(
        title="Tipline intake",
        version="1",
        description=(
            "Takes tips from the phone system (API key) and tells reporters a reference's status. "
            "It can create tips but never read their contents back."
        ),
        security_schemes={
            "apiKey": {
                "type": "http",
                "scheme": "bearer",
                "description": "A phone system API key from `tipline keys create`",
            }
        },
    )
    unauthorised = answer(
        "Missing, unknown or revoked API key", headers={"WWW-Authenticate": header("Bearer")}
    )
    doc.add(
        "post",
        "/api/v1/tips",
        summary="Submit a tip (stored durably before the 202)",
        tags=["tips"],
        body=TipSubmission,
        security=[{"apiKey": []}],
        parameters=[
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Retry safely: the same key and body return the original reference",
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
            }
        ],
        responses={
            202: answer("Stored; the reference to give the caller", Receipt),
            200: answer(
                "A repeated Idempotency-Key with the same body: the original reference "
                "(Tipline answers 202 with Idempotent-Replayed: true; clients accept either)",
                Receipt,
            ),
            400: answer("The body is not valid JSON in UTF-8"),
            401: unauthorised,
            409: answer("This Idempotency-Key was used before with a different body"),
            413: answer("The body is larger than 64 KiB"),
            415: answer("The body is not application/json"),
            422: answer("The tip is not valid: one error per field", InvalidOut),
            429: answer("Too many tips from this key", headers={"Retry-After": RETRY_AFTER}),
            503: answer(
                "The store is unavailable; nothing was saved", headers={"Retry-After": RETRY_AFTER}
            ),
        },
    )
    doc.add(
        "get",
        "/status/{reference}",
        summary="A reference's status: a word and fixed wording, never content",
        tags=["status"],
        parameters=[REFERENCE],
        responses={
            200: answer("The status", StatusOut),
            404: answer("Not a reference, or not one Tipline knows"),
            503: answer("Status is unavailable just now", headers={"Retry-After": RETRY_AFTER}),
        },
    )
    add_health(doc)
    return doc.build()
