"""Tables of the system of record: tips, decisions, queue items, people, keys, audit, dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shared.store.base import Base, UTCDateTime

# Tip lifecycle: received (stored, waiting for the pipeline) -> routed | duplicate | failed.
TIP_STATUSES = ("received", "routed", "duplicate", "failed")
ITEM_STATES = ("open", "claimed", "resolved")
OUTCOMES = ("actioned", "intelligence_logged", "no_further_action", "referred", "duplicate")
ROLES = ("lead", "ops", "admin")


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Tip(Base):
    __tablename__ = "tips"
    __table_args__ = (
        UniqueConstraint("api_key_id", "idempotency_key", name="uq_tips_idempotency"),
        Index("ix_tips_status_published", "status", "published_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reference: Mapped[str] = mapped_column(String(14), unique=True)
    channel: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default="received")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The validated submission without contact details (those are encrypted below).
    submission: Mapped[dict[str, Any]] = mapped_column(JSON)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    contact_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    body_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    call_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    publish_attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    duplicate_of: Mapped[str | None] = mapped_column(ForeignKey("tips.id"), nullable=True)
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)

    decision: Mapped[Decision | None] = relationship(back_populates="tip", uselist=False)
    items: Mapped[list[QueueItem]] = relationship(back_populates="tip", order_by="QueueItem.id")


class Decision(Base):
    __tablename__ = "decisions"

    tip_id: Mapped[str] = mapped_column(ForeignKey("tips.id"), primary_key=True)
    category: Mapped[str] = mapped_column(String(20), index=True)
    flags: Mapped[list[str]] = mapped_column(JSON)
    priority: Mapped[str] = mapped_column(String(2), index=True)
    ward_code: Mapped[str | None] = mapped_column(String(9), nullable=True, index=True)
    ward: Mapped[str | None] = mapped_column(String(60), nullable=True)
    location_method: Mapped[str] = mapped_column(String(12))
    location_confidence: Mapped[float] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    team: Mapped[str | None] = mapped_column(String(60), nullable=True)
    destinations: Mapped[list[str]] = mapped_column(JSON)
    cluster_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    cluster_size: Mapped[int] = mapped_column(Integer, default=1)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    tip: Mapped[Tip] = relationship(back_populates="decision")


class QueueItem(Base):
    """One tip in one destination's queue; (tip, destination) is unique so routing is idempotent."""

    __tablename__ = "queue_items"
    __table_args__ = (
        UniqueConstraint("tip_id", "destination", name="uq_queue_items_tip_destination"),
        Index("ix_queue_items_queue", "destination", "state", "priority", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[str] = mapped_column(ForeignKey("tips.id"))
    destination: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(10), default="open")
    priority: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(30), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    tip: Mapped[Tip] = relationship(back_populates="items")
    holder: Mapped[User | None] = relationship()


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tip_id: Mapped[str] = mapped_column(ForeignKey("tips.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    author: Mapped[User] = relationship()


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(10))
    destinations: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    tip_id: Mapped[str | None] = mapped_column(ForeignKey("tips.id"), nullable=True, index=True)
    destination: Mapped[str | None] = mapped_column(String(60), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DeadLetter(Base):
    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_name: Mapped[str] = mapped_column(String(100))
    tip_id: Mapped[str | None] = mapped_column(ForeignKey("tips.id"), nullable=True, index=True)
    error_type: Mapped[str] = mapped_column(String(200))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
