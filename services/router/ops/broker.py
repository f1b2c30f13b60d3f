"""How many messages wait in the broker's queues (Redis lists)."""

from __future__ import annotations

from functools import lru_cache

import redis

from shared.logs import get_logger
from shared.messaging import QUEUE_PERIODIC, QUEUE_RETRY, QUEUE_TIPS

log = get_logger(__name__)
BROKER_QUEUES = (QUEUE_TIPS, QUEUE_RETRY, QUEUE_PERIODIC)
# Celery's Redis transport keeps prioritised messages in sibling lists named with this separator.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


@lru_cache(maxsize=4)
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def redis_client(url: str) -> redis.Redis:
    """A shared client for quick reads from the broker's Redis."""
    return _client(url)


def queue_lengths(client: redis.Redis) -> dict[str, int | None]:
    """Messages waiting per broker queue; None for every queue when Redis cannot be reached."""
    try:
        pipe = client.pipeline()
        for name in BROKER_QUEUES:
            for suffix in _PRIORITY_SUFFIXES:
                pipe.llen(name + suffix)
        counts = [int(value) for value in pipe.execute()]
    except redis.RedisError as exc:
        log.warning("broker_unavailable", error=type(exc).__name__)
        return dict.fromkeys(BROKER_QUEUES)
    step = len(_PRIORITY_SUFFIXES)
    return {name: sum(counts[i * step : (i + 1) * step]) for i, name in enumerate(BROKER_QUEUES)}
