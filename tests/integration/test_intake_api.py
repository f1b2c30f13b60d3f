"""The phone system's API: every status code of SPEC section 3, against a real database and Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from services.cli.admin import create_key
from services.ingest import create_app
from shared.config import Settings
from shared.store.db import make_engine, make_session_factory
from shared.store.migrate import upgrade
from shared.store.models import Tip
from tests.support.procs import RedisServer, free_port

pytestmark = pytest.mark.integration

GOOD = {
    "description": "Man selling crack from the bench by the play area most afternoons",
    "location": {"text": "Jesus Green", "postcode": "cb58bq"},
    "phone_numbers": ["07700 900123"],
    "vehicles": [{"registration": "ab12 cde", "colour": "silver"}],
}


@pytest.fixture
def settings(tmp_path: Path, redis_server: RedisServer) -> Settings:
    url = f"sqlite:///{tmp_path / 'intake.db'}"
    upgrade(url)
    return Settings(database_url=url, redis_url=redis_server.url, api_rate_limit_per_minute=1000)


@pytest.fixture
def key(settings: Settings) -> str:
    return create_key(settings, name="phone")


@pytest.fixture
def client(settings: Settings) -> Iterator[FlaskClient]:
    yield create_app(settings).test_client()


def tips_stored(settings: Settings) -> list[Tip]:
    with make_session_factory(make_engine(settings.database_url))() as db:
        return list(db.scalars(select(Tip)))


def post(client: FlaskClient, key: str, body: object, **headers: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/tips",
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json", **headers},
    )


def test_valid_tip_is_stored_before_202(client: FlaskClient, key: str, settings: Settings) -> None:
    response = post(client, key, GOOD)
    assert response.status_code == 202
    assert set(response.get_json()) == {"reference", "status"}
    [tip] = tips_stored(settings)
    assert tip.reference == response.get_json()["reference"]
    assert tip.status == "received"
    assert tip.submission["location"]["postcode"] == "CB5 8BQ"
    assert tip.submission["phone_numbers"] == ["+447700900123"]
    assert tip.submission["vehicles"][0]["registration"] == "AB12CDE"
    assert tip.contact_encrypted is None and tip.anonymous


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({**GOOD, "description": "too short"}, "description", "at least 10"),
        ({**GOOD, "description": "x" * 5001}, "description", "at most 5,000"),
        ({**GOOD, "description": "bell \x07 character here"}, "description", "control character"),
        ({**GOOD, "location": {"lat": 52.2}}, "location", "both lat and lon"),
        ({**GOOD, "location": {}}, "location", "at least one"),
        ({**GOOD, "location": {"lat": 95, "lon": 0.1}}, "location.lat", "less than or equal to 90"),
        (
            {**GOOD, "location": {"postcode": "not a postcode"}},
            "location.postcode",
            "not a UK postcode",
        ),
        ({**GOOD, "colour": "red"}, "colour", "not a field"),
        ({**GOOD, "reporter": {"name": "Sam"}}, "reporter", "only allowed when anonymous is false"),
        ({**GOOD, "phone_numbers": ["12"]}, "phone_numbers", "phone number"),
        ({**GOOD, "vehicles": [{}] * 11}, "vehicles", "at most 10"),
        ({**GOOD, "observed_at": "2099-01-01T00:00:00+00:00"}, "observed_at", "future"),
        ({**GOOD, "observed_at": "2024-01-01T00:00:00"}, "observed_at", "timezone"),
        ({"location": {"text": "Mill Road"}}, "description", "required"),
    ],
)
def test_invalid_tips_get_422_with_field_errors_and_store_nothing(
    client: FlaskClient, key: str, settings: Settings, body: dict, field: str, fragment: str
) -> None:
    response = post(client, key, body)
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    matching = [e for e in errors if e["field"] == field]
    assert matching, errors
    assert fragment in matching[0]["message"]
    assert tips_stored(settings) == []


def test_wrong_content_type_is_415(client: FlaskClient, key: str) -> None:
    response = client.post(
        "/api/v1/tips",
        data="description=hi",
        headers={
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 415


def test_large_body_is_413(client: FlaskClient, key: str, settings: Settings) -> None:
    response = post(client, key, {**GOOD, "people": "y" * (70 * 1024)})
    assert response.status_code == 413
    assert tips_stored(settings) == []


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-key", "Basic abc"])
def test_missing_or_bad_key_is_401(
    client: FlaskClient, header: str | None, settings: Settings
) -> None:
    headers = {"Content-Type": "application/json"}
    if header:
        headers["Authorization"] = header
    response = client.post("/api/v1/tips", data=json.dumps(GOOD), headers=headers)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers
    assert tips_stored(settings) == []


def test_malformed_json_is_400(client: FlaskClient, key: str) -> None:
    response = client.post(
        "/api/v1/tips",
        data=b'{"description": ',
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    assert response.status_code == 400


def test_idempotency_key_replays_and_conflicts(
    client: FlaskClient, key: str, settings: Settings
) -> None:
    first = post(client, key, GOOD, **{"Idempotency-Key": "call-42"})
    again = post(client, key, GOOD, **{"Idempotency-Key": "call-42"})
    assert first.status_code == again.status_code == 202
    assert first.get_json() == again.get_json()
    changed = post(client, key, {**GOOD, "happening_now": True}, **{"Idempotency-Key": "call-42"})
    assert changed.status_code == 409
    # The same key from another API key is a different call.
    other = create_key(settings, name="second phone system")
    assert (
        post(client, other, GOOD, **{"Idempotency-Key": "call-42"}).get_json() != first.get_json()
    )
    assert len(tips_stored(settings)) == 2


def test_rate_limit_is_429_with_retry_after(settings: Settings, key: str) -> None:
    client = create_app(settings.model_copy(update={"api_rate_limit_per_minute": 2})).test_client()
    codes = [
        post(client, key, {**GOOD, "description": f"{GOOD['description']} {n}"}).status_code
        for n in range(3)
    ]
    assert codes == [202, 202, 429]
    assert (
        int(
            client.post(
                "/api/v1/tips",
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                data="{}",
            ).headers["Retry-After"]
        )
        >= 1
    )


def test_store_down_is_503_with_retry_after(redis_server: RedisServer, key: str) -> None:
    down = Settings(
        database_url=f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none",
        redis_url=redis_server.url,
    )
    response = post(create_app(down).test_client(), key, GOOD)
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert create_app(down).test_client().get("/readyz").status_code == 503


def test_broker_down_still_accepts_and_keeps_tip_waiting(settings: Settings, key: str) -> None:
    no_broker = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    client = create_app(no_broker).test_client()
    response = post(client, key, GOOD)
    assert response.status_code == 202
    [tip] = tips_stored(settings)
    assert tip.status == "received"
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["database"] == "ok"


def test_status_shows_a_word_never_content(client: FlaskClient, key: str) -> None:
    reference = post(client, key, GOOD).get_json()["reference"]
    body = client.get(f"/status/{reference.lower()}").get_json()
    assert body["status"] == "received"
    assert set(body) == {"reference", "status", "message"}
    assert "crack" not in json.dumps(body)
    assert client.get("/status/TL-0000-0000").status_code == 404
    assert client.get("/status/nonsense").status_code == 404


def test_health_and_metrics(client: FlaskClient, key: str) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    post(client, key, GOOD)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'tipline_tips_received_total{channel="api"}' in text


def test_stored_tip_count_unchanged_by_rejections(
    client: FlaskClient, key: str, settings: Settings
) -> None:
    post(client, key, {**GOOD, "description": "short"})
    post(client, key, {**GOOD, "unknown": 1})
    with make_session_factory(make_engine(settings.database_url))() as db:
        assert db.scalar(select(func.count()).select_from(Tip)) == 0
