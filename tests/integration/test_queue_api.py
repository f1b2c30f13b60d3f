"""Team queue API over a real database: order, leases, release, resolve, reassign, notes, audit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from services.cli.admin import create_user
from services.ingest.intake.service import store_tip
from services.router.app import create_app
from services.router.context import RouterContext, router_context
from services.router.pipeline.process import process_tip
from services.router.pipeline.upkeep import detect_breaches, expire_leases
from shared.config import Settings
from shared.schemas.submission import TipSubmission
from shared.secrets_store import contact_cipher
from shared.store.migrate import upgrade
from shared.store.models import AuditEvent, QueueItem, Tip

pytestmark = pytest.mark.integration
WHERE = {"postcode": "CB4 2JQ"}  # Arbury: cambridge-north


@pytest.fixture
def env(database_url: str) -> Iterator[tuple[RouterContext, FlaskClient, dict[str, str]]]:
    upgrade(database_url)
    settings = Settings(database_url=database_url, redis_url="redis://127.0.0.1:1/0")
    tokens = {
        name: create_user(settings, username=name, role=role, destinations=dests, password=None)
        for name, role, dests in (
            ("lead-north", "lead", ["cambridge-north"]),
            ("lead-north-2", "lead", ["cambridge-north"]),
            ("lead-east", "lead", ["cambridge-east"]),
            ("ops", "ops", []),
        )
    }
    app = create_app(settings)
    yield router_context(settings), app.test_client(), tokens
    router_context(settings).engine.dispose()


def submit(ctx: RouterContext, description: str, **extra: object) -> str:
    """Store a tip and run the pipeline on it directly (the task function, without a broker)."""
    body = {"description": description, "location": WHERE, **extra}
    stored = store_tip(
        ctx.sessions,
        submission=TipSubmission.model_validate(body),
        channel="api",
        cipher=contact_cipher(ctx.settings),
    )
    assert process_tip(ctx, stored.tip_id) == "routed"
    assert process_tip(ctx, stored.tip_id) == "already_processed"
    return stored.reference


def call(
    client: FlaskClient,
    tokens: dict[str, str],
    user: str,
    method: str,
    path: str,
    body: dict | None = None,
):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {tokens[user]}"}
    if method == "GET":
        return client.get(path, headers=headers)
    return client.post(path, headers=headers, json=body or {})


def test_queue_is_in_priority_order_and_private_to_its_team(env) -> None:  # type: ignore[no-untyped-def]
    ctx, client, tokens = env
    use = submit(ctx, "Strong smell of cannabis from people smoking on the benches")
    deal = submit(ctx, "Lads dealing wraps hand to hand by the shops every night")
    urgent = submit(
        ctx, "Right now a dealer is waving a knife at a customer by the shops", happening_now=True
    )
    listing = call(
        client, tokens, "lead-north", "GET", "/api/v1/queues/cambridge-north"
    ).get_json()["items"]
    order = [item["reference"] for item in listing]
    assert order == [urgent, deal, use]
    assert [item["priority"] for item in listing] == ["P1", "P3", "P4"]
    assert (
        call(client, tokens, "lead-east", "GET", "/api/v1/queues/cambridge-north").status_code
        == 403
    )
    assert call(client, tokens, "lead-east", "GET", f"/api/v1/tips/{deal}").status_code == 404
    assert (
        call(
            client,
            tokens,
            "lead-east",
            "POST",
            f"/api/v1/queues/cambridge-north/items/{deal}/claim",
        ).status_code
        == 403
    )
    assert client.get("/api/v1/queues/cambridge-north").status_code == 401
    assert call(client, tokens, "ops", "GET", "/api/v1/queues/nowhere").status_code == 404
    queues = {
        q["destination"]
        for q in call(client, tokens, "lead-north", "GET", "/api/v1/queues").get_json()["queues"]
    }
    assert queues == {"cambridge-north"}


def test_claims_are_leases_that_expire(env) -> None:  # type: ignore[no-untyped-def]
    ctx, client, tokens = env
    ref = submit(ctx, "Car pulls up for two minutes, engine running, swaps through the window")
    base = f"/api/v1/queues/cambridge-north/items/{ref}"
    claimed = call(client, tokens, "lead-north", "POST", f"{base}/claim", {"lease_minutes": 5})
    assert claimed.status_code == 200 and claimed.get_json()["claimed_by"] == "lead-north"
    taken = call(client, tokens, "lead-north-2", "POST", f"{base}/claim")
    assert taken.status_code == 409 and "lead-north" in taken.get_json()["error"]
    assert call(client, tokens, "lead-north-2", "POST", f"{base}/release").status_code == 409
    renewed = call(client, tokens, "lead-north", "POST", f"{base}/claim", {"lease_minutes": 10})
    assert renewed.status_code == 200

    with ctx.sessions() as db, db.begin():
        db.execute(
            update(QueueItem).values(lease_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert call(client, tokens, "lead-north", "GET", base).get_json()["state"] == "open"
    assert expire_leases(ctx) == 1
    assert (
        call(client, tokens, "lead-north-2", "POST", f"{base}/claim").get_json()["claimed_by"]
        == "lead-north-2"
    )
    assert (
        call(client, tokens, "lead-north-2", "POST", f"{base}/release").get_json()["state"]
        == "open"
    )
    actions = actions_for(ctx, ref)
    assert actions[:1] == ["routed"]
    assert [
        a for a in actions if a in ("claimed", "lease_renewed", "lease_expired", "released")
    ] == ["claimed", "lease_renewed", "lease_expired", "claimed", "released"]


def actions_for(ctx: RouterContext, reference: str) -> list[str]:
    with ctx.sessions() as db:
        tip_id = db.scalar(select(Tip.id).where(Tip.reference == reference))
        return list(
            db.scalars(
                select(AuditEvent.action).where(AuditEvent.tip_id == tip_id).order_by(AuditEvent.id)
            )
        )


def test_resolve_reassign_and_notes(env) -> None:  # type: ignore[no-untyped-def]
    ctx, client, tokens = env
    ref = submit(ctx, "Dealing from the flat above the bookies, people in and out all day")
    base = f"/api/v1/queues/cambridge-north/items/{ref}"
    bad = call(
        client,
        tokens,
        "lead-north",
        "POST",
        f"{base}/resolve",
        {"outcome": "shrugged", "note": "x"},
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "outcome"
    assert (
        client.post(
            f"{base}/notes", headers={"Authorization": f"Bearer {tokens['lead-north']}"}, data="x"
        ).status_code
        == 415
    )
    assert (
        call(
            client, tokens, "lead-north", "POST", f"{base}/notes", {"text": "Known address"}
        ).status_code
        == 200
    )
    moved = call(
        client,
        tokens,
        "lead-north",
        "POST",
        f"{base}/reassign",
        {"destination": "county-lines", "reason": "Phone number matches a known line"},
    )
    assert moved.status_code == 200 and moved.get_json()["destination"] == "county-lines"
    assert call(client, tokens, "lead-north", "GET", base).status_code == 404
    assert call(client, tokens, "lead-north", "GET", f"/api/v1/tips/{ref}").status_code == 404
    cl = f"/api/v1/queues/county-lines/items/{ref}"
    resolved = call(
        client,
        tokens,
        "ops",
        "POST",
        f"{cl}/resolve",
        {"outcome": "referred", "note": "Passed to the proactive team"},
    )
    assert resolved.status_code == 200 and resolved.get_json()["state"] == "resolved"
    assert call(client, tokens, "ops", "POST", f"{cl}/claim").status_code == 409
    detail = call(client, tokens, "ops", "GET", f"/api/v1/tips/{ref}").get_json()
    assert [note["text"] for note in detail["notes"]] == [
        "Known address",
        "Passed to the proactive team",
    ]
    assert detail["items"][0]["outcome"] == "referred"
    reassigned = [e for e in detail["audit"] if e["action"] == "reassigned"]
    assert reassigned[0]["detail"]["source"] == "cambridge-north"


def test_contact_details_are_encrypted_and_every_view_is_audited(env) -> None:  # type: ignore[no-untyped-def]
    ctx, client, tokens = env
    ref = submit(
        ctx,
        "Dealing from the white van in the car park every Friday",
        reporter={"anonymous": False, "name": "Pat Reporter", "email": "pat@example.org"},
    )
    with ctx.sessions() as db:
        tip = db.scalar(select(Tip).where(Tip.reference == ref))
        assert "Pat" not in (tip.contact_encrypted or "") and "Pat" not in str(tip.submission)
    assert (
        call(client, tokens, "lead-east", "GET", f"/api/v1/tips/{ref}/contact").status_code == 404
    )
    shown = call(client, tokens, "lead-north", "GET", f"/api/v1/tips/{ref}/contact").get_json()
    assert shown["contact"] == {"name": "Pat Reporter", "email": "pat@example.org"}
    assert actions_for(ctx, ref).count("contact_viewed") == 1
    detail = call(client, tokens, "lead-north", "GET", f"/api/v1/tips/{ref}").get_json()
    assert detail["has_contact"] and "Pat" not in str(detail)


def test_unclaimed_items_past_their_claim_time_breach(env) -> None:  # type: ignore[no-untyped-def]
    ctx, client, tokens = env
    urgent = submit(
        ctx,
        "Right now a man is threatening people with a machete while dealing",
        happening_now=True,
    )
    calm = submit(ctx, "Dealing by the garages most evenings")
    assert detect_breaches(ctx) == 0
    with ctx.sessions() as db, db.begin():
        db.execute(update(QueueItem).values(created_at=datetime.now(UTC) - timedelta(hours=49)))
    listing = call(client, tokens, "ops", "GET", "/api/v1/queues/cambridge-north").get_json()[
        "items"
    ]
    assert all(item["breaching"] for item in listing)
    flagged = detect_breaches(ctx)
    assert flagged >= 3  # P1 in control-room and cambridge-north, P3 in cambridge-north
    assert detect_breaches(ctx) == 0
    assert "control_room_alert" in actions_for(ctx, urgent)
    assert "control_room_alert" not in actions_for(ctx, calm)
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'tipline_queue_breaching_items{destination="cambridge-north"} 2.0' in metrics
    assert 'tipline_queue_depth{destination="cambridge-north"} 2.0' in metrics


def test_cluster_and_duplicates_are_shown_by_reference(env) -> None:  # type: ignore[no-untyped-def]
    ctx, client, tokens = env
    first = submit(ctx, "Dealing from the stairwell of the flats every evening")
    second = submit(ctx, "Another lot of hand to hand deals by the same flats")
    repeat = store_tip(
        ctx.sessions,
        submission=TipSubmission.model_validate(
            {
                "description": "Dealing from the stairwell of the flats, every evening!",
                "location": WHERE,
            }
        ),
        channel="api",
        cipher=contact_cipher(ctx.settings),
    )
    assert process_tip(ctx, repeat.tip_id) == "duplicate"
    detail = call(client, tokens, "lead-north", "GET", f"/api/v1/tips/{second}").get_json()
    cited = [
        e
        for r in detail["decision"]["reasons"]
        if r["rule"].startswith("cluster.")
        for e in r["evidence"]
    ]
    assert first in cited
    assert not [e for e in cited if len(e) == 32]  # internal ids never shown
    cluster = detail["cluster"]
    members = {m["reference"] for m in cluster["members"]}
    assert {first, second, repeat.reference} <= members
    assert cluster["size"] == 2  # the exact duplicate does not count
    original = call(client, tokens, "lead-north", "GET", f"/api/v1/tips/{first}").get_json()
    assert original["duplicates"] == 1
    dup = call(client, tokens, "lead-north", "GET", f"/api/v1/tips/{repeat.reference}").get_json()
    assert dup["duplicate_of"] == first and dup["items"] == []
    listing = call(
        client, tokens, "lead-north", "GET", "/api/v1/queues/cambridge-north"
    ).get_json()["items"]
    assert {item["reference"]: item["cluster_size"] for item in listing} == {first: 2, second: 2}


def test_p4_tips_become_p3_when_their_cluster_is_corroborated(env) -> None:  # type: ignore[no-untyped-def]
    ctx, client, tokens = env
    refs = [
        submit(ctx, "Strong smell of cannabis from people smoking on the benches"),
        submit(ctx, "Group smoking weed by the benches again, the smell is awful"),
    ]
    listing = call(
        client, tokens, "lead-north", "GET", "/api/v1/queues/cambridge-north"
    ).get_json()["items"]
    assert [item["priority"] for item in listing] == ["P4", "P4"]
    refs.append(submit(ctx, "Cannabis smoke all evening from the lads on the benches"))
    listing = call(
        client, tokens, "lead-north", "GET", "/api/v1/queues/cambridge-north"
    ).get_json()["items"]
    assert {item["reference"]: (item["priority"], item["cluster_size"]) for item in listing} == {
        ref: ("P3", 3) for ref in refs
    }
    assert "regraded" in actions_for(ctx, refs[0]) and "regraded" not in actions_for(ctx, refs[2])
    reasons = call(client, tokens, "lead-north", "GET", f"/api/v1/tips/{refs[0]}").get_json()[
        "decision"
    ]["reasons"]
    assert reasons[-1]["rule"] == "priority.corroborated"
