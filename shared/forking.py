"""Objects that own threads must start afresh in a forked child (gunicorn and Celery fork)."""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable


def reset_in_forked_child(method: Callable[[], None]) -> None:
    """Call the bound `method` in every child forked from now on, before it runs anything else.

    A thread of the parent does not exist in the child, and a lock the parent's thread held at
    the fork stays held for ever; resetting at the fork, rather than on first use, leaves no
    window in which two request threads could both reset.
    """
    ref = weakref.WeakMethod(method)  # type: ignore[arg-type]

    def after_fork() -> None:
        bound = ref()
        if bound is not None:
            bound()

    os.register_at_fork(after_in_child=after_fork)
