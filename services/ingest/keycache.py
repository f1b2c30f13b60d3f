"""A short-lived in-process cache of API key lookups, so each tip costs one database trip."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.intake.service import find_api_key
from shared.secrets_store import token_hash

# A revoked key keeps working in a process for at most this long; tips it sends are still
# stored and routed like any other, so a few seconds' grace is safe.
KEY_TTL_SECONDS = 10.0


@dataclass(frozen=True)
class KnownKey:
    """The parts of an active API key the intake needs."""

    id: int
    key_hash: str


def _find(sessions: sessionmaker[Session], presented: str) -> KnownKey | None:
    with sessions() as session:
        row = find_api_key(session, presented=presented)
        return None if row is None else KnownKey(row.id, row.key_hash)


class ApiKeyCache:
    """Remembers active keys for KEY_TTL_SECONDS; unknown keys are always looked up again."""

    def __init__(self, ttl: float = KEY_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._known: dict[str, tuple[float, KnownKey]] = {}
        self._lock = threading.Lock()

    def lookup(self, sessions: sessionmaker[Session], presented: str) -> KnownKey | None:
        """The active key for a presented secret, or None; raises DBAPIError if the store is down."""
        digest = token_hash(presented)
        now = time.monotonic()
        with self._lock:
            cached = self._known.get(digest)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            found = _find(sessions, presented)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            # Pooled connections are not pinged before use: a dead one gets one fresh retry.
            found = _find(sessions, presented)
        with self._lock:
            if found is None:
                self._known.pop(digest, None)
            else:
                self._known[digest] = (now + self.ttl, found)
        return found
