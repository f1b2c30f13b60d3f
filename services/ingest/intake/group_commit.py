"""Storing tips from concurrent requests together: one statement and one commit for many tips.

Each request still gets its answer only after its own tip is committed; requests that arrive
while a commit is under way are stored by the next one. A quiet service commits each tip on its
own without waiting; a busy one shares each commit (and its flush to disk) between many tips.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import psycopg
from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.exc import DBAPIError, IntegrityError

from shared.forking import ThreadPerProcess
from shared.logs import get_logger
from shared.store.models import Tip

log = get_logger(__name__)
_TIPS = cast(Table, Tip.__table__)
_INSERT = insert(_TIPS)
MAX_ROWS = 100


def _is_conflict(exc: IntegrityError) -> bool:
    """A unique key was taken (reference, or API key and Idempotency-Key), not another rule."""
    return isinstance(exc.orig, psycopg.errors.UniqueViolation) or "UNIQUE constraint" in str(
        exc.orig
    )


def _insert_all(engine: Engine, rows: Sequence[dict[str, Any]]) -> None:
    # A plain INSERT, so SQLAlchemy compiles it once and caches it (an ON CONFLICT clause is
    # compiled afresh every time). On PostgreSQL it runs in autocommit mode: one statement is
    # its own transaction, and it returns only once the commit is flushed.
    if engine.dialect.name != "postgresql":
        with engine.begin() as conn:
            conn.execute(_INSERT, list(rows))
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        try:
            conn.execute(_INSERT, list(rows))
        except IntegrityError:
            if len(rows) > 1:
                # A failed executemany leaves psycopg's record of prepared statements out of
                # step with the server, so this connection is not reused.
                conn.invalidate()
            raise


def insert_rows(engine: Engine, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert and commit tip rows together, skipping rows that conflict; the ids stored.

    A row conflicts when its reference or its (API key, Idempotency-Key) pair is taken; the
    caller decides what that means. Conflicts are rare, so the rows go in one statement and
    only a conflict makes them go one by one.
    """
    try:
        _insert_all(engine, rows)
        return {row["id"] for row in rows}
    except IntegrityError as exc:
        if not _is_conflict(exc):
            raise
    if len(rows) == 1:
        return set()
    stored: set[str] = set()
    for row in rows:
        stored |= insert_rows(engine, [row])
    return stored


def insert_durably(engine: Engine, rows: Sequence[dict[str, Any]]) -> set[str]:
    """`insert_rows`, once more on a fresh connection if a pooled one turned out to be dead."""
    try:
        return insert_rows(engine, rows)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    # Pooled connections are not pinged before use. The first attempt may have committed before
    # the connection dropped: its rows now conflict on their own ids, so look those up.
    log.warning("database_reconnect")
    stored = insert_rows(engine, rows)
    others = [row["id"] for row in rows if row["id"] not in stored]
    if others:
        with engine.connect() as conn:
            stored |= set(conn.execute(select(_TIPS.c.id).where(_TIPS.c.id.in_(others))).scalars())
    return stored


@dataclass
class _Waiting:
    row: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    stored: bool = False
    error: BaseException | None = None


class GroupCommit(ThreadPerProcess):
    """Commits the tip rows of concurrent requests together, from one thread per process."""

    thread_name = "tipline-commit"

    def __init__(self, engine: Engine, *, on_stored: Callable[[list[str]], None]) -> None:
        self.engine = engine
        self.on_stored = on_stored
        super().__init__()

    def _clear(self) -> None:
        self._waiting: list[_Waiting] = []

    def insert(self, row: dict[str, Any]) -> bool:
        """Store one tip row; True once committed, False if it conflicts with a stored row.

        Raises what the database raised (for example when it is unreachable).
        """
        waiting = _Waiting(row)
        with self._cond:
            self._start_if_stopped()
            self._waiting.append(waiting)
            self._cond.notify()
        waiting.done.wait()
        if waiting.error is not None:
            raise waiting.error
        return waiting.stored

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._waiting:
                    self._cond.wait()
                group, self._waiting = self._waiting[:MAX_ROWS], self._waiting[MAX_ROWS:]
            self._commit(group)

    def _commit(self, group: list[_Waiting]) -> None:
        stored: set[str] = set()
        try:
            try:
                stored = insert_durably(self.engine, [w.row for w in group])
            except IntegrityError:
                if len(group) == 1:
                    raise
                # A row broke a rule other than the conflicts skipped above: store the others
                # one by one, so only the request whose row it was hears about it.
                for waiting in group:
                    self._commit([waiting])
                return
            for waiting in group:
                waiting.stored = waiting.row["id"] in stored
        except BaseException as exc:  # every waiting request hears the error; the thread lives on
            for waiting in group:
                waiting.error = exc
        finally:
            for waiting in group:
                waiting.done.set()
        if stored:
            try:
                self.on_stored([w.row["id"] for w in group if w.row["id"] in stored])
            except Exception as exc:  # the tips are stored; the sweep publishes them
                log.error("on_stored_failed", tips=len(stored), error=type(exc).__name__)
