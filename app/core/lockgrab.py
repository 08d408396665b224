"""Take a Lock on behalf of a thread that must never block on it (the GUI thread).

:meth:`LockGrab.request` first tries without blocking. If a worker holds the lock, a
small *taker* thread waits for it with timed ``acquire`` calls, in line with the
workers, and the grab is ``WAITING`` meanwhile; the caller's event loop keeps running
and can show that it waits. Polling from the GUI alone would not do: two workers that
take the lock in turn leave it free for microseconds, and a timer-driven
``acquire(blocking=False)`` almost never lands in that gap (seen here: a window that
polled every 33 ms waited for more than 2 s while two element-wise mutators ran).

A ``threading.Lock`` has no owner, so the lock taken by the taker is released by the
caller with :meth:`release`. :meth:`release` (also :meth:`cancel`) is safe in every
state; :meth:`close` also joins the taker threads, with a bound.
"""

from __future__ import annotations

import threading
import time

from .primitives import RunStopped, Thread, WaitBroken

#: The taker thread's name: the Locks tab and the lanes show it as the owner.
TAKER_NAME = "GUI (Acquire Lock)"

IDLE = "idle"
WAITING = "waiting"
HELD = "held"


class LockGrab:
    """Non-blocking acquisition of ``lock`` for one owner, completed by a taker thread."""

    def __init__(self, lock: threading.Lock, attempt: float = 0.05, name: str = TAKER_NAME) -> None:
        self.lock = lock
        self.attempt = attempt
        self.name = name
        self.state = IDLE
        self.since = time.monotonic()  # when the current state began
        self.waited = 0.0  # how long the last successful grab waited
        self._guard = threading.Lock()  # orders state changes between owner and taker
        self._cancel = threading.Event()
        self._takers: list[threading.Thread] = []

    def request(self) -> str:
        """Ask for the lock; return ``HELD`` (taken at once) or ``WAITING``."""
        with self._guard:
            if self.state != IDLE:
                return self.state
            if self.lock.acquire(blocking=False):
                self.waited = 0.0
                self._enter(HELD)
                return HELD
            self._enter(WAITING)
            self._cancel = threading.Event()
            taker = self._thread(self._take, self._cancel)
            self._takers = [t for t in self._takers if t.is_alive()] + [taker]
            taker.start()
            return WAITING

    def release(self) -> None:
        """Give the lock back if held, or stop waiting for it. Never blocks."""
        with self._guard:
            self._cancel.set()
            if self.state == HELD:
                self.lock.release()
            self._enter(IDLE)

    cancel = release

    def close(self, timeout: float = 1.0) -> bool:
        """:meth:`release`, then join the taker threads; True if all ended in time."""
        self.release()
        end = time.monotonic() + timeout
        for taker in self._takers:
            taker.join(max(0.0, end - time.monotonic()))
        return not any(t.is_alive() for t in self._takers)

    def wait_held(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for the state to become ``HELD`` (for scripts and tests)."""
        end = time.monotonic() + timeout
        while self.state != HELD:
            if time.monotonic() >= end or self.state == IDLE:
                return False
            self._cancel.wait(min(0.005, max(0.0, end - time.monotonic())))
        return True

    def seconds_in_state(self) -> float:
        """Seconds since the current state began."""
        return time.monotonic() - self.since

    def _thread(self, target, cancel: threading.Event) -> threading.Thread:
        """The taker: a recorded thread if the lock records (its lane shows the wait)."""
        recorder = getattr(self.lock, "recorder", None)
        if recorder is not None:
            return Thread(target=target, args=(cancel,), name=self.name, daemon=True, recorder=recorder)
        return threading.Thread(target=target, args=(cancel,), name=self.name, daemon=True)

    def _take(self, cancel: threading.Event) -> None:
        began = time.monotonic()
        if not self._wait_for_lock(cancel):
            with self._guard:
                if not cancel.is_set():  # gave up by itself: no longer waiting
                    self._enter(IDLE)
            return
        with self._guard:
            if cancel.is_set():  # released or cancelled while we were acquiring
                self.lock.release()
                return
            self.waited = time.monotonic() - began
            self._enter(HELD)

    def _wait_for_lock(self, cancel: threading.Event) -> bool:
        """Block until the lock is taken (True) or ``cancel`` is set (False)."""
        acquire_unless = getattr(self.lock, "acquire_unless", None)
        if acquire_unless is not None:  # an instrumented lock: one recorded wait
            try:
                return acquire_unless(cancel.is_set)
            except (WaitBroken, RunStopped):  # the lock's program was stopped: stop waiting too
                return False
        while not cancel.is_set():
            if self.lock.acquire(timeout=self.attempt):
                return True
        return False

    def _enter(self, state: str) -> None:
        self.state = state
        self.since = time.monotonic()
