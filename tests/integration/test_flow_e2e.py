"""A tip goes from HTTP to a team queue through a real Redis, Celery worker and database."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from shared.store.db import make_engine, make_session_factory
from shared.store.models import QueueItem, Tip
from tests.support.procs import RedisServer, wait_until
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

STREET_DEALING = {
    "description": "Two lads selling weed from a silver car outside the shops, quick hand to hand swaps",
    "location": {"postcode": "CB4 2JQ"},
    "when_text": "every evening 7-10pm",
}


def tip(n: int) -> dict:
    """A distinct street-dealing tip in Arbury (distinct text, so never an exact duplicate)."""
    return {
        **STREET_DEALING,
        "description": f"{STREET_DEALING['description']}, sighting number {n}",
    }


def count_rows(database_url: str) -> tuple[int, int]:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as db:
        tips = db.scalar(select(func.count()).select_from(Tip))
        items = db.scalar(
            select(func.count())
            .select_from(QueueItem)
            .where(QueueItem.destination == "cambridge-north")
        )
    engine.dispose()
    return int(tips or 0), int(items or 0)


def test_tip_is_routed_and_worked_by_its_team(stack: Stack) -> None:
    stack.start()
    response = stack.post_tip(STREET_DEALING)
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "received"
    assert re.fullmatch(r"TL-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", body["reference"])
    reference = body["reference"]

    item = stack.wait_routed(reference, "cambridge-north")
    assert item["priority"] == "P3"
    assert item["category"] == "street_dealing"
    assert item["ward"] == "Arbury"
    assert item["state"] == "open"

    detail = stack.get(f"/api/v1/tips/{reference}", "lead-north")
    assert detail.status_code == 200
    decision = detail.json()["decision"]
    assert decision["location"]["method"] == "postcode"
    rules = {reason["rule"] for reason in decision["reasons"]}
    assert any(rule.startswith("location.") for rule in rules)
    assert any(rule.startswith("category.") for rule in rules)
    assert (
        requests.get(f"{stack.ingest}/status/{reference}", timeout=5).json()["status"]
        == "with_team"
    )

    # Another team's lead can neither list, read nor act on it.
    assert stack.get("/api/v1/queues/cambridge-north", "lead-east").status_code == 403
    assert stack.get(f"/api/v1/tips/{reference}", "lead-east").status_code == 404
    claim_url = f"/api/v1/queues/cambridge-north/items/{reference}/claim"
    assert stack.post(claim_url, "lead-east").status_code == 403

    claimed = stack.post(claim_url, "lead-north")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["state"] == "claimed" and claimed.json()["claimed_by"] == "lead-north"
    assert stack.post(claim_url, "ops").status_code == 409
    resolved = stack.post(
        f"/api/v1/queues/cambridge-north/items/{reference}/resolve",
        "lead-north",
        {"outcome": "intelligence_logged", "note": "Passed to the evening patrol"},
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["state"] == "resolved"
    assert reference not in stack.queue_refs("cambridge-north")
    assert (
        requests.get(f"{stack.ingest}/status/{reference}", timeout=5).json()["status"] == "closed"
    )
    trail = [
        event["action"]
        for event in stack.get(f"/api/v1/tips/{reference}", "lead-north").json()["audit"]
    ]
    assert trail[:1] == ["routed"] and "claimed" in trail and "resolved" in trail


def test_repeated_idempotency_keys_give_one_tip_each(stack: Stack) -> None:
    stack.start()
    # 200 posts: 180 distinct tips, 20 of them sent twice with the same Idempotency-Key.
    jobs = [(n, f"call-{n}") for n in range(180)] + [(n, f"call-{n}") for n in range(20)]

    def send(job: tuple[int, str]) -> tuple[str, int]:
        n, key = job
        response = stack.post_tip(tip(n), **{"Idempotency-Key": key})
        return key, response.status_code, response.json()["reference"]  # type: ignore[return-value]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, jobs))
    assert {status for _key, status, _ref in results} == {202}
    by_key: dict[str, set[str]] = {}
    for key, _status, reference in results:
        by_key.setdefault(key, set()).add(reference)
    assert all(len(refs) == 1 for refs in by_key.values())

    wait_until(lambda: count_rows(stack.database_url) == (180, 180), timeout=120, interval=0.5)
    # A changed body under a used key is a conflict, and stores nothing.
    conflict = stack.post_tip(tip(999), **{"Idempotency-Key": "call-3"})
    assert conflict.status_code == 409
    assert count_rows(stack.database_url) == (180, 180)


def test_tips_accepted_while_worker_is_down_are_routed_when_it_returns(stack: Stack) -> None:
    stack.start("ingest", "api", "scheduler")
    references = [stack.post_tip(tip(n)).json()["reference"] for n in range(5)]
    assert stack.queue_refs("cambridge-north") == []
    stack.start("worker")
    for reference in references:
        stack.wait_routed(reference, "cambridge-north", timeout=60)
    assert count_rows(stack.database_url) == (5, 5)


def test_tips_accepted_while_redis_is_down_are_routed_after_it_returns(
    database_url: str, tmp_path: Path
) -> None:
    redis = RedisServer(tmp_path / "own-redis").start()
    stack = Stack(database_url=database_url, redis_url=redis.url, workdir=tmp_path).prepare()
    try:
        stack.start()
        before = stack.post_tip(tip(0)).json()["reference"]
        stack.wait_routed(before, "cambridge-north")
        redis.stop()
        during = []
        for n in range(1, 6):
            response = stack.post_tip(tip(n))
            assert response.status_code == 202, response.text
            during.append(response.json()["reference"])
        redis.start()
        for reference in during:
            stack.wait_routed(reference, "cambridge-north", timeout=90)
        assert count_rows(database_url) == (6, 6)
    finally:
        stack.stop()
        redis.stop()
