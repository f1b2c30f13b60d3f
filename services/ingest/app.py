"""The intake service's Flask app factory."""

from __future__ import annotations

from flask import Flask

from services.ingest.context import IngestContext
from services.ingest.intake.views import bp as intake_bp
from shared.config import Settings, get_settings
from shared.logs import configure_logging
from shared.store.db import ping
from shared.web.errors import install_json_errors
from shared.web.headers import install_security_headers
from shared.web.health import health_blueprint


def create_app(settings: Settings | None = None) -> Flask:
    """Build the intake app: the phone API, the public status page, health and metrics."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    ctx = IngestContext.build(settings)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key.get_secret_value(),
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.extensions["tipline"] = ctx
    app.register_blueprint(intake_bp)
    app.register_blueprint(
        health_blueprint(
            {"database": lambda: ping(ctx.engine), "broker": lambda: ctx.redis.ping() and None}
        )
    )
    install_json_errors(app)
    install_security_headers(app)
    return app
