"""The router's Celery app factory."""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_process_init

from shared.config import Settings, get_settings
from shared.logs import configure_logging
from shared.messaging import TASK_PROCESS_TIP, TASK_PROCESS_TIPS, make_celery


def create_celery(settings: Settings | None = None) -> Celery:
    """A Celery app with Tipline's policy and every router task registered."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = make_celery(settings, name="tipline-router")
    retries = {
        "max_retries": settings.task_max_retries,
        "retry_backoff_max": settings.task_retry_backoff_max,
    }
    app.conf.task_annotations = {TASK_PROCESS_TIP: retries, TASK_PROCESS_TIPS: retries}
    # Importing the task modules registers them (they are shared tasks) with this app.
    from services.router.tasks import process, upkeep  # noqa: F401

    return app


@worker_process_init.connect
def _fresh_connections(**_: Any) -> None:
    # A forked pool process must not reuse its parent's database connections.
    from services.router.context import reset_router_context

    reset_router_context()


@worker_init.connect
def _warm(**_: Any) -> None:
    # Load data and rules once, before the pool forks, so children share them and a broken
    # rules file fails at start-up rather than on the first tip.
    from services.router.context import router_context

    router_context()
