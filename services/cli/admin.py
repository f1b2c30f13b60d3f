"""Operator commands: database upgrade, API keys, staff users, dead letters."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from shared.config import Settings
from shared.messaging import Publisher, make_celery
from shared.secrets_store import new_token, token_hash
from shared.store import audit
from shared.store.db import make_engine, make_session_factory, transaction
from shared.store.migrate import upgrade
from shared.store.models import ROLES, ApiKey, DeadLetter, Tip, User


def db_upgrade(settings: Settings) -> int:
    """Apply every migration to the configured database."""
    upgrade(settings.database_url)
    print("database is at the latest schema")
    return 0


def create_key(settings: Settings, *, name: str) -> str:
    """Create an API key for the phone system; the secret is shown once and stored hashed."""
    secret = new_token("tlk")
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as db:
        db.add(
            ApiKey(
                name=name,
                prefix=secret[:12],
                key_hash=token_hash(secret),
                created_at=datetime.now(UTC),
            )
        )
        audit.record(db, actor="cli", action="api_key_created", name=name)
    return secret


def create_user(
    settings: Settings,
    *,
    username: str,
    role: str,
    destinations: list[str],
    password: str | None,
    display_name: str | None = None,
) -> str:
    """Create (or update) a staff user; returns a new API token for them (shown once)."""
    if role not in ROLES:
        raise SystemExit(f"role must be one of {', '.join(ROLES)}")
    if role == "lead" and not destinations:
        raise SystemExit("a lead needs at least one --destination")
    from shared.domain.route import Teams

    known = Teams.load(settings.rules_dir / "teams.yaml").destinations
    unknown = [name for name in destinations if name not in known]
    if unknown:
        raise SystemExit(f"unknown destination(s): {', '.join(unknown)}; known: {', '.join(known)}")
    token = new_token("tls")
    sessions = make_session_factory(make_engine(settings.database_url))
    with transaction(sessions) as db:
        user = db.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username, created_at=datetime.now(UTC))
            db.add(user)
        user.display_name = display_name or username
        user.role = role
        user.destinations = destinations
        user.token_hash = token_hash(token)
        if password:
            user.password_hash = generate_password_hash(password)
        user.disabled = False
        audit.record(
            db,
            actor="cli",
            action="user_saved",
            username=username,
            role=role,
            destinations=destinations,
        )
    return token


def dlq_list(settings: Settings) -> int:
    """Print dead letters not yet replayed, one JSON object per line."""
    sessions = make_session_factory(make_engine(settings.database_url))
    with sessions() as db:
        rows = db.execute(
            select(DeadLetter, Tip.reference)
            .outerjoin(Tip, Tip.id == DeadLetter.tip_id)
            .where(DeadLetter.replayed_at.is_(None))
            .order_by(DeadLetter.id)
        ).all()
        for letter, reference in rows:
            print(
                json.dumps(
                    {
                        "id": letter.id,
                        "task": letter.task_name,
                        "reference": reference,
                        "error_type": letter.error_type,
                        "error": letter.error,
                        "attempts": letter.attempts,
                        "at": letter.created_at.isoformat(),
                    }
                )
            )
    if not rows:
        print("no dead letters")
    return 0


def dlq_replay(settings: Settings, *, ids: list[int], replay_all: bool) -> int:
    """Put dead-lettered tips back to 'received' and publish them again."""
    from services.router.ops.dead_letters import replay_dead_letters

    sessions = make_session_factory(make_engine(settings.database_url))
    publisher = Publisher(make_celery(settings, name="tipline-cli"))
    result = replay_dead_letters(sessions, publisher, ids=ids, replay_all=replay_all, actor="cli")
    print(f"replayed {result.tips} tip(s); {result.published} published now, the rest by the sweep")
    return 0
