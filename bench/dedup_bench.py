"""Benchmark: the dedup decision's cost per new tip with 1,000 and with 100,000 tips stored.

Tips are spread uniformly over Cambridge and over 60 days. The stored tips are decided once in
memory (so their clusters are what the rules would make), then bulk-inserted into SQLite (a file
in a temporary directory) or, with --postgres URL, into a scratch schema on that server that is
dropped afterwards. New tips arrive at the end of the 60 days; each is decided in a transaction
that is rolled back, so every new tip meets the same stored index, and the two indexes are
measured in alternating rounds so background load does not favour either. Prints JSON.

    .venv/bin/python bench/dedup_bench.py [--postgres postgresql+psycopg://postgres@host/db]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, create_engine, event, insert, text
from sqlalchemy.orm import Session

from shared.domain.dedup import DedupKeys, InMemoryIndex, keys_for
from shared.domain.dedup.store import cluster_number
from shared.domain.model import Category, Location, TipFacts, Vehicle
from shared.store.dedup import DedupCluster, DedupEntry, DedupIdentifier, DedupLink
from shared.store.dedup_index import SqlDedupIndex, lock_for_dedup

SECRET = b"bench-secret"
START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=60)
# Cambridge city, roughly: Chesterton and King's Hedges in the north to Queen Edith's in the south.
LAT_RANGE = (52.165, 52.235)
LON_RANGE = (0.070, 0.190)
WARDS = [f"E050130{n}" for n in range(45, 59)]
CATEGORIES: list[Category] = ["street_dealing", "county_lines", "cultivation", "drug_use", "other"]
CATEGORY_WEIGHTS = [40, 10, 5, 30, 15]
TABLES = [cast(Table, m.__table__) for m in (DedupCluster, DedupEntry, DedupIdentifier, DedupLink)]
CLUSTERS, ENTRIES, IDENTIFIERS, LINKS = TABLES
_BATCH = 5000


def tips(n: int, rng: random.Random, *, since: datetime, span: timedelta) -> Iterator[DedupKeys]:
    """n tips in time order, spread over the city; some share numbers, cars and named places."""
    times = sorted(since + span * rng.random() for _ in range(n))
    phones = max(10, n // 20)
    for i, at in enumerate(times):
        lat = rng.uniform(*LAT_RANGE)
        lon = rng.uniform(*LON_RANGE)
        facts = TipFacts(
            description=f"Tip {uuid.UUID(int=rng.getrandbits(128))} about dealing",
            received_at=at,
            phone_numbers=(f"07700 {rng.randrange(phones):06d}",) if rng.random() < 0.1 else (),
            vehicles=(Vehicle(registration=f"AB{rng.randrange(phones):05d}"),)
            if rng.random() < 0.05
            else (),
        )
        location = Location(
            "latlon",
            ward_code=rng.choice(WARDS),
            lat=lat,
            lon=lon,
            place=f"street:road {rng.randrange(200)}" if rng.random() < 0.2 else None,
        )
        category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        yield keys_for(f"{since:%j}-{i:06d}", facts, location, category, secret=SECRET)


def make_engine(postgres: str | None, workdir: Path) -> tuple[Engine, str | None]:
    """A SQLite file engine (BEGIN IMMEDIATE, WAL), or PostgreSQL confined to a scratch schema."""
    if postgres is None:
        engine = create_engine(f"sqlite+pysqlite:///{workdir / f'dedup-{uuid.uuid4().hex}.db'}")

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

        @event.listens_for(engine, "begin")
        def _begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine, None
    schema = f"tipline_dedup_bench_{uuid.uuid4().hex[:8]}"
    with create_engine(postgres, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(postgres, connect_args={"options": f"-csearch_path={schema}"})
    return engine, schema


def fill(engine: Engine, stored: Sequence[DedupKeys]) -> None:
    """Decide the stored tips in memory, then bulk-insert the resulting index."""
    memory = InMemoryIndex()
    for keys in stored:
        memory.corroborate(keys)
    cells = {k.tip_id: k.cell for k in stored}
    clusters: list[dict[str, Any]] = [
        {
            "id": cluster_number(c.id),
            "size": c.size,
            "first_seen": c.first_seen,
            "last_seen": c.last_seen,
            "merged_into": None if c.merged_into is None else cluster_number(c.merged_into),
        }
        for c in memory.clusters()
    ]
    entries: list[dict[str, Any]] = [
        {
            "tip_id": e.tip_id,
            "received_at": e.received_at,
            "fingerprint": e.fingerprint,
            "family": e.family,
            "ward_code": e.ward_code,
            "lat": e.lat,
            "lon": e.lon,
            "cell": cells[e.tip_id],
            "place": e.place,
            "location_key": e.location_key,
            "cluster_id": cluster_number(e.cluster),
            "duplicate_of": e.duplicate_of,
            "duplicate_count": e.duplicate_count,
            "decided_cluster_id": cluster_number(e.decided_cluster),
            "decided_size": e.decided_size,
        }
        for e in memory.entries()
    ]
    identifiers: list[dict[str, Any]] = [
        {"key": key, "tip_id": e.tip_id, "received_at": e.received_at}
        for e in memory.entries()
        for key in memory.identifiers_of(e.tip_id)
    ]
    links: list[dict[str, Any]] = [
        {
            "tip_id": e.tip_id,
            "position": i,
            "linked_tip_id": link.linked_tip_id,
            "rule": link.reason.rule,
            "detail": link.reason.detail,
            "evidence": list(link.reason.evidence),
        }
        for e in memory.entries()
        for i, link in enumerate(memory.links(e.tip_id))
    ]
    with engine.begin() as conn:
        for table in TABLES:
            table.create(conn)
        # Merge pointers refer to later clusters too: insert them once every cluster exists.
        for table, rows in ((CLUSTERS, clusters), (ENTRIES, entries)):
            for i in range(0, len(rows), _BATCH):
                chunk = rows[i : i + _BATCH]
                if table is CLUSTERS:
                    chunk = [{**r, "merged_into": None} for r in chunk]
                conn.execute(insert(table), chunk)
        for table, rows in ((IDENTIFIERS, identifiers), (LINKS, links)):
            for i in range(0, len(rows), _BATCH):
                conn.execute(insert(table), rows[i : i + _BATCH])
        merged = [r for r in clusters if r["merged_into"] is not None]
        for row in merged:
            conn.execute(
                CLUSTERS.update()
                .where(CLUSTERS.c.id == row["id"])
                .values(merged_into=row["merged_into"])
            )
        if engine.dialect.name == "postgresql":
            # Rows inserted directly: move the id sequence past them, and refresh statistics.
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence('dedup_clusters', 'id'), :n)"),
                {"n": max(r["id"] for r in clusters)},
            )
            conn.execute(text("ANALYZE"))
        else:
            conn.execute(text("ANALYZE"))


def measure(engine: Engine, new: Sequence[DedupKeys]) -> list[float]:
    """Seconds per dedup decision for each new tip, each in a transaction that is rolled back."""
    costs = []
    for keys in new:
        with Session(engine) as session:
            session.begin()
            lock_for_dedup(session)
            started = time.perf_counter()
            SqlDedupIndex(session).corroborate(keys)
            costs.append(time.perf_counter() - started)
            session.rollback()
    return costs


def prepare(size: int, postgres: str | None, workdir: Path, seed: int) -> dict[str, Any]:
    """An index holding size stored tips, ready to measure."""
    stored = list(tips(size, random.Random(seed), since=START, span=SPAN))
    engine, schema = make_engine(postgres, workdir)
    began = time.perf_counter()
    fill(engine, stored)
    if postgres is not None:
        # As autovacuum would have by now: visibility map set, so index-only scans stay so.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in TABLES:
                conn.execute(text(f"VACUUM ANALYZE {table.name}"))
    return {
        "stored": size,
        "engine": engine,
        "schema": schema,
        "fill_seconds": round(time.perf_counter() - began, 1),
        "costs": [],
    }


def dispose(index: dict[str, Any], postgres: str | None) -> None:
    """Close an index's engine and drop its PostgreSQL schema."""
    index["engine"].dispose()
    if postgres is not None and index["schema"] is not None:
        with create_engine(postgres, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{index["schema"]}" CASCADE'))


def summary(index: dict[str, Any]) -> dict[str, Any]:
    """The figures for one index."""
    costs = index["costs"]
    return {
        "stored": index["stored"],
        "mean_ms": round(statistics.fmean(costs) * 1000, 3),
        "median_ms": round(statistics.median(costs) * 1000, 3),
        "p95_ms": round(statistics.quantiles(costs, n=20)[-1] * 1000, 3),
        "fill_seconds": index["fill_seconds"],
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print JSON; exit status 1 if the ratio misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL URL instead of SQLite")
    parser.add_argument("--small", type=int, default=1_000, help="stored tips, small index")
    parser.add_argument("--large", type=int, default=100_000, help="stored tips, large index")
    parser.add_argument("--new", type=int, default=600, help="new tips measured per index")
    parser.add_argument("--rounds", type=int, default=6, help="alternating measuring rounds")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--target", type=float, default=1.5, help="largest acceptable ratio")
    args = parser.parse_args(argv)
    new = list(
        tips(args.new, random.Random(args.seed + 1), since=START + SPAN, span=timedelta(hours=6))
    )
    indexes: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="tipline-dedup-bench-") as tmp:
        try:
            for size in (args.small, args.large):
                indexes.append(prepare(size, args.postgres, Path(tmp), args.seed))
            for index in indexes:
                measure(index["engine"], new[:20])  # warm caches and connections
            # Measure in alternating rounds so background load falls on both indexes alike.
            for r in range(args.rounds):
                for index in indexes if r % 2 == 0 else reversed(indexes):
                    index["costs"].extend(measure(index["engine"], new[r :: args.rounds]))
            small, large = (summary(index) for index in indexes)
        finally:
            for index in indexes:
                dispose(index, args.postgres)
    ratio = large["mean_ms"] / small["mean_ms"]
    report = {
        "backend": "postgresql" if args.postgres else "sqlite",
        "new_tips_measured": args.new,
        "small": small,
        "large": large,
        "ratio": round(ratio, 3),
        "target": args.target,
        "within_target": ratio <= args.target,
    }
    print(json.dumps(report, indent=2))
    return 0 if ratio <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
