"""Periodic tasks sent by the scheduler."""

from __future__ import annotations

from typing import Any

from services.router.context import router_context
from services.router.pipeline.upkeep import detect_breaches, expire_leases, sweep_stuck_tips
from services.router.tasks.policy import tipline_task
from shared.messaging import TASK_BREACHES, TASK_EXPIRE_LEASES, TASK_SWEEP

# A periodic job that fails is simply run again at its next tick: no retries, no dead letter.
PERIODIC = {"max_retries": 0, "autoretry_for": (), "store_dead_letter": False}


@tipline_task(name=TASK_SWEEP, **PERIODIC)
def sweep_task(self: Any) -> int:
    """Re-publish tips stuck in 'received'."""
    return sweep_stuck_tips(router_context())


@tipline_task(name=TASK_EXPIRE_LEASES, **PERIODIC)
def expire_leases_task(self: Any) -> int:
    """Return expired claims to the open queue."""
    return expire_leases(router_context())


@tipline_task(name=TASK_BREACHES, **PERIODIC)
def breaches_task(self: Any) -> int:
    """Flag unclaimed items past their claim time."""
    return detect_breaches(router_context())
