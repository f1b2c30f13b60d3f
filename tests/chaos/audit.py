"""The end-of-run audit: every accepted reference routed exactly once, nothing extra stored."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select

from shared.store.db import make_engine, make_session_factory
from shared.store.models import Decision, QueueItem, Tip


def audit(database_url: str, accepted: dict[str, str]) -> dict[str, Any]:
    """Counts of accepted, stored, routed, missing, doubled and unexpected tips."""
    engine = make_engine(database_url)
    with make_session_factory(engine)() as db:
        tips = {tip.reference: tip for tip in db.scalars(select(Tip))}
        decisions = {d.tip_id: d for d in db.scalars(select(Decision))}
        per_tip = Counter(item.tip_id for item in db.scalars(select(QueueItem)))
        pairs = Counter((item.tip_id, item.destination) for item in db.scalars(select(QueueItem)))
    engine.dispose()
    references = set(accepted.values())
    missing = [ref for ref in references if ref not in tips]
    not_routed = [
        ref for ref in references if ref in tips and tips[ref].status not in ("routed", "duplicate")
    ]
    wrong_items = [
        ref
        for ref in references
        if ref in tips
        and tips[ref].status == "routed"
        and per_tip[tips[ref].id] != len(decisions[tips[ref].id].destinations)
    ]
    return {
        "accepted": len(references),
        "stored": len(tips),
        "routed": sum(1 for ref in references if ref in tips and tips[ref].status == "routed"),
        "duplicates": sum(
            1 for ref in references if ref in tips and tips[ref].status == "duplicate"
        ),
        "missing": len(missing),
        "not_routed": len(not_routed),
        "wrong_item_count": len(wrong_items),
        "doubled_items": sum(1 for count in pairs.values() if count > 1),
        "unexpected_tips": len(set(tips) - references),
        "queue_items": sum(per_tip.values()),
    }


def assert_clean(report: dict[str, Any]) -> None:
    """Nothing lost, nothing doubled, nothing half-stored."""
    assert report["missing"] == 0, report
    assert report["not_routed"] == 0, report
    assert report["wrong_item_count"] == 0, report
    assert report["doubled_items"] == 0, report
    assert report["unexpected_tips"] == 0, report
    assert report["routed"] + report["duplicates"] == report["accepted"], report
