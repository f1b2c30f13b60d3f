"""The tasks that run the pipeline: one tip id, or a batch of ids stored together."""

from __future__ import annotations

from typing import Any

from services.router.context import router_context
from services.router.pipeline.process import process_tip, process_tips
from services.router.tasks.policy import is_transient, tipline_task
from shared.logs import get_logger
from shared.messaging import BATCH_MAX, TASK_PROCESS_TIP, TASK_PROCESS_TIPS

log = get_logger(__name__)


@tipline_task(name=TASK_PROCESS_TIP)
def process_tip_task(self: Any, tip_id: str) -> str:
    """Decide and queue the tip (idempotent: redelivery changes nothing)."""
    return process_tip(router_context(), tip_id)


# A batch also takes other waiting tips along, up to the batch size, so a backlog drains in large
# batches. It is never dead-lettered as a whole: a failure that is not the infrastructure's
# splits it into one task per tip (which take nothing along), so only a tip that cannot be
# decided is retried and dead-lettered.
@tipline_task(name=TASK_PROCESS_TIPS, store_dead_letter=False)
def process_tips_task(self: Any, tip_ids: list[str]) -> dict[str, str]:
    """Decide and queue a batch of tips in one transaction (idempotent, like one tip)."""
    ctx = router_context()
    try:
        return dict(process_tips(ctx, tip_ids, take_waiting=max(0, BATCH_MAX - len(tip_ids))))
    except Exception as exc:
        if is_transient(exc):
            raise
        log.warning("batch_split", tips=len(tip_ids), error=type(exc).__name__)
        sent = ctx.publisher.publish_tips_one_by_one(tip_ids)
        return {tip_id: "split" if tip_id in sent else "left_for_sweep" for tip_id in tip_ids}
