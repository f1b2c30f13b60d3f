"""Objects that own threads must start afresh in a forked child (gunicorn and Celery fork)."""

from __future__ import annotations

import os
import threading
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


class ThreadPerProcess:
    """One daemon thread per process running `_run`, fed through `_cond`.

    The thread starts with the first piece of work and again if it ever died; a forked child
    gets a fresh lock and no thread, and `_clear` empties what the subclass queues.
    """

    thread_name = "tipline-thread"

    def __init__(self) -> None:
        self._reset()
        reset_in_forked_child(self._reset)

    def _reset(self) -> None:
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._clear()

    def _clear(self) -> None:
        """Empty the subclass's queue (called at start and in a forked child)."""

    def _run(self) -> None:
        raise NotImplementedError

    def _running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _start_if_stopped(self) -> None:
        """Start the thread unless it runs; call with `_cond` held."""
        if not self._running():
            self._thread = threading.Thread(target=self._run, name=self.thread_name, daemon=True)
            self._thread.start()
