"""Console login and logout: passwords checked against werkzeug hashes, sessions after that."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from services.router.console.blueprint import bp, ctx, safe_next, session_user
from shared.store import audit
from shared.store.db import transaction
from shared.store.models import User
from shared.web.csrf import rotate_csrf_token

# Checked when the username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash("tipline-not-a-password")


@bp.get("/")
def home() -> Any:
    if session_user() is None:
        return redirect(url_for("console.login"))
    return redirect(url_for("console.queues"))


@bp.get("/login")
def login() -> Any:
    return render_template(
        "console/login.html", username="", error=None, next=request.args.get("next", "")
    )


@bp.post("/login")
def login_post() -> Any:
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    target = request.form.get("next", "")
    with transaction(ctx().sessions) as db:
        user = db.scalar(select(User).where(User.username == username)) if username else None
        stored = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
        ok = check_password_hash(stored, password) and user is not None and not user.disabled
        ok = ok and bool(user and user.password_hash)
        audit.record(
            db, actor=username[:60] or "-", action="console_login" if ok else "console_login_failed"
        )
    if not ok or user is None:
        error = "The username or password is not right"
        page = render_template("console/login.html", username=username, error=error, next=target)
        return page, 401
    # A fresh session on login, so nothing from before carries over (session fixation).
    session.clear()
    session["user_id"] = user.id
    rotate_csrf_token()
    return redirect(safe_next(target))


@bp.post("/logout")
def logout() -> Any:
    session.clear()
    return redirect(url_for("console.login"))
