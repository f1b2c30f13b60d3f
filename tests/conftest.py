"""Shared fixtures: a private Redis, fresh SQLite and PostgreSQL databases, a running stack."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.procs import RedisServer
from tests.support.stack import Stack

PG_ADMIN_URL = os.environ.get(
    "TIPLINE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except Exception:
        return False


POSTGRES = _postgres_reachable()


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"postgresql: {'reachable at ' + PG_ADMIN_URL if POSTGRES else 'NOT reachable: its tests are skipped'}"
    ]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def new_postgres_database() -> str:
    """Create an empty database for one test and return its SQLAlchemy URL."""
    import psycopg

    name = f"tipline_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def drop_postgres_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tipline.db'}"
        return
    if not POSTGRES:
        pytest.skip(f"PostgreSQL is not reachable at {PG_ADMIN_URL}")
    url = new_postgres_database()
    yield url
    drop_postgres_database(url)


@pytest.fixture
def stack(database_url: str, redis_server: RedisServer, tmp_path: Path) -> Iterator[Stack]:
    import redis

    redis.Redis.from_url(redis_server.url).flushall()
    running = Stack(
        database_url=database_url, redis_url=redis_server.url, workdir=tmp_path
    ).prepare()
    yield running
    running.stop()
    failed = [name for name, service in running.services.items() if "Traceback" in service.log()]
    if failed:
        for name in failed:
            print(f"----- {name} log -----\n{running.services[name].log()[-4000:]}")
