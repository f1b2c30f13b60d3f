"""Processing tips: decide each with the pure pipeline and write its outcome exactly once.

A batch of tips (stored together at intake) is decided in one transaction under one dedup lock,
in arrival order, each tip seeing what the ones before it wrote.

Idempotency: the tip's status moves from 'received' only under the dedup lock and in the same
transaction as everything else, queue items are unique per (tip, destination), and the dedup
index returns a stored outcome for a tip it has seen, so a redelivered or repeated task finds
the tip already decided and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, cast

from sqlalchemy import Row, Table, bindparam, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from services.router.context import RouterContext
from services.router.pipeline.regrade import merged, needs_regrade, regrade_cluster
from shared.domain.dedup import DedupKeys
from shared.domain.facts import facts_from_submission
from shared.domain.model import Decision as DomainDecision
from shared.domain.pipeline import Assessment, Pipeline
from shared.logs import get_logger
from shared.metrics import DECISIONS, DUPLICATES, ROUTED_LATENCY
from shared.store.dedup_index import (
    ClusterNumbers,
    SqlDedupIndex,
    lock_for_dedup,
    send_index_writes,
)
from shared.store.models import AuditEvent, Decision, QueueItem, Tip
from shared.store.pipelining import pipelined, rows_of

log = get_logger(__name__)
Outcome = Literal["routed", "duplicate", "already_processed", "missing"]

_TIPS = cast(Table, Tip.__table__)
_DECISIONS = cast(Table, Decision.__table__)
_ITEMS = cast(Table, QueueItem.__table__)
_AUDIT = cast(Table, AuditEvent.__table__)
# Statements built once, rows passed as parameters: each compiles once per process.
_SET_OUTCOME = (
    update(_TIPS)
    .where(_TIPS.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        duplicate_of=bindparam("b_dup"),
        processed_at=bindparam("b_now"),
    )
)
_COUNT_DUPLICATE = (
    update(_TIPS)
    .where(_TIPS.c.id == bindparam("b_id"))
    .values(duplicate_count=_TIPS.c.duplicate_count + 1)
)
_ADD_DECISION = insert(_DECISIONS).inline()
_ADD_ITEM = insert(_ITEMS).inline()
_ADD_AUDIT = insert(_AUDIT).inline()
# Tips named by id (the list expands at execution).
_BY_IDS = _TIPS.c.id.in_(bindparam("b_ids", expanding=True))
_REFERENCES = select(_TIPS.c.id, _TIPS.c.reference).where(_BY_IDS)
_READ = (_TIPS.c.id, _TIPS.c.status, _TIPS.c.submission, _TIPS.c.received_at)
_READ_NAMED = select(*_READ).where(_BY_IDS)
_NAMED = select(_TIPS.c.id, _TIPS.c.status).where(_BY_IDS)
_LOCK_WAITING = _NAMED.with_for_update()
_LOCK_SKIPPING = _NAMED.with_for_update(skip_locked=True)


def process_tip(ctx: RouterContext, tip_id: str) -> Outcome:
    """Decide and queue one tip; safe to call any number of times for the same tip."""
    return process_tips(ctx, [tip_id])[tip_id]


def process_tips(
    ctx: RouterContext, tip_ids: Sequence[str], *, take_waiting: int = 0
) -> dict[str, Outcome]:
    """Decide and queue a batch of tips in one transaction; safe to repeat for any of them.

    With `take_waiting`, up to that many other tips still waiting are decided along with them
    (oldest first), so a backlog drains in large batches; their own messages then find them
    decided. No tip another worker is deciding is waited for or taken.
    """
    ids = list(dict.fromkeys(tip_ids))
    try:
        return _process(ctx, ids, take_waiting)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        # Pooled connections are not pinged on checkout: one that died while idle fails its
        # first statement, and the pool has already been told to replace it. Nothing was
        # committed, and processing is idempotent, so run again once on a fresh connection.
        log.warning("database_reconnect", tips=len(ids))
        return _process(ctx, ids, take_waiting)


@dataclass
class _Decided:
    tip_id: str
    received_at: datetime
    decision: DomainDecision
    outcome: Outcome


def _process(ctx: RouterContext, tip_ids: list[str], take_waiting: int) -> dict[str, Outcome]:
    outcomes: dict[str, Outcome] = dict.fromkeys(tip_ids, "missing")
    decided: list[_Decided] = []
    with ctx.sessions() as session:
        rows = session.execute(_READ_NAMED, {"b_ids": tip_ids}).all()
        waiting = []
        for row in rows:
            if row.status == "received":
                waiting.append(row)
            else:
                outcomes[row.id] = "already_processed"
        for tip_id in set(tip_ids) - {row.id for row in rows}:
            log.warning("tip_missing", tip_id=tip_id)
        if not waiting:
            return outcomes
        if take_waiting:
            waiting.extend(_waiting_tips(session, exclude=tip_ids, limit=take_waiting))
        # Tips are decided in the order they arrived, so an earlier tip is the original.
        waiting.sort(key=lambda row: (row.received_at, row.id))
        if session.get_bind().dialect.name == "sqlite":
            # SQLite transactions hold the write lock from BEGIN: release it while assessing.
            session.rollback()

        # Locating, classifying and the dedup keys need no shared state, so they come before
        # the lock; on PostgreSQL the read above stays in the same transaction, which holds no
        # locks yet.
        assessed = []
        for row in waiting:
            facts = facts_from_submission(row.submission, received_at=row.received_at)
            assessment = ctx.pipeline.assess(facts)
            keys = Pipeline.dedup_keys(row.id, assessment, ctx.settings.identifier_key)
            assessed.append((row, assessment, keys))

        now = datetime.now(UTC)
        claimed = _claim(session, [row.id for row in waiting], skip_locked=take_waiting > 0)
        lock_for_dedup(session)
        numbers = None
        if session.get_bind().dialect.name == "postgresql":
            numbers = ClusterNumbers(session, block=len(claimed))
        writes = _Writes()
        index = SqlDedupIndex(session, locked=True, deferred=writes.index, numbers=numbers)
        mine = []
        for item in assessed:
            if item[0].id in claimed:
                mine.append(item)
            elif item[0].id in outcomes:
                outcomes[item[0].id] = "already_processed"
        # Every claimed tip's lookups in one exchange; each tip also sees those decided before it.
        index.read_ahead([keys for _, _, keys in mine])
        for row, assessment, keys in mine:
            decision, outcome = _decide(ctx, session, index, keys, assessment, now, writes)
            outcomes[row.id] = outcome
            decided.append(_Decided(row.id, row.received_at, decision, outcome))
        writes.send(session)
        session.commit()

    for done in decided:
        _count(done)
    return outcomes


def _waiting_tips(session: Session, *, exclude: list[str], limit: int) -> Sequence[Row[Any]]:
    """The oldest other tips still waiting, locked for this transaction (PostgreSQL).

    SKIP LOCKED passes over tips another worker holds, so workers never wait for each other
    here; SQLite has one writer at a time and ignores the clause.
    """
    return session.execute(
        select(*_READ)
        .where(_TIPS.c.status == "received", _TIPS.c.id.not_in(exclude))
        .order_by(_TIPS.c.status, _TIPS.c.published_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


def _claim(session: Session, tip_ids: list[str], *, skip_locked: bool) -> set[str]:
    """Lock the tips still 'received'; the ids this transaction now owns and will decide.

    Claiming is the idempotency check: only tips still 'received' are taken, and their rows stay
    locked until the commit that writes their outcome (moving them on from 'received'), so a
    second run for one waits here and then finds it taken. When this transaction already holds
    other waiting tips, it skips tips that are locked instead of waiting for them, so two
    workers can never wait on each other: the one holding such a tip decides it (and if that
    fails, the tip stays 'received' for the sweep).
    """
    # The statement finds rows by primary key alone. A status condition in SQL would let the
    # planner pick the status index, and while a backlog is arriving faster than statistics are
    # refreshed it believes one tip is waiting and scans every waiting tip (once per tip named).
    lock = _LOCK_SKIPPING if skip_locked else _LOCK_WAITING
    rows = session.execute(lock, {"b_ids": tip_ids}).all()
    return {row.id for row in rows if row.status == "received"}


class _Writes:
    """A batch's writes not yet sent, so as few round trips as possible carry them.

    `index` holds the dedup index's writes (the index answers the batch's later tips from
    memory, and sends them itself before a merge reads clusters back); `outcomes` holds
    decisions, queue items, audit events and statuses, which nothing else in the batch reads.
    Both go out at the end (or before a regrade, which reads them), grouped by statement.
    """

    def __init__(self) -> None:
        self.index: list[tuple[Any, Any]] = []
        self.outcomes: list[tuple[Any, Any]] = []
        # Decision rows whose dedup reasons cite other tips by id, with the ids each cites:
        # their references are looked up together when the outcomes are sent.
        self.citing: list[tuple[dict[str, Any], set[str]]] = []

    def send(self, session: Session) -> None:
        """Send the index writes, then the outcome writes, in one pipeline."""
        if not self.index and not self.outcomes:
            return
        self._cite_references(session)
        with pipelined(session):
            send_index_writes(session, self.index)
            groups: dict[int, tuple[Any, list[dict[str, Any]]]] = {}
            for statement, params in self.outcomes:
                groups.setdefault(id(statement), (statement, []))[1].extend(rows_of(params))
            # Inside the pipeline each executemany rides it instead of waiting for a reply.
            for statement, rows in groups.values():
                session.execute(statement, rows)
            self.outcomes.clear()

    def _cite_references(self, session: Session) -> None:
        """Swap the tip ids that pending decisions cite for references leads can read."""
        if not self.citing:
            return
        cited = sorted(set().union(*(ids for _, ids in self.citing)))
        references = dict(session.execute(_REFERENCES, {"b_ids": cited}).tuples().all())
        for row, ids in self.citing:
            for reason in row["reasons"]:
                reason["evidence"] = [
                    references.get(e, e) if e in ids else e for e in reason["evidence"]
                ]
        self.citing.clear()


def _decide(
    ctx: RouterContext,
    session: Session,
    index: SqlDedupIndex,
    keys: DedupKeys,
    assessment: Assessment,
    now: datetime,
    writes: _Writes,
) -> tuple[DomainDecision, Outcome]:
    """Corroborate one claimed tip and queue its writes (the caller holds the dedup lock)."""
    corroboration = index.corroborate(keys)
    decision = ctx.pipeline.conclude(assessment, corroboration)
    outcome = _outcome_writes(keys.tip_id, decision, now, writes)
    if outcome == "routed" and needs_regrade(corroboration):
        # The regrade reads members' queue items and decisions, this batch's included.
        writes.send(session)
        regrade_cluster(
            session,
            cluster_id=corroboration.cluster or "",
            size=corroboration.cluster_size,
            now=now,
            only=index.merged_uncorroborated if merged(corroboration) else None,
        )
    return decision, outcome


def _count(done: _Decided) -> None:
    decision = done.decision
    DECISIONS.labels(
        category=decision.classification.category, priority=decision.grade.priority
    ).inc()
    if done.outcome == "duplicate":
        DUPLICATES.inc()
    else:
        ROUTED_LATENCY.observe(max(0.0, (datetime.now(UTC) - done.received_at).total_seconds()))
    log.info(
        "tip_decided",
        tip_id=done.tip_id,
        outcome=done.outcome,
        category=decision.classification.category,
        priority=decision.grade.priority,
        destinations=list(decision.routing.destinations),
    )


def _outcome_writes(
    tip_id: str, decision: DomainDecision, now: datetime, pending: _Writes
) -> Outcome:
    """Queue the decision, queue items and audit event as writes for the caller to send."""
    duplicate_of = decision.corroboration.duplicate_of
    outcome: Outcome = "duplicate" if duplicate_of is not None else "routed"
    writes = pending.outcomes
    outcome_row = {"b_id": tip_id, "b_status": outcome, "b_dup": duplicate_of, "b_now": now}
    writes.append((_SET_OUTCOME, outcome_row))
    row = _decision_row(tip_id, decision, now)
    writes.append((_ADD_DECISION, [row]))
    cited = _cited_tips(decision)
    if cited:
        pending.citing.append((row, cited))
    if duplicate_of is not None:
        writes.append((_COUNT_DUPLICATE, {"b_id": duplicate_of}))
        writes.append(_audit(now, "linked_duplicate", tip_id, original=duplicate_of))
        return outcome
    priority = decision.grade.priority
    destinations = list(decision.routing.destinations)
    if destinations:
        item: dict[str, Any] = {"tip_id": tip_id, "state": "open", "priority": priority}
        item |= {"created_at": now, "updated_at": now}
        writes.append((_ADD_ITEM, [{**item, "destination": d} for d in destinations]))
    writes.append(_audit(now, "routed", tip_id, destinations=destinations, priority=priority))
    return outcome


def _audit(now: datetime, action: str, tip_id: str, **detail: Any) -> tuple[Any, Any]:
    row = {"at": now, "actor": "system", "action": action, "tip_id": tip_id, "detail": detail}
    return _ADD_AUDIT, [{**row, "destination": None}]


def _cited_tips(decision: DomainDecision) -> set[str]:
    """The tip ids that dedup reasons cite as evidence (shown to leads as references)."""
    return {
        item
        for reason in decision.corroboration.reasons
        for item in reason.evidence
        if len(item) == 32 and item.isalnum()
    }


def _decision_row(tip_id: str, decision: DomainDecision, now: datetime) -> dict[str, Any]:
    location = decision.location
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
            {**reason.to_dict(), "evidence": list(reason.evidence)}
            for reason in decision.all_reasons
        ],
        "decided_at": now,
    }
