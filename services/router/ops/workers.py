"""Worker health: who answers a ping now, and when each worker last answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from celery import Celery

from shared.logs import get_logger

log = get_logger(__name__)
SEEN_KEY = "tipline:ops:workers_seen"
# Forget workers not heard from in a week, so renamed or retired hosts drop off the page.
FORGET_AFTER_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class WorkerHealth:
    name: str
    answering: bool
    last_seen: datetime | None


def ping_workers(app: Celery, timeout: float = 1.0) -> list[str] | None:
    """Names of workers answering a broadcast ping; None if the broker cannot be reached."""
    try:
        replies = app.control.inspect(timeout=timeout).ping() or {}
    except Exception as exc:  # broker down: say so rather than fail the page
        log.warning("worker_ping_failed", error=type(exc).__name__)
        return None
    return sorted(replies)


def worker_health(
    app: Celery, client: redis.Redis, *, now: datetime | None = None
) -> tuple[list[WorkerHealth], bool]:
    """Every worker seen recently, whether it answers now; and whether the ping could be sent."""
    now = now or datetime.now(UTC)
    answering = ping_workers(app)
    seen: dict[str, float] = {}
    try:
        if answering:
            client.hset(SEEN_KEY, mapping=dict.fromkeys(answering, now.timestamp()))
        stored: dict[bytes, bytes] = client.hgetall(SEEN_KEY)  # type: ignore[assignment]
        seen = {key.decode(): float(value) for key, value in stored.items()}
        stale = [name for name, at in seen.items() if now.timestamp() - at > FORGET_AFTER_SECONDS]
        if stale:
            client.hdel(SEEN_KEY, *stale)
    except redis.RedisError as exc:
        log.warning("worker_seen_unavailable", error=type(exc).__name__)
    names = sorted(set(seen) | set(answering or []))
    workers = [
        WorkerHealth(
            name=name,
            answering=name in (answering or []),
            last_seen=datetime.fromtimestamp(seen[name], UTC) if name in seen else None,
        )
        for name in names
        if now.timestamp() - seen.get(name, now.timestamp()) <= FORGET_AFTER_SECONDS
    ]
    return workers, answering is not None
