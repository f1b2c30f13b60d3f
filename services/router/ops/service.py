"""Read-outs for the ops page that /metrics does not carry: oldest items, dead letters, failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.store.models import DeadLetter, QueueItem, Tip


@dataclass(frozen=True)
class OldestItem:
    destination: str
    reference: str
    priority: str
    queued_at: datetime


@dataclass(frozen=True)
class Letter:
    id: int
    task: str
    reference: str | None
    error_type: str
    error: str
    attempts: int
    at: datetime
    replayed_at: datetime | None


def oldest_open_items(db: Session, destinations: tuple[str, ...]) -> dict[str, OldestItem]:
    """The oldest open item of each destination that has one."""
    first = (
        select(QueueItem.destination, func.min(QueueItem.created_at).label("at"))
        .where(QueueItem.state == "open", QueueItem.destination.in_(destinations))
        .group_by(QueueItem.destination)
        .subquery()
    )
    rows = db.execute(
        select(QueueItem.destination, Tip.reference, QueueItem.priority, QueueItem.created_at)
        .join(Tip, Tip.id == QueueItem.tip_id)
        .join(
            first,
            (first.c.destination == QueueItem.destination) & (first.c.at == QueueItem.created_at),
        )
        .where(QueueItem.state == "open")
    ).all()
    found: dict[str, OldestItem] = {}
    for destination, reference, priority, at in rows:
        found.setdefault(destination, OldestItem(destination, reference, priority, at))
    return found


def dead_letters(db: Session, *, pending_only: bool, limit: int = 50) -> list[Letter]:
    """Dead letters newest first: only those awaiting replay, or all recent ones."""
    query = (
        select(DeadLetter, Tip.reference)
        .outerjoin(Tip, Tip.id == DeadLetter.tip_id)
        .order_by(DeadLetter.id.desc())
        .limit(limit)
    )
    if pending_only:
        query = query.where(DeadLetter.replayed_at.is_(None))
    return [
        Letter(
            id=letter.id,
            task=letter.task_name,
            reference=reference,
            error_type=letter.error_type,
            error=letter.error,
            attempts=letter.attempts,
            at=letter.created_at,
            replayed_at=letter.replayed_at,
        )
        for letter, reference in db.execute(query)
    ]


def republished_recently(db: Session, *, now: datetime | None = None, hours: int = 24) -> int:
    """Tips received recently that needed more than one publish (the sweep caught them)."""
    now = now or datetime.now(UTC)
    count = db.scalar(
        select(func.count())
        .select_from(Tip)
        .where(Tip.received_at >= now - timedelta(hours=hours), Tip.publish_attempts > 1)
    )
    return int(count or 0)
