"""What the database holds: hashed secrets, encrypted contact details, nothing identifying a sender."""

from __future__ import annotations

import base64
import json
import re

import pytest
import redis
from cryptography.fernet import Fernet
from sqlalchemy import select

from shared.store.db import make_engine, make_session_factory
from shared.store.models import AuditEvent, Tip
from tests.support.hostile import NORTH, PASSWORD, Intake, Router, intake_for
from tests.support.procs import RedisServer, wait_until
from tests.support.scan import found

pytestmark = pytest.mark.integration
CLIENT_IP = "198.51.100.77"
FORWARDED_IP = "203.0.113.45"
USER_AGENT = "TiplineProbe/9.9 (hostile-client; zq7x)"
COOKIE = "tracker=zq7x-cookie-value"
CONTACT = {
    "anonymous": False,
    "name": "Quentin Zebedee",
    "phone": "07700 900777",
    "email": "qz@example.org",
}
TIP_TEXT = "Zq7x dealing wraps from the blue door by the shops every night"


def _identifying(intake: Intake) -> dict[str, object]:
    return {
        "environ_base": {"REMOTE_ADDR": CLIENT_IP},
        "headers": {"User-Agent": USER_AGENT, "X-Forwarded-For": FORWARDED_IP, "Cookie": COOKIE},
    }


def _web_tip(intake: Intake) -> None:
    client = intake.app.test_client()
    page = client.get("/", **_identifying(intake)).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the report form has no CSRF field"
    response = client.post(
        "/report",
        data={
            "csrf_token": token.group(1),
            "description": TIP_TEXT,
            "location-postcode": "CB4 2JQ",
        },
        **_identifying(intake),
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "TL-" in response.get_data(as_text=True)


def test_anonymous_tips_store_no_ip_user_agent_or_cookie(intake: Intake) -> None:
    client = intake.app.test_client()
    kw = _identifying(intake)
    kw["headers"] = {**kw["headers"], "Authorization": f"Bearer {intake.key}"}  # type: ignore[dict-item]
    response = client.post("/api/v1/tips", json={"description": TIP_TEXT, "location": NORTH}, **kw)
    assert response.status_code == 202
    _web_tip(intake)
    hits = found(
        intake.settings.database_url,
        CLIENT_IP,
        FORWARDED_IP,
        USER_AGENT,
        "zq7x-cookie",
        "TiplineProbe",
    )
    assert hits == []


def test_secrets_are_stored_hashed(router: Router, intake: Intake) -> None:
    for settings, secrets in (
        (router.settings, [*router.tokens.values(), PASSWORD]),
        (intake.settings, [intake.key]),
    ):
        assert found(settings.database_url, *secrets) == []
        engine = make_engine(settings.database_url)
        with engine.connect() as conn:
            for (digest,) in conn.exec_driver_sql("SELECT key_hash FROM api_keys"):
                assert re.fullmatch(r"[0-9a-f]{64}", digest)
            for token_hash, password_hash in conn.exec_driver_sql(
                "SELECT token_hash, password_hash FROM users"
            ):
                assert re.fullmatch(r"[0-9a-f]{64}", token_hash)
                assert password_hash.startswith(("scrypt:", "pbkdf2:"))
        engine.dispose()


def test_contact_details_are_encrypted_and_every_view_audited(
    tmp_path, redis_server: RedisServer
) -> None:  # type: ignore[no-untyped-def]
    key = Fernet.generate_key().decode()
    url = f"sqlite:///{tmp_path / 'contact.db'}"
    from services.router.context import router_context
    from tests.support.hostile import router_for

    router = router_for(url, redis_server.url, contact_key=key)
    try:
        reference = router.submit({"description": TIP_TEXT, "location": NORTH, "reporter": CONTACT})
        assert found(url, "Quentin", "Zebedee", "900777", "7700900777", "qz@example.org") == []
        engine = make_engine(url)
        with make_session_factory(engine)() as db:
            tip = db.scalar(select(Tip).where(Tip.reference == reference))
            assert tip is not None and tip.contact_encrypted
            assert (
                json.loads(Fernet(key.encode()).decrypt(tip.contact_encrypted.encode()))["name"]
                == CONTACT["name"]
            )
            tip_id = tip.id
        # A key other than TIPLINE_CONTACT_KEY cannot read it.
        other = Fernet(base64.urlsafe_b64encode(b"0" * 32))
        with pytest.raises(Exception):  # noqa: B017 (any failure to decrypt will do)
            other.decrypt(tip.contact_encrypted.encode())

        assert (
            router.get(f"/api/v1/tips/{reference}/contact", "lead-north").get_json()["contact"][
                "name"
            ]
            == CONTACT["name"]
        )
        assert router.get(f"/api/v1/tips/{reference}/contact", "lead-east").status_code == 404
        console = router.app.test_client()
        console.get("/login")
        with console.session_transaction() as session:
            session["csrf"] = "t"
        console.post("/login", data={"username": "ops", "password": PASSWORD, "csrf_token": "t"})
        with console.session_transaction() as session:
            token = session["csrf"]
        page = console.post(f"/tips/{reference}/contact", data={"csrf_token": token})
        assert page.status_code == 200 and "Quentin Zebedee" in page.get_data(as_text=True)
        with make_session_factory(engine)() as db:
            views = db.scalars(
                select(AuditEvent.actor).where(
                    AuditEvent.tip_id == tip_id, AuditEvent.action == "contact_viewed"
                )
            ).all()
        assert sorted(views) == ["lead-north", "ops"]
        engine.dispose()
    finally:
        router_context(router.settings).engine.dispose()


def test_broker_messages_carry_only_tip_ids(tmp_path, redis_server: RedisServer) -> None:  # type: ignore[no-untyped-def]
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()  # no worker runs here, so the message stays on the list
    intake = intake_for(f"sqlite:///{tmp_path / 'broker.db'}", redis_server.url)
    body = {
        "description": TIP_TEXT,
        "location": NORTH,
        "phone_numbers": ["07700 900123"],
        "vehicles": [{"registration": "ZQ77XYZ"}],
        "reporter": CONTACT,
    }
    reference = intake.post(body).get_json()["reference"]
    # The id is published from a background thread just after the reply.
    wait_until(lambda: client.llen("tipline.tips") > 0, timeout=10)
    raw = client.lrange("tipline.tips", 0, -1)
    assert len(raw) == 1
    envelope = json.loads(raw[0])
    payload = json.loads(base64.b64decode(envelope["body"]))
    args, kwargs, _embed = payload
    engine = make_engine(intake.settings.database_url)
    with make_session_factory(engine)() as db:
        tip_id = db.scalar(select(Tip.id).where(Tip.reference == reference))
    engine.dispose()
    assert args == [[tip_id]] and kwargs == {}
    # The body is checked decoded (its base64 form can hold any three letters by chance), and
    # the random task and delivery ids and the (already checked) tip id are left out likewise.
    envelope.pop("body")
    everything = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "<id>", json.dumps(envelope))
    everything = (everything + json.dumps(payload)).replace(tip_id, "<tip>")
    for secret in (
        "Zq7x",
        "blue door",
        "900123",
        "ZQ77XYZ",
        "Quentin",
        "qz@example.org",
        "CB4",
        reference,
    ):
        assert secret.lower() not in everything.lower(), secret
