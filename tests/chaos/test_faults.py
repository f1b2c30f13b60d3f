"""Fault injection while tips flow: every accepted reference must be routed exactly once.

`make chaos` runs this with TIPLINE_CHAOS_TIPS=2000; `make test` runs a shorter form.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import select

from shared.store.db import make_engine, make_session_factory
from shared.store.models import Tip
from tests.chaos.audit import assert_clean, audit
from tests.chaos.load import Load
from tests.support import pgcluster
from tests.support.procs import RedisServer, wait_until
from tests.support.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.chaos]
TIPS = int(os.environ.get("TIPLINE_CHAOS_TIPS", "100"))


def settle(database_url: str, timeout: float = 300) -> None:
    """Wait until no tip is still waiting to be processed."""
    sessions = make_session_factory(make_engine(database_url))

    def done() -> bool:
        with sessions() as db:
            return db.scalar(select(Tip.id).where(Tip.status == "received").limit(1)) is None

    wait_until(done, timeout=timeout, interval=1)


def finish(stack: Stack, load: Load, name: str) -> dict:
    load.join()
    assert len(load.accepted) == TIPS
    settle(stack.database_url)
    report = audit(stack.database_url, load.accepted)
    report.update(fault=name, refused=load.refused, connection_errors=load.errors)
    print(json.dumps(report))
    assert_clean(report)
    return report


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def chaos_stack(database_url: str, redis: RedisServer, workdir: Path) -> Stack:
    stack = Stack(database_url=database_url, redis_url=redis.url, workdir=workdir).prepare()
    return stack.start("ingest", "api", "worker-1", "worker-2", "scheduler")


def test_kill_9_workers_mid_batch(
    database_url: str, own_redis: RedisServer, tmp_path: Path
) -> None:
    stack = chaos_stack(database_url, own_redis, tmp_path)
    try:
        load = Load(stack.ingest, stack.api_key, TIPS).start()
        for victim, at in (("worker-1", TIPS // 4), ("worker-2", TIPS // 2)):
            load.wait_accepted(at)
            stack.services[victim].stop(signal.SIGKILL)
            time.sleep(1)
            stack.start(victim)
        finish(stack, load, "kill -9 worker")
    finally:
        stack.stop()


@pytest.mark.parametrize("keep_data", [True, False], ids=["redis-restart", "redis-lost-data"])
def test_redis_restart(database_url: str, tmp_path: Path, keep_data: bool) -> None:
    redis = RedisServer(tmp_path / "redis")
    redis.start()
    stack = chaos_stack(database_url, redis, tmp_path)
    try:
        load = Load(stack.ingest, stack.api_key, TIPS).start()
        load.wait_accepted(TIPS // 3)
        redis.stop()
        if not keep_data:
            shutil.rmtree(redis.workdir, ignore_errors=True)
        time.sleep(2)
        redis.start()
        report = finish(stack, load, "redis restart" if keep_data else "redis lost its data")
        assert report["accepted"] == TIPS
    finally:
        stack.stop()
        redis.stop()


@pytest.mark.skipif(not pgcluster.available(), reason="initdb/pg_ctl not installed")
def test_database_stop_and_restart(own_redis: RedisServer, tmp_path: Path) -> None:
    cluster = pgcluster.PgCluster().init().start()
    with psycopg.connect(cluster.url.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute("CREATE DATABASE tipline")
    url = cluster.url.rsplit("/", 1)[0] + "/tipline"
    stack = chaos_stack(url, own_redis, tmp_path)
    try:
        load = Load(stack.ingest, stack.api_key, TIPS).start()
        load.wait_accepted(TIPS // 3)
        cluster.stop()
        time.sleep(4)
        cluster.start()
        report = finish(stack, load, "database stop and restart")
        assert report["refused"].get(503, 0) > 0, (
            "intake should answer 503 while the database is down"
        )
    finally:
        stack.stop()
        cluster.destroy()
