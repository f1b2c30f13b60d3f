"""Keeping a cluster's queue items current when it grows: size for ordering, P4 to P3 at three.

Set-based on purpose: a cluster in a busy area can hold thousands of tips, and loading every
member into Python for each new tip made routing slow down as the cluster grew.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.domain.dedup.store import cluster_number
from shared.domain.grade import grade
from shared.store import audit
from shared.store.dedup import DedupEntry
from shared.store.dedup_index import SqlDedupIndex
from shared.store.models import Decision, QueueItem

CORROBORATED = 3


def refresh_cluster(session: Session, *, cluster_id: str, now: datetime) -> None:
    """Update every member's queue items with the cluster size, and regrade P4 members."""
    index = SqlDedupIndex(session)
    current = index.resolve(cluster_id)
    size = index.size(current)
    members = select(DedupEntry.tip_id).where(
        DedupEntry.cluster_id == cluster_number(current), DedupEntry.duplicate_of.is_(None)
    )
    session.execute(
        update(QueueItem)
        .where(
            QueueItem.tip_id.in_(members),
            QueueItem.state != "resolved",
            QueueItem.cluster_size != size,
        )
        .values(cluster_size=size)
        .execution_options(synchronize_session=False)
    )
    if size < CORROBORATED:
        return
    # Members graded P4 before the cluster reached three; once regraded they are P3, so this
    # finds only the few items that crossed the line with this tip.
    rows = session.execute(
        select(QueueItem, Decision)
        .join(Decision, Decision.tip_id == QueueItem.tip_id)
        .where(
            QueueItem.tip_id.in_(members),
            QueueItem.state != "resolved",
            QueueItem.priority == "P4",
        )
    ).all()
    regraded: dict[str, Decision] = {}
    for item, decision in rows:
        item.cluster_size = size
        new = grade(category=decision.category, flags=tuple(decision.flags), cluster_size=size)  # type: ignore[arg-type]
        if new.priority != item.priority:
            item.priority = new.priority
            item.updated_at = now
            regraded[item.tip_id] = decision
    for tip_id, decision in regraded.items():
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
