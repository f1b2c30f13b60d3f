"""Tables of the duplicate and cluster index: every lookup is bounded by key and time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.store.base import Base, UTCDateTime

TIP_ID = String(64)
# What a corroboration lookup reads beyond its key: see the covering indexes below.
_CANDIDATE_COLUMNS = ("duplicate_of", "lat", "lon", "cluster_id", "tip_id")


class DedupCluster(Base):
    """A cluster of tips about the same activity; merged clusters point at the one kept."""

    __tablename__ = "dedup_clusters"

    # Rises in creation order: the public id is "c<id>", and the lowest id is the oldest.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("dedup_clusters.id"), index=True)


class DedupEntry(Base):
    """One indexed tip: its keys, its cluster, and whether it repeats an original."""

    __tablename__ = "dedup_entries"

    tip_id: Mapped[str] = mapped_column(TIP_ID, primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fingerprint: Mapped[str] = mapped_column(String(64))
    family: Mapped[str] = mapped_column(String(8))
    ward_code: Mapped[str | None] = mapped_column(String(16))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    cell: Mapped[int | None] = mapped_column(BigInteger)
    place: Mapped[str | None] = mapped_column(String(200))
    location_key: Mapped[str | None] = mapped_column(String(64))
    cluster_id: Mapped[int] = mapped_column(ForeignKey("dedup_clusters.id"), index=True)
    duplicate_of: Mapped[str | None] = mapped_column(TIP_ID)
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)
    # The answer given when the tip was decided, returned unchanged if it is indexed again.
    decided_cluster_id: Mapped[int] = mapped_column(Integer)
    decided_size: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_dedup_entries_fingerprint_time", "fingerprint", "received_at"),
        # Place lookups are answered from these indexes alone (they carry every column the
        # decision reads), so a busy neighbourhood costs index pages, not scattered table rows.
        Index(
            "ix_dedup_entries_cell_time",
            "cell",
            "family",
            "received_at",
            *_CANDIDATE_COLUMNS,
        ),
        Index(
            "ix_dedup_entries_place_time",
            "place",
            "family",
            "received_at",
            *_CANDIDATE_COLUMNS,
        ),
    )


class DedupIdentifier(Base):
    """A keyed hash of a phone number or registration a tip gave (never the plain value)."""

    __tablename__ = "dedup_identifiers"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    tip_id: Mapped[str] = mapped_column(ForeignKey("dedup_entries.tip_id"), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_dedup_identifiers_key_time", "key", "received_at"),)


class DedupLink(Base):
    """A reason recorded for a tip: the rule, the words, and the tip it links to."""

    __tablename__ = "dedup_links"

    tip_id: Mapped[str] = mapped_column(ForeignKey("dedup_entries.tip_id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    linked_tip_id: Mapped[str | None] = mapped_column(TIP_ID)
    rule: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
