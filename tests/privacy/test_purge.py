"""`tipline purge`: contact details go after one period, whole tips after another; audit stays."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from services.cli.main import main
from services.cli.purge import purge
from services.router.context import router_context
from shared.store.db import make_engine, make_session_factory
from shared.store.dedup import DedupEntry, DedupIdentifier, DedupLink
from shared.store.models import AuditEvent, Decision, Note, QueueItem, Tip
from tests.support.hostile import NORTH, Router, router_for
from tests.support.procs import RedisServer

pytestmark = pytest.mark.integration
CONTACT = {"anonymous": False, "name": "Sam Reporter", "phone": "07700 900999"}


@pytest.fixture
def env(database_url: str, redis_server: RedisServer) -> Iterator[Router]:
    built = router_for(database_url, redis_server.url)
    yield built
    router_context(built.settings).engine.dispose()


def _age(router: Router, reference: str, days: int) -> str:
    """Backdate a tip by `days`; its id."""
    engine = make_engine(router.settings.database_url)
    with make_session_factory(engine)() as db, db.begin():
        tip = db.scalar(select(Tip).where(Tip.reference == reference))
        assert tip is not None
        db.execute(
            update(Tip)
            .where(Tip.id == tip.id)
            .values(received_at=datetime.now(UTC) - timedelta(days=days))
        )
        tip_id = tip.id
    engine.dispose()
    return tip_id


def _count(router: Router, model: type, **where: str) -> int:
    engine = make_engine(router.settings.database_url)
    with make_session_factory(engine)() as db:
        query = select(func.count()).select_from(model)
        for column, value in where.items():
            query = query.where(getattr(model, column) == value)
        count = int(db.scalar(query) or 0)
    engine.dispose()
    return count


def test_purge_erases_contacts_then_tips_and_keeps_the_audit_trail(
    env: Router, capsys: pytest.CaptureFixture[str]
) -> None:
    ancient = env.submit(
        {
            "description": "Dealing from the white van by the shops",
            "location": NORTH,
            "phone_numbers": ["07700 900123"],
            "vehicles": [{"registration": "AB12CDE"}],
            "reporter": CONTACT,
        }
    )
    env.post(f"/api/v1/queues/cambridge-north/items/{ancient}/notes", "ops", {"text": "Van seen"})
    env.post(
        f"/api/v1/queues/cambridge-north/items/{ancient}/reassign",
        "ops",
        {"destination": "cambridge-east", "reason": "Sam Reporter says it moved east"},
    )
    old = env.submit(
        {
            "description": "Dealing by the bus stop most evenings",
            "location": NORTH,
            "reporter": CONTACT,
        }
    )
    fresh = env.submit(
        {
            "description": "Dealing by the library every night",
            "location": NORTH,
            "reporter": CONTACT,
        }
    )
    ancient_id = _age(env, ancient, 2200)
    old_id = _age(env, old, 400)
    fresh_id = _age(env, fresh, 3)
    assert _count(env, DedupEntry, tip_id=ancient_id) == 1

    # A dry run says what would go and changes nothing.
    dry = purge(env.settings, dry_run=True)
    assert (dry.contacts_erased, dry.tips_erased) == (1, 1)
    assert _count(env, Tip) == 3

    done = purge(env.settings)
    assert (done.contacts_erased, done.tips_erased) == (1, 1)
    engine = make_engine(env.settings.database_url)
    with make_session_factory(engine)() as db:
        tips = {tip.id: tip for tip in db.scalars(select(Tip))}
        assert set(tips) == {old_id, fresh_id}
        assert tips[old_id].contact_encrypted is None
        assert tips[fresh_id].contact_encrypted is not None
        for model in (Decision, QueueItem, Note, DedupEntry, DedupIdentifier, DedupLink):
            assert (
                db.scalar(select(func.count()).select_from(model).where(model.tip_id == ancient_id))
                == 0
            )
        trail = list(db.scalars(select(AuditEvent).where(AuditEvent.tip_id.is_(None))))
        kept = [event for event in trail if event.detail.get("tip") == ancient_id]
        assert {event.action for event in kept} >= {"routed", "note_added", "reassigned"}
        assert all(event.detail["reference"] == ancient for event in kept)
        assert "Sam Reporter" not in json.dumps([event.detail for event in kept])
        [run] = [event for event in trail if event.action == "retention_purge"]
        assert run.detail["contacts_erased"] == 1 and run.detail["tips_erased"] == 1
    engine.dispose()

    # Nothing left to do: a second run erases nothing and is audited too.
    again = purge(env.settings)
    assert (again.contacts_erased, again.tips_erased) == (0, 0)
    assert _count(env, AuditEvent, action="retention_purge") == 2


def test_purge_command_prints_counts(
    env: Router, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    old = env.submit(
        {
            "description": "Dealing by the bus stop most evenings",
            "location": NORTH,
            "reporter": CONTACT,
        }
    )
    _age(env, old, 30)
    monkeypatch.setenv("TIPLINE_DATABASE_URL", env.settings.database_url)
    monkeypatch.setenv("TIPLINE_CONTACT_RETENTION_DAYS", "7")
    from shared.config import get_settings

    get_settings.cache_clear()
    try:
        assert main(["purge", "--dry-run"]) == 0
        dry = json.loads(capsys.readouterr().out)
        assert dry["contacts_erased"] == 1 and dry["dry_run"] is True
        assert _count(env, AuditEvent, action="retention_purge") == 0
        assert main(["purge"]) == 0
        assert json.loads(capsys.readouterr().out)["contacts_erased"] == 1
        assert _count(env, AuditEvent, action="retention_purge") == 1
    finally:
        get_settings.cache_clear()
