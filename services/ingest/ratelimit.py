"""Fixed-window rate limits in Redis, keyed by a hash so no client identifier is stored."""

from __future__ import annotations

import hashlib
import threading
import time

import redis

from shared.logs import get_logger

log = get_logger(__name__)


# Count and expiry in one command: one round trip, and nothing left without an expiry.
_HIT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return count
"""
# A process takes hits from Redis in blocks of up to this share of the limit and hands them
# out locally. Unused hits are lost at the end of the window, so a key can only be admitted
# slightly less than its limit, never more.
_BLOCK_SHARE = 200
_BLOCK_MAX = 50


class RateLimiter:
    """Counts hits per key per minute; fails open when Redis is unavailable (a tip matters more)."""

    def __init__(self, client: redis.Redis, *, salt: bytes, prefix: str = "tipline:rl") -> None:
        self.client = client
        self.salt = salt
        self.prefix = prefix
        self._hit = client.register_script(_HIT)
        self._lock = threading.Lock()
        # Per key: the window's Redis key the hits were taken under, and how many are left.
        self._held: dict[str, tuple[str, int]] = {}

    def hit(self, key: str, *, limit: int, window: int = 60) -> int | None:
        """Count a hit; None if allowed, else the seconds to wait before retrying."""
        now = int(time.time())
        bucket = now // window
        digest = hashlib.blake2b(key.encode(), key=self.salt[:64], digest_size=16).hexdigest()
        redis_key = f"{self.prefix}:{digest}:{bucket}"
        if self._take_held(digest, redis_key):
            return None
        block = max(1, min(_BLOCK_MAX, limit // _BLOCK_SHARE))
        try:
            count = int(self._hit(keys=[redis_key], args=[window + 1, block]))
        except redis.RedisError as exc:
            log.warning("rate_limit_unavailable", error=type(exc).__name__)
            return None
        granted = min(block, limit - (count - block))
        if granted <= 0:
            return max(1, (bucket + 1) * window - now)
        if granted > 1:
            with self._lock:
                held_key, left = self._held.get(digest, (redis_key, 0))
                left = left if held_key == redis_key else 0
                self._held[digest] = (redis_key, left + granted - 1)
        return None

    def _take_held(self, digest: str, redis_key: str) -> bool:
        """Use a hit held from this window, if any; hits held from an earlier window are void."""
        with self._lock:
            held_key, left = self._held.get(digest, (redis_key, 0))
            if held_key != redis_key or left <= 0:
                return False
            self._held[digest] = (redis_key, left - 1)
            return True
