"""Storing a tip durably, once, before anyone is told it was received."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.intake.group_commit import GroupCommit, insert_durably
from shared.logs import get_logger
from shared.metrics import TIPS_RECEIVED
from shared.references import new_reference
from shared.schemas.submission import Channel, TipSubmission
from shared.secrets_store import encrypt_json, token_hash
from shared.store.models import ApiKey, QueueItem, Tip

log = get_logger(__name__)


class IdempotencyConflict(Exception):
    """The Idempotency-Key was used before with a different body."""


@dataclass(frozen=True)
class Stored:
    tip_id: str
    reference: str
    created: bool


def body_hash(data: Any) -> str:
    """A stable hash of a JSON body, independent of key order and spacing."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_api_key(session: Session, *, presented: str) -> ApiKey | None:
    """The active API key matching a presented secret, if any."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == token_hash(presented)))
    if key is None or key.revoked_at is not None:
        return None
    return key


def _replay(session: Session, api_key_id: int, idempotency_key: str, digest: str) -> Stored | None:
    tip = session.scalar(
        select(Tip).where(Tip.api_key_id == api_key_id, Tip.idempotency_key == idempotency_key)
    )
    if tip is None:
        return None
    if tip.body_hash != digest:
        raise IdempotencyConflict
    return Stored(tip.id, tip.reference, created=False)


def _insert(
    factory: sessionmaker[Session], row: dict[str, Any], writer: GroupCommit | None
) -> bool:
    """Store and commit one tip row; False if it conflicts with a stored one."""
    if writer is not None:
        return writer.insert(row)
    return row["id"] in insert_durably(factory.kw["bind"], [row])


def store_tip(
    factory: sessionmaker[Session],
    *,
    submission: TipSubmission,
    channel: Channel,
    cipher: Fernet,
    api_key_id: int | None = None,
    idempotency_key: str | None = None,
    digest: str | None = None,
    writer: GroupCommit | None = None,
) -> Stored:
    """Insert the tip and commit; replay an earlier one for a repeated Idempotency-Key.

    With a `writer`, the row is committed together with concurrent requests' rows and its id
    is published once committed; without one it is committed on its own and not published.
    """
    if idempotency_key is not None and api_key_id is not None and digest is not None:
        with factory() as session:
            earlier = _replay(session, api_key_id, idempotency_key, digest)
            if earlier is not None:
                return earlier
    now = datetime.now(UTC)
    contact = None
    if not submission.reporter.anonymous and submission.reporter.has_contact:
        reporter = submission.reporter.model_dump(exclude={"anonymous"}, exclude_none=True)
        contact = encrypt_json(cipher, reporter)
    for _attempt in range(3):
        row = {
            "id": uuid.uuid4().hex,
            "reference": new_reference(),
            "channel": channel,
            "status": "received",
            "received_at": now,
            "submission": submission.without_contact(),
            "anonymous": submission.reporter.anonymous,
            "contact_encrypted": contact,
            "api_key_id": api_key_id,
            "idempotency_key": idempotency_key,
            "body_hash": digest,
            "call_id": submission.call_id,
            # Counted as a publish attempt now; the sweep re-publishes if it never arrives.
            "published_at": now,
            "publish_attempts": 1,
        }
        if _insert(factory, row, writer):
            return Stored(str(row["id"]), str(row["reference"]), created=True)
        if idempotency_key is not None and api_key_id is not None and digest is not None:
            with factory() as session:
                earlier = _replay(session, api_key_id, idempotency_key, digest)
                if earlier is not None:
                    return earlier
        # Otherwise a reference collision (40 random bits): try a fresh reference.
    raise RuntimeError("could not allocate a unique reference")


def accept_tip(
    factory: sessionmaker[Session],
    writer: GroupCommit,
    *,
    submission: TipSubmission,
    channel: Channel,
    cipher: Fernet,
    api_key_id: int | None = None,
    idempotency_key: str | None = None,
    digest: str | None = None,
) -> Stored:
    """Store a tip durably (the writer then publishes it) and count it; a replay is neither."""
    stored = store_tip(
        factory,
        submission=submission,
        channel=channel,
        cipher=cipher,
        api_key_id=api_key_id,
        idempotency_key=idempotency_key,
        digest=digest,
        writer=writer,
    )
    if stored.created:
        TIPS_RECEIVED.labels(channel=channel).inc()
        log.info("tip_received", tip_id=stored.tip_id, channel=channel)
    return stored


STATUS_WORDING = {
    "received": "We have your report. It is waiting to be looked at.",
    "with_team": "Your report has been passed to a policing team.",
    "closed": "Your report has been dealt with. Thank you for telling us.",
}


def public_status(session: Session, *, reference: str) -> str | None:
    """The status word for a reference: received, with_team or closed (never content)."""
    tip = session.scalar(select(Tip).where(Tip.reference == reference))
    if tip is None:
        return None
    if tip.duplicate_of is not None:
        original = session.get(Tip, tip.duplicate_of)
        if original is not None:
            tip = original
    if tip.status not in ("routed", "duplicate"):
        return "received"
    states = session.scalars(select(QueueItem.state).where(QueueItem.tip_id == tip.id)).all()
    if states and all(state == "resolved" for state in states):
        return "closed"
    return "with_team"
