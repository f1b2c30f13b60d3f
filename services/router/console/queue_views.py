"""Team queues: the list in priority order, a live refresh, and the item actions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from pydantic import BaseModel, ValidationError

from services.router.auth import can_see
from services.router.console.blueprint import (
    CATEGORY_WORDS,
    PRIORITY_WORDS,
    bp,
    ctx,
    destinations,
    forbidden,
    login_required,
    not_found,
)
from services.router.queues import service
from services.router.queues.models import ItemOut, NoteIn, ReassignIn, ResolveIn
from shared.references import normalise_reference
from shared.store.models import Tip

STATES = {
    "active": service.ACTIVE,
    "open": ("open",),
    "claimed": ("claimed",),
    "resolved": ("resolved",),
}
ACTIONS = ("claim", "release", "resolve", "reassign", "notes")
ACTION_DONE = {
    "claim": "You have claimed {ref}",
    "release": "You have released {ref}",
    "resolve": "{ref} is resolved",
    "reassign": "{ref} has been moved to another queue",
    "notes": "Your note was added to {ref}",
}


def _filters() -> dict[str, str]:
    state = request.args.get("state", "active")
    priority = request.args.get("priority", "")
    category = request.args.get("category", "")
    return {
        "state": state if state in STATES else "active",
        "priority": priority if priority in PRIORITY_WORDS else "",
        "category": category if category in CATEGORY_WORDS else "",
    }


def _items(destination: str, filters: dict[str, str]) -> list[ItemOut]:
    with ctx().sessions() as db:
        return service.list_queue(
            db,
            destination=destination,
            states=STATES[filters["state"]],
            priority=filters["priority"] or None,
            category=filters["category"] or None,
        )


def _denied(destination: str) -> Any:
    if destination not in destinations():
        return not_found(f"There is no queue called {destination}.")
    if not can_see(g.user, destination):
        return forbidden("You can only see your own team's queues.")
    return None


@bp.get("/queues")
@login_required
def queues() -> Any:
    from services.router.auth import visible_destinations

    mine = visible_destinations(g.user, destinations())
    if not mine:
        return forbidden("You have no queues. Ask an admin to add you to a team.")
    return redirect(url_for("console.queue", destination=mine[0]))


@bp.get("/queues/<destination>")
@login_required
def queue(destination: str) -> Any:
    if (denied := _denied(destination)) is not None:
        return denied
    filters = _filters()
    return render_template(
        "console/queue.html",
        destination=destination,
        filters=filters,
        items=_items(destination, filters),
        now=datetime.now(UTC),
    )


@bp.get("/queues/<destination>/live")
@login_required
def queue_live(destination: str) -> Any:
    if destination not in destinations() or not can_see(g.user, destination):
        return jsonify(error="You do not have access to this queue"), 403
    filters = _filters()
    items = _items(destination, filters)
    now = datetime.now(UTC)
    rows = render_template(
        "console/_queue_rows.html", items=items, now=now, destination=destination
    )
    return jsonify(
        destination=destination,
        count=len(items),
        breaching=sum(item.breaching for item in items),
        rows_html=rows,
        updated_at=now.isoformat(),
    )


def _payload(action: str) -> BaseModel | str | None:
    """The validated form for an action, or a message saying what is wrong with it."""
    models: dict[str, type[BaseModel]] = {
        "resolve": ResolveIn,
        "reassign": ReassignIn,
        "notes": NoteIn,
    }
    if action not in models:
        return None
    fields = {
        "resolve": ("outcome", "note"),
        "reassign": ("destination", "reason"),
        "notes": ("text",),
    }
    data = {name: request.form.get(name, "") for name in fields[action]}
    try:
        return models[action].model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            where = ".".join(str(part) for part in error["loc"]) or action
            problems.append(
                f"{where.capitalize()}: {str(error['msg']).removeprefix('Value error, ')}"
            )
        return "; ".join(problems)


@bp.post("/queues/<destination>/items/<reference>/<action>")
@login_required
def act(destination: str, reference: str, action: str) -> Any:
    if action not in ACTIONS:
        return not_found(f"There is no action called {action}.")
    if (denied := _denied(destination)) is not None:
        return denied
    canonical = normalise_reference(reference)
    if canonical is None:
        return not_found("That is not a Tipline reference.")
    back = url_for("console.tip", reference=canonical)
    payload = _payload(action)
    if isinstance(payload, str):
        flash(payload, "error")
        return redirect(back)
    context = ctx()
    now = datetime.now(UTC)
    try:
        with context.sessions() as db, db.begin():
            item = service.act(
                db,
                destination=destination,
                reference=canonical,
                user_id=g.user.id,
                action=action,
                payload=payload,
                lease_minutes=context.settings.lease_minutes,
                destinations=destinations(),
                now=now,
            )
            tip = db.get(Tip, item.tip_id)
    except service.QueueError as exc:
        if exc.status == 404:
            return not_found("That tip is not in this queue.")
        flash(exc.message, "error")
        return redirect(back)
    flash(ACTION_DONE[action].format(ref=tip.reference if tip else canonical), "success")
    if (
        action == "reassign"
        and isinstance(payload, ReassignIn)
        and not can_see(g.user, payload.destination)
    ):
        # The lead no longer sees this tip; take them back to the queue it left.
        return redirect(url_for("console.queue", destination=destination))
    return redirect(back)
