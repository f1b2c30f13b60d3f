"""Fixed-window rate limits in Redis, keyed by a hash so no client identifier is stored."""

from __future__ import annotations

import hashlib
import time

import redis

from shared.logs import get_logger

log = get_logger(__name__)


# Count and expiry in one command: one round trip, and nothing left without an expiry.
_HIT = """
local count = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return count
"""


class RateLimiter:
    """Counts hits per key per minute; fails open when Redis is unavailable (a tip matters more)."""

    def __init__(self, client: redis.Redis, *, salt: bytes, prefix: str = "tipline:rl") -> None:
        self.client = client
        self.salt = salt
        self.prefix = prefix
        self._hit = client.register_script(_HIT)

    def hit(self, key: str, *, limit: int, window: int = 60) -> int | None:
        """Count a hit; None if allowed, else the seconds to wait before retrying."""
        now = int(time.time())
        bucket = now // window
        digest = hashlib.blake2b(key.encode(), key=self.salt[:64], digest_size=16).hexdigest()
        redis_key = f"{self.prefix}:{digest}:{bucket}"
        try:
            count = int(self._hit(keys=[redis_key], args=[window + 1]))
        except redis.RedisError as exc:
            log.warning("rate_limit_unavailable", error=type(exc).__name__)
            return None
        if count > limit:
            return max(1, (bucket + 1) * window - now)
        return None
