"""The duplicate and cluster index in SQL (SQLite or PostgreSQL), and its read-outs for queues."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, insert, select, text, update
from sqlalchemy.orm import Session

from shared.domain.dedup import DedupKeys, Entry, Link, corroborate
from shared.domain.dedup.store import Candidate, cluster_id, cluster_number
from shared.domain.model import Corroboration, Family, Reason
from shared.store.dedup import DedupCluster, DedupEntry, DedupIdentifier, DedupLink

# pg_advisory_xact_lock key for dedup decisions: "TIPLDDUP" as a signed 64-bit integer.
DEDUP_LOCK_KEY = 0x5449504C44445550
# Bind parameters per IN list, well under SQLite's limit.
_CHUNK = 500

_E = cast(Table, DedupEntry.__table__)
_C = cast(Table, DedupCluster.__table__)
_I = cast(Table, DedupIdentifier.__table__)
_L = cast(Table, DedupLink.__table__)
_ENTRY_COLUMNS = (
    _E.c.tip_id,
    _E.c.received_at,
    _E.c.fingerprint,
    _E.c.family,
    _E.c.ward_code,
    _E.c.lat,
    _E.c.lon,
    _E.c.place,
    _E.c.location_key,
    _E.c.cluster_id,
    _E.c.cell,
    _E.c.duplicate_of,
    _E.c.duplicate_count,
    _E.c.decided_cluster_id,
    _E.c.decided_size,
)


def lock_for_dedup(session: Session) -> None:
    """Serialise dedup decisions across workers; call first in the caller's transaction.

    PostgreSQL takes a transaction-scoped advisory lock, released at commit or rollback. Under
    READ COMMITTED (the default) every later statement then sees the tips the previous holder
    committed; take it before any other read if the session runs at REPEATABLE READ. SQLite
    needs nothing here: the engine begins every transaction with BEGIN IMMEDIATE, which already
    admits one writer at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DEDUP_LOCK_KEY})


def _entry(row: Row[Any]) -> Entry:
    return Entry(
        tip_id=row.tip_id,
        received_at=row.received_at,
        fingerprint=row.fingerprint,
        family=row.family,
        ward_code=row.ward_code,
        lat=row.lat,
        lon=row.lon,
        place=row.place,
        location_key=row.location_key,
        cluster=cluster_id(row.cluster_id),
        cell=row.cell,
        duplicate_of=row.duplicate_of,
        duplicate_count=row.duplicate_count,
        decided_cluster=cluster_id(row.decided_cluster_id),
        decided_size=row.decided_size,
    )


_CANDIDATE_COLUMNS = (
    _E.c.tip_id,
    _E.c.received_at,
    _E.c.family,
    _E.c.lat,
    _E.c.lon,
    _E.c.cluster_id,
)


def _candidate(row: Row[Any]) -> Candidate:
    return Candidate(
        row.tip_id, row.received_at, row.family, row.lat, row.lon, cluster_id(row.cluster_id)
    )


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + _CHUNK] for i in range(0, len(items), _CHUNK)]


class SqlDedupIndex:
    """A DedupIndex over the caller's session; works inside its transaction and never commits."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # DedupIndex

    def corroborate(self, keys: DedupKeys) -> Corroboration:
        """Decide and record a tip; a second call for the same tip id changes nothing."""
        # The caller should already hold the lock; taking it again is harmless and makes sure.
        lock_for_dedup(self.session)
        return corroborate(self, keys)

    def cluster_size(self, cluster: str) -> int:
        """Distinct non-duplicate tips in a cluster now, following merges."""
        return self.size(self.resolve(cluster))

    def cluster_of(self, tip_id: str) -> str | None:
        """Current cluster of a tip, or None if it is not indexed."""
        number = self.session.execute(
            select(_E.c.cluster_id).where(_E.c.tip_id == tip_id)
        ).scalar_one_or_none()
        return None if number is None else self.resolve(cluster_id(number))

    # DedupStore

    def entry(self, tip_id: str) -> Entry | None:
        row = self.session.execute(select(*_ENTRY_COLUMNS).where(_E.c.tip_id == tip_id)).first()
        return None if row is None else _entry(row)

    def links(self, tip_id: str) -> list[Link]:
        rows = self.session.execute(
            select(_L.c.linked_tip_id, _L.c.rule, _L.c.detail, _L.c.evidence)
            .where(_L.c.tip_id == tip_id)
            .order_by(_L.c.position)
        )
        return [
            Link(r.linked_tip_id, Reason(r.rule, r.detail, tuple(r.evidence or ()))) for r in rows
        ]

    def same_fingerprint(self, fingerprint: str, since: datetime, until: datetime) -> list[Entry]:
        rows = self.session.execute(
            select(*_ENTRY_COLUMNS).where(
                _E.c.fingerprint == fingerprint,
                _E.c.received_at >= since,
                _E.c.received_at <= until,
            )
        )
        return [_entry(r) for r in rows]

    def near(
        self,
        cells: Sequence[int],
        box: tuple[float, float, float, float],
        family: Family,
        since: datetime,
        until: datetime,
    ) -> list[Candidate]:
        lat_lo, lat_hi, lon_lo, lon_hi = box
        rows = self.session.execute(
            select(*_CANDIDATE_COLUMNS).where(
                _E.c.cell.in_(list(cells)),
                _E.c.family == family,
                _E.c.received_at >= since,
                _E.c.received_at <= until,
                _E.c.duplicate_of.is_(None),
                # The box trims the corners of the cells before rows come back to Python.
                _E.c.lat.between(lat_lo, lat_hi),
                _E.c.lon.between(lon_lo, lon_hi),
            )
        )
        return [_candidate(r) for r in rows]

    def at_place(
        self, place: str, family: Family, since: datetime, until: datetime
    ) -> list[Candidate]:
        rows = self.session.execute(
            select(*_CANDIDATE_COLUMNS).where(
                _E.c.place == place,
                _E.c.family == family,
                _E.c.received_at >= since,
                _E.c.received_at <= until,
                _E.c.duplicate_of.is_(None),
            )
        )
        return [_candidate(r) for r in rows]

    def sharing(
        self, keys: Sequence[str], since: datetime, until: datetime
    ) -> list[tuple[str, Candidate]]:
        rows = self.session.execute(
            select(_I.c.key, *_CANDIDATE_COLUMNS)
            .join(_E, _E.c.tip_id == _I.c.tip_id)
            .where(
                _I.c.key.in_(list(keys)),
                _I.c.received_at >= since,
                _I.c.received_at <= until,
                _E.c.duplicate_of.is_(None),
            )
        )
        return [(r.key, _candidate(r)) for r in rows]

    def resolve(self, cluster: str) -> str:
        number = cluster_number(cluster)
        seen = {number}
        while True:
            row = self.session.execute(select(_C.c.merged_into).where(_C.c.id == number)).first()
            if row is None:
                raise KeyError(cluster)
            if row.merged_into is None or row.merged_into in seen:
                return cluster_id(number)
            number = row.merged_into
            seen.add(number)

    def size(self, cluster: str) -> int:
        size = self.session.execute(
            select(_C.c.size).where(_C.c.id == cluster_number(cluster))
        ).scalar_one_or_none()
        if size is None:
            raise KeyError(cluster)
        return size

    def new_cluster(self) -> str:
        number = self.session.execute(insert(_C).values(size=0).returning(_C.c.id)).scalar_one()
        return cluster_id(number)

    def merge(self, keep: str, absorbed: Sequence[str]) -> None:
        keep_n = cluster_number(keep)
        gone = [cluster_number(c) for c in absorbed]
        rows = self.session.execute(
            select(_C.c.id, _C.c.size, _C.c.first_seen, _C.c.last_seen).where(
                _C.c.id.in_([keep_n, *gone])
            )
        ).all()
        size = sum(r.size for r in rows)
        firsts = [r.first_seen for r in rows if r.first_seen is not None]
        lasts = [r.last_seen for r in rows if r.last_seen is not None]
        self.session.execute(
            update(_C)
            .where(_C.c.id == keep_n)
            .values(
                size=size,
                first_seen=min(firsts) if firsts else None,
                last_seen=max(lasts) if lasts else None,
            )
        )
        # Only the members and merge pointers of the absorbed clusters change.
        self.session.execute(update(_E).where(_E.c.cluster_id.in_(gone)).values(cluster_id=keep_n))
        self.session.execute(
            update(_C).where(_C.c.merged_into.in_(gone)).values(merged_into=keep_n)
        )
        self.session.execute(update(_C).where(_C.c.id.in_(gone)).values(merged_into=keep_n, size=0))

    def add(self, entry: Entry, identifiers: Sequence[str], links: Sequence[Link]) -> None:
        number = cluster_number(entry.cluster)
        self.session.execute(
            insert(_E).values(
                tip_id=entry.tip_id,
                received_at=entry.received_at,
                fingerprint=entry.fingerprint,
                family=entry.family,
                ward_code=entry.ward_code,
                lat=entry.lat,
                lon=entry.lon,
                cell=entry.cell,
                place=entry.place,
                location_key=entry.location_key,
                cluster_id=number,
                duplicate_of=entry.duplicate_of,
                duplicate_count=0,
                decided_cluster_id=cluster_number(entry.decided_cluster),
                decided_size=entry.decided_size,
            )
        )
        if entry.duplicate_of is None and identifiers:
            self.session.execute(
                insert(_I),
                [
                    {"key": k, "tip_id": entry.tip_id, "received_at": entry.received_at}
                    for k in identifiers
                ],
            )
        if links:
            self.session.execute(
                insert(_L),
                [
                    {
                        "tip_id": entry.tip_id,
                        "position": i,
                        "linked_tip_id": link.linked_tip_id,
                        "rule": link.reason.rule,
                        "detail": link.reason.detail,
                        "evidence": list(link.reason.evidence),
                    }
                    for i, link in enumerate(links)
                ],
            )
        row = self.session.execute(
            select(_C.c.size, _C.c.first_seen, _C.c.last_seen).where(_C.c.id == number)
        ).one()
        t = entry.received_at
        self.session.execute(
            update(_C)
            .where(_C.c.id == number)
            .values(
                size=row.size + (1 if entry.duplicate_of is None else 0),
                first_seen=t if row.first_seen is None else min(row.first_seen, t),
                last_seen=t if row.last_seen is None else max(row.last_seen, t),
            )
        )
        if entry.duplicate_of is not None:
            self.session.execute(
                update(_E)
                .where(_E.c.tip_id == entry.duplicate_of)
                .values(duplicate_count=_E.c.duplicate_count + 1)
            )


def cluster_summary(session: Session, cluster: str) -> dict[str, Any]:
    """A cluster for the queue: size, first and last seen, and each member with its reasons.

    Follows merges, so an absorbed cluster's id gives the cluster it joined. KeyError if unknown.
    """
    index = SqlDedupIndex(session)
    current = index.resolve(cluster)
    number = cluster_number(current)
    head = session.execute(
        select(_C.c.size, _C.c.first_seen, _C.c.last_seen).where(_C.c.id == number)
    ).one()
    members = session.execute(
        select(_E.c.tip_id, _E.c.received_at, _E.c.duplicate_of)
        .where(_E.c.cluster_id == number)
        .order_by(_E.c.received_at, _E.c.tip_id)
    ).all()
    links: dict[str, list[dict[str, str]]] = {m.tip_id: [] for m in members}
    for chunk in _chunks([m.tip_id for m in members]):
        rows = session.execute(
            select(_L.c.tip_id, _L.c.rule, _L.c.detail)
            .where(_L.c.tip_id.in_(list(chunk)))
            .order_by(_L.c.tip_id, _L.c.position)
        )
        for r in rows:
            links[r.tip_id].append({"rule": r.rule, "detail": r.detail})
    return {
        "id": current,
        "size": head.size,
        "first_seen": head.first_seen,
        "last_seen": head.last_seen,
        "members": [
            {
                "tip_id": m.tip_id,
                "received_at": m.received_at,
                "duplicate_of": m.duplicate_of,
                "links": links[m.tip_id],
            }
            for m in members
        ],
    }
