"""The report form's server side without a browser: CSRF, honeypot, rate limit, status by Accept."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from services.ingest import create_app
from shared.config import Settings
from shared.store.db import make_engine, make_session_factory
from shared.store.migrate import upgrade
from shared.store.models import Tip
from tests.support.procs import RedisServer

pytestmark = pytest.mark.integration
GOOD = {
    "description": "Selling from the bench by the play area most evenings",
    "location-text": "Jesus Green",
}


@pytest.fixture
def settings(tmp_path: Path, redis_server: RedisServer) -> Settings:
    import redis

    redis.Redis.from_url(redis_server.url).flushall()
    url = f"sqlite:///{tmp_path / 'form.db'}"
    upgrade(url)
    return Settings(database_url=url, redis_url=redis_server.url, rate_limit_per_minute=3)


@pytest.fixture
def client(settings: Settings) -> FlaskClient:
    return create_app(settings).test_client()


def stored(settings: Settings) -> int:
    with make_session_factory(make_engine(settings.database_url))() as db:
        return int(db.scalar(select(func.count()).select_from(Tip)) or 0)


def token(client: FlaskClient) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert match
    return match.group(1)


def test_the_only_cookie_is_the_form_session(client: FlaskClient) -> None:
    response = client.get("/")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("session=") and "HttpOnly" in cookies[0]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_a_post_without_the_csrf_token_stores_nothing_and_keeps_the_answers(
    client: FlaskClient, settings: Settings
) -> None:
    response = client.post("/report", data=GOOD)
    assert response.status_code == 400
    assert "Jesus Green" in response.text and "expired" in response.text
    assert stored(settings) == 0


def test_a_filled_honeypot_looks_accepted_but_stores_nothing(
    client: FlaskClient, settings: Settings
) -> None:
    response = client.post(
        "/report", data={**GOOD, "csrf_token": token(client), "website": "http://spam.example"}
    )
    assert response.status_code == 200
    assert re.search(r"TL-[0-9A-Z]{4}-[0-9A-Z]{4}", response.text)
    assert stored(settings) == 0


def test_a_good_post_is_stored_as_a_web_tip_and_cannot_be_replayed(
    client: FlaskClient, settings: Settings
) -> None:
    csrf = token(client)
    first = client.post("/report", data={**GOOD, "csrf_token": csrf})
    assert first.status_code == 200 and "Report sent" in first.text
    again = client.post("/report", data={**GOOD, "csrf_token": csrf})
    assert again.status_code == 400
    with make_session_factory(make_engine(settings.database_url))() as db:
        [tip] = db.scalars(select(Tip)).all()
    assert tip.channel == "web" and tip.anonymous and tip.contact_encrypted is None


def test_too_many_posts_get_429_with_retry_after(client: FlaskClient) -> None:
    # Seven posts against a limit of three a minute: even across a minute boundary one is refused.
    responses = [
        client.post("/report", data={**GOOD, "csrf_token": token(client)}) for _ in range(7)
    ]
    assert [r.status_code for r in responses[:3]] == [200, 200, 200]
    limited = [r for r in responses if r.status_code == 429]
    assert limited and int(limited[0].headers["Retry-After"]) > 0
    assert "999" in limited[0].text


def test_status_is_html_for_browsers_and_json_for_api_clients(client: FlaskClient) -> None:
    page = client.post("/report", data={**GOOD, "csrf_token": token(client)}).text
    match = re.search(r"TL-[0-9A-Z]{4}-[0-9A-Z]{4}", page)
    assert match
    reference = match.group(0)
    as_json = client.get(f"/status/{reference}")
    assert as_json.get_json()["status"] == "received"
    as_html = client.get(
        f"/status/{reference}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert as_html.mimetype == "text/html" and "Status of your report" in as_html.text
    assert client.get("/status/TL-0000-0000", headers={"Accept": "text/html"}).status_code == 404
