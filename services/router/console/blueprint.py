"""The console blueprint and what every console page shares: login, roles, CSRF, formatting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Blueprint, g, redirect, render_template, request, session, url_for

from services.router.auth import ALL_SEEING, visible_destinations
from services.router.context import RouterContext, router_context
from shared.store.models import User
from shared.web.csrf import FIELD as CSRF_FIELD
from shared.web.csrf import csrf_token, csrf_valid

F = TypeVar("F", bound=Callable[..., Any])

bp = Blueprint(
    "console",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/console-assets",
)

LONDON = ZoneInfo("Europe/London")
PRIORITY_WORDS = {"P1": "Immediate", "P2": "Priority", "P3": "Scheduled", "P4": "Intelligence"}
CATEGORY_WORDS = {
    "county_lines": "County lines",
    "cultivation": "Cultivation",
    "street_dealing": "Street dealing",
    "drug_use": "Drug use",
    "other": "Other",
}
OUTCOME_WORDS = {
    "actioned": "Actioned",
    "intelligence_logged": "Intelligence logged",
    "no_further_action": "No further action",
    "referred": "Referred",
    "duplicate": "Duplicate",
}


def ctx() -> RouterContext:
    """The router context of this process."""
    return router_context()


def destinations() -> tuple[str, ...]:
    """Every configured destination."""
    return ctx().pipeline.teams.destinations


def session_user() -> User | None:
    """The console user of this session (sessions only: the console never takes bearer tokens)."""
    user_id = session.get("user_id")
    if user_id is None:
        return None
    with ctx().sessions() as db:
        user = db.get(User, user_id)
    return user if user is not None and not user.disabled else None


def login_required(fn: F) -> F:
    """Send anyone not logged in to the login page; sets g.user."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = session_user()
        if user is None:
            session.pop("user_id", None)
            return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
        g.user = user
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[F], F]:
    """403 unless the logged-in user has one of these roles (use under login_required)."""

    def decorate(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.user.role not in roles:
                return forbidden("This page is for ops and admin staff.")
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def forbidden(message: str) -> tuple[str, int]:
    """The 403 page."""
    return render_template("console/error.html", title="Not allowed", message=message), 403


def not_found(message: str) -> tuple[str, int]:
    """The 404 page."""
    return render_template("console/error.html", title="Not found", message=message), 404


def safe_next(target: str | None) -> str:
    """A local path to return to after login, never another site."""
    if not target:
        return url_for("console.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("console.home")
    return target


@bp.before_request
def _check_csrf() -> Any:
    if request.method == "POST" and not csrf_valid():
        page = render_template(
            "console/error.html",
            title="Form expired",
            message="That form had expired, so nothing was changed. Go back, reload the page and try again.",
        )
        return page, 400
    return None


@bp.app_context_processor
def _globals() -> dict[str, Any]:
    user = getattr(g, "user", None)
    return {
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token,
        "current_user": user,
        "all_seeing": user is not None and user.role in ALL_SEEING,
        "my_destinations": visible_destinations(user, destinations()) if user else [],
        "PRIORITY_WORDS": PRIORITY_WORDS,
        "CATEGORY_WORDS": CATEGORY_WORDS,
        "OUTCOME_WORDS": OUTCOME_WORDS,
    }


@bp.app_template_filter("age")
def age(value: datetime | float | int | None, now: datetime | None = None) -> str:
    """A short age such as '5 min', '3 h', '2 d' from a time or a number of seconds."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        seconds = ((now or datetime.now(UTC)) - _aware(value)).total_seconds()
    else:
        seconds = float(value)
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60} min"
    return f"{seconds // 86400} d {seconds % 86400 // 3600} h"


@bp.app_template_filter("when")
def when(value: datetime | str | None) -> str:
    """A timestamp as staff read it: UK local time with the date."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        moment = value
    local = _aware(moment).astimezone(LONDON)
    return local.strftime("%a %d %b %Y %H:%M")


@bp.app_template_filter("place")
def place(value: str | None) -> str:
    """A matched place key such as 'street:green end road' as 'green end road (street)'."""
    if not value:
        return "–"
    kind, sep, name = value.partition(":")
    return f"{name} ({kind.replace('_', ' ')})" if sep else value


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
