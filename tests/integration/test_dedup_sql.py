"""The SQL dedup index on SQLite and PostgreSQL: same answers as in memory, safe under concurrency."""

from __future__ import annotations

import math
import multiprocessing
import os
import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import Engine, Table, create_engine, event, func, select, text
from sqlalchemy.orm import Session

from shared.domain.dedup import DedupKeys, InMemoryIndex, keys_for
from shared.domain.dedup.geo import M_PER_DEG
from shared.domain.model import Category, Corroboration, Location, TipFacts, Vehicle
from shared.store.dedup import DedupCluster, DedupEntry, DedupIdentifier, DedupLink
from shared.store.dedup_index import (
    ClusterNumbers,
    SqlDedupIndex,
    cluster_summary,
    lock_for_dedup,
    send_index_writes,
)
from shared.store.pipelining import pipelined

pytestmark = pytest.mark.integration

PG_BASE_URL = os.environ.get(
    "TIPLINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TABLES = [cast(Table, m.__table__) for m in (DedupCluster, DedupEntry, DedupIdentifier, DedupLink)]
SECRET = b"integration-secret"
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LAT, LON = 52.2206, 0.1480


# Engines


def sqlite_engine(path: Path) -> Engine:
    """A SQLite engine set up as Tipline runs it: WAL, and BEGIN IMMEDIATE for every transaction."""
    engine = create_engine(f"sqlite+pysqlite:///{path}", connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return sqlite_engine(Path(url.split("///", 1)[1]))
    return create_engine(url)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A scratch PostgreSQL database for this run, dropped afterwards."""
    try:
        admin = create_engine(
            PG_BASE_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means no server here
        pytest.skip(f"PostgreSQL unreachable at {PG_BASE_URL}: {exc.__class__.__name__}")
    name = f"tipline_dedup_test_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty dedup schema on each backend."""
    if request.param == "sqlite":
        url = f"sqlite+pysqlite:///{tmp_path / 'dedup.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    with engine.begin() as conn:
        for table in reversed(TABLES):
            table.drop(conn, checkfirst=True)
        for table in TABLES:
            table.create(conn)
    engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def index_sql(engine: Engine, keys: DedupKeys) -> Corroboration:
    """Decide one tip in its own transaction, as a worker does."""
    with Session(engine) as session, session.begin():
        lock_for_dedup(session)
        return SqlDedupIndex(session).corroborate(keys)


# Tips


def make_keys(
    tip_id: str,
    *,
    at: datetime,
    desc: str,
    north_m: float = 0.0,
    east_m: float = 0.0,
    ward: str | None = "E05013055",
    category: Category = "street_dealing",
    place: str | None = None,
    phones: tuple[str, ...] = (),
    regs: tuple[str, ...] = (),
    point: bool = True,
    location_text: str | None = None,
) -> DedupKeys:
    lat = LAT + north_m / M_PER_DEG
    lon = LON + east_m / (M_PER_DEG * math.cos(math.radians(LAT)))
    facts = TipFacts(
        description=desc,
        received_at=at,
        location_text=location_text,
        phone_numbers=phones,
        vehicles=tuple(Vehicle(registration=r) for r in regs),
    )
    location = Location(
        "latlon" if point else "none",
        ward_code=ward,
        lat=lat if point else None,
        lon=lon if point else None,
        place=place,
    )
    return keys_for(tip_id, facts, location, category, secret=SECRET)


def generated_history(n: int, seed: int) -> list[DedupKeys]:
    """A busy few weeks in a small area: repeats, replays, shared numbers and named places."""
    rng = random.Random(seed)
    categories: list[Category] = [
        "street_dealing",
        "county_lines",
        "cultivation",
        "drug_use",
        "other",
    ]
    history = []
    clock = T0
    for i in range(n):
        clock += timedelta(minutes=rng.randint(0, 240))
        at = clock - timedelta(hours=rng.randint(0, 72)) if rng.random() < 0.15 else clock
        point = rng.random() < 0.8
        ward = rng.choice(["E05013055", "E05013050", None])
        history.append(
            make_keys(
                f"t{i:04d}",
                at=at,
                desc=rng.choice(["Dealing by the shops", "dealing BY the shops!", "Cars stop"])
                + ("" if rng.random() < 0.6 else f" {rng.randint(0, 50)}"),
                north_m=rng.uniform(-1500, 1500),
                east_m=rng.uniform(-1500, 1500),
                ward=ward if point or rng.random() < 0.5 else None,
                category=rng.choice(categories),
                place=rng.choice([None, None, None, "street:green end road", "park:arbury"]),
                phones=rng.choice([(), (), (), ("07700 900123",), ("07700 900456",)]),
                regs=rng.choice([(), (), (), ("AB12 CDE",)]),
                point=point,
                location_text=rng.choice(["Arbury Court", "the rec", None]),
            )
        )
    return history


# Same answers as in memory


def index_sql_batch(engine: Engine, batch: list[DedupKeys]) -> list[Corroboration]:
    """Decide tips in one transaction as a worker decides a batch: every lookup read ahead,
    the writes deferred and sent at the end."""
    with Session(engine) as session, session.begin():
        lock_for_dedup(session)
        writes: list[tuple[Any, Any]] = []
        # One number at a time, so clusters are numbered as in memory.
        postgres = engine.dialect.name == "postgresql"
        numbers = ClusterNumbers(session, block=1) if postgres else None
        index = SqlDedupIndex(session, locked=True, deferred=writes, numbers=numbers)
        index.read_ahead(batch)
        outcomes = [index.corroborate(keys) for keys in batch]
        with pipelined(session):
            send_index_writes(session, writes)
        return outcomes


def test_sql_index_gives_the_same_answers_as_in_memory(engine: Engine) -> None:
    history = generated_history(300, seed=7)
    memory = InMemoryIndex()
    for keys in history:
        assert index_sql(engine, keys) == memory.corroborate(keys), keys.tip_id
    outcomes = {k.tip_id: memory.corroborate(k) for k in history}
    assert sum(o.duplicate_of is not None for o in outcomes.values()) > 10
    assert sum(len(o.reasons) > 1 for o in outcomes.values()) > 10
    assert any(r.rule == "cluster.merge" for o in outcomes.values() for r in o.reasons)
    assert_same_index(engine, memory, history, outcomes)


def test_a_batch_read_ahead_gives_the_same_answers_as_in_memory(engine: Engine) -> None:
    """Tips decided in batches see the batch's earlier tips (duplicates, links, merges)."""
    history = generated_history(300, seed=7)
    rng = random.Random(3)
    memory = InMemoryIndex()
    outcomes: dict[str, Corroboration] = {}
    within = 0
    start = 0
    while start < len(history):
        batch = history[start : start + rng.randint(1, 40)]
        start += len(batch)
        ids = {keys.tip_id for keys in batch}
        for keys, outcome in zip(batch, index_sql_batch(engine, batch), strict=True):
            assert outcome == memory.corroborate(keys), keys.tip_id
            outcomes[keys.tip_id] = outcome
            cited = {e for r in outcome.reasons for e in r.evidence}
            within += bool(ids & (cited | {outcome.duplicate_of}) - {keys.tip_id})
    assert within > 20
    merged = [o for o in outcomes.values() if any(r.rule == "cluster.merge" for r in o.reasons)]
    assert merged
    assert_same_index(engine, memory, history, outcomes)


def assert_same_index(
    engine: Engine,
    memory: InMemoryIndex,
    history: list[DedupKeys],
    outcomes: dict[str, Corroboration],
) -> None:
    """The SQL index holds what the memory one does: clusters, sizes, members, seen-times."""
    with Session(engine) as session:
        sql = SqlDedupIndex(session)
        for keys in history:
            cluster = memory.cluster_of(keys.tip_id)
            assert sql.cluster_of(keys.tip_id) == cluster
            assert sql.cluster_size(outcomes[keys.tip_id].cluster or "") == memory.cluster_size(
                cluster or ""
            )
        for state in memory.clusters():
            if state.merged_into is not None:
                continue
            summary = cluster_summary(session, state.id)
            assert summary["size"] == state.size
            assert (summary["first_seen"], summary["last_seen"]) == (
                state.first_seen,
                state.last_seen,
            )
            assert {m["tip_id"] for m in summary["members"]} == set(state.members)


def test_indexing_again_returns_the_stored_outcome_and_writes_nothing(engine: Engine) -> None:
    history = generated_history(60, seed=11)
    first = [index_sql(engine, k) for k in history]

    def counts() -> tuple[int, ...]:
        with Session(engine) as session:
            return tuple(
                session.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES
            )

    before = counts()
    assert [index_sql(engine, k) for k in history] == first
    assert counts() == before


def test_nothing_is_kept_when_the_callers_transaction_rolls_back(engine: Engine) -> None:
    keys = make_keys("a", at=T0, desc="Dealing by the shops")
    with Session(engine) as session:
        session.begin()
        lock_for_dedup(session)
        assert SqlDedupIndex(session).corroborate(keys).cluster_size == 1
        session.rollback()
    with Session(engine) as session:
        assert SqlDedupIndex(session).cluster_of("a") is None


def test_at_a_busy_spot_the_closest_in_time_wins_and_the_radius_edge_is_measured_exactly(
    engine: Engine,
) -> None:
    """PostgreSQL sends back only the tips that can win per cluster, and every tip within a
    metre of the radius's edge: the answer is the one every tip would give."""
    hour = timedelta(hours=1)
    earlier = [
        make_keys("a", at=T0, desc="Dealing 1", north_m=50),
        make_keys("b", at=T0 + 4 * hour, desc="Dealing 2", north_m=150),
        make_keys("c", at=T0 + 8 * hour, desc="Dealing 3", north_m=249.5),  # just inside
        # Inside the lookup's bounding box, but 250.45 m away: just outside the radius.
        make_keys("d", at=T0 + 9 * hour, desc="Dealing 4", north_m=177.1, east_m=177.1),
    ]
    memory = InMemoryIndex()
    for keys in earlier:
        assert index_sql(engine, keys) == memory.corroborate(keys)
    assert len({memory.cluster_of(k.tip_id) for k in earlier}) == 1
    new = make_keys("n", at=T0 + 10 * hour, desc="Dealing 6")
    outcome = index_sql(engine, new)
    assert outcome == memory.corroborate(new)
    # d is closer in time but just outside the radius; c, just inside, is the closest left.
    assert [r.evidence for r in outcome.reasons] == [("c", "249 m")]


def test_cluster_summary_for_the_queue(engine: Engine) -> None:
    tips = [
        make_keys("a", at=T0, desc="Dealing at the north end", phones=("07700 900123",)),
        make_keys("b", at=T0 + timedelta(hours=1), desc="Dealing at the south end", north_m=400),
        make_keys("b2", at=T0 + timedelta(hours=2), desc="dealing at the SOUTH end", north_m=410),
        make_keys("m", at=T0 + timedelta(days=1), desc="Dealing in the middle", north_m=200),
    ]
    outcomes = [index_sql(engine, k) for k in tips]
    assert outcomes[-1].cluster == "c1" and outcomes[-1].cluster_size == 3
    with Session(engine) as session:
        # The absorbed cluster's id leads to the cluster it joined.
        summary = cluster_summary(session, "c2")
        with pytest.raises(KeyError):
            cluster_summary(session, "c99")
    assert summary["id"] == "c1" and summary["size"] == 3
    assert summary["first_seen"] == T0 and summary["last_seen"] == T0 + timedelta(days=1)
    members = {m["tip_id"]: m for m in summary["members"]}
    assert list(members) == ["a", "b", "b2", "m"]
    assert members["b2"]["duplicate_of"] == "b"
    assert members["b2"]["links"][0]["rule"] == "dedup.exact"
    assert [link["rule"] for link in members["m"]["links"]] == [
        "cluster.near",
        "cluster.near",
        "cluster.merge",
    ]
    assert members["m"]["received_at"] == T0 + timedelta(days=1)
    with Session(engine) as session:
        stored = session.get(DedupEntry, "b")
        assert stored is not None and stored.duplicate_count == 1
        keys = session.execute(select(DedupIdentifier.key)).scalars().all()
        assert keys and all("7700900123" not in k for k in keys)


def test_sqlite_lookups_use_indexes_not_scans(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "plan.db")
    with engine.begin() as conn:
        for table in TABLES:
            table.create(conn)
    for keys in generated_history(40, seed=3):
        index_sql(engine, keys)
    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE")):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    for keys in generated_history(80, seed=4)[40:]:
        index_sql(engine, keys)
    event.remove(engine, "before_cursor_execute", record)
    assert len(statements) > 100
    with engine.connect() as conn:
        for statement, parameters in statements:
            plan = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            for row in plan:
                assert not row[-1].startswith("SCAN"), (statement, row[-1])
    engine.dispose()


# Concurrency


def _worker(url: str, tips: list[DedupKeys], barrier: Any, results: Any) -> None:
    """One worker process: its own engine, each tip at the barrier, one transaction per tip."""
    engine = make_engine(url)
    try:
        for keys in tips:
            barrier.wait(timeout=60)
            results.put((keys.tip_id, index_sql(engine, keys)))
    finally:
        engine.dispose()


def _round(r: int, who: str) -> DedupKeys:
    """Even rounds: both processes get the same tip text; odd: different tips 100 m apart."""
    exact = r % 2 == 0
    return make_keys(
        f"{who}{r}",
        at=T0 + timedelta(seconds=1 if who == "b" else 0),
        desc=f"Round {r}: dealing by the shops" if exact else f"Round {r}: seen by {who}",
        north_m=r * 3000 + (100 if who == "b" and not exact else 0),
        ward=f"W{r:03d}",
        category="street_dealing",
    )


def test_two_processes_agree_on_one_original_and_one_cluster(db_url: str) -> None:
    rounds = 16
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(
            target=_worker,
            args=(db_url, [_round(r, who) for r in range(rounds)], barrier, results),
        )
        for who in ("a", "b")
    ]
    for p in procs:
        p.start()
    outcomes: dict[str, Corroboration] = dict(results.get(timeout=120) for _ in range(2 * rounds))
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    for r in range(rounds):
        a, b = outcomes[f"a{r}"], outcomes[f"b{r}"]
        assert a.cluster == b.cluster
        assert sorted([a.cluster_size, b.cluster_size]) == [1, 1 if r % 2 == 0 else 2]
        if r % 2 == 0:
            assert {a.duplicate_of, b.duplicate_of} in ({None, f"a{r}"}, {None, f"b{r}"})
        else:
            assert a.duplicate_of is None and b.duplicate_of is None
    engine = make_engine(db_url)
    with Session(engine) as session:
        sql = SqlDedupIndex(session)
        for r in range(rounds):
            assert sql.cluster_of(f"a{r}") == sql.cluster_of(f"b{r}")
            assert sql.cluster_size(sql.cluster_of(f"a{r}") or "") == (1 if r % 2 == 0 else 2)
    engine.dispose()
