"""Team queue JSON API (SPEC section 7)."""

from __future__ import annotations

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
from shared.secrets_store import decrypt_json, fernet_for
from shared.store import audit
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
    data = request.get_json(silent=True)
    if data is None:
        data = {}
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
            ).tuples().all()
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
            item = service.find_item(
                db, destination=destination, reference=canonical, lock=action != "view"
            )
            if item is None:
                return jsonify(error="No such item in this queue"), 404
            user = db.get(User, g.user.id)
            assert user is not None
            if action == "claim":
                assert isinstance(payload, ClaimIn)
                service.claim(
                    db,
                    item=item,
                    user=user,
                    lease_minutes=payload.lease_minutes or ctx.settings.lease_minutes,
                    now=now,
                )
            elif action == "release":
                service.release(db, item=item, user=user, now=now)
            elif action == "resolve":
                assert isinstance(payload, ResolveIn)
                service.resolve(
                    db, item=item, user=user, outcome=payload.outcome, note=payload.note, now=now
                )
            elif action == "reassign":
                assert isinstance(payload, ReassignIn)
                service.reassign(
                    db,
                    item=item,
                    user=user,
                    destination=payload.destination,
                    reason=payload.reason,
                    valid=_destinations(),
                    now=now,
                )
            elif action == "notes":
                assert isinstance(payload, NoteIn)
                service.add_note(
                    db,
                    tip_id=item.tip_id,
                    user=user,
                    text=payload.text,
                    now=now,
                    destination=destination,
                )
            db.flush()
            tip = db.get(Tip, item.tip_id)
            assert tip is not None
            out = service.item_out(item, tip, tip.decision, now)
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


def _visible_tip(db: Any, reference: str) -> Tip | None:
    canonical = normalise_reference(reference)
    if canonical is None:
        return None
    tip = db.scalar(select(Tip).where(Tip.reference == canonical))
    if tip is None:
        return None
    if g.user.role in ("ops", "admin") or any(can_see(g.user, i.destination) for i in tip.items):
        return tip
    if tip.duplicate_of:
        original = db.get(Tip, tip.duplicate_of)
        if original is not None and any(can_see(g.user, i.destination) for i in original.items):
            return tip
    return None


@bp.get("/tips/<reference>")
@api_login_required
def tip(reference: str) -> Any:
    ctx = router_context()
    with ctx.sessions() as db, db.begin():
        found = _visible_tip(db, reference)
        if found is None:
            return jsonify(error="No such tip, or not one you can see"), 404
        user = db.get(User, g.user.id)
        assert user is not None
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
    settings = ctx.settings
    with ctx.sessions() as db, db.begin():
        found = _visible_tip(db, reference)
        if found is None:
            return jsonify(error="No such tip, or not one you can see"), 404
        if found.contact_encrypted is None:
            return jsonify(reference=found.reference, anonymous=found.anonymous, contact=None)
        cipher = fernet_for(
            settings.contact_key.get_secret_value() if settings.contact_key else None,
            settings.secret_key.get_secret_value(),
        )
        details = decrypt_json(cipher, found.contact_encrypted)
        audit.record(db, actor=g.user.username, action="contact_viewed", tip_id=found.id)
    return jsonify(reference=found.reference, anonymous=found.anonymous, contact=details)
