"""The duplicate and cluster index in SQL (SQLite or PostgreSQL), and its read-outs for queues."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, cast

import psycopg
from psycopg.rows import namedtuple_row
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Float,
    Row,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.orm import Session

from shared.domain.dedup import DedupKeys, Entry, Link, corroborate
from shared.domain.dedup.decide import Lookups, lookups
from shared.domain.dedup.geo import EARTH_RADIUS_M
from shared.domain.dedup.memory import IndexedTips
from shared.domain.dedup.rules import NEAR_M, TOLERANCE_M
from shared.domain.dedup.store import Candidate, cluster_id, cluster_number
from shared.domain.grade import CORROBORATED_CLUSTER
from shared.domain.model import Corroboration, Family, Reason
from shared.store.dedup import DedupCluster, DedupEntry, DedupIdentifier, DedupLink
from shared.store.pipelining import driver_of, pipelined, rows_of

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


@dataclass
class _Prefetched:
    """Answers to one tip's lookups, read together; the index keeps `clusters` current as it writes."""

    tip_id: str
    asked: Lookups
    entries: dict[str, Entry]
    fingerprint: list[Entry]
    near: list[Candidate]
    place: list[Candidate]
    sharing: list[tuple[str, Candidate]]
    clusters: dict[int, tuple[int, int | None]]  # id -> (size, merged_into)


# The cluster each looked-up tip belongs to comes back on the same row, so resolving it and
# reading its size costs no further round trip (entries always point at a current cluster).
_ENTRY_ONLY = {"fingerprint", "ward_code", "place", "location_key", "cell", "duplicate_count"}
_ENTRY_ONLY |= {"decided_cluster_id", "decided_size"}


def _branch(
    kind: str, where: ColumnElement[bool], *, full: bool, key: Any = None, clusters: bool = True
) -> Select[Any]:
    """One lookup of the prefetch, shaped to the common row (entry-only columns null if not full;
    without `clusters`, the row stops before its cluster's columns)."""
    columns: list[Any] = [literal_column(f"'{kind}'").label("kind")]
    columns.append((key if key is not None else null()).label("ident"))
    for column in _ENTRY_COLUMNS:
        if full or column.key not in _ENTRY_ONLY:
            columns.append(column)
        else:
            # Typed, so the branch can sit in a subquery (PostgreSQL reads a bare NULL as text).
            columns.append(sql_cast(null(), column.type).label(column.key))
    joined: Any = _E
    if clusters:
        columns += [_C.c.size.label("c_size"), _C.c.merged_into.label("c_into")]
        joined = _E.join(_C, _C.c.id == _E.c.cluster_id)
    if kind == "sharing":
        joined = _I.join(joined, _E.c.tip_id == _I.c.tip_id)
    return select(*columns).select_from(joined).where(where)


# One condition per lookup, shared by the prefetch and the index's own lookups.


def _near_where(
    cells: Any, box: tuple[Any, Any, Any, Any], family: Any, since: Any, until: Any
) -> ColumnElement[bool]:
    lat_lo, lat_hi, lon_lo, lon_hi = box
    return and_(
        _E.c.cell.in_(cells),
        _E.c.family == family,
        _E.c.received_at >= since,
        _E.c.received_at <= until,
        _E.c.duplicate_of.is_(None),
        # The box trims the corners of the cells before rows come back to Python.
        _E.c.lat.between(lat_lo, lat_hi),
        _E.c.lon.between(lon_lo, lon_hi),
    )


def _place_where(place: Any, family: Any, since: Any, until: Any) -> ColumnElement[bool]:
    return and_(
        _E.c.place == place,
        _E.c.family == family,
        _E.c.received_at >= since,
        _E.c.received_at <= until,
        _E.c.duplicate_of.is_(None),
    )


def _sharing_where(keys: Any, since: Any, until: Any) -> ColumnElement[bool]:
    return and_(
        _I.c.key.in_(keys),
        _I.c.received_at >= since,
        _I.c.received_at <= until,
        _E.c.duplicate_of.is_(None),
    )


def _bound(*names: str) -> tuple[BindParameter[Any], ...]:
    return tuple(bindparam(name) for name in names)


# The prefetch takes one of eight shapes (which optional lookups a tip makes). Each shape is
# built once with bound parameters, so a tip costs one cached statement rather than a new
# UNION to build and hash; the IN lists expand at execution.
_FETCH_SELF = _branch("self", _E.c.tip_id == bindparam("p_tip"), full=True)
_FETCH_FINGERPRINT = _branch(
    "fingerprint",
    and_(
        _E.c.fingerprint == bindparam("p_fingerprint"),
        _E.c.received_at.between(bindparam("p_fp_since"), bindparam("p_fp_until")),
    ),
    full=True,
)
_NEAR_WHERE = _near_where(
    bindparam("p_cells", expanding=True),
    (bindparam("p_lat_lo"), bindparam("p_lat_hi"), bindparam("p_lon_lo"), bindparam("p_lon_hi")),
    *_bound("p_near_family", "p_near_since", "p_near_until"),
)
_PLACE_WHERE = _place_where(*_bound("p_place", "p_place_family", "p_place_since", "p_place_until"))
_SHARING_WHERE = _sharing_where(
    bindparam("p_keys", expanding=True), *_bound("p_share_since", "p_share_until")
)
_FETCH_NEAR = _branch("near", _NEAR_WHERE, full=False)
_FETCH_PLACE = _branch("place", _PLACE_WHERE, full=False)
_FETCH_SHARING = _branch("sharing", _SHARING_WHERE, full=False, key=_I.c.key)


@lru_cache(maxsize=8)
def _prefetch_statement(near: bool, place: bool, sharing: bool) -> CompoundSelect:
    optional = ((_FETCH_NEAR, near), (_FETCH_PLACE, place), (_FETCH_SHARING, sharing))
    return union_all(_FETCH_SELF, _FETCH_FINGERPRINT, *(b for b, wanted in optional if wanted))


def _prefetch_params(keys: DedupKeys, asked: Lookups) -> dict[str, Any]:
    fingerprint, since, until = asked.fingerprint
    params: dict[str, Any] = {"p_tip": keys.tip_id, "p_fingerprint": fingerprint}
    params |= {"p_t": keys.received_at, "p_lat": keys.lat, "p_lon": keys.lon}
    params |= {"p_fp_since": since, "p_fp_until": until}
    if asked.near is not None:
        cells, (lat_lo, lat_hi, lon_lo, lon_hi), family, since, until = asked.near
        params |= {"p_cells": list(cells), "p_near_family": family}
        params |= {"p_lat_lo": lat_lo, "p_lat_hi": lat_hi, "p_lon_lo": lon_lo, "p_lon_hi": lon_hi}
        params |= {"p_near_since": since, "p_near_until": until}
    if asked.place is not None:
        place, family, since, until = asked.place
        params |= {"p_place": place, "p_place_family": family}
        params |= {"p_place_since": since, "p_place_until": until}
    if asked.sharing is not None:
        identifiers, since, until = asked.sharing
        params |= {"p_keys": list(identifiers), "p_share_since": since, "p_share_until": until}
    return params


# On PostgreSQL the prefetch runs on psycopg's cursor inside the pipeline that carries the
# previous tip's writes (SQLAlchemy cannot read a result there); IN lists become arrays.
_EXPANDING = re.compile(r"IN \(__\[POSTCOMPILE_(\w+)\]\)")


# On PostgreSQL a busy place or street would send back every tip near it or naming it, though
# the decision keeps only the closest in time per cluster and rule. The server ranks them and
# sends the ones that can win: per cluster (and identifier key), the tips closest in time, ties
# included. Near ones go by a distance worked out in SQL to well within a metre of the one the
# decision measures: tips clearly inside the radius are ranked, and tips within a metre of its
# edge all come back for the decision to measure, so its answer is the same as from every row.
_AT = bindparam("p_t", type_=_E.c.received_at.type)
_EDGE_M = NEAR_M + TOLERANCE_M
_SURE_M = _EDGE_M - 1.0


def _number(value: float) -> ColumnElement[float]:
    # Written into the statement, so executing it needs no parameters beyond the tip's.
    return literal_column(repr(float(value)), type_=Float)


def _distance_sql() -> ColumnElement[float]:
    """Haversine metres from the tip (p_lat, p_lon) to an indexed one, as geo.haversine_m."""
    lat, lon = bindparam("p_lat", type_=Float), bindparam("p_lon", type_=Float)
    p1, p2 = func.radians(lat), func.radians(_E.c.lat)
    two = _number(2)
    h = func.power(func.sin((p2 - p1) / two), two) + func.cos(p1) * func.cos(p2) * func.power(
        func.sin(func.radians(_E.c.lon - lon) / two), two
    )
    return _number(2 * EARTH_RADIUS_M) * func.asin(func.least(_number(1), func.sqrt(h)))


def _best_only(
    kind: str, where: ColumnElement[bool], *partition: str, near: bool = False
) -> Select[Any]:
    """A lookup branch cut to the rows that can be the closest in time per partition; only the
    rows kept are joined to their clusters."""
    key = _I.c.key if kind == "sharing" else None
    rows = _branch(kind, where, full=False, key=key, clusters=False)
    if near:
        rows = rows.add_columns(_distance_sql().label("d"))
    inner = rows.subquery()
    split: list[Any] = [inner.c[name] for name in partition]
    if near:
        split.append(inner.c.d < _number(_SURE_M))
    gap = func.abs(func.extract("epoch", inner.c.received_at - _AT))
    rank = func.rank().over(partition_by=split, order_by=gap).label("r")
    ranked = select(inner, rank).subquery()
    kept = [c for c in ranked.c if c.key not in ("r", "d")]
    first = ranked.c.r == literal_column("1")
    if near:
        # Past the edge by a metre: out, whatever the decision's own measure says.
        inside = ranked.c.d <= _number(_EDGE_M + 1.0)
        first = and_(inside, or_(ranked.c.d >= _number(_SURE_M), first))
    clusters = [_C.c.size.label("c_size"), _C.c.merged_into.label("c_into")]
    joined = ranked.join(_C, _C.c.id == ranked.c.cluster_id)
    return select(*kept, *clusters).select_from(joined).where(first)


@lru_cache(maxsize=8)
def _prefetch_sql(near: bool, place: bool, sharing: bool) -> str:
    """A prefetch shape as PostgreSQL text with named parameters, its IN lists as = ANY."""
    optional = (
        (_best_only("near", _NEAR_WHERE, "cluster_id", near=True), near),
        (_best_only("place", _PLACE_WHERE, "cluster_id"), place),
        (_best_only("sharing", _SHARING_WHERE, "cluster_id", "ident"), sharing),
    )
    statement = union_all(_FETCH_SELF, _FETCH_FINGERPRINT, *(b for b, wanted in optional if wanted))
    compiled = statement.compile(dialect=psycopg_dialect())
    sql = _EXPANDING.sub(r"= ANY(%(\1)s)", compiled.string)
    if "POSTCOMPILE" in sql:
        raise RuntimeError("a prefetch IN list was not rewritten as an array")
    return sql


def _prefetch_rows(session: Session, shape: tuple[bool, bool, bool], params: dict[str, Any]) -> Any:
    """The prefetch's rows: through psycopg's cursor on PostgreSQL, SQLAlchemy on SQLite."""
    driver = driver_of(session)
    if driver is None:
        return session.execute(_prefetch_statement(*shape), params)
    with driver.cursor(row_factory=namedtuple_row) as cursor:
        cursor.execute(_prefetch_sql(*shape), params)
        return _in_utc(cursor.fetchall())


def _in_utc(rows: list[Any]) -> list[Any]:
    # As the column type does for SQLAlchemy: times in UTC whatever the session's time zone.
    return [row._replace(received_at=row.received_at.astimezone(UTC)) for row in rows]


def _prefetch(session: Session, keys: DedupKeys) -> _Prefetched:
    """Run every lookup `corroborate` will make for this tip as one UNION ALL statement."""
    asked = lookups(keys)
    rows = _prefetch_rows(session, _shape(asked), _prefetch_params(keys, asked))
    return _answers(keys.tip_id, asked, rows, {})


def _shape(asked: Lookups) -> tuple[bool, bool, bool]:
    return (asked.near is not None, asked.place is not None, asked.sharing is not None)


def _answers(
    tip_id: str, asked: Lookups, rows: Any, clusters: dict[int, tuple[int, int | None]]
) -> _Prefetched:
    """A tip's prefetched rows sorted into its answers; each row's cluster goes into `clusters`."""
    found = _Prefetched(tip_id, asked, {}, [], [], [], [], clusters)
    for row in rows:
        found.clusters[row.cluster_id] = (row.c_size, row.c_into)
        if row.kind in ("self", "fingerprint"):
            entry = _entry(row)
            found.entries[entry.tip_id] = entry
            if row.kind == "fingerprint":
                found.fingerprint.append(entry)
        elif row.kind == "near":
            found.near.append(_candidate(row))
        elif row.kind == "place":
            found.place.append(_candidate(row))
        else:
            found.sharing.append((row.ident, _candidate(row)))
    return found


def _prefetch_batch(
    session: Session, batch: Sequence[DedupKeys]
) -> tuple[dict[str, _Prefetched], dict[int, tuple[int, int | None]]]:
    """Every lookup of a batch's tips, read before any of them is decided; the answers share one
    record of the clusters their rows name."""
    asked = {keys.tip_id: lookups(keys) for keys in batch}
    rows: dict[str, list[Any]] = {}
    driver = driver_of(session)
    if driver is None:
        for keys in batch:
            mine = asked[keys.tip_id]
            rows[keys.tip_id] = list(
                _prefetch_rows(session, _shape(mine), _prefetch_params(keys, mine))
            )
    else:
        _prefetch_together(session, driver, batch, asked, rows)
    clusters: dict[int, tuple[int, int | None]] = {}
    answers = {
        keys.tip_id: _answers(keys.tip_id, asked[keys.tip_id], rows[keys.tip_id], clusters)
        for keys in batch
    }
    return answers, clusters


def _prefetch_together(
    session: Session,
    driver: psycopg.Connection[Any],
    batch: Sequence[DedupKeys],
    asked: dict[str, Lookups],
    rows: dict[str, list[Any]],
) -> None:
    """On PostgreSQL: the tips of each shape as one executemany, all shapes in one pipeline."""
    shapes: dict[tuple[bool, bool, bool], list[DedupKeys]] = {}
    for keys in batch:
        shapes.setdefault(_shape(asked[keys.tip_id]), []).append(keys)
    sent = []
    with pipelined(session):
        for shape, group in shapes.items():
            cursor = driver.cursor(row_factory=namedtuple_row)
            params = [_prefetch_params(keys, asked[keys.tip_id]) for keys in group]
            cursor.executemany(_prefetch_sql(*shape), params, returning=True)
            sent.append((cursor, group))
    # Each tip's rows are one result set, in the order the tips were sent.
    for cursor, group in sent:
        with cursor:
            for n, keys in enumerate(group):
                if n:
                    cursor.nextset()
                rows[keys.tip_id] = _in_utc(cursor.fetchall())


class ClusterNumbers:
    """Numbers for new clusters drawn from PostgreSQL's sequence a block at a time.

    A new cluster's row can then go out with the tip's other writes instead of costing a round
    trip of its own. Drawn under the dedup lock, blocks rise in the order clusters are created;
    numbers a transaction leaves unused are skipped, never reused.
    """

    def __init__(self, session: Session, *, block: int) -> None:
        self.session = session
        self.block = max(1, block)
        self._left: list[int] = []

    def take(self) -> int:
        """The next unused number."""
        if not self._left:
            drawn = self.session.execute(_DRAW_NUMBERS, {"n": self.block}).scalars().all()
            self._left = sorted(drawn, reverse=True)
        return self._left.pop()


_DRAW_NUMBERS = text(
    "SELECT nextval(pg_get_serial_sequence('dedup_clusters', 'id')) FROM generate_series(1, :n)"
)


class SqlDedupIndex:
    """A DedupIndex over the caller's session; works inside its transaction and never commits.

    `locked=True` says the caller already holds the dedup lock in this transaction; `deferred`
    collects the writes instead of executing them (see __init__); with `numbers` as well, new
    clusters take their numbers from it and their rows are deferred too.
    """

    def __init__(
        self,
        session: Session,
        *,
        locked: bool = False,
        deferred: list[Any] | None = None,
        numbers: ClusterNumbers | None = None,
    ) -> None:
        self.session = session
        self.locked = locked
        # With a list, writes that return nothing are queued there for the caller to send
        # together; the decision never reads back what it writes.
        self.deferred = deferred
        self.numbers = numbers if deferred is not None else None
        self._ahead: _Prefetched | None = None
        # The distinct tips of clusters under the corroborated size that the last merge joined:
        # the only members a merge can lift out of the lowest grade (the others' grades already
        # count a corroborated cluster).
        self.merged_uncorroborated: list[str] = []
        # After read_ahead: each waiting tip's answers, the clusters they name (kept current as
        # the batch writes) and the batch's tips decided so far, which the answers cannot hold.
        self._batch: dict[str, _Prefetched] = {}
        self._clusters: dict[int, tuple[int, int | None]] | None = None
        self._recent: IndexedTips | None = None

    def _write(self, statement: Any, params: Any = None) -> None:
        if self.deferred is not None:
            self.deferred.append((statement, params))
        else:
            self.session.execute(statement, params)

    def read_ahead(self, batch: Sequence[DedupKeys]) -> None:
        """Answer every lookup these tips' decisions will make, in one exchange.

        For a caller holding the lock and deferring writes, deciding the tips next in this
        order: each then also sees the batch's tips decided before it, from memory, so nothing
        is read again for them (a merge reads the clusters it joins).
        """
        if not (self.locked and self.deferred is not None):
            raise RuntimeError("read_ahead needs the dedup lock held and writes deferred")
        self.session.flush()
        self._batch, self._clusters = _prefetch_batch(self.session, batch)
        self._recent = IndexedTips()

    # DedupIndex

    def corroborate(self, keys: DedupKeys) -> Corroboration:
        """Decide and record a tip; a second call for the same tip id changes nothing."""
        self.merged_uncorroborated = []
        ahead = self._batch.pop(keys.tip_id, None)
        if ahead is not None:
            self._ahead = ahead
            try:
                return corroborate(self, keys)
            finally:
                self._ahead = None
        if not self.locked:
            lock_for_dedup(self.session)
        # Every lookup the decision will make, answered by one query under the lock; writes
        # still queued (the previous tip's) go out ahead of it in the same pipeline, so it sees
        # them without waiting for their replies first.
        self.session.flush()
        with pipelined(self.session):
            if self.deferred:
                send_index_writes(self.session, self.deferred)
            self._ahead = _prefetch(self.session, keys)
        try:
            return corroborate(self, keys)
        finally:
            self._ahead = None

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
        if self._recent is not None and tip_id in self._recent.entries:
            return self._recent.entries[tip_id]
        ahead = self._ahead
        if ahead is not None and (tip_id in ahead.entries or tip_id == ahead.tip_id):
            return ahead.entries.get(tip_id)
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
        ahead = self._ahead
        if ahead is not None and ahead.asked.fingerprint == (fingerprint, since, until):
            if self._recent is None:
                return list(ahead.fingerprint)
            return [*ahead.fingerprint, *self._recent.same_fingerprint(fingerprint, since, until)]
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
        ahead = self._ahead
        if ahead is not None and ahead.asked.near == (tuple(cells), box, family, since, until):
            if self._recent is None:
                return list(ahead.near)
            return [*ahead.near, *self._recent.near(cells, family, since, until)]
        rows = self.session.execute(
            select(*_CANDIDATE_COLUMNS).where(_near_where(list(cells), box, family, since, until))
        )
        return [_candidate(r) for r in rows]

    def at_place(
        self, place: str, family: Family, since: datetime, until: datetime
    ) -> list[Candidate]:
        ahead = self._ahead
        if ahead is not None and ahead.asked.place == (place, family, since, until):
            if self._recent is None:
                return list(ahead.place)
            return [*ahead.place, *self._recent.at_place(place, family, since, until)]
        rows = self.session.execute(
            select(*_CANDIDATE_COLUMNS).where(_place_where(place, family, since, until))
        )
        return [_candidate(r) for r in rows]

    def sharing(
        self, keys: Sequence[str], since: datetime, until: datetime
    ) -> list[tuple[str, Candidate]]:
        ahead = self._ahead
        if ahead is not None and ahead.asked.sharing == (tuple(keys), since, until):
            if self._recent is None:
                return list(ahead.sharing)
            return [*ahead.sharing, *self._recent.sharing(keys, since, until)]
        rows = self.session.execute(
            select(_I.c.key, *_CANDIDATE_COLUMNS)
            .join(_E, _E.c.tip_id == _I.c.tip_id)
            .where(_sharing_where(list(keys), since, until))
        )
        return [(r.key, _candidate(r)) for r in rows]

    def resolve(self, cluster: str) -> str:
        number = cluster_number(cluster)
        seen = {number}
        while True:
            merged_into = self._cluster(number, cluster)[1]
            if merged_into is None or merged_into in seen:
                return cluster_id(number)
            number = merged_into
            seen.add(number)

    def size(self, cluster: str) -> int:
        return self._cluster(cluster_number(cluster), cluster)[0]

    def _cluster(self, number: int, name: str) -> tuple[int, int | None]:
        """A cluster's (size, merged_into): as this index knows it now, else from the database."""
        known = self._clusters
        if known is None and self._ahead is not None:
            known = self._ahead.clusters
        if known is not None and number in known:
            return known[number]
        row = self.session.execute(
            select(_C.c.size, _C.c.merged_into).where(_C.c.id == number)
        ).first()
        if row is None:
            raise KeyError(name)
        if self._clusters is not None:
            # Every cluster a batch writes to passes through here or new_cluster first, so the
            # record holds it from then on and later reads see the batch's unsent writes.
            self._clusters[number] = (row.size, row.merged_into)
        return row.size, row.merged_into

    def new_cluster(self) -> str:
        if self.numbers is not None:
            number = self.numbers.take()
            self._write(_NEW_NUMBERED_CLUSTER, {"id": number, "size": 0})
        else:
            number = self.session.execute(_NEW_CLUSTER).scalar_one()
        if self._ahead is not None:
            self._ahead.clusters[number] = (0, None)
        return cluster_id(number)

    def merge(self, keep: str, absorbed: Sequence[str]) -> None:
        keep_n = cluster_number(keep)
        gone = [cluster_number(c) for c in absorbed]
        if self._recent is not None and self.deferred:
            # The clusters' rows are read below: the batch's writes so far go out first.
            with pipelined(self.session):
                send_index_writes(self.session, self.deferred)
        found = self.session.execute(
            select(_C.c.id, _C.c.size, _C.c.first_seen, _C.c.last_seen, _E.c.tip_id)
            .outerjoin(
                _E,
                and_(
                    _E.c.cluster_id == _C.c.id,
                    _C.c.size < CORROBORATED_CLUSTER,
                    _E.c.duplicate_of.is_(None),
                ),
            )
            .where(_C.c.id.in_([keep_n, *gone]))
        ).all()
        self.merged_uncorroborated = [r.tip_id for r in found if r.tip_id is not None]
        rows = list({r.id: r for r in found}.values())
        size = sum(r.size for r in rows)
        firsts = [r.first_seen for r in rows if r.first_seen is not None]
        lasts = [r.last_seen for r in rows if r.last_seen is not None]
        self._write(
            update(_C)
            .where(_C.c.id == keep_n)
            .values(
                size=size,
                first_seen=min(firsts) if firsts else None,
                last_seen=max(lasts) if lasts else None,
            )
        )
        # Only the members and merge pointers of the absorbed clusters change.
        self._write(update(_E).where(_E.c.cluster_id.in_(gone)).values(cluster_id=keep_n))
        self._write(update(_C).where(_C.c.merged_into.in_(gone)).values(merged_into=keep_n))
        self._write(update(_C).where(_C.c.id.in_(gone)).values(merged_into=keep_n, size=0))
        if self._ahead is not None:
            known = self._ahead.clusters
            known[keep_n] = (size, None)
            for number, (_, into) in list(known.items()):
                if number in gone or into in gone:
                    known[number] = (0 if number in gone else known[number][0], keep_n)

    def add(self, entry: Entry, identifiers: Sequence[str], links: Sequence[Link]) -> None:
        number = cluster_number(entry.cluster)
        row = {
            "tip_id": entry.tip_id,
            "received_at": entry.received_at,
            "fingerprint": entry.fingerprint,
            "family": entry.family,
            "ward_code": entry.ward_code,
            "lat": entry.lat,
            "lon": entry.lon,
            "cell": entry.cell,
            "place": entry.place,
            "location_key": entry.location_key,
            "cluster_id": number,
            "duplicate_of": entry.duplicate_of,
            "duplicate_count": 0,
            "decided_cluster_id": cluster_number(entry.decided_cluster),
            "decided_size": entry.decided_size,
        }
        self._write(_ADD_ENTRY, [row])
        if self._recent is not None:
            self._recent.add(entry, identifiers)
            if entry.duplicate_of in self._recent.entries:
                self._recent.entries[entry.duplicate_of].duplicate_count += 1
        if entry.duplicate_of is None and identifiers:
            self._write(
                _ADD_IDENTIFIER,
                [
                    {"key": k, "tip_id": entry.tip_id, "received_at": entry.received_at}
                    for k in identifiers
                ],
            )
        if links:
            self._write(
                _ADD_LINK,
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
        grows = entry.duplicate_of is None
        self._write(
            _GROW_CLUSTER,
            {
                "b_cluster": number,
                "b_grows": 1 if grows else 0,
                "b_first": entry.received_at,
                "b_last": entry.received_at,
            },
        )
        if self._ahead is not None and number in self._ahead.clusters:
            size, into = self._ahead.clusters[number]
            self._ahead.clusters[number] = (size + (1 if grows else 0), into)
        if entry.duplicate_of is not None:
            self._write(_COUNT_DUPLICATE, {"b_tip": entry.duplicate_of})


# Writes built once: rows go in as parameters, so each execution reuses the compiled statement.
# Inserts fetch nothing back (no new keys), so a deferred list of rows can go out one at a time.
_ADD_ENTRY = insert(_E).inline()
_ADD_IDENTIFIER = insert(_I).inline()
_ADD_LINK = insert(_L).inline()
_NEW_CLUSTER = insert(_C).values(size=0).returning(_C.c.id)
_NEW_NUMBERED_CLUSTER = insert(_C).inline()
_FIRST = bindparam("b_first", type_=_C.c.first_seen.type)
_LAST = bindparam("b_last", type_=_C.c.last_seen.type)
# One statement: the new size and seen-times are worked out from the row being updated.
_GROW_CLUSTER = (
    update(_C)
    .where(_C.c.id == bindparam("b_cluster"))
    .values(
        size=_C.c.size + bindparam("b_grows"),
        first_seen=case(
            (or_(_C.c.first_seen.is_(None), _C.c.first_seen > _FIRST), _FIRST),
            else_=_C.c.first_seen,
        ),
        last_seen=case(
            (or_(_C.c.last_seen.is_(None), _C.c.last_seen < _LAST), _LAST),
            else_=_C.c.last_seen,
        ),
    )
)
_COUNT_DUPLICATE = (
    update(_E)
    .where(_E.c.tip_id == bindparam("b_tip"))
    .values(duplicate_count=_E.c.duplicate_count + 1)
)
# Once in this order (rows before the updates that find them), these writes commute with one
# another, so a batch's can go out as one executemany per statement.
_GROUPED = (
    _NEW_NUMBERED_CLUSTER,
    _ADD_ENTRY,
    _ADD_IDENTIFIER,
    _ADD_LINK,
    _GROW_CLUSTER,
    _COUNT_DUPLICATE,
)
_RANK = {id(statement): n for n, statement in enumerate(_GROUPED)}


def _grown_once(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Growths of the same cluster as one: a batch's tips often join the same busy cluster."""
    by_cluster: dict[int, dict[str, Any]] = {}
    for row in rows:
        held = by_cluster.get(row["b_cluster"])
        if held is None:
            by_cluster[row["b_cluster"]] = dict(row)
            continue
        held["b_grows"] += row["b_grows"]
        held["b_first"] = min(held["b_first"], row["b_first"])
        held["b_last"] = max(held["b_last"], row["b_last"])
    return list(by_cluster.values())


def send_index_writes(session: Session, writes: list[tuple[Any, Any]]) -> None:
    """Send queued index writes, one executemany per statement, then forget them.

    Any other statement (a merge's) goes out in its place, after everything queued before it.
    """
    groups: dict[int, list[Any]] = {}

    def send_groups() -> None:
        for n in sorted(groups):
            rows = groups[n]
            if _GROUPED[n] is _GROW_CLUSTER:
                rows = _grown_once(rows)
            session.execute(_GROUPED[n], rows)
        groups.clear()

    for statement, params in writes:
        n = _RANK.get(id(statement))
        if n is None:
            send_groups()
            session.execute(statement, params)
        else:
            groups.setdefault(n, []).extend(rows_of(params))
    send_groups()
    writes.clear()


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
