"""The intake service's Flask app factory."""

from __future__ import annotations

from flask import Flask

from services.ingest.context import IngestContext
from services.ingest.intake.views import bp as intake_bp
from services.ingest.openapi import build as build_openapi
from services.ingest.web import bp as web_bp
from shared.config import Settings, get_settings
from shared.logs import configure_logging
from shared.store.db import ping
from shared.web.health import health_blueprint
from shared.web.openapi import openapi_blueprint
from shared.web.setup import new_app


def create_app(settings: Settings | None = None) -> Flask:
    """Build the intake app: the phone API, the public status page, health and metrics."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    ctx = IngestContext.build(settings)
    app = new_app(__name__, settings)
    app.extensions["tipline"] = ctx
    app.register_blueprint(intake_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(
        health_blueprint({"database": lambda: ping(ctx.engine), "broker": ctx.ping_broker})
    )
    app.register_blueprint(openapi_blueprint(build_openapi))
    return app
