"""Fixed-window rate limits in Redis, keyed by a hash so no client identifier is stored."""

from __future__ import annotations

import hashlib
import time

import redis

from shared.logs import get_logger

log = get_logger(__name__)


class RateLimiter:
    """Counts hits per key per minute; fails open when Redis is unavailable (a tip matters more)."""

    def __init__(self, client: redis.Redis, *, salt: bytes, prefix: str = "tipline:rl") -> None:
        self.client = client
        self.salt = salt
        self.prefix = prefix

    def hit(self, key: str, *, limit: int, window: int = 60) -> int | None:
        """Count a hit; None if allowed, else the seconds to wait before retrying."""
        now = int(time.time())
        bucket = now // window
        digest = hashlib.blake2b(key.encode(), key=self.salt[:64], digest_size=16).hexdigest()
        redis_key = f"{self.prefix}:{digest}:{bucket}"
        try:
            pipe = self.client.pipeline()
            pipe.incr(redis_key)
            pipe.expire(redis_key, window + 1)
            count = int(pipe.execute()[0])
        except redis.RedisError as exc:
            log.warning("rate_limit_unavailable", error=type(exc).__name__)
            return None
        if count > limit:
            return max(1, (bucket + 1) * window - now)
        return None
