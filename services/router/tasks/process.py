"""The task that runs the pipeline for one tip id."""

from __future__ import annotations

from typing import Any

from services.router.context import router_context
from services.router.pipeline.process import process_tip
from services.router.tasks.policy import tipline_task
from shared.messaging import TASK_PROCESS_TIP


@tipline_task(name=TASK_PROCESS_TIP)
def process_tip_task(self: Any, tip_id: str) -> str:
    """Decide and queue the tip (idempotent: redelivery changes nothing)."""
    return process_tip(router_context(), tip_id)
