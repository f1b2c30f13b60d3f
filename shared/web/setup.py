"""The Flask set-up both services share: secrets, limits, cookies, proxies, errors, headers."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.config import Settings
from shared.web.errors import install_json_errors
from shared.web.headers import install_security_headers


def new_app(import_name: str, settings: Settings) -> Flask:
    """A Flask app configured the Tipline way; blueprints are registered by the caller."""
    app = Flask(import_name)
    app.config.update(
        SECRET_KEY=settings.secret_key.get_secret_value(),
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
    )
    if settings.proxy_hops:
        # Behind a TLS proxy the client address (used only, hashed, for rate limits) and scheme
        # come from its X-Forwarded-* headers; trust exactly as many hops as are configured.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops
        )
    install_json_errors(app)
    install_security_headers(app)
    return app
