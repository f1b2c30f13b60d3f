"""Audit events: who did what to which tip, and when."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from shared.store.models import AuditEvent


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    tip_id: str | None = None,
    destination: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the caller's transaction."""
    event = AuditEvent(
        at=datetime.now(UTC),
        actor=actor,
        action=action,
        tip_id=tip_id,
        destination=destination,
        detail=detail,
    )
    session.add(event)
    return event
