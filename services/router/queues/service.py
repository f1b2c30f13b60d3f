"""Team queue operations. Every change is one transaction with its audit event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from cryptography.fernet import Fernet
from pydantic import BaseModel
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.router.auth import ALL_SEEING, can_see
from services.router.queues.models import ClaimIn, ItemOut, NoteIn, ReassignIn, ResolveIn, TipOut
from shared.domain.grade import CLAIM_WITHIN
from shared.references import normalise_reference
from shared.secrets_store import decrypt_json
from shared.store import audit
from shared.store.dedup import DedupCluster, DedupEntry
from shared.store.dedup_index import SqlDedupIndex, cluster_summary
from shared.store.models import AuditEvent, Decision, Note, QueueItem, Tip, User

ACTIVE = ("open", "claimed")
_PRIORITY_ORDER = case({"P1": 1, "P2": 2, "P3": 3, "P4": 4}, value=QueueItem.priority, else_=9)


class QueueError(Exception):
    """An action that cannot be done, with the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _lease_live(item: QueueItem, now: datetime) -> bool:
    return (
        item.state == "claimed"
        and item.lease_expires_at is not None
        and item.lease_expires_at > now
    )


def effective_state(item: QueueItem, now: datetime) -> str:
    """'claimed' only while the lease runs; an expired lease is open again."""
    if item.state == "claimed" and not _lease_live(item, now):
        return "open"
    return item.state


class Cluster(NamedTuple):
    """A tip's live cluster: its id and how many distinct tips it holds now."""

    id: str | None
    size: int


def cluster_for(db: Session, tip_id: str) -> Cluster:
    """The live cluster of one tip (following merges)."""
    row = db.execute(
        select(DedupCluster.id, DedupCluster.size)
        .join(DedupEntry, DedupEntry.cluster_id == DedupCluster.id)
        .where(DedupEntry.tip_id == tip_id)
    ).first()
    return Cluster(f"c{row.id}", max(1, row.size)) if row else Cluster(None, 1)


def item_out(
    item: QueueItem, tip: Tip, decision: Decision | None, now: datetime, cluster: Cluster
) -> ItemOut:
    """The list view of one item."""
    state = effective_state(item, now)
    claim_by = item.created_at + CLAIM_WITHIN.get(item.priority, timedelta(hours=72))  # type: ignore[call-overload]
    return ItemOut(
        reference=tip.reference,
        destination=item.destination,
        state=state,
        priority=item.priority,
        category=decision.category if decision else None,
        flags=list(decision.flags) if decision else [],
        ward=decision.ward if decision else None,
        ward_code=decision.ward_code if decision else None,
        location_method=decision.location_method if decision else None,
        cluster=cluster.id,
        cluster_size=cluster.size,
        duplicate_count=tip.duplicate_count,
        received_at=tip.received_at,
        queued_at=item.created_at,
        age_seconds=int((now - tip.received_at).total_seconds()),
        claimed_by=item.holder.username if state == "claimed" and item.holder else None,
        lease_expires_at=item.lease_expires_at if state == "claimed" else None,
        breaching=state == "open" and now > claim_by,
        claim_by=claim_by,
        outcome=item.outcome,
    )


def list_queue(
    db: Session,
    *,
    destination: str,
    states: tuple[str, ...] = ACTIVE,
    priority: str | None = None,
    category: str | None = None,
    limit: int = 200,
    offset: int = 0,
    now: datetime | None = None,
) -> list[ItemOut]:
    """A destination's items in priority order, then cluster size, then age (oldest first)."""
    now = now or datetime.now(UTC)
    # The cluster's size is read live from the dedup index, so it is current without rewrites.
    size = func.coalesce(DedupCluster.size, 1)
    query = (
        select(QueueItem, Tip, Decision, DedupCluster.id, size)
        .join(Tip, Tip.id == QueueItem.tip_id)
        .outerjoin(Decision, Decision.tip_id == QueueItem.tip_id)
        .outerjoin(DedupEntry, DedupEntry.tip_id == QueueItem.tip_id)
        .outerjoin(DedupCluster, DedupCluster.id == DedupEntry.cluster_id)
        .where(QueueItem.destination == destination, QueueItem.state.in_(states))
        .order_by(_PRIORITY_ORDER, size.desc(), Tip.received_at, QueueItem.id)
        .limit(limit)
        .offset(offset)
    )
    if priority:
        query = query.where(QueueItem.priority == priority)
    if category:
        query = query.where(Decision.category == category)
    return [
        item_out(item, tip, decision, now, Cluster(f"c{number}" if number else None, max(1, n)))
        for item, tip, decision, number, n in db.execute(query)
    ]


def find_item(
    db: Session, *, destination: str, reference: str, lock: bool = False
) -> QueueItem | None:
    """The item for a tip reference in one destination's queue."""
    query = (
        select(QueueItem)
        .join(Tip, Tip.id == QueueItem.tip_id)
        .where(QueueItem.destination == destination, Tip.reference == reference)
    )
    if lock:
        query = query.with_for_update(of=QueueItem)
    return db.scalar(query)


def claim(db: Session, *, item: QueueItem, user: User, lease_minutes: int, now: datetime) -> str:
    """Claim an item (or renew one's own lease); 409 if someone else holds it or it is resolved."""
    if item.state == "resolved":
        raise QueueError(409, "This item is already resolved")
    renewing = _lease_live(item, now) and item.claimed_by == user.id
    if _lease_live(item, now) and not renewing:
        holder = item.holder.username if item.holder else "another user"
        raise QueueError(
            409, f"Already claimed by {holder} until {item.lease_expires_at:%H:%M} UTC"
        )
    item.state = "claimed"
    item.claimed_by = user.id
    item.lease_expires_at = now + timedelta(minutes=lease_minutes)
    item.updated_at = now
    action = "lease_renewed" if renewing else "claimed"
    audit.record(
        db,
        actor=user.username,
        action=action,
        tip_id=item.tip_id,
        destination=item.destination,
        lease_expires_at=item.lease_expires_at.isoformat(),
    )
    return action


def _require_holder(item: QueueItem, user: User, now: datetime) -> None:
    if item.state == "resolved":
        raise QueueError(409, "This item is already resolved")
    if _lease_live(item, now) and item.claimed_by != user.id and user.role not in ("ops", "admin"):
        holder = item.holder.username if item.holder else "another user"
        raise QueueError(409, f"Claimed by {holder}; only they (or ops) can do that")


def release(db: Session, *, item: QueueItem, user: User, now: datetime) -> None:
    """Give a claimed item back to the open queue."""
    _require_holder(item, user, now)
    if not _lease_live(item, now):
        raise QueueError(409, "This item is not claimed")
    item.state = "open"
    item.claimed_by = None
    item.lease_expires_at = None
    item.updated_at = now
    audit.record(
        db, actor=user.username, action="released", tip_id=item.tip_id, destination=item.destination
    )


def add_note(
    db: Session,
    *,
    tip_id: str,
    user: User,
    text: str,
    now: datetime,
    destination: str | None = None,
) -> Note:
    """Attach a note to a tip."""
    note = Note(tip_id=tip_id, author_id=user.id, text=text, created_at=now)
    db.add(note)
    db.flush()
    audit.record(
        db,
        actor=user.username,
        action="note_added",
        tip_id=tip_id,
        destination=destination,
        note_id=note.id,
    )
    return note


def resolve(
    db: Session, *, item: QueueItem, user: User, outcome: str, note: str, now: datetime
) -> None:
    """Close an item with an outcome and a note."""
    _require_holder(item, user, now)
    item.state = "resolved"
    item.outcome = outcome
    item.resolved_at = now
    item.claimed_by = user.id
    item.lease_expires_at = None
    item.updated_at = now
    add_note(db, tip_id=item.tip_id, user=user, text=note, now=now, destination=item.destination)
    audit.record(
        db,
        actor=user.username,
        action="resolved",
        tip_id=item.tip_id,
        destination=item.destination,
        outcome=outcome,
    )


def reassign(
    db: Session,
    *,
    item: QueueItem,
    user: User,
    destination: str,
    reason: str,
    valid: tuple[str, ...],
    now: datetime,
) -> None:
    """Move an item to another destination's queue, open, with the reason recorded."""
    _require_holder(item, user, now)
    if destination not in valid:
        raise QueueError(422, f"Unknown destination '{destination}'")
    if destination == item.destination:
        raise QueueError(409, "The item is already in that queue")
    clash = db.scalar(
        select(QueueItem).where(
            QueueItem.tip_id == item.tip_id, QueueItem.destination == destination
        )
    )
    if clash is not None:
        raise QueueError(409, f"This tip is already in the {destination} queue")
    source = item.destination
    item.destination = destination
    item.state = "open"
    item.claimed_by = None
    item.lease_expires_at = None
    item.breached_at = None
    item.updated_at = now
    audit.record(
        db,
        actor=user.username,
        action="reassigned",
        tip_id=item.tip_id,
        destination=destination,
        source=source,
        reason=reason,
    )


def act(
    db: Session,
    *,
    destination: str,
    reference: str,
    user_id: int,
    action: str,
    payload: BaseModel | None,
    lease_minutes: int,
    destinations: tuple[str, ...],
    now: datetime,
) -> QueueItem:
    """Do one queue action (claim, release, resolve, reassign, notes, view) on a tip's item.

    The item is locked for the action; 404 if the tip is not in this destination's queue.
    """
    item = find_item(db, destination=destination, reference=reference, lock=action != "view")
    if item is None:
        raise QueueError(404, "No such item in this queue")
    user = db.get(User, user_id)
    if user is None:
        raise QueueError(404, "No such user")
    if action == "claim":
        minutes = payload.lease_minutes if isinstance(payload, ClaimIn) else None
        claim(db, item=item, user=user, lease_minutes=minutes or lease_minutes, now=now)
    elif action == "release":
        release(db, item=item, user=user, now=now)
    elif action == "resolve" and isinstance(payload, ResolveIn):
        resolve(db, item=item, user=user, outcome=payload.outcome, note=payload.note, now=now)
    elif action == "reassign" and isinstance(payload, ReassignIn):
        reassign(
            db,
            item=item,
            user=user,
            destination=payload.destination,
            reason=payload.reason,
            valid=destinations,
            now=now,
        )
    elif action == "notes" and isinstance(payload, NoteIn):
        add_note(
            db,
            tip_id=item.tip_id,
            user=user,
            text=payload.text,
            now=now,
            destination=item.destination,
        )
    elif action != "view":
        raise QueueError(422, f"'{action}' needs its request body")
    return item


def visible_tip(db: Session, *, reference: str, user: User) -> Tip | None:
    """The tip with this reference if the user may see it (via its queues or its original's)."""
    canonical = normalise_reference(reference)
    if canonical is None:
        return None
    tip = db.scalar(select(Tip).where(Tip.reference == canonical))
    if tip is None:
        return None
    if user.role in ALL_SEEING or any(can_see(user, item.destination) for item in tip.items):
        return tip
    if tip.duplicate_of:
        original = db.get(Tip, tip.duplicate_of)
        if original is not None and any(can_see(user, item.destination) for item in original.items):
            return tip
    return None


def reveal_contact(db: Session, *, tip: Tip, user: User, cipher: Fernet) -> dict[str, Any] | None:
    """A reporter's contact details, decrypted; every sight of them is on the record."""
    if tip.contact_encrypted is None:
        return None
    details = decrypt_json(cipher, tip.contact_encrypted)
    audit.record(db, actor=user.username, action="contact_viewed", tip_id=tip.id)
    return details


def tip_detail(db: Session, *, tip: Tip, user: User, visible: list[str], now: datetime) -> TipOut:
    """Everything about a tip that this user may see; the view itself is audited."""
    decision = db.get(Decision, tip.id)
    items = [item for item in tip.items if item.destination in visible]
    cluster = None
    cluster_id = SqlDedupIndex(db).cluster_of(tip.id)
    if cluster_id is not None:
        summary = cluster_summary(db, cluster_id)
        tips = {
            row.id: row.reference
            for row in db.scalars(
                select(Tip).where(Tip.id.in_([m["tip_id"] for m in summary["members"]]))
            )
        }
        cluster = {
            **{key: value for key, value in summary.items() if key != "members"},
            "members": [
                {
                    **{k: v for k, v in member.items() if k != "tip_id"},
                    "reference": tips.get(member["tip_id"]),
                    "duplicate_of": tips.get(member["duplicate_of"])
                    if member.get("duplicate_of")
                    else None,
                }
                for member in summary["members"]
            ],
        }
    notes = db.scalars(select(Note).where(Note.tip_id == tip.id).order_by(Note.id)).all()
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.tip_id == tip.id).order_by(AuditEvent.id)
    ).all()
    original = db.get(Tip, tip.duplicate_of) if tip.duplicate_of else None
    audit.record(db, actor=user.username, action="tip_viewed", tip_id=tip.id)
    return TipOut(
        reference=tip.reference,
        channel=tip.channel,
        status=tip.status,
        received_at=tip.received_at,
        anonymous=tip.anonymous,
        has_contact=tip.contact_encrypted is not None,
        submission=tip.submission,
        decision=_decision_dict(decision),
        cluster=cluster,
        items=[item_out(item, tip, decision, now, cluster_for(db, tip.id)) for item in items],
        duplicate_of=original.reference if original else None,
        duplicates=tip.duplicate_count,
        notes=[{"author": n.author.username, "at": n.created_at, "text": n.text} for n in notes],
        audit=[
            {
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "destination": e.destination,
                "detail": e.detail,
            }
            for e in events
        ],
    )


def _decision_dict(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "category": decision.category,
        "flags": decision.flags,
        "priority": decision.priority,
        "location": {
            "ward_code": decision.ward_code,
            "ward": decision.ward,
            "method": decision.location_method,
            "confidence": decision.location_confidence,
            "place": decision.place,
        },
        "team": decision.team,
        "destinations": decision.destinations,
        "cluster": decision.cluster_id,
        "cluster_size": decision.cluster_size,
        "reasons": decision.reasons,
        "decided_at": decision.decided_at,
    }
