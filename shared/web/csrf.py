"""Session-bound CSRF tokens: the form's only reason to set a cookie."""

from __future__ import annotations

import hmac
import secrets

from flask import request, session

SESSION_KEY = "csrf"
FIELD = "csrf_token"


def csrf_token() -> str:
    """This session's token, created on first use (which is what sets the session cookie)."""
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[SESSION_KEY] = token
    return token


def csrf_valid() -> bool:
    """Whether the posted form carries this session's token."""
    expected = session.get(SESSION_KEY)
    presented = request.form.get(FIELD, "")
    if not isinstance(expected, str) or not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode(), presented.encode())


def rotate_csrf_token() -> str:
    """A fresh token, so a form sent once cannot be replayed by reloading the page."""
    session[SESSION_KEY] = secrets.token_urlsafe(32)
    return str(session[SESSION_KEY])
