"""Periodic upkeep: re-publish stuck tips, return expired leases, flag breaching items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from services.router.context import RouterContext
from shared.domain.grade import CLAIM_WITHIN
from shared.logs import get_logger
from shared.metrics import REPUBLISHED
from shared.store import audit
from shared.store.models import QueueItem, Tip

log = get_logger(__name__)
SWEEP_BATCH = 500


def sweep_stuck_tips(ctx: RouterContext, *, now: datetime | None = None) -> int:
    """Re-publish tips still 'received' long after their last publish; returns how many."""
    now = now or datetime.now(UTC)
    cutoff = now - timedelta(seconds=ctx.settings.stuck_after_seconds)
    with ctx.sessions() as session:
        stuck = session.scalars(
            select(Tip.id)
            .where(Tip.status == "received", Tip.published_at < cutoff)
            .order_by(Tip.published_at)
            .limit(SWEEP_BATCH)
        ).all()
    published = ctx.publisher.publish_tips(list(stuck))
    if published:
        with ctx.sessions() as session, session.begin():
            for tip in session.scalars(select(Tip).where(Tip.id.in_(published))):
                tip.published_at = now
                tip.publish_attempts += 1
        REPUBLISHED.inc(len(published))
        log.info("sweep_republished", count=len(published))
    return len(published)


def expire_leases(ctx: RouterContext, *, now: datetime | None = None) -> int:
    """Return claimed items whose lease has run out to 'open'; returns how many."""
    now = now or datetime.now(UTC)
    with ctx.sessions() as session, session.begin():
        expired = session.scalars(
            select(QueueItem).where(QueueItem.state == "claimed", QueueItem.lease_expires_at < now)
        ).all()
        for item in expired:
            audit.record(
                session,
                actor="system",
                action="lease_expired",
                tip_id=item.tip_id,
                destination=item.destination,
                holder=item.claimed_by,
            )
            item.state = "open"
            item.claimed_by = None
            item.lease_expires_at = None
            item.updated_at = now
    return len(expired)


def detect_breaches(ctx: RouterContext, *, now: datetime | None = None) -> int:
    """Flag open items past their grade's claim time; P1 breaches alert the control room."""
    now = now or datetime.now(UTC)
    flagged = 0
    with ctx.sessions() as session, session.begin():
        for priority, within in CLAIM_WITHIN.items():
            items = session.scalars(
                select(QueueItem).where(
                    QueueItem.state == "open",
                    QueueItem.priority == priority,
                    QueueItem.breached_at.is_(None),
                    QueueItem.created_at < now - within,
                )
            ).all()
            for item in items:
                item.breached_at = now
                flagged += 1
                audit.record(
                    session,
                    actor="system",
                    action="breach",
                    tip_id=item.tip_id,
                    destination=item.destination,
                    priority=priority,
                )
                if priority == "P1":
                    audit.record(
                        session,
                        actor="system",
                        action="control_room_alert",
                        tip_id=item.tip_id,
                        destination="control-room",
                        reason=f"P1 item in {item.destination} not claimed within {within}",
                    )
                    log.warning("p1_breach", tip_id=item.tip_id, destination=item.destination)
    return flagged
