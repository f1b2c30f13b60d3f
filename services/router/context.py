"""What a router process holds for its lifetime: settings, database, loaded pipeline, publisher."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shared.config import Settings, get_settings
from shared.domain.pipeline import Pipeline
from shared.messaging import Publisher, make_celery
from shared.store.db import make_engine, make_session_factory


@dataclass
class RouterContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    pipeline: Pipeline
    publisher: Publisher

    @classmethod
    def build(cls, settings: Settings) -> RouterContext:
        """Load the data and rules (failing loudly on a bad file) and create clients lazily."""
        engine = make_engine(settings.database_url)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            pipeline=Pipeline.load(data_dir=settings.data_dir, rules_dir=settings.rules_dir),
            publisher=Publisher(make_celery(settings, name="tipline-router-publisher")),
        )


_lock = threading.Lock()
_current: RouterContext | None = None


def router_context(settings: Settings | None = None) -> RouterContext:
    """The process-wide router context, built on first use from `settings` or the environment."""
    global _current
    with _lock:
        if _current is None or (settings is not None and _current.settings is not settings):
            _current = RouterContext.build(settings or get_settings())
        return _current


def reset_router_context() -> None:
    """In a worker pool process after the fork: keep the loaded pipeline, open fresh connections.

    The pool does not ping on checkout (a round trip per task): processing a tip retries once
    on a fresh connection when a pooled one turns out dead, and other tasks retry by policy.
    """
    with _lock:
        if _current is not None:
            _current.engine.dispose(close=False)
            _current.engine = make_engine(_current.settings.database_url, pool_pre_ping=False)
            _current.sessions = make_session_factory(_current.engine)
