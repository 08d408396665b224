"""A helper thread with one owner: started, asked to stop, joined with a bound, errors kept.

Every helper thread of the app (the watchdog, the deadlock watch, the feeds that make
the array's envelope and the lanes, a program run's watch, the thread that runs a
lesson for the window) is one of these, so each is stopped the same way:
:meth:`OwnedThread.stop` asks (a set Event, which also ends the thread's pause at
once) and joins with a timeout, and says whether the thread really ended.

A subclass either says what to do every ``period`` seconds (:meth:`step`) or writes
its own :meth:`work` loop, looking at :attr:`stopping`. An exception in a step is
kept for the owner (:meth:`take_errors`) and the thread goes on; one in ``work``
ends it, kept the same way. Nothing is lost.
"""

from __future__ import annotations

import threading
import traceback

#: Tracebacks kept between two takes; further errors are only counted.
MAX_ERRORS = 10


class OwnedThread:
    """One helper thread; ``start()``, ``stop(timeout)`` (or ``request_stop`` + ``join``)."""

    def __init__(self, name: str, period: float = 0.05, daemon: bool = True) -> None:
        self.name = name
        self.period = period
        self.stopping = threading.Event()
        self._errors: list[str] = []
        self._errors_dropped = 0
        self._errors_lock = threading.Lock()
        self._thread = threading.Thread(target=self._main, name=name, daemon=daemon)

    # -- what a subclass says ---------------------------------------------------------------
    def step(self) -> None:
        """One round of work, every :attr:`period` seconds (the default :meth:`work`)."""
        raise NotImplementedError

    def work(self) -> None:
        """The thread's body: by default :meth:`step` every :attr:`period` until stopped."""
        while not self.stopping.wait(self.period):
            self.guarded(self.step)

    def wake(self) -> None:
        """Called by :meth:`request_stop`: end whatever the thread waits on (the default
        pause is :attr:`stopping` itself, so there is nothing more to do)."""

    # -- the owner's side --------------------------------------------------------------------
    def start(self) -> "OwnedThread":
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Ask the thread to end; returns at once."""
        self.stopping.set()
        self.wake()

    def join(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` s; True if the thread has ended (or never started)."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def stop(self, timeout: float = 1.0) -> bool:
        """:meth:`request_stop`, then :meth:`join`; safe to call twice."""
        self.request_stop()
        return self.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    @property
    def started(self) -> bool:
        return self._thread.ident is not None

    def take_errors(self) -> str | None:
        """The tracebacks of the errors since the last take, once; None if none."""
        with self._errors_lock:
            errors, dropped = self._errors, self._errors_dropped
            self._errors, self._errors_dropped = [], 0
        if dropped:
            errors.append(f"(and {dropped} more errors like these)")
        return "\n".join(errors) if errors else None

    # -- inside --------------------------------------------------------------------------------
    def guarded(self, fn) -> bool:
        """Call ``fn()``; keep its exception for the owner. True if it returned."""
        try:
            fn()
            return True
        except Exception:  # noqa: BLE001 - kept for the owner to show, never lost
            self._keep(traceback.format_exc())
            return False

    def _keep(self, text: str) -> None:
        with self._errors_lock:
            if len(self._errors) < MAX_ERRORS:
                self._errors.append(text)
            else:
                self._errors_dropped += 1

    def _main(self) -> None:
        self.guarded(self.work)
