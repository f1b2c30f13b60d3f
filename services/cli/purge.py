"""`tipline purge`: erase contact details, then whole tips, once their retention periods end."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from shared.config import Settings
from shared.store import audit
from shared.store.db import make_engine, make_session_factory, transaction
from shared.store.dedup import DedupEntry, DedupIdentifier, DedupLink
from shared.store.models import AuditEvent, DeadLetter, Decision, Note, QueueItem, Tip

# Audit detail keys holding free text staff wrote about the tip; erased with the tip.
FREE_TEXT_KEYS = ("reason",)
BATCH = 500


@dataclass(frozen=True)
class PurgeResult:
    contact_cutoff: str
    tip_cutoff: str
    contacts_erased: int
    tips_erased: int
    dry_run: bool


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


def _erase_tips(db: Session, ids: list[str]) -> None:
    """Delete tips and everything hanging off them; keep their audit events, detached."""
    for chunk in _chunks(ids):
        references = dict(
            db.execute(select(Tip.id, Tip.reference).where(Tip.id.in_(chunk))).tuples().all()
        )
        # The audit trail outlives the tip: who did what, and when, under a plain tip id.
        for event in db.scalars(select(AuditEvent).where(AuditEvent.tip_id.in_(chunk))):
            detail = {k: v for k, v in (event.detail or {}).items() if k not in FREE_TEXT_KEYS}
            detail.update(tip=event.tip_id, reference=references.get(event.tip_id or ""))
            event.detail = detail
            event.tip_id = None
        # Later tips may name an erased one as their original: they keep their own content.
        db.execute(update(Tip).where(Tip.duplicate_of.in_(chunk)).values(duplicate_of=None))
        db.execute(delete(DedupLink).where(DedupLink.tip_id.in_(chunk)))
        db.execute(delete(DedupIdentifier).where(DedupIdentifier.tip_id.in_(chunk)))
        db.execute(delete(DedupEntry).where(DedupEntry.tip_id.in_(chunk)))
        db.execute(delete(DeadLetter).where(DeadLetter.tip_id.in_(chunk)))
        db.execute(delete(Note).where(Note.tip_id.in_(chunk)))
        db.execute(delete(QueueItem).where(QueueItem.tip_id.in_(chunk)))
        db.execute(delete(Decision).where(Decision.tip_id.in_(chunk)))
        db.execute(delete(Tip).where(Tip.id.in_(chunk)))


def purge(settings: Settings, *, dry_run: bool = False, now: datetime | None = None) -> PurgeResult:
    """Erase what is past retention (or, with dry_run, only count it); audit the run."""
    now = now or datetime.now(UTC)
    contact_cutoff = now - timedelta(days=settings.contact_retention_days)
    tip_cutoff = now - timedelta(days=settings.tip_retention_days)
    engine = make_engine(settings.database_url)
    try:
        with transaction(make_session_factory(engine)) as db:
            old_tips = list(db.scalars(select(Tip.id).where(Tip.received_at < tip_cutoff)))
            contacts = list(
                db.scalars(
                    select(Tip.id).where(
                        Tip.contact_encrypted.is_not(None),
                        Tip.received_at < contact_cutoff,
                        Tip.received_at >= tip_cutoff,
                    )
                )
            )
            result = PurgeResult(
                contact_cutoff=contact_cutoff.isoformat(),
                tip_cutoff=tip_cutoff.isoformat(),
                contacts_erased=len(contacts),
                tips_erased=len(old_tips),
                dry_run=dry_run,
            )
            if dry_run:
                return result  # nothing was changed, so the commit is empty
            for chunk in _chunks(contacts):
                db.execute(update(Tip).where(Tip.id.in_(chunk)).values(contact_encrypted=None))
            _erase_tips(db, old_tips)
            audit.record(
                db,
                actor="cli",
                action="retention_purge",
                contacts_erased=result.contacts_erased,
                tips_erased=result.tips_erased,
                contact_cutoff=result.contact_cutoff,
                tip_cutoff=result.tip_cutoff,
            )
        return result
    finally:
        engine.dispose()


def run(settings: Settings, *, dry_run: bool) -> int:
    """The command: purge and print one JSON line of counts."""
    result = purge(settings, dry_run=dry_run)
    print(json.dumps(asdict(result)))
    return 0
