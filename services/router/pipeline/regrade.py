"""Keeping a cluster's queue items current when it grows: size for ordering, P4 to P3 at three."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.domain.grade import grade
from shared.store import audit
from shared.store.dedup_index import cluster_summary
from shared.store.models import Decision, QueueItem

CORROBORATED = 3


def refresh_cluster(session: Session, *, cluster_id: str, now: datetime) -> None:
    """Update every member's queue items with the cluster size, and regrade P4 members."""
    summary = cluster_summary(session, cluster_id)
    size = int(summary["size"])
    member_ids = [
        member["tip_id"] for member in summary["members"] if not member.get("duplicate_of")
    ]
    if not member_ids:
        return
    items = session.scalars(
        select(QueueItem).where(QueueItem.tip_id.in_(member_ids), QueueItem.state != "resolved")
    ).all()
    decisions = {
        row.tip_id: row
        for row in session.scalars(select(Decision).where(Decision.tip_id.in_(member_ids)))
    }
    regraded: set[str] = set()
    for item in items:
        item.cluster_size = size
        decision = decisions.get(item.tip_id)
        if decision is None or item.priority != "P4" or size < CORROBORATED:
            continue
        new = grade(category=decision.category, flags=tuple(decision.flags), cluster_size=size)  # type: ignore[arg-type]
        if new.priority != item.priority:
            item.priority = new.priority
            item.updated_at = now
            regraded.add(item.tip_id)
    for tip_id in regraded:
        decision = decisions[tip_id]
        decision.priority = "P3"
        decision.cluster_size = size
        decision.reasons = [
            *decision.reasons,
            {
                "rule": "priority.corroborated",
                "detail": f"Raised from P4 to P3: now one of {size} corroborating tips",
                "evidence": [cluster_id],
            },
        ]
        audit.record(
            session,
            actor="system",
            action="regraded",
            tip_id=tip_id,
            priority="P3",
            cluster=cluster_id,
        )
