"""Processing one tip: decide it with the pure pipeline and write the outcome exactly once.

Idempotency: the tip's status moves from 'received' only under the dedup lock and in the same
transaction as everything else, queue items are unique per (tip, destination), and the dedup
index returns a stored outcome for a tip it has seen, so a redelivered or repeated task finds
the tip already decided and changes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import CursorResult, Table, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from services.router.context import RouterContext
from services.router.pipeline.batch import pipelined
from services.router.pipeline.regrade import needs_regrade, regrade_cluster
from shared.domain.facts import facts_from_submission
from shared.domain.model import Decision as DomainDecision
from shared.domain.pipeline import Pipeline
from shared.logs import get_logger
from shared.metrics import DECISIONS, DUPLICATES, ROUTED_LATENCY
from shared.store.dedup_index import SqlDedupIndex, lock_for_dedup
from shared.store.models import AuditEvent, Decision, QueueItem, Tip

log = get_logger(__name__)
Outcome = Literal["routed", "duplicate", "already_processed", "missing"]

_TIPS = cast(Table, Tip.__table__)
_DECISIONS = cast(Table, Decision.__table__)
_ITEMS = cast(Table, QueueItem.__table__)
_AUDIT = cast(Table, AuditEvent.__table__)


def process_tip(ctx: RouterContext, tip_id: str) -> Outcome:
    """Decide and queue one tip; safe to call any number of times for the same tip."""
    try:
        return _process(ctx, tip_id)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        # Pooled connections are not pinged on checkout: one that died while idle fails its
        # first statement, and the pool has already been told to replace it. Nothing was
        # committed, and processing is idempotent, so run again once on a fresh connection.
        log.warning("database_reconnect", tip_id=tip_id)
        return _process(ctx, tip_id)


def _process(ctx: RouterContext, tip_id: str) -> Outcome:
    with ctx.sessions() as session:
        row = session.execute(
            select(_TIPS.c.status, _TIPS.c.submission, _TIPS.c.received_at).where(
                _TIPS.c.id == tip_id
            )
        ).first()
        if row is None:
            log.warning("tip_missing", tip_id=tip_id)
            return "missing"
        if row.status != "received":
            return "already_processed"
        received_at: datetime = row.received_at
        if session.get_bind().dialect.name == "sqlite":
            # SQLite transactions hold the write lock from BEGIN: release it while assessing.
            session.rollback()

        # Locating and classifying need no shared state, so they run before the lock; on
        # PostgreSQL the read above stays in the same transaction, which holds no locks yet.
        facts = facts_from_submission(row.submission, received_at=received_at)
        assessment = ctx.pipeline.assess(facts)

        now = datetime.now(UTC)
        # Claiming the tip is the idempotency check: only a tip still 'received' moves on, and
        # its row stays locked until commit, so a second run for it waits here and then stops.
        claimed: CursorResult[Any] = session.execute(  # type: ignore[assignment]
            update(_TIPS)
            .where(_TIPS.c.id == tip_id, _TIPS.c.status == "received")
            .values(processed_at=now)
        )
        if claimed.rowcount != 1:
            return "already_processed"

        lock_for_dedup(session)
        writes: list[tuple[Any, Any]] = []
        index = SqlDedupIndex(session, locked=True, deferred=writes)
        corroboration = Pipeline.corroborate(tip_id, assessment, index, ctx.settings.identifier_key)
        decision = ctx.pipeline.conclude(assessment, corroboration)
        outcome = _outcome_writes(session, tip_id, decision, now, writes)
        with pipelined(session):
            for statement, params in writes:
                if isinstance(params, list):
                    # One INSERT that fetches nothing back (not even new primary keys):
                    # executemany or RETURNING would each wait for a reply.
                    statement, params = statement.values(params).inline(), None
                session.execute(statement, params)
        if outcome == "routed" and needs_regrade(corroboration):
            regrade_cluster(session, cluster_id=corroboration.cluster or "", now=now)
        session.commit()

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


def _outcome_writes(
    session: Session,
    tip_id: str,
    decision: DomainDecision,
    now: datetime,
    writes: list[tuple[Any, Any]],
) -> Outcome:
    """Queue the decision, queue items and audit event as writes for the caller to send."""
    duplicate_of = decision.corroboration.duplicate_of
    outcome: Outcome = "duplicate" if duplicate_of is not None else "routed"
    tips = update(_TIPS).where(_TIPS.c.id == tip_id)
    writes.append((tips.values(status=outcome, duplicate_of=duplicate_of), None))
    writes.append((insert(_DECISIONS), [_decision_row(tip_id, decision, now, session)]))
    if duplicate_of is not None:
        original = update(_TIPS).where(_TIPS.c.id == duplicate_of)
        writes.append((original.values(duplicate_count=_TIPS.c.duplicate_count + 1), None))
        writes.append(_audit(now, "linked_duplicate", tip_id, original=duplicate_of))
        return outcome
    priority = decision.grade.priority
    destinations = list(decision.routing.destinations)
    if destinations:
        item: dict[str, Any] = {"tip_id": tip_id, "state": "open", "priority": priority}
        item |= {"created_at": now, "updated_at": now}
        writes.append((insert(_ITEMS), [{**item, "destination": d} for d in destinations]))
    writes.append(_audit(now, "routed", tip_id, destinations=destinations, priority=priority))
    return outcome


def _audit(now: datetime, action: str, tip_id: str, **detail: Any) -> tuple[Any, Any]:
    row = {"at": now, "actor": "system", "action": action, "tip_id": tip_id, "detail": detail}
    return insert(_AUDIT), [{**row, "destination": None}]


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
    rows = session.execute(select(_TIPS.c.id, _TIPS.c.reference).where(_TIPS.c.id.in_(cited)))
    return dict(rows.tuples().all())


def _decision_row(
    tip_id: str, decision: DomainDecision, now: datetime, session: Session
) -> dict[str, Any]:
    location = decision.location
    references = _references(session, decision)
    return {
        "tip_id": tip_id,
        "category": decision.classification.category,
        "flags": list(decision.classification.flags),
        "priority": decision.grade.priority,
        "ward_code": location.ward_code,
        "ward": location.ward,
        "location_method": location.method,
        "location_confidence": location.confidence,
        "lat": location.lat,
        "lon": location.lon,
        "place": location.place,
        "team": decision.routing.team,
        "destinations": list(decision.routing.destinations),
        "cluster_id": decision.corroboration.cluster,
        "cluster_size": decision.corroboration.cluster_size,
        "reasons": [
            {**reason.to_dict(), "evidence": [references.get(e, e) for e in reason.evidence]}
            for reason in decision.all_reasons
        ],
        "decided_at": now,
    }
