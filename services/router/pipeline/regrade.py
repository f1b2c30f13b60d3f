"""P4 to P3 when a cluster is corroborated (three or more distinct tips).

Queue listings read each cluster's live size from the dedup index, so nothing has to be rewritten
as a cluster grows; only the moment a cluster reaches three (or two clusters merge) can turn an
earlier P4 member into a P3, and only then are the members looked at.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.domain.dedup.rules import MERGE
from shared.domain.dedup.store import cluster_number
from shared.domain.grade import CORROBORATED_CLUSTER, grade
from shared.domain.model import Corroboration
from shared.store import audit
from shared.store.dedup import DedupEntry
from shared.store.models import Decision, QueueItem

CORROBORATED = CORROBORATED_CLUSTER


def merged(corroboration: Corroboration) -> bool:
    """True when this tip joined clusters together."""
    return any(reason.rule == MERGE for reason in corroboration.reasons)


def needs_regrade(corroboration: Corroboration) -> bool:
    """True when this tip may have lifted earlier members of its cluster out of P4."""
    if corroboration.cluster is None or corroboration.cluster_size < CORROBORATED:
        return False
    return merged(corroboration) or corroboration.cluster_size == CORROBORATED


def regrade_cluster(
    session: Session,
    *,
    cluster_id: str,
    size: int,
    now: datetime,
    only: Sequence[str] | None = None,
) -> None:
    """Raise open P4 items of a corroborated cluster's members to P3, with a reason each.

    `cluster_id` and `size` are the current cluster and its size as the corroboration just
    decided under the dedup lock reports them, so neither is read back. With `only`, just
    those members are looked at (after a merge, the tips of the clusters that were not yet
    corroborated: a busy cluster's thousands of members need no look).
    """
    if size < CORROBORATED or (only is not None and not only):
        return
    members: Any = (
        list(only)
        if only is not None
        else select(DedupEntry.tip_id).where(
            DedupEntry.cluster_id == cluster_number(cluster_id), DedupEntry.duplicate_of.is_(None)
        )
    )
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
