"""Staff identity: bearer tokens for the JSON API, sessions for the console; role checks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, jsonify, request, session
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.secrets_store import token_hash
from shared.store.models import User

F = TypeVar("F", bound=Callable[..., Any])
ALL_SEEING = ("ops", "admin")


def can_see(user: User, destination: str) -> bool:
    """Ops and admins see every queue; a lead sees only their own destinations."""
    return user.role in ALL_SEEING or destination in (user.destinations or [])


def visible_destinations(user: User, all_destinations: tuple[str, ...]) -> list[str]:
    """The destinations this user may see, in configuration order."""
    return [name for name in all_destinations if can_see(user, name)]


def user_for_token(db: Session, token: str) -> User | None:
    """The active user holding a staff API token."""
    user = db.scalar(select(User).where(User.token_hash == token_hash(token)))
    return user if user is not None and not user.disabled else None


def current_user(db: Session) -> User | None:
    """The user behind this request: a bearer token, else a console session."""
    auth = request.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return user_for_token(db, token.strip())
    user_id = session.get("user_id")
    if user_id is not None:
        user = db.get(User, user_id)
        if user is not None and not user.disabled:
            return user
    return None


def api_login_required(fn: F) -> F:
    """401 unless the request carries a valid staff token or session; sets g.user."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from services.router.context import router_context

        with router_context().sessions() as db:
            user = current_user(db)
        if user is None:
            return (
                jsonify(error="Staff login required: Authorization: Bearer <staff token>"),
                401,
                {"WWW-Authenticate": "Bearer"},
            )
        g.user = user
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
