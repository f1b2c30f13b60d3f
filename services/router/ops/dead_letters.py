"""Dead letters: listing them and putting their tips back into the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.messaging import Publisher
from shared.store import audit
from shared.store.db import transaction
from shared.store.models import DeadLetter, Tip


@dataclass(frozen=True)
class Replayed:
    letters: int
    tips: int
    published: int


def replay_dead_letters(
    sessions: sessionmaker[Session],
    publisher: Publisher,
    *,
    ids: list[int],
    replay_all: bool,
    actor: str,
) -> Replayed:
    """Mark dead letters replayed, put failed tips back to 'received' and publish them again."""
    now = datetime.now(UTC)
    tip_ids: list[str] = []
    with transaction(sessions) as db:
        query = select(DeadLetter).where(DeadLetter.replayed_at.is_(None))
        if not replay_all:
            query = query.where(DeadLetter.id.in_(ids))
        letters = db.scalars(query).all()
        for letter in letters:
            letter.replayed_at = now
            if letter.tip_id is None:
                continue
            tip = db.get(Tip, letter.tip_id)
            if tip is not None and tip.status == "failed":
                tip.status = "received"
                tip.published_at = now
                tip_ids.append(tip.id)
            audit.record(
                db,
                actor=actor,
                action="dead_letter_replayed",
                tip_id=letter.tip_id,
                dead_letter=letter.id,
            )
    # Publishing after commit: a tip left unpublished is picked up by the sweep.
    published = sum(publisher.publish_tip(tip_id) for tip_id in tip_ids)
    return Replayed(letters=len(letters), tips=len(tip_ids), published=published)
