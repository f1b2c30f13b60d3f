"""The router service's Flask app factory: team queue API, console and ops."""

from __future__ import annotations

from flask import Flask

from services.router.console import bp as console_bp
from services.router.context import router_context
from services.router.openapi import build as build_openapi
from services.router.ops.figures import gauges
from services.router.queues.views import bp as queues_bp
from shared.config import Settings, get_settings
from shared.logs import configure_logging
from shared.store.db import ping
from shared.web.health import health_blueprint
from shared.web.openapi import openapi_blueprint
from shared.web.setup import new_app


def create_app(settings: Settings | None = None) -> Flask:
    """Build the router web app; loads data and rules (a bad rules file stops start-up)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    ctx = router_context(settings)
    app = new_app(__name__, settings)
    app.extensions["tipline"] = ctx
    app.register_blueprint(queues_bp)
    app.register_blueprint(console_bp)

    def broker() -> None:
        with ctx.publisher.app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=1)

    app.register_blueprint(
        health_blueprint(
            {"database": lambda: ping(ctx.engine), "broker": broker},
            gauges=lambda: gauges(ctx.sessions, ctx.pipeline.teams.destinations),
        )
    )
    app.register_blueprint(openapi_blueprint(build_openapi))
    return app
