"""Take a Lock from a thread that must never block on it (the GUI thread).

:meth:`LockGrab.request` tries once without blocking. If a worker holds the lock
the grab is *waiting*, and each later :meth:`LockGrab.poll` (from a timer) tries
again without blocking, so the caller's event loop keeps running and it can show
that it waits. The grab is never left holding the lock by accident: :meth:`release`
and :meth:`cancel` are safe to call in any state.
"""

from __future__ import annotations

import threading
import time

IDLE = "idle"
WAITING = "waiting"
HELD = "held"


class LockGrab:
    """Non-blocking, retryable acquisition of ``lock`` on behalf of one owner."""

    def __init__(self, lock: threading.Lock) -> None:
        self.lock = lock
        self.state = IDLE
        self.since = 0.0  # monotonic time the current state began
        self.waited = 0.0  # how long the last successful grab waited

    def request(self) -> str:
        """Ask for the lock; return the new state (``HELD`` or ``WAITING``)."""
        if self.state == IDLE:
            self._enter(WAITING)
            self.poll()
        return self.state

    def poll(self) -> str:
        """If waiting, try again without blocking; return the state."""
        if self.state == WAITING and self.lock.acquire(blocking=False):
            self.waited = time.monotonic() - self.since
            self._enter(HELD)
        return self.state

    def release(self) -> None:
        """Give the lock back (if held) or stop waiting for it."""
        if self.state == HELD:
            self.lock.release()
        self._enter(IDLE)

    cancel = release

    def seconds_in_state(self) -> float:
        """Seconds since the current state began."""
        return time.monotonic() - self.since

    def _enter(self, state: str) -> None:
        self.state = state
        self.since = time.monotonic()
