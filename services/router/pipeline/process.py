"""Processing one tip: decide it with the pure pipeline and write the outcome exactly once.

Idempotency: the tip's status is checked again under the dedup lock, queue items are unique per
(tip, destination), and everything is written in one transaction, so a redelivered or repeated
task finds the tip already routed and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.router.context import RouterContext
from services.router.pipeline.regrade import needs_regrade, regrade_cluster
from shared.domain.facts import facts_from_submission
from shared.domain.model import Decision as DomainDecision
from shared.domain.pipeline import Pipeline
from shared.logs import get_logger
from shared.metrics import DECISIONS, DUPLICATES, ROUTED_LATENCY
from shared.store import audit
from shared.store.dedup_index import SqlDedupIndex, lock_for_dedup
from shared.store.models import Decision, QueueItem, Tip

log = get_logger(__name__)
Outcome = Literal["routed", "duplicate", "already_processed", "missing"]


def process_tip(ctx: RouterContext, tip_id: str) -> Outcome:
    """Decide and queue one tip; safe to call any number of times for the same tip."""
    with ctx.sessions() as session:
        tip = session.get(Tip, tip_id)
        if tip is None:
            log.warning("tip_missing", tip_id=tip_id)
            return "missing"
        if tip.status != "received":
            return "already_processed"
        facts = facts_from_submission(tip.submission, received_at=tip.received_at)
        received_at = tip.received_at

    # Locating and classifying need no shared state, so they run outside the lock.
    assessment = ctx.pipeline.assess(facts)

    with ctx.sessions() as session, session.begin():
        lock_for_dedup(session)
        tip = session.scalars(select(Tip).where(Tip.id == tip_id).with_for_update()).one()
        if tip.status != "received":
            return "already_processed"
        corroboration = Pipeline.corroborate(
            tip_id, assessment, SqlDedupIndex(session), ctx.settings.identifier_key
        )
        decision = ctx.pipeline.conclude(assessment, corroboration)
        now = datetime.now(UTC)
        session.add(_decision_row(tip_id, decision, now, _references(session, decision)))
        tip.processed_at = now
        if corroboration.duplicate_of is not None:
            outcome: Outcome = "duplicate"
            tip.status = "duplicate"
            tip.duplicate_of = corroboration.duplicate_of
            original = session.get(Tip, corroboration.duplicate_of, with_for_update=True)
            if original is not None:
                original.duplicate_count += 1
            audit.record(
                session,
                actor="system",
                action="linked_duplicate",
                tip_id=tip_id,
                original=corroboration.duplicate_of,
            )
        else:
            outcome = "routed"
            tip.status = "routed"
            for destination in decision.routing.destinations:
                session.add(
                    QueueItem(
                        tip_id=tip_id,
                        destination=destination,
                        state="open",
                        priority=decision.grade.priority,
                        created_at=now,
                        updated_at=now,
                    )
                )
            session.flush()
            audit.record(
                session,
                actor="system",
                action="routed",
                tip_id=tip_id,
                destinations=list(decision.routing.destinations),
                priority=decision.grade.priority,
            )
            if needs_regrade(corroboration):
                regrade_cluster(session, cluster_id=corroboration.cluster or "", now=now)

    DECISIONS.labels(
        category=decision.classification.category, priority=decision.grade.priority
    ).inc()
    if outcome == "duplicate":
        DUPLICATES.inc()
    else:
        ROUTED_LATENCY.observe(max(0.0, (datetime.now(UTC) - received_at).total_seconds()))
    log.info(
        "tip_decided",
        tip_id=tip_id,
        outcome=outcome,
        category=decision.classification.category,
        priority=decision.grade.priority,
        destinations=list(decision.routing.destinations),
    )
    return outcome


def _references(session: Session, decision: DomainDecision) -> dict[str, str]:
    """Tip references for the tip ids that dedup reasons cite, so leads see references."""
    cited = {
        item
        for reason in decision.corroboration.reasons
        for item in reason.evidence
        if len(item) == 32 and item.isalnum()
    }
    if not cited:
        return {}
    return dict(
        session.execute(select(Tip.id, Tip.reference).where(Tip.id.in_(cited))).tuples().all()
    )


def _decision_row(
    tip_id: str, decision: DomainDecision, now: datetime, references: dict[str, str]
) -> Decision:
    location = decision.location
    return Decision(
        tip_id=tip_id,
        category=decision.classification.category,
        flags=list(decision.classification.flags),
        priority=decision.grade.priority,
        ward_code=location.ward_code,
        ward=location.ward,
        location_method=location.method,
        location_confidence=location.confidence,
        lat=location.lat,
        lon=location.lon,
        place=location.place,
        team=decision.routing.team,
        destinations=list(decision.routing.destinations),
        cluster_id=decision.corroboration.cluster,
        cluster_size=decision.corroboration.cluster_size,
        reasons=[
            {**reason.to_dict(), "evidence": [references.get(e, e) for e in reason.evidence]}
            for reason in decision.all_reasons
        ],
        decided_at=now,
    )
