"""The router service's OpenAPI document: the team queue API behind staff bearer tokens."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from services.router.queues.models import ClaimIn, ItemOut, NoteIn, ReassignIn, ResolveIn, TipOut
from shared.web.openapi import (
    InvalidOut,
    OpenApi,
    add_health,
    answer,
    header,
    path_param,
    query_param,
)

STAFF: list[dict[str, list[str]]] = [{"staffToken": []}]
DESTINATION = path_param("destination", "A destination such as cambridge-north", maxLength=60)
REFERENCE = path_param("reference", "A tip reference such as TL-7K3M-Q9XD", maxLength=40)


class QueueCount(BaseModel):
    """A queue this user may see and how many items are active in it."""

    destination: str
    active: int


class QueuesOut(BaseModel):
    """The queues this user may see."""

    queues: list[QueueCount]


class QueueOut(BaseModel):
    """One queue's items in priority order."""

    destination: str
    items: list[ItemOut]


class ContactOut(BaseModel):
    """A reporter's contact details (each view is audited); null for anonymous tips."""

    reference: str
    anonymous: bool
    contact: dict[str, str] | None


def _staff_errors(*codes: int) -> dict[int, dict[str, Any]]:
    known = {
        400: answer("The body is not valid JSON (UTF-8)"),
        401: answer("No valid staff token", headers={"WWW-Authenticate": header("Bearer")}),
        403: answer("This queue is not one of yours"),
        404: answer("No such queue, item or tip (or not one you can see)"),
        409: answer("The item's state does not allow that (claimed by someone else, resolved)"),
        413: answer("The body is larger than 64 KiB"),
        415: answer("Send application/json"),
        422: answer("The request is not valid", InvalidOut),
    }
    return {code: known[code] for code in codes}


def build() -> dict[str, Any]:
    """The router service's OpenAPI document."""
    doc = OpenApi(
        title="Tipline team queues",
        version="1",
        description=(
            "Team queues for leads (their own destinations only) and ops/admin (all). "
            "Every action is an audit event."
        ),
        security_schemes={
            "staffToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "A staff API token from `tipline users create`",
            }
        },
    )
    doc.add(
        "get",
        "/api/v1/queues",
        summary="The queues you may see, with active counts",
        tags=["queues"],
        security=STAFF,
        responses={200: answer("Queues", QueuesOut), **_staff_errors(401)},
    )
    doc.add(
        "get",
        "/api/v1/queues/{destination}",
        summary="A queue's items: priority, then cluster size, then age",
        tags=["queues"],
        security=STAFF,
        parameters=[
            DESTINATION,
            query_param(
                "state",
                "Which items",
                type="string",
                enum=["active", "open", "claimed", "resolved"],
            ),
            query_param(
                "priority", "Only this grade", type="string", enum=["P1", "P2", "P3", "P4"]
            ),
            query_param("category", "Only this category", type="string"),
            query_param(
                "limit", "At most this many (1 to 500)", type="integer", minimum=1, maximum=500
            ),
            query_param("offset", "Skip this many", type="integer", minimum=0),
        ],
        responses={200: answer("The items", QueueOut), **_staff_errors(401, 403, 404, 422)},
    )
    item_params = [DESTINATION, REFERENCE]
    doc.add(
        "get",
        "/api/v1/queues/{destination}/items/{reference}",
        summary="One item in a queue",
        tags=["queues"],
        security=STAFF,
        parameters=item_params,
        responses={200: answer("The item", ItemOut), **_staff_errors(401, 403, 404)},
    )
    actions: dict[str, tuple[str, type[BaseModel] | None]] = {
        "claim": ("Claim the item (or renew your lease)", ClaimIn),
        "release": ("Give a claimed item back to the open queue", None),
        "resolve": ("Close the item with an outcome and a note", ResolveIn),
        "reassign": ("Move the item to another destination, with a reason", ReassignIn),
        "notes": ("Add a note to the tip", NoteIn),
    }
    for action, (summary, body) in actions.items():
        codes = (401, 403, 404, 409, 413) + ((400, 415, 422) if body is not None else ())
        doc.add(
            "post",
            f"/api/v1/queues/{{destination}}/items/{{reference}}/{action}",
            summary=summary,
            tags=["queues"],
            security=STAFF,
            parameters=item_params,
            body=body,
            body_required=action != "claim",
            responses={200: answer("The item after the action", ItemOut), **_staff_errors(*codes)},
        )
    doc.add(
        "get",
        "/api/v1/tips/{reference}",
        summary="A tip in full, if it is in one of your queues (the view is audited)",
        tags=["tips"],
        security=STAFF,
        parameters=[REFERENCE],
        responses={200: answer("The tip", TipOut), **_staff_errors(401, 404)},
    )
    doc.add(
        "get",
        "/api/v1/tips/{reference}/contact",
        summary="The reporter's contact details (the view is audited)",
        tags=["tips"],
        security=STAFF,
        parameters=[REFERENCE],
        responses={200: answer("Contact details", ContactOut), **_staff_errors(401, 404)},
    )
    add_health(doc)
    return doc.build()
