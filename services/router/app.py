"""The router service's Flask app factory: team queue API, console and ops."""

from __future__ import annotations

from flask import Flask

from services.router.context import router_context
from services.router.ops.figures import gauges
from services.router.queues.views import bp as queues_bp
from shared.config import Settings, get_settings
from shared.logs import configure_logging
from shared.store.db import ping
from shared.web.errors import install_json_errors
from shared.web.headers import install_security_headers
from shared.web.health import health_blueprint


def create_app(settings: Settings | None = None) -> Flask:
    """Build the router web app; loads data and rules (a bad rules file stops start-up)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    ctx = router_context(settings)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key.get_secret_value(),
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    app.extensions["tipline"] = ctx
    app.register_blueprint(queues_bp)

    def broker() -> None:
        with ctx.publisher.app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=1)

    app.register_blueprint(
        health_blueprint(
            {"database": lambda: ping(ctx.engine), "broker": broker},
            gauges=lambda: gauges(ctx.sessions, ctx.pipeline.teams.destinations),
        )
    )
    install_json_errors(app)
    install_security_headers(app)
    return app
