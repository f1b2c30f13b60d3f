"""Alembic environment: the URL comes from Tipline's settings unless the caller passes one."""

from __future__ import annotations

from alembic import context

import shared.store.dedup  # noqa: F401  (registers the dedup index tables)
import shared.store.models  # noqa: F401  (registers the tables)
from shared.config import get_settings
from shared.store.base import Base
from shared.store.db import make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_offline() -> None:
    context.configure(
        url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
