"""Celery wiring shared by the intake (which only publishes) and the router (which consumes).

Messages carry tip ids and nothing else: one id, or a batch of ids stored together. Publishing never blocks acceptance: a tip that could not
be published stays 'received' in the database and the periodic sweep publishes it later.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery import Celery
from kombu import Queue

from shared.config import Settings
from shared.logs import get_logger

TASK_PROCESS_TIP = "tipline.process_tip"
TASK_PROCESS_TIPS = "tipline.process_tips"
TASK_SWEEP = "tipline.sweep_stuck_tips"
TASK_EXPIRE_LEASES = "tipline.expire_leases"
TASK_BREACHES = "tipline.detect_breaches"

QUEUE_TIPS = "tipline.tips"
QUEUE_RETRY = "tipline.retry"
QUEUE_PERIODIC = "tipline.periodic"

# Ids per batch message: a batch is decided in one transaction, so keep it short.
BATCH_MAX = 50

log = get_logger(__name__)


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings that make redelivery safe and publishing quick to fail."""
    return {
        "broker_url": settings.redis_url,
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 2,
        "broker_transport_options": {
            # Longer than any retry delay or task time limit, so a slow task is never redelivered
            # while it still runs; crashed workers' tips are re-published by the sweep long before.
            "visibility_timeout": 3600,
            "socket_connect_timeout": 2,
            "socket_timeout": 5,
            "socket_keepalive": True,
            "health_check_interval": 10,
        },
        "broker_pool_limit": 10,
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_backend": None,
        "task_ignore_result": True,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_hijack_root_logger": False,
        # Nothing consumes task events (ops asks workers directly), and each task would publish
        # three of them.
        "worker_send_task_events": False,
        "task_send_sent_event": False,
        "task_default_queue": QUEUE_TIPS,
        "task_queues": (Queue(QUEUE_TIPS), Queue(QUEUE_RETRY), Queue(QUEUE_PERIODIC)),
        "task_routes": {
            TASK_PROCESS_TIP: {"queue": QUEUE_TIPS},
            TASK_PROCESS_TIPS: {"queue": QUEUE_TIPS},
            TASK_SWEEP: {"queue": QUEUE_PERIODIC},
            TASK_EXPIRE_LEASES: {"queue": QUEUE_PERIODIC},
            TASK_BREACHES: {"queue": QUEUE_PERIODIC},
        },
        "task_publish_retry": True,
        "task_publish_retry_policy": {
            "max_retries": 1,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.2,
        },
        "beat_schedule": {
            "sweep-stuck-tips": {
                "task": TASK_SWEEP,
                "schedule": timedelta(seconds=settings.sweep_interval_seconds),
                "options": {"expires": settings.sweep_interval_seconds},
            },
            "expire-leases": {
                "task": TASK_EXPIRE_LEASES,
                "schedule": timedelta(seconds=30),
                "options": {"expires": 30},
            },
            "detect-breaches": {
                "task": TASK_BREACHES,
                "schedule": timedelta(seconds=60),
                "options": {"expires": 60},
            },
        },
    }


def make_celery(settings: Settings, name: str = "tipline") -> Celery:
    """A Celery app configured for Tipline (no connection is made until first use)."""
    app = Celery(name)
    app.conf.update(celery_config(settings))
    return app


class Publisher:
    """Publishes tip ids to the router; reports failure instead of raising."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def publish_tip(self, tip_id: str) -> bool:
        """Queue one tip for processing; False if the broker could not be reached."""
        try:
            self.app.send_task(TASK_PROCESS_TIP, args=[tip_id], queue=QUEUE_TIPS)
        except Exception as exc:  # broker down or unreachable: the sweep will publish it
            log.warning("publish_failed", tip_id=tip_id, error=type(exc).__name__)
            return False
        return True

    def publish_tips_one_by_one(self, tip_ids: list[str]) -> set[str]:
        """Queue each tip in its own message; returns the ids sent."""
        return {tip_id for tip_id in tip_ids if self.publish_tip(tip_id)}

    def publish_tips(self, tip_ids: list[str]) -> list[str]:
        """Queue tips in batch messages of at most BATCH_MAX ids; returns the ids sent."""
        sent: list[str] = []
        for start in range(0, len(tip_ids), BATCH_MAX):
            batch = tip_ids[start : start + BATCH_MAX]
            try:
                self.app.send_task(TASK_PROCESS_TIPS, args=[batch], queue=QUEUE_TIPS)
            except Exception as exc:  # broker down or unreachable: the sweep will publish them
                log.warning("publish_failed", tips=len(batch), error=type(exc).__name__)
                continue
            sent.extend(batch)
        return sent
