"""Concurrent duplicates through the running system: one original each, one queue item set each."""

from __future__ import annotations

import csv
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from shared.config import get_settings
from shared.store.db import make_engine, make_session_factory
from shared.store.models import Decision, QueueItem, Tip
from tests.support.procs import wait_until
from tests.support.stack import Stack

pytestmark = pytest.mark.integration

ACTIVITIES = [
    "Lads dealing from a black car, engine running, quick swaps through the window",
    "Someone selling weed by the bins, people come and go every few minutes",
    "Hand to hand deals outside the flats most evenings",
    "Man on a bike dropping off small packages to people waiting on the corner",
]


def postcodes_by_ward(data_dir: Path, per_ward: int = 3) -> list[str]:
    """A few ordinary postcodes in every ward, spread across the city."""
    chosen: dict[str, list[str]] = {}
    with open(data_dir / "cambridge_postcodes_codepoint_2025.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if int(row["shared_coord_count"]) > 1:
                continue
            picks = chosen.setdefault(row["ward_name"], [])
            if len(picks) < per_ward:
                picks.append(row["postcode"])
    return [code for codes in chosen.values() for code in codes]


def test_300_concurrent_tips_with_60_duplicates_give_240_queue_items(stack: Stack) -> None:
    stack.start("ingest", "api", "worker-1", "worker-2", "scheduler")
    rng = random.Random(7)
    postcodes = postcodes_by_ward(get_settings().data_dir)
    distinct = [
        {
            "description": f"{rng.choice(ACTIVITIES)} (report {n})",
            "location": {"postcode": rng.choice(postcodes)},
        }
        for n in range(240)
    ]
    bodies = distinct + [dict(body) for body in rng.sample(distinct, 60)]
    rng.shuffle(bodies)
    with ThreadPoolExecutor(max_workers=12) as pool:
        responses = list(pool.map(stack.post_tip, bodies))
    assert [r.status_code for r in responses] == [202] * 300
    assert len({r.json()["reference"] for r in responses}) == 300

    sessions = make_session_factory(make_engine(stack.database_url))

    def settled() -> bool:
        with sessions() as db:
            return db.scalar(select(Tip.id).where(Tip.status == "received").limit(1)) is None

    wait_until(settled, timeout=240, interval=1)
    with sessions() as db:
        tips = list(db.scalars(select(Tip)))
        decisions = {d.tip_id: d for d in db.scalars(select(Decision))}
        items = list(db.scalars(select(QueueItem)))
    first = {tip_id: decision.destinations[0] for tip_id, decision in decisions.items()}
    first_items = [item for item in items if first.get(item.tip_id) == item.destination]
    assert len(first_items) == 240
    assert len({item.tip_id for item in first_items}) == 240

    duplicates = [tip for tip in tips if tip.status == "duplicate"]
    originals = {tip.id: tip for tip in tips if tip.status == "routed"}
    assert len(duplicates) == 60 and len(originals) == 240
    assert not [item for item in items if item.tip_id in {d.id for d in duplicates}]
    by_text = {
        (t.submission["description"], t.submission["location"]["postcode"]): t
        for t in originals.values()
    }
    for duplicate in duplicates:
        original = originals[duplicate.duplicate_of]
        key = (duplicate.submission["description"], duplicate.submission["location"]["postcode"])
        assert by_text[key].id == original.id
    counts = {tip_id: tip.duplicate_count for tip_id, tip in originals.items()}
    assert sum(counts.values()) == 60
    assert sorted(set(counts.values())) == [0, 1]
