"""Flow figures read from the database: queue depth and age, waiting tips, breaches, dead letters.

The same numbers feed /metrics and the ops page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shared.domain.grade import CLAIM_WITHIN
from shared.store.models import DeadLetter, QueueItem, Tip


def flow_figures(
    db: Session, *, destinations: tuple[str, ...], now: datetime | None = None
) -> dict[str, Any]:
    """Per-destination depth, oldest open age and breaches; waiting tips; dead letters."""
    now = now or datetime.now(UTC)
    depth: dict[str, int] = dict(
        db.execute(
            select(QueueItem.destination, func.count())
            .where(QueueItem.state.in_(("open", "claimed")))
            .group_by(QueueItem.destination)
        )
        .tuples()
        .all()
    )
    oldest: dict[str, datetime] = dict(
        db.execute(
            select(QueueItem.destination, func.min(QueueItem.created_at))
            .where(QueueItem.state == "open")
            .group_by(QueueItem.destination)
        )
        .tuples()
        .all()
    )
    breaching: dict[str, int] = {}
    for priority, within in CLAIM_WITHIN.items():
        rows = (
            db.execute(
                select(QueueItem.destination, func.count())
                .where(
                    QueueItem.state == "open",
                    QueueItem.priority == priority,
                    QueueItem.created_at < now - within,
                )
                .group_by(QueueItem.destination)
            )
            .tuples()
            .all()
        )
        for destination, count in rows:
            breaching[destination] = breaching.get(destination, 0) + count
    waiting, oldest_waiting = db.execute(
        select(func.count(), func.min(Tip.received_at)).where(Tip.status == "received")
    ).one()
    dead = db.scalar(
        select(func.count()).select_from(DeadLetter).where(DeadLetter.replayed_at.is_(None))
    )

    def age(value: datetime | None) -> float:
        if value is None:
            return 0.0
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return max(0.0, (now - value).total_seconds())

    return {
        "queues": [
            {
                "destination": name,
                "depth": int(depth.get(name, 0)),
                "oldest_open_seconds": age(oldest.get(name)),
                "breaching": int(breaching.get(name, 0)),
            }
            for name in destinations
        ],
        "tips_waiting": int(waiting or 0),
        "oldest_waiting_seconds": age(oldest_waiting),
        "dead_letters": int(dead or 0),
    }


def gauges(
    sessions: sessionmaker[Session], destinations: tuple[str, ...]
) -> Iterable[tuple[str, str, list[str], list[tuple[list[str], float]]]]:
    """Prometheus gauge families built from flow_figures."""
    with sessions() as db:
        figures = flow_figures(db, destinations=destinations)
    queues = figures["queues"]
    yield (
        "tipline_queue_depth",
        "Open and claimed items per destination",
        ["destination"],
        [([q["destination"]], q["depth"]) for q in queues],
    )
    yield (
        "tipline_queue_oldest_open_seconds",
        "Age of the oldest open item per destination",
        ["destination"],
        [([q["destination"]], q["oldest_open_seconds"]) for q in queues],
    )
    yield (
        "tipline_queue_breaching_items",
        "Open items past their claim time",
        ["destination"],
        [([q["destination"]], q["breaching"]) for q in queues],
    )
    yield (
        "tipline_tips_waiting",
        "Tips stored but not yet processed",
        [],
        [([], figures["tips_waiting"])],
    )
    yield (
        "tipline_tips_waiting_oldest_seconds",
        "Age of the oldest tip waiting",
        [],
        [([], figures["oldest_waiting_seconds"])],
    )
    yield (
        "tipline_dead_letters",
        "Dead letters not yet replayed",
        [],
        [([], figures["dead_letters"])],
    )
