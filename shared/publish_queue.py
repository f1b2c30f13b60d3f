"""Publishing stored tips from a background thread, so no request waits on the broker."""

from __future__ import annotations

import atexit
import time
from collections.abc import Iterable

from shared.forking import ThreadPerProcess
from shared.logs import get_logger
from shared.messaging import BATCH_MAX, Publisher
from shared.metrics import PUBLISH_FAILURES

log = get_logger(__name__)
FLUSH_AT_EXIT_SECONDS = 2.0
# Under load, wait this long for more ids before publishing, so messages carry more of them:
# each message costs the sending process about half a millisecond, whatever it carries.
LINGER_SECONDS = 0.02


class PublishQueue(ThreadPerProcess):
    """Hands committed tip ids to the broker in batches, from one thread per process.

    Requests add the ids of tips already committed and return at once. The thread publishes
    whatever gathered while it was busy as batch messages, so a quiet service sends one id per
    message without waiting and a busy one sends many ids per message. An id that never reaches
    the broker (broker down, process killed) is safe: its tip stays 'received' in the database
    and the sweep publishes it again.
    """

    thread_name = "tipline-publish"

    def __init__(self, publisher: Publisher) -> None:
        self.publisher = publisher
        super().__init__()
        atexit.register(self.flush)

    def _clear(self) -> None:
        self._pending: list[str] = []
        self._busy = False

    def submit(self, tip_ids: Iterable[str]) -> None:
        """Queue ids for publishing; never blocks on the broker."""
        with self._cond:
            self._start_if_stopped()
            self._pending.extend(tip_ids)
            self._cond.notify_all()

    def flush(self, timeout: float = FLUSH_AT_EXIT_SECONDS) -> bool:
        """Wait until everything submitted has been handed to the broker; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy:
                left = deadline - time.monotonic()
                if left <= 0 or not self._running():
                    return False
                self._cond.wait(left)
        return True

    def _run(self) -> None:
        busy = False
        while True:
            with self._cond:
                while not self._pending:
                    self._cond.wait()
                if busy:
                    # The last message carried several ids, so more are arriving: a short wait
                    # fills this one. A quiet service publishes each id at once.
                    self._cond.wait_for(lambda: len(self._pending) >= BATCH_MAX, LINGER_SECONDS)
                batch, self._pending = self._pending, []
                self._busy = True
            busy = len(batch) > 1
            try:
                sent = self.publisher.publish_tips(batch)
                if len(sent) < len(batch):
                    PUBLISH_FAILURES.inc(len(batch) - len(sent))
            except Exception as exc:  # never let the thread die: the sweep covers these tips
                PUBLISH_FAILURES.inc(len(batch))
                log.error("publish_thread_error", tips=len(batch), error=type(exc).__name__)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()
