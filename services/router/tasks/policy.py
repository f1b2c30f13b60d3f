"""The one task decorator that sets Tipline's task policy; tasks declare only what differs.

Policy: late acknowledgement, no results, time limits, bounded retries with exponential backoff
on their own queue, and a dead letter (stored in the database) once retries are exhausted.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from celery import Task, shared_task
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError

from shared.logs import get_logger
from shared.messaging import QUEUE_RETRY
from shared.metrics import DEAD_LETTERED, TASK_FAILURES, TASK_RETRIES
from shared.store.db import transaction
from shared.store.models import DeadLetter, Tip

log = get_logger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


class TiplineTask(Task):  # type: ignore[misc]
    """Base class holding the policy; see module docstring."""

    acks_late = True
    reject_on_worker_lost = True
    ignore_result = True
    autoretry_for = (Exception,)
    max_retries = 5
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    soft_time_limit = 30
    time_limit = 60
    store_dead_letter = True

    def retry(self, *args: Any, **options: Any) -> Any:
        options.setdefault("queue", QUEUE_RETRY)
        return super().retry(*args, **options)

    def on_retry(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        TASK_FAILURES.labels(task=self.name).inc()
        TASK_RETRIES.labels(task=self.name).inc()
        log.warning("task_retry", task=self.name, task_id=task_id, error=type(exc).__name__)

    def on_failure(
        self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any
    ) -> None:
        TASK_FAILURES.labels(task=self.name).inc()
        if not self.store_dead_letter:
            log.warning("task_failed", task=self.name, task_id=task_id, error=type(exc).__name__)
            return
        tip_id = args[0] if args and isinstance(args[0], str) else kwargs.get("tip_id")
        if is_transient(exc):
            # The database or broker was away for longer than the retries: the tip itself is
            # fine, so it stays 'received' and the sweep publishes it again once they are back.
            log.warning(
                "task_gave_up_transient", task=self.name, tip_id=tip_id, error=type(exc).__name__
            )
            return
        dead_letter(self.name, tip_id, exc, attempts=self.request.retries + 1)


def is_transient(exc: BaseException) -> bool:
    """True for failures of the infrastructure (database or broker away), not of the tip."""
    if isinstance(
        exc, OperationalError | DisconnectionError | RedisConnectionError | KombuOperationalError
    ):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def dead_letter(task_name: str, tip_id: str | None, exc: BaseException, *, attempts: int) -> None:
    """Store a task that exhausted its retries, and park its tip so the sweep leaves it alone."""
    from services.router.context import router_context

    DEAD_LETTERED.labels(task=task_name).inc()
    log.error(
        "dead_letter", task=task_name, tip_id=tip_id, error=type(exc).__name__, attempts=attempts
    )
    try:
        with transaction(router_context().sessions) as session:
            session.add(
                DeadLetter(
                    task_name=task_name,
                    tip_id=tip_id,
                    error_type=type(exc).__name__,
                    error=str(exc)[:2000],
                    attempts=attempts,
                    created_at=datetime.now(UTC),
                )
            )
            if tip_id is not None:
                tip = session.get(Tip, tip_id)
                if tip is not None and tip.status == "received":
                    tip.status = "failed"
    except Exception as store_exc:  # the database is down too: the sweep will retry the tip
        log.error(
            "dead_letter_not_stored", task=task_name, tip_id=tip_id, error=type(store_exc).__name__
        )


def tipline_task(name: str, **overrides: Any) -> Callable[[F], F]:
    """Register a task under an explicit name with Tipline's policy (override what differs)."""

    def wrap(fn: F) -> F:
        options: dict[str, Any] = {"name": name, "base": TiplineTask, "bind": True}
        options.update(overrides)
        task: F = shared_task(**options)(fn)
        return task

    return wrap
