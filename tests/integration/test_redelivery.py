"""Redelivery never routes twice; a poison tip lands in the dead-letter store and replays once fixed."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from shared.messaging import Publisher, make_celery
from shared.store.db import make_engine, make_session_factory
from shared.store.models import AuditEvent, DeadLetter, QueueItem, Tip
from tests.integration.test_flow_e2e import tip
from tests.support.procs import ROOT, wait_until
from tests.support.stack import Stack

pytestmark = pytest.mark.integration


def _db(stack: Stack):  # type: ignore[no-untyped-def]
    return make_session_factory(make_engine(stack.database_url))()


def test_the_same_tip_published_many_times_is_routed_once(stack: Stack) -> None:
    stack.start()
    reference = stack.post_tip(tip(1)).json()["reference"]
    stack.wait_routed(reference, "cambridge-north")
    with _db(stack) as db:
        tip_id = db.scalar(select(Tip.id).where(Tip.reference == reference))
    publisher = Publisher(make_celery(stack.settings()))
    assert all(publisher.publish_tip(tip_id) for _ in range(5))
    # The worker drains them (prefetch 1, one process); then nothing has changed.
    time.sleep(3)
    with _db(stack) as db:
        items = db.scalar(
            select(func.count()).select_from(QueueItem).where(QueueItem.tip_id == tip_id)
        )
        routed = db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.tip_id == tip_id, AuditEvent.action == "routed")
        )
    assert (items, routed) == (1, 1)
    assert "already_processed" in stack.services["worker"].log()


def _cli(stack: Stack, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "services.cli.main", *args],
        env=stack.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout


def test_poison_tip_is_dead_lettered_after_bounded_retries_then_replayed(stack: Stack) -> None:
    stack.extra_env["TIPLINE_TASK_MAX_RETRIES"] = "2"
    stack.start("ingest", "api")
    reference = stack.post_tip(tip(2)).json()["reference"]
    with _db(stack) as db, db.begin():
        row = db.scalar(select(Tip).where(Tip.reference == reference))
        good = dict(row.submission)
        row.submission = {
            "location": good["location"]
        }  # no description: the pipeline cannot decide it

    stack.start("worker", "scheduler")

    def dead() -> bool:
        with _db(stack) as db:
            return db.scalar(select(func.count()).select_from(DeadLetter)) == 1

    wait_until(dead, timeout=60, interval=0.5)
    with _db(stack) as db:
        letter = db.scalar(select(DeadLetter))
        assert letter.attempts == 3 and letter.error_type == "KeyError"
        assert db.scalar(select(Tip.status).where(Tip.reference == reference)) == "failed"
    listed = [json.loads(line) for line in _cli(stack, "dlq", "list").splitlines()]
    assert [entry["reference"] for entry in listed] == [reference]
    # Not retried for ever: the sweep leaves a failed tip alone.
    time.sleep(4)
    assert stack.queue_refs("cambridge-north") == []

    with _db(stack) as db, db.begin():
        db.scalar(select(Tip).where(Tip.reference == reference)).submission = good
    assert "replayed 1 tip" in _cli(stack, "dlq", "replay", "--all")
    stack.wait_routed(reference, "cambridge-north", timeout=30)
    assert _cli(stack, "dlq", "list").strip() == "no dead letters"
