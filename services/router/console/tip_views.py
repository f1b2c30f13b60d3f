"""One tip in full: what was reported, why it was routed, its cluster, notes, audit and actions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import g, render_template

from services.router.auth import visible_destinations
from services.router.console.blueprint import (
    OUTCOME_WORDS,
    bp,
    ctx,
    destinations,
    login_required,
    not_found,
)
from services.router.queues import service
from services.router.queues.service import reveal_contact, visible_tip
from shared.secrets_store import contact_cipher
from shared.store.models import User

NOT_VISIBLE = "There is no such tip, or it is not one you can see."


@bp.get("/tips/<reference>")
@login_required
def tip(reference: str) -> Any:
    context = ctx()
    with context.sessions() as db, db.begin():
        user = db.get(User, g.user.id)
        assert user is not None
        found = visible_tip(db, reference=reference, user=user)
        if found is None:
            return not_found(NOT_VISIBLE)
        detail = service.tip_detail(
            db,
            tip=found,
            user=user,
            visible=visible_destinations(user, destinations()),
            now=datetime.now(UTC),
        )
    return render_template(
        "console/tip.html",
        tip=detail,
        outcomes=OUTCOME_WORDS,
        all_destinations=destinations(),
        lease_minutes=context.settings.lease_minutes,
    )


@bp.post("/tips/<reference>/contact")
@login_required
def contact(reference: str) -> Any:
    with ctx().sessions() as db, db.begin():
        user = db.get(User, g.user.id)
        found = visible_tip(db, reference=reference, user=user) if user else None
        if found is None or user is None:
            return not_found(NOT_VISIBLE)
        details = reveal_contact(db, tip=found, user=user, cipher=contact_cipher(ctx().settings))
        ref = found.reference
    return render_template("console/contact.html", reference=ref, details=details)
