"""Apps, keys and staff for hostile-input and privacy tests: real databases, the private Redis."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from services.cli.admin import create_key, create_user
from services.ingest import create_app as create_intake
from services.ingest.intake.service import store_tip
from services.router.app import create_app as create_router
from services.router.context import router_context
from services.router.pipeline.process import process_tip
from shared.config import Settings
from shared.schemas.submission import TipSubmission
from shared.secrets_store import fernet_for
from shared.store.db import make_engine, make_session_factory
from shared.store.migrate import upgrade
from shared.store.models import Tip

GOOD: dict[str, Any] = {
    "description": "Man selling crack from the bench by the play area most afternoons",
    "location": {"text": "Jesus Green", "postcode": "cb58bq"},
}
NORTH = {"postcode": "CB4 2JQ"}  # Arbury: cambridge-north
EAST = {"postcode": "CB1 3AA"}  # Romsey: cambridge-east
PASSWORD = "correct horse battery"
STAFF = (
    ("lead-north", "lead", ["cambridge-north"]),
    ("lead-east", "lead", ["cambridge-east"]),
    ("ops", "ops", []),
    ("admin", "admin", []),
)


def tip_count(settings: Settings) -> int:
    """How many tips the database holds."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as db:
            return int(db.scalar(select(func.count()).select_from(Tip)) or 0)
    finally:
        engine.dispose()


def post_json(client: FlaskClient, key: str, body: Any, **headers: str) -> TestResponse:
    """POST a body (encoded as JSON unless already bytes or text) to the phone API."""
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(
        "/api/v1/tips",
        data=data,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", **headers},
    )


def html_escaped(page: str, payload: str) -> bool:
    """True when the payload appears only escaped in the HTML: never as live markup."""
    return (
        payload not in page
        and "<script>alert(1)</script>" not in page
        and not re.search(r"<img[^>]+onerror", page, flags=re.IGNORECASE)
    )


@dataclass
class Intake:
    """An intake app over a migrated database and the private Redis, with an API key."""

    settings: Settings
    app: Flask
    client: FlaskClient
    key: str

    def post(self, body: Any, **headers: str) -> TestResponse:
        return post_json(self.client, self.key, body, **headers)

    def still_serving(self) -> None:
        """A normal tip still gets 202 after whatever came before."""
        response = self.post(GOOD)
        assert response.status_code == 202, response.get_data(as_text=True)


def intake_for(database_url: str, redis_url: str, **overrides: Any) -> Intake:
    """Migrate, create an API key and build the intake app."""
    upgrade(database_url)
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        api_rate_limit_per_minute=1_000_000,
        rate_limit_per_minute=1_000_000,
        **overrides,
    )
    key = create_key(settings, name="phone system")
    app = create_intake(settings)
    app.config["TESTING"] = True
    return Intake(settings, app, app.test_client(), key)


@dataclass
class Router:
    """A router app over a migrated database with staff of every role and routed tips."""

    settings: Settings
    app: Flask
    client: FlaskClient
    tokens: dict[str, str]
    refs: dict[str, str] = field(default_factory=dict)

    def headers(self, user: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"} if user else {}

    def get(self, path: str, user: str | None = "ops") -> TestResponse:
        return self.client.get(path, headers=self.headers(user))

    def post(self, path: str, user: str | None, body: Any = None) -> TestResponse:
        return self.client.post(path, headers=self.headers(user), json=body or {})

    def submit(self, body: dict[str, Any]) -> str:
        """Store a tip and run the pipeline on it, as a worker would; its reference."""
        ctx = router_context(self.settings)
        secret = self.settings.secret_key.get_secret_value()
        contact = (
            self.settings.contact_key.get_secret_value() if self.settings.contact_key else None
        )
        stored = store_tip(
            ctx.sessions,
            submission=TipSubmission.model_validate(body),
            channel="api",
            cipher=fernet_for(contact, secret),
        )
        assert process_tip(ctx, stored.tip_id) == "routed"
        return stored.reference


def router_for(database_url: str, redis_url: str, **overrides: Any) -> Router:
    """Migrate, create staff of every role (token and password) and build the router app."""
    upgrade(database_url)
    settings = Settings(database_url=database_url, redis_url=redis_url, **overrides)
    tokens = {
        name: create_user(settings, username=name, role=role, destinations=dests, password=PASSWORD)
        for name, role, dests in STAFF
    }
    app = create_router(settings)
    app.config["TESTING"] = True
    return Router(settings, app, app.test_client(), tokens)
