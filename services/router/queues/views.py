"""Team queue JSON API (SPEC section 7)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel, ValidationError
from sqlalchemy import func, select

from services.router.auth import api_login_required, can_see, visible_destinations
from services.router.context import router_context
from services.router.queues import service
from services.router.queues.models import ClaimIn, NoteIn, ReassignIn, ResolveIn
from shared.references import normalise_reference
from shared.schemas.errors import field_errors
from shared.secrets_store import contact_cipher
from shared.store.models import QueueItem, Tip, User

bp = Blueprint("queues", __name__, url_prefix="/api/v1")


def _json(model: Any) -> Response:
    return Response(model.model_dump_json(), mimetype="application/json")


def _destinations() -> tuple[str, ...]:
    return router_context().pipeline.teams.destinations


def _check_destination(destination: str) -> tuple[Response, int] | None:
    if destination not in _destinations():
        return jsonify(error=f"No queue called '{destination}'"), 404
    if not can_see(g.user, destination):
        return jsonify(error="You do not have access to this queue"), 403
    return None


def _body(model: type[BaseModel]) -> BaseModel | tuple[Response, int]:
    if not request.is_json:
        return jsonify(error="Send application/json"), 415
    raw = request.get_data(cache=True)
    try:
        # An empty body means no options; a broken one is refused rather than read as empty.
        data = json.loads(raw) if raw.strip() else {}
    except (ValueError, RecursionError):
        return jsonify(error="Body is not valid JSON (UTF-8)"), 400
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        return jsonify(error="Invalid request", errors=field_errors(exc)), 422


@bp.get("/queues")
@api_login_required
def queues() -> Any:
    names = visible_destinations(g.user, _destinations())
    with router_context().sessions() as db:
        counts: dict[str, int] = dict(
            db.execute(
                select(QueueItem.destination, func.count())
                .where(QueueItem.state.in_(service.ACTIVE), QueueItem.destination.in_(names))
                .group_by(QueueItem.destination)
            )
            .tuples()
            .all()
        )
    return jsonify(queues=[{"destination": name, "active": counts.get(name, 0)} for name in names])


@bp.get("/queues/<destination>")
@api_login_required
def queue(destination: str) -> Any:
    if (denied := _check_destination(destination)) is not None:
        return denied
    state = request.args.get("state", "active")
    states = {
        "active": service.ACTIVE,
        "open": ("open",),
        "claimed": ("claimed",),
        "resolved": ("resolved",),
    }
    if state not in states:
        return jsonify(error="state must be one of active, open, claimed, resolved"), 422
    try:
        limit = min(500, max(1, int(request.args.get("limit", 200))))
        offset = max(0, int(request.args.get("offset", 0)))
    except ValueError:
        return jsonify(error="limit and offset must be whole numbers"), 422
    with router_context().sessions() as db:
        items = service.list_queue(
            db,
            destination=destination,
            states=states[state],
            priority=request.args.get("priority") or None,
            category=request.args.get("category") or None,
            limit=limit,
            offset=offset,
        )
    return jsonify(destination=destination, items=[item.model_dump(mode="json") for item in items])


def _act(destination: str, reference: str, action: str) -> Any:
    if (denied := _check_destination(destination)) is not None:
        return denied
    canonical = normalise_reference(reference)
    if canonical is None:
        return jsonify(error="Not a Tipline reference"), 404
    models: dict[str, type[BaseModel]] = {
        "claim": ClaimIn,
        "resolve": ResolveIn,
        "reassign": ReassignIn,
        "notes": NoteIn,
    }
    payload: BaseModel | None = None
    if action in models:
        parsed = _body(models[action])
        if isinstance(parsed, tuple):
            return parsed
        payload = parsed
    ctx = router_context()
    now = datetime.now(UTC)
    try:
        with ctx.sessions() as db, db.begin():
            item = service.act(
                db,
                destination=destination,
                reference=canonical,
                user_id=g.user.id,
                action=action,
                payload=payload,
                lease_minutes=ctx.settings.lease_minutes,
                destinations=_destinations(),
                now=now,
            )
            db.flush()
            tip = db.get(Tip, item.tip_id)
            assert tip is not None
            out = service.item_out(item, tip, tip.decision, now, service.cluster_for(db, tip.id))
    except service.QueueError as exc:
        return jsonify(error=exc.message), exc.status
    return _json(out)


@bp.get("/queues/<destination>/items/<reference>")
@api_login_required
def item(destination: str, reference: str) -> Any:
    return _act(destination, reference, "view")


@bp.post("/queues/<destination>/items/<reference>/<action>")
@api_login_required
def act(destination: str, reference: str, action: str) -> Any:
    if action not in ("claim", "release", "resolve", "reassign", "notes"):
        return jsonify(error=f"Unknown action '{action}'"), 404
    return _act(destination, reference, action)


@bp.get("/tips/<reference>")
@api_login_required
def tip(reference: str) -> Any:
    ctx = router_context()
    with ctx.sessions() as db, db.begin():
        user = db.get(User, g.user.id)
        assert user is not None
        found = service.visible_tip(db, reference=reference, user=user)
        if found is None:
            return jsonify(error="No such tip, or not one you can see"), 404
        out = service.tip_detail(
            db,
            tip=found,
            user=user,
            visible=visible_destinations(user, ctx.pipeline.teams.destinations),
            now=datetime.now(UTC),
        )
    return _json(out)


@bp.get("/tips/<reference>/contact")
@api_login_required
def contact(reference: str) -> Any:
    ctx = router_context()
    with ctx.sessions() as db, db.begin():
        user = db.get(User, g.user.id)
        assert user is not None
        found = service.visible_tip(db, reference=reference, user=user)
        if found is None:
            return jsonify(error="No such tip, or not one you can see"), 404
        details = service.reveal_contact(
            db, tip=found, user=user, cipher=contact_cipher(ctx.settings)
        )
    return jsonify(reference=found.reference, anonymous=found.anonymous, contact=details)
