"""What the intake service holds for its lifetime: settings, database sessions, publisher, limiter."""

from __future__ import annotations

from dataclasses import dataclass, field

import redis
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.intake.group_commit import GroupCommit
from services.ingest.keycache import ApiKeyCache
from services.ingest.ratelimit import RateLimiter
from shared.config import Settings
from shared.messaging import Publisher, make_celery
from shared.publish_queue import PublishQueue
from shared.secrets_store import contact_cipher
from shared.store.db import make_engine, make_session_factory


@dataclass
class IngestContext:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    publisher: Publisher
    outbox: PublishQueue
    writer: GroupCommit
    limiter: RateLimiter
    redis: redis.Redis
    cipher: Fernet
    api_keys: ApiKeyCache = field(default_factory=ApiKeyCache)

    def ping_broker(self) -> None:
        """Raise if Redis does not answer."""
        self.redis.ping()

    @classmethod
    def build(cls, settings: Settings) -> IngestContext:
        """Create clients; none of them connects until first used."""
        # No ping on checkout: storing a tip retries once on a fresh connection instead.
        engine = make_engine(settings.database_url, pool_pre_ping=False)
        client = redis.Redis.from_url(
            settings.redis_url, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        secret = settings.secret_key.get_secret_value()
        publisher = Publisher(make_celery(settings, name="tipline-ingest"))
        outbox = PublishQueue(publisher)
        return cls(
            settings=settings,
            engine=engine,
            sessions=make_session_factory(engine),
            publisher=publisher,
            outbox=outbox,
            writer=GroupCommit(engine, on_stored=outbox.submit),
            limiter=RateLimiter(client, salt=secret.encode()),
            redis=client,
            cipher=contact_cipher(settings),
        )
