"""The benchmark's own database (a fresh PostgreSQL database or SQLite file) and its read-outs."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, update

from shared.store.db import make_engine, make_session_factory
from shared.store.models import Decision, QueueItem, Tip

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_reachable(admin_url: str = PG_ADMIN_URL) -> bool:
    """True when the PostgreSQL server answers."""
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=3):
            return True
    except Exception:
        return False


def create(kind: str, workdir: Path, admin_url: str = PG_ADMIN_URL) -> str:
    """A new empty database of `kind` (postgres or sqlite); returns its SQLAlchemy URL."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'tipline.db'}"
    import psycopg

    name = f"tipline_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def drop(url: str, admin_url: str = PG_ADMIN_URL) -> None:
    """Drop a PostgreSQL database made by `create` (a SQLite file goes with its directory)."""
    if not url.startswith("postgresql"):
        return
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Readout:
    """Counts and timestamps the benchmark needs, read from the system of record."""

    def __init__(self, url: str) -> None:
        self.engine: Engine = make_engine(url)
        self.sessions = make_session_factory(self.engine)

    def decided(self) -> int:
        """Tips decided so far (routed or linked as duplicates)."""
        with self.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Decision)) or 0)

    def waiting(self) -> int:
        """Tips stored but not yet decided."""
        with self.sessions() as session:
            query = select(func.count()).select_from(Tip).where(Tip.status == "received")
            return int(session.scalar(query) or 0)

    def routed_at(self, references: Iterable[str]) -> dict[str, datetime]:
        """When each tip's first queue item was written (duplicates: their decision time)."""
        refs = list(references)
        found: dict[str, datetime] = {}
        with self.sessions() as session:
            for i in range(0, len(refs), 500):
                chunk = refs[i : i + 500]
                rows = session.execute(
                    select(Tip.reference, func.min(QueueItem.created_at))
                    .join(QueueItem, QueueItem.tip_id == Tip.id)
                    .where(Tip.reference.in_(chunk))
                    .group_by(Tip.reference)
                )
                found.update({ref: at for ref, at in rows})
                rows = session.execute(
                    select(Tip.reference, Decision.decided_at)
                    .join(Decision, Decision.tip_id == Tip.id)
                    .where(Tip.reference.in_(chunk), Tip.status == "duplicate")
                )
                found.update({ref: at for ref, at in rows})
        return {ref: at if at.tzinfo else at.replace(tzinfo=UTC) for ref, at in found.items()}

    def set_aside_waiting(self) -> int:
        """Mark undecided tips failed so later phases and the sweep leave them alone."""
        with self.sessions() as session, session.begin():
            done = session.execute(
                update(Tip).where(Tip.status == "received").values(status="failed")
            )
            return int(done.rowcount or 0)

    def close(self) -> None:
        self.engine.dispose()
