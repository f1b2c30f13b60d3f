"""Batching on real servers: group commit at intake, batch publishing, block rate limits, batch
decisions and the split of a failing batch into single-tip tasks."""

from __future__ import annotations

import base64
import json
import os
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
from prometheus_client import REGISTRY
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

import services.router.context as router_context_module
from services.ingest.intake.group_commit import GroupCommit, insert_rows
from services.ingest.intake.service import store_tip
from services.ingest.ratelimit import RateLimiter
from services.router.context import RouterContext, router_context
from services.router.pipeline.process import process_tips
from services.router.tasks.process import process_tip_task, process_tips_task
from shared.config import Settings
from shared.messaging import (
    BATCH_MAX,
    QUEUE_TIPS,
    TASK_PROCESS_TIP,
    TASK_PROCESS_TIPS,
    Publisher,
    make_celery,
)
from shared.publish_queue import PublishQueue
from shared.references import new_reference
from shared.schemas.submission import TipSubmission
from shared.secrets_store import contact_cipher
from shared.store.db import make_engine, make_session_factory
from shared.store.migrate import upgrade
from shared.store.models import ApiKey, AuditEvent, Decision, QueueItem, Tip
from tests.conftest import drop_postgres_database, new_postgres_database
from tests.support.procs import RedisServer, free_port

pytestmark = pytest.mark.integration
WHERE = {"postcode": "CB4 2JQ"}  # Arbury: cambridge-north


# ----- helpers -------------------------------------------------------------------------------


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database, and an engine configured as the intake configures it."""
    upgrade(database_url)
    made = make_engine(database_url, pool_pre_ping=False)
    yield made
    made.dispose()


@pytest.fixture
def broker(redis_server: RedisServer) -> redis.Redis:
    client = redis.Redis.from_url(redis_server.url)
    client.flushall()
    return client


def tip_row(**overrides: Any) -> dict[str, Any]:
    """A tip row as the intake builds it."""
    now = datetime.now(UTC)
    row: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "reference": new_reference(),
        "channel": "api",
        "status": "received",
        "received_at": now,
        "submission": {"description": "Dealing by the shops every evening", "location": WHERE},
        "anonymous": True,
        "contact_encrypted": None,
        "api_key_id": None,
        "idempotency_key": None,
        "body_hash": None,
        "call_id": None,
        "published_at": now,
        "publish_attempts": 1,
    }
    return row | overrides


def stored_ids(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(Tip.id)).scalars())


def new_api_key(engine: Engine) -> int:
    with make_session_factory(engine)() as db, db.begin():
        key = ApiKey(
            name="phones",
            prefix="tlk_test",
            key_hash=uuid.uuid4().hex,
            created_at=datetime.now(UTC),
        )
        db.add(key)
        db.flush()
        return key.id


@contextmanager
def tips_write_locked(engine: Engine) -> Iterator[None]:
    """Hold the write lock on the tips table from another connection, so inserts queue up."""
    other = make_engine(str(engine.url.render_as_string(hide_password=False)))
    with other.connect() as conn:
        conn.begin()  # BEGIN IMMEDIATE on SQLite: the database's write lock
        if other.dialect.name == "postgresql":
            conn.execute(text("LOCK TABLE tips IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            conn.rollback()
    other.dispose()


class Recorder:
    """An `on_stored` callback that keeps every batch it was given."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self._lock = threading.Lock()

    def __call__(self, ids: list[str]) -> None:
        with self._lock:
            self.batches.append(list(ids))

    @property
    def ids(self) -> list[str]:
        return [tip_id for batch in self.batches for tip_id in batch]


def in_threads(calls: list[Any], *, hold: Engine | None = None) -> list[Any]:
    """Run the calls at once, each in its own thread; with `hold`, behind a held write lock."""
    barrier = threading.Barrier(len(calls))

    def run(call: Any) -> Any:
        barrier.wait()
        try:
            return call()
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        if hold is None:
            return list(pool.map(run, calls))
        with tips_write_locked(hold):
            futures = [pool.submit(run, call) for call in calls]
            time.sleep(0.5)  # every request is now waiting on the one blocked commit
        return [future.result(timeout=60) for future in futures]


# ----- a) group commit ------------------------------------------------------------------------


def test_concurrent_inserts_are_committed_together_each_once(engine: Engine) -> None:
    recorder = Recorder()
    writer = GroupCommit(engine, on_stored=recorder)
    reader = make_engine(engine.url.render_as_string(hide_password=False))
    rows = [tip_row() for _ in range(40)]

    def insert(row: dict[str, Any]) -> Any:
        def call() -> tuple[bool, int]:
            ok = writer.insert(row)
            # The answer comes only once the row is committed: another connection sees it.
            with reader.connect() as conn:
                seen = conn.scalar(select(func.count()).where(Tip.id == row["id"]))
            return ok, int(seen or 0)

        return call

    # Plain concurrency first, then with the commits held up so requests have to share one.
    results = in_threads([insert(row) for row in rows[:20]])
    results += in_threads([insert(row) for row in rows[20:]], hold=engine)
    reader.dispose()

    assert results == [(True, 1)] * 40
    ids = [row["id"] for row in rows]
    assert sorted(stored_ids(engine)) == sorted(ids)
    assert sorted(recorder.ids) == sorted(ids)  # each id reported once, after its commit
    assert max(len(batch) for batch in recorder.batches) > 1, recorder.batches
    assert len(recorder.batches) < 40


def test_a_row_that_conflicts_is_refused_and_stores_nothing(engine: Engine) -> None:
    recorder = Recorder()
    writer = GroupCommit(engine, on_stored=recorder)
    key = new_api_key(engine)
    first = tip_row(api_key_id=key, idempotency_key="call-1", body_hash="a" * 64)
    assert writer.insert(first) is True

    same_pair = tip_row(api_key_id=key, idempotency_key="call-1", body_hash="a" * 64)
    same_reference = tip_row(reference=first["reference"])
    assert writer.insert(same_pair) is False
    assert writer.insert(same_reference) is False

    # The same inside one committed group: two requests racing with one new key, an old key
    # again, and a good row. One of the racing pair wins; the others store nothing.
    racing = [tip_row(api_key_id=key, idempotency_key="call-2") for _ in range(2)]
    again = tip_row(api_key_id=key, idempotency_key="call-1")
    good = tip_row()
    plug = tip_row()
    grouped = [racing[0], racing[1], again, good]
    results = in_threads(
        [lambda: writer.insert(plug)] + [lambda r=row: writer.insert(r) for row in grouped],
        hold=engine,
    )
    assert results[0] is True
    assert sorted(results[1:3]) == [False, True]
    assert results[3:] == [False, True]
    winner = racing[results.index(True, 1, 3) - 1]
    expected = {first["id"], plug["id"], winner["id"], good["id"]}
    assert set(stored_ids(engine)) == expected
    assert sorted(recorder.ids) == sorted(expected)


def test_one_statement_stores_exactly_the_rows_that_do_not_conflict(engine: Engine) -> None:
    """A conflict in the middle of a group: the rows around it are stored and reported once."""
    key = new_api_key(engine)
    taken = tip_row(api_key_id=key, idempotency_key="call-9")
    assert insert_rows(engine, [taken]) == {taken["id"]}
    good = [tip_row() for _ in range(4)]
    reused_reference = tip_row(reference=taken["reference"])
    reused_pair = tip_row(api_key_id=key, idempotency_key="call-9")
    rows = [good[0], reused_reference, reused_pair, good[1], good[2], good[3]]
    assert insert_rows(engine, rows) == {row["id"] for row in good}
    assert set(stored_ids(engine)) == {taken["id"]} | {row["id"] for row in good}
    assert insert_rows(engine, [reused_pair, reused_reference]) == set()


def test_a_row_breaking_a_rule_fails_only_its_own_request(engine: Engine) -> None:
    recorder = Recorder()
    writer = GroupCommit(engine, on_stored=recorder)
    plug = tip_row()
    good = [tip_row() for _ in range(4)]
    bad = tip_row(api_key_id=987654)  # no such API key: a foreign key violation
    group = [good[0], good[1], bad, good[2], good[3]]
    results = in_threads(
        [lambda: writer.insert(plug)] + [lambda r=row: writer.insert(r) for row in group],
        hold=engine,
    )
    assert results[0] is True
    assert results[1:3] == [True, True] and results[4:] == [True, True]
    assert isinstance(results[3], IntegrityError)
    expected = {plug["id"]} | {row["id"] for row in good}
    assert set(stored_ids(engine)) == expected
    assert sorted(recorder.ids) == sorted(expected)


def test_a_database_error_reaches_the_caller_and_the_next_insert_works(engine: Engine) -> None:
    recorder = Recorder()
    writer = GroupCommit(engine, on_stored=recorder)
    assert writer.insert(tip_row()) is True
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE tips RENAME TO tips_away"))
    lost = tip_row()
    try:
        started = time.monotonic()
        with pytest.raises(DBAPIError):
            writer.insert(lost)
        assert time.monotonic() - started < 10
        assert lost["id"] not in recorder.ids
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE tips_away RENAME TO tips"))
    assert writer.insert(lost) is True
    later = tip_row()
    assert writer.insert(later) is True
    assert {lost["id"], later["id"]} <= set(stored_ids(engine))
    assert recorder.ids[-2:] == [lost["id"], later["id"]]


def test_a_dead_pooled_connection_is_replaced_without_failing_the_request(
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("only a server database drops pooled connections")
    recorder = Recorder()
    writer = GroupCommit(engine, on_stored=recorder)
    assert writer.insert(tip_row()) is True
    with engine.connect() as conn:  # the pool's one connection: terminate every other one
        conn.execute(text("SELECT 1"))
    admin = make_engine(engine.url.render_as_string(hide_password=False))
    with admin.connect() as conn:
        killed = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    admin.dispose()
    assert killed and killed >= 1
    row = tip_row()
    assert writer.insert(row) is True
    assert row["id"] in stored_ids(engine) and recorder.ids[-1] == row["id"]


def test_after_a_fork_the_child_commits_with_its_own_thread(engine: Engine) -> None:
    recorder = Recorder()
    writer = GroupCommit(engine, on_stored=recorder)
    assert writer.insert(tip_row()) is True
    child_row = tip_row()
    # Fork while another thread of the parent holds the writer's lock, as its commit thread
    # does at times: the child inherits a lock that no thread of its own will ever release.
    holding, release = threading.Event(), threading.Event()

    def hold_lock() -> None:
        with writer._cond:
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    holding.wait(10)
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status only
        code = 1
        try:
            writer.engine.dispose(close=False)  # the parent's connections are not ours
            done: list[bool] = []
            inserter = threading.Thread(target=lambda: done.append(writer.insert(child_row)))
            inserter.daemon = True
            inserter.start()
            inserter.join(15)
            code = 0 if done == [True] else 2
        finally:
            os._exit(code)
    release.set()
    holder.join()
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        finished, status = os.waitpid(pid, os.WNOHANG)
        if finished:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child never finished its insert")
    assert os.waitstatus_to_exitcode(status) == 0
    assert child_row["id"] in stored_ids(engine)
    # The parent's own thread still works.
    assert writer.insert(tip_row()) is True


# ----- b) publish queue -----------------------------------------------------------------------


def tip_messages(client: redis.Redis) -> list[tuple[str, list[Any]]]:
    """(task name, args) of every message waiting in the tips queue, oldest first."""
    messages = []
    for raw in reversed(client.lrange(QUEUE_TIPS, 0, -1)):
        message = json.loads(raw)
        body = message["body"]
        if message["properties"].get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        messages.append((message["headers"]["task"], args))
    return messages


def settings_for(redis_url: str, database_url: str = "sqlite:///unused.db") -> Settings:
    return Settings(database_url=database_url, redis_url=redis_url)


class HeldPublisher(Publisher):
    """The real publisher, whose first publish waits until the test lets it go."""

    def __init__(self, redis_url: str) -> None:
        super().__init__(make_celery(settings_for(redis_url)))
        self.go = threading.Event()
        self.calls: list[int] = []

    def publish_tips(self, tip_ids: list[str]) -> list[str]:
        self.calls.append(len(tip_ids))
        self.go.wait(10)
        return super().publish_tips(tip_ids)


def failures() -> float:
    return REGISTRY.get_sample_value("tipline_publish_failures_total") or 0.0


def test_published_ids_gather_into_batch_messages(
    redis_server: RedisServer, broker: redis.Redis
) -> None:
    ids = [uuid.uuid4().hex for _ in range(120)]
    publisher = HeldPublisher(redis_server.url)
    outbox = PublishQueue(publisher)
    before = failures()
    started = time.monotonic()
    outbox.submit(ids[:1])
    while not publisher.calls and time.monotonic() - started < 5:
        time.sleep(0.01)  # the thread is now publishing the first id (and held there)
    for tip_id in ids[1:]:  # one request each, while the broker is busy
        outbox.submit([tip_id])
    assert time.monotonic() - started < 2  # never waits for the broker
    publisher.go.set()
    assert outbox.flush(10) is True

    messages = tip_messages(broker)
    assert {task for task, _ in messages} == {TASK_PROCESS_TIPS}
    batches = [args[0] for _, args in messages]
    assert Counter(tip_id for batch in batches for tip_id in batch) == Counter(ids)
    assert len(messages) < 120
    assert max(len(batch) for batch in batches) <= BATCH_MAX
    assert publisher.calls == [1, 119]  # what gathered while busy went out together
    assert [len(batch) for batch in batches] == [1, 50, 50, 19]
    assert failures() == before

    # Ids submitted together go out in as few messages as the batch size allows.
    broker.delete(QUEUE_TIPS)
    more = [uuid.uuid4().hex for _ in range(120)]
    outbox.submit(more)
    assert outbox.flush(10) is True
    batches = [args[0] for _, args in tip_messages(broker)]
    assert [len(batch) for batch in batches] == [50, 50, 20]
    assert [tip_id for batch in batches for tip_id in batch] == more


def test_a_dead_broker_is_counted_and_does_not_hold_anyone_up() -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    outbox = PublishQueue(Publisher(make_celery(settings_for(dead))))
    before = failures()
    started = time.monotonic()
    outbox.submit([uuid.uuid4().hex for _ in range(120)])
    submitted = time.monotonic() - started
    assert outbox.flush(15) is True
    assert submitted < 0.5 and time.monotonic() - started < 15
    assert failures() - before == 120
    # The thread lived on: the next ids are tried (and counted) too.
    outbox.submit(["f" * 32])
    assert outbox.flush(15) is True
    assert failures() - before == 121


# ----- c) rate limiter ------------------------------------------------------------------------


def fresh_window(window: int = 60) -> None:
    """Start near the beginning of a window, so a test's hits all fall in one."""
    if time.time() % window > window - 10:
        time.sleep(window - time.time() % window + 0.05)


def limiters(redis_url: str, count: int = 2) -> list[RateLimiter]:
    """Limiters as separate intake processes hold them: own client, same salt and Redis."""
    return [RateLimiter(redis.Redis.from_url(redis_url), salt=b"s" * 32) for _ in range(count)]


def test_two_processes_never_admit_more_than_the_limit(
    redis_server: RedisServer, broker: redis.Redis
) -> None:
    fresh_window()
    first, second = limiters(redis_server.url)
    broker.config_resetstat()
    rng = random.Random(3)
    admitted = {id(first): 0, id(second): 0}
    refused: set[int] = set()
    for _ in range(3000):  # far more than enough
        if len(refused) == 2:
            break
        limiter = rng.choice([first, second])  # interleaved unevenly
        if limiter.hit("api:key-1", limit=1000, window=60) is None:
            admitted[id(limiter)] += 1
            refused.discard(id(limiter))
        else:
            refused.add(id(limiter))
    block = 1000 // 200
    total = sum(admitted.values())
    assert 1000 - 2 * (block - 1) <= total <= 1000
    assert min(admitted.values()) > 0
    calls = broker.info("commandstats")
    round_trips = sum(v["calls"] for k, v in calls.items() if k.startswith("cmdstat_eval"))
    assert round_trips < 400  # hits are taken in blocks, not one round trip each

    # Both stay shut for the rest of the window, and say for how long.
    for limiter in (first, second):
        wait = limiter.hit("api:key-1", limit=1000, window=60)
        assert wait is not None and 1 <= wait <= 60
    # Another key has its own allowance.
    assert first.hit("api:key-2", limit=1000, window=60) is None


def test_request_threads_of_two_processes_never_admit_more_than_the_limit(
    redis_server: RedisServer, broker: redis.Redis
) -> None:
    fresh_window()
    pair = limiters(redis_server.url)

    # A limit that is no multiple of the block (5): the last block is granted in part.
    def hammer(limiter: RateLimiter) -> int:
        count = 0
        while limiter.hit("web:10.0.0.9", limit=1003, window=60) is None and count < 2000:
            count += 1
        return count

    with ThreadPoolExecutor(max_workers=8) as pool:
        total = sum(pool.map(hammer, [pair[n % 2] for n in range(8)]))
    assert 1003 - 2 * (1003 // 200 - 1) <= total <= 1003


def test_a_small_limit_is_exact_across_processes(
    redis_server: RedisServer, broker: redis.Redis
) -> None:
    fresh_window()
    first, second = limiters(redis_server.url)
    answers = [
        (first if n % 2 else second).hit("web:10.0.0.1", limit=5, window=60) for n in range(12)
    ]
    assert answers[:5] == [None] * 5
    assert all(wait is not None and 1 <= wait <= 60 for wait in answers[5:])


# ----- d) deciding a batch --------------------------------------------------------------------


@pytest.fixture
def router(database_url: str) -> Iterator[RouterContext]:
    upgrade(database_url)
    settings = Settings(database_url=database_url, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    ctx = RouterContext.build(settings)
    yield ctx
    ctx.engine.dispose()


ACTIVITIES = [
    "Lads dealing from a black car, engine running, quick swaps through the window",
    "Someone selling weed by the bins, people come and go every few minutes",
    "Hand to hand deals outside the flats most evenings",
    "Man on a bike dropping off small packages to people waiting on the corner",
    "Strong smell of cannabis from the flat above the launderette every night",
]


def store(ctx: RouterContext, description: str, where: dict[str, Any] = WHERE) -> str:
    body = {"description": description, "location": where}
    return store_tip(
        ctx.sessions,
        submission=TipSubmission.model_validate(body),
        channel="api",
        cipher=contact_cipher(ctx.settings),
    ).tip_id


def distinct(n: int) -> str:
    return f"{ACTIVITIES[n % len(ACTIVITIES)]} (report {n}, {uuid.uuid4().hex[:6]})"


def snapshot(ctx: RouterContext) -> dict[str, Any]:
    with ctx.sessions() as db:
        return {
            "tips": {
                t.id: (t.status, t.duplicate_of, t.duplicate_count) for t in db.scalars(select(Tip))
            },
            "decisions": Counter(db.scalars(select(Decision.tip_id))),
            "items": Counter((i.tip_id, i.destination) for i in db.scalars(select(QueueItem))),
            "audit": Counter(
                (e.tip_id, e.action)
                for e in db.scalars(select(AuditEvent).where(AuditEvent.tip_id.is_not(None)))
            ),
        }


def test_a_batch_is_decided_once_in_arrival_order(router: RouterContext) -> None:
    original_text = "Two lads selling weed from a silver car outside the shops, hand to hand"
    original = store(router, original_text)
    others = [store(router, distinct(n)) for n in range(3)]
    first_copy = store(router, original_text)
    others += [store(router, distinct(n)) for n in range(3, 6)]
    second_copy = store(router, original_text)
    ids = [original, *others, first_copy, second_copy]
    missing = uuid.uuid4().hex

    # Named newest first: the order of the message is not the order of arrival.
    outcomes = process_tips(router, [second_copy, missing, *reversed(ids), first_copy])
    assert outcomes == {
        **dict.fromkeys([original, *others], "routed"),
        first_copy: "duplicate",
        second_copy: "duplicate",
        missing: "missing",
    }
    state = snapshot(router)
    assert state["tips"][original] == ("routed", None, 2)
    assert state["tips"][first_copy][:2] == ("duplicate", original)
    assert state["tips"][second_copy][:2] == ("duplicate", original)
    assert all(state["tips"][tip_id][:2] == ("routed", None) for tip_id in others)
    assert state["decisions"] == Counter(ids)
    routed = [original, *others]
    assert {tip_id for tip_id, _ in state["items"]} == set(routed)
    assert set(state["items"].values()) == {1}
    assert all((tip_id, "cambridge-north") in state["items"] for tip_id in routed)
    assert state["audit"] == Counter(
        [(t, "routed") for t in routed]
        + [(t, "linked_duplicate") for t in (first_copy, second_copy)]
    )

    # Delivered again, in any order and in any company: nothing changes.
    assert process_tips(router, list(reversed(ids)), take_waiting=10) == dict.fromkeys(
        ids, "already_processed"
    )
    assert process_tips(router, [others[2]]) == {others[2]: "already_processed"}
    assert snapshot(router) == state


def test_dedup_reasons_cite_tips_by_reference(router: RouterContext) -> None:
    """A lead reads the reference of the tip a duplicate repeats, whether that tip was decided
    in an earlier batch or earlier in the same one."""
    text_a = "Three lads dealing from a blue hatchback behind the community centre, every night"
    text_b = "Woman selling pills from her front door, queue of people most afternoons"
    earlier = store(router, text_a)
    process_tips(router, [earlier])
    later_copy = store(router, text_a)
    first_b, second_b = store(router, text_b), store(router, text_b)
    assert process_tips(router, [later_copy, first_b, second_b]) == {
        later_copy: "duplicate",
        first_b: "routed",
        second_b: "duplicate",
    }
    with router.sessions() as db:
        references = dict(db.execute(select(Tip.id, Tip.reference)).tuples().all())
        decisions = {d.tip_id: d for d in db.scalars(select(Decision))}
    for duplicate, original in ((later_copy, earlier), (second_b, first_b)):
        cited = [
            e
            for r in decisions[duplicate].reasons
            if r["rule"].startswith("dedup.")
            for e in r["evidence"]
        ]
        assert references[original] in cited, cited
        assert original not in cited  # never the internal id


@contextmanager
def another_database(database_url: str) -> Iterator[str]:
    """A second empty database of the same kind."""
    if database_url.startswith("sqlite"):
        yield database_url.replace("tipline.db", "tipline-2.db")
        return
    url = new_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


def test_a_batch_is_decided_like_the_same_tips_one_at_a_time(database_url: str) -> None:
    """Each tip of a batch sees what the ones before it wrote: the outcomes of one by one."""
    texts = [distinct(n) for n in range(4)]
    texts += [texts[1], texts[3], texts[1]]
    results = []
    with another_database(database_url) as second_url:
        for url, batched in ((database_url, True), (second_url, False)):
            upgrade(url)
            settings = Settings(database_url=url, redis_url=f"redis://127.0.0.1:{free_port()}/0")
            ctx = RouterContext.build(settings)
            ids = [store(ctx, description) for description in texts]
            if batched:
                process_tips(ctx, list(reversed(ids)))
            else:
                for tip_id in ids:
                    process_tips(ctx, [tip_id])
            state = snapshot(ctx)
            with ctx.sessions() as db:
                decisions = {d.tip_id: d for d in db.scalars(select(Decision))}
            ctx.engine.dispose()
            position = {tip_id: n for n, tip_id in enumerate(ids)}
            results.append(
                [
                    (
                        status,
                        None if of is None else position[of],
                        count,
                        decisions[tip_id].priority,
                        decisions[tip_id].destinations,
                        decisions[tip_id].cluster_size,
                    )
                    for tip_id in ids
                    for status, of, count in [state["tips"][tip_id]]
                ]
            )
    assert results[0] == results[1]
    assert [row[:3] for row in results[0][4:]] == [
        ("duplicate", 1, 0),
        ("duplicate", 3, 0),
        ("duplicate", 1, 0),
    ]


def test_waiting_tips_are_taken_along_oldest_first(router: RouterContext) -> None:
    waiting = [store(router, distinct(n)) for n in range(4)]
    named = store(router, distinct(9))

    outcomes = process_tips(router, [named], take_waiting=2)
    assert outcomes == dict.fromkeys([named, waiting[0], waiting[1]], "routed")
    state = snapshot(router)
    assert [state["tips"][t][0] for t in waiting] == ["routed", "routed", "received", "received"]
    assert {t for t, _ in state["items"]} == {named, waiting[0], waiting[1]}

    outcomes = process_tips(router, [waiting[3]], take_waiting=10)
    assert outcomes == dict.fromkeys([waiting[3], waiting[2]], "routed")
    state = snapshot(router)
    assert {t for t, _ in state["items"]} == {named, *waiting}
    assert state["decisions"] == Counter([named, *waiting])

    # Their own messages arrive later and find them decided.
    assert process_tips(router, waiting[:3], take_waiting=10) == dict.fromkeys(
        waiting[:3], "already_processed"
    )
    assert snapshot(router) == state


def test_concurrent_batches_decide_every_tip_exactly_once(router: RouterContext) -> None:
    ids = [store(router, distinct(n)) for n in range(24)]
    ids += [store(router, distinct(0).split(" (")[0] + " (report 0, copy)") for _ in range(2)]
    slices = [ids[n : n + 8] for n in range(0, len(ids), 6)]  # overlapping, like redeliveries
    results = in_threads([lambda s=s: process_tips(router, s, take_waiting=6) for s in slices])
    assert not [r for r in results if isinstance(r, BaseException)], results
    decided = Counter(
        tip_id
        for outcome in results
        for tip_id, what in outcome.items()
        if what in ("routed", "duplicate")
    )
    assert decided == Counter(ids)
    state = snapshot(router)
    assert state["decisions"] == Counter(ids)
    assert all(status in ("routed", "duplicate") for status, _, _ in state["tips"].values())
    assert set(state["items"].values()) == {1}


def test_new_clusters_are_numbered_in_the_order_their_tips_arrived(router: RouterContext) -> None:
    """Clusters started in a batch are numbered by arrival, and a later batch's come after."""

    def pinned(n: int) -> str:
        # A kilometre apart on a grid over the city: each tip starts a cluster of its own.
        body = {
            "description": distinct(n),
            "location": {"lat": 52.19 + 0.01 * (n % 3), "lon": 0.10 + 0.012 * (n // 3)},
        }
        submission = TipSubmission.model_validate(body)
        cipher = contact_cipher(router.settings)
        return store_tip(
            router.sessions, submission=submission, channel="api", cipher=cipher
        ).tip_id

    first = [pinned(n) for n in range(6)]
    second = [pinned(n) for n in range(6, 9)]
    process_tips(router, list(reversed(first)))
    process_tips(router, second)
    with router.sessions() as db:
        clusters = dict(db.execute(select(Decision.tip_id, Decision.cluster_id)).tuples().all())
    numbers = [int(str(clusters[tip_id])[1:]) for tip_id in first + second]
    assert len(set(numbers)) == len(numbers)
    assert numbers == sorted(numbers)


def test_a_cluster_corroborated_within_one_batch_lifts_its_earlier_members(
    router: RouterContext,
) -> None:
    """The third tip of a batch raises the first two from P4, though all three are new."""
    ids = [
        store(router, "Strong smell of cannabis from people smoking on the benches"),
        store(router, "Group smoking weed by the benches again, the smell is awful"),
        store(router, "Cannabis smoke all evening from the lads on the benches"),
    ]
    assert process_tips(router, ids) == dict.fromkeys(ids, "routed")
    with router.sessions() as db:
        items = dict(db.execute(select(QueueItem.tip_id, QueueItem.priority)).tuples().all())
        decisions = {d.tip_id: d for d in db.scalars(select(Decision))}
        regraded = set(db.scalars(select(AuditEvent.tip_id).where(AuditEvent.action == "regraded")))
    assert items == dict.fromkeys(ids, "P3")
    assert [decisions[t].priority for t in ids] == ["P3", "P3", "P3"]
    assert decisions[ids[0]].reasons[-1]["rule"] == "priority.corroborated"
    assert regraded == {ids[0], ids[1]}


def test_a_merge_lifts_the_members_of_the_clusters_not_yet_corroborated(
    router: RouterContext,
) -> None:
    """A tip between a corroborated cluster and a lone P4 tip joins them: the lone tip is
    raised to P3; the corroborated cluster's members are not regraded again."""
    west, east = {"lat": 52.2300, "lon": 0.1200}, {"lat": 52.2300, "lon": 0.1265}  # ~440 m
    middle = {"lat": 52.2300, "lon": 0.12325}
    smoking = [
        "Strong smell of cannabis from people smoking on the benches",
        "Group smoking weed by the benches again, the smell is awful",
        "Cannabis smoke all evening from the lads on the benches",
    ]
    big = [store(router, text, where=west) for text in smoking]
    lone = store(router, "People smoking cannabis in the bus shelter every night", where=east)
    assert process_tips(router, [*big, lone]) == dict.fromkeys([*big, lone], "routed")
    joining = store(router, "Weed being smoked on the green between the two", where=middle)
    assert process_tips(router, [joining]) == {joining: "routed"}
    with router.sessions() as db:
        items = dict(db.execute(select(QueueItem.tip_id, QueueItem.priority)).tuples().all())
        clusters = {d.tip_id: d.cluster_id for d in db.scalars(select(Decision))}
        regraded = Counter(
            db.scalars(select(AuditEvent.tip_id).where(AuditEvent.action == "regraded"))
        )
    assert clusters[joining] == clusters[big[0]] != clusters[lone]  # the lone one joined later
    assert items == dict.fromkeys([*big, lone, joining], "P3")
    assert regraded == Counter({big[0]: 1, big[1]: 1, lone: 1})


# ----- e) a failing batch splits into single-tip tasks ----------------------------------------


@pytest.fixture
def task_context(
    database_url: str,
    redis_server: RedisServer,
    broker: redis.Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[RouterContext]:
    """The process-wide router context the tasks use, on this test's database and Redis."""
    upgrade(database_url)
    monkeypatch.setattr(router_context_module, "_current", None)
    ctx = router_context(Settings(database_url=database_url, redis_url=redis_server.url))
    yield ctx
    ctx.engine.dispose()


def poison(ctx: RouterContext, tip_id: str) -> None:
    """Take the description away: the pipeline cannot decide the tip (a KeyError)."""
    with ctx.sessions() as db, db.begin():
        tip = db.get(Tip, tip_id)
        assert tip is not None
        tip.submission = {"location": tip.submission["location"]}


def test_a_poison_tip_splits_its_batch_into_single_tasks(
    task_context: RouterContext, broker: redis.Redis
) -> None:
    ctx = task_context
    good = [store(ctx, distinct(n)) for n in range(3)]
    bad = store(ctx, distinct(7))
    poison(ctx, bad)
    batch = [good[0], bad, good[1], good[2]]

    assert process_tips_task.run(batch) == dict.fromkeys(batch, "split")
    assert sorted(tip_messages(broker)) == sorted((TASK_PROCESS_TIP, [t]) for t in batch)
    state = snapshot(ctx)
    assert all(status == "received" for status, _, _ in state["tips"].values())
    assert not state["decisions"]

    # The single tasks: the good tips are decided, the poison tip fails on its own.
    for tip_id in good:
        assert process_tip_task.run(tip_id) == "routed"
    with pytest.raises(KeyError):
        process_tip_task.run(bad)
    state = snapshot(ctx)
    assert [state["tips"][t][0] for t in [*good, bad]] == ["routed"] * 3 + ["received"]


def test_a_poison_tip_taken_along_splits_only_the_named_tips(
    task_context: RouterContext, broker: redis.Redis
) -> None:
    ctx = task_context
    bad = store(ctx, distinct(7))
    poison(ctx, bad)
    named = [store(ctx, distinct(n)) for n in range(2)]

    assert process_tips_task.run(named) == dict.fromkeys(named, "split")
    # The poison tip has a message of its own: it is not published again with the others.
    assert sorted(tip_messages(broker)) == sorted((TASK_PROCESS_TIP, [t]) for t in named)
    for tip_id in named:
        assert process_tip_task.run(tip_id) == "routed"


def test_a_batch_without_poison_is_decided_by_the_task(
    task_context: RouterContext, broker: redis.Redis
) -> None:
    ctx = task_context
    waiting = store(ctx, distinct(1))
    named = [store(ctx, distinct(n)) for n in range(2, 4)]
    assert process_tips_task.run(named) == dict.fromkeys([*named, waiting], "routed")
    assert tip_messages(broker) == []
