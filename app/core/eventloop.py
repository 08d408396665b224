"""An event loop for lessons to freeze: the real GUI's, or a headless stand-in.

A lesson about freezing a window needs "the GUI thread": a thread that must tick
regularly, whose lateness is measured, and on which work can be put. In the window
that is Qt's loop (see ``app/gui/lessons.py``); from the command line it is a
:class:`TickLoop`: one thread that wakes every ``interval`` to beat a
:class:`~app.core.watchdog.Watchdog` and record its lateness, and that runs the
jobs posted with :meth:`TickLoop.call` between two ticks, just as Qt runs a slot.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable, Protocol

from app.core.latency import LatencyMeter
from app.core.watchdog import Watchdog


class Loop(Protocol):
    """What a lesson may do with an event loop."""

    latency: LatencyMeter
    watchdog: Watchdog

    def call(self, fn: Callable[[], Any], timeout: float) -> Any:
        """Run ``fn`` on the loop's thread; block until it returns; return its result."""


class TickLoop:
    """A headless event loop on its own thread (owner: whoever calls :meth:`start`)."""

    def __init__(self, interval: float = 0.02, stall_threshold: float = 0.1) -> None:
        self.interval = interval
        self.latency = LatencyMeter(window=60.0)
        self.watchdog = Watchdog(threshold=stall_threshold, name="tick-loop-watchdog")
        self._jobs: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tick-loop", daemon=True)

    def start(self) -> "TickLoop":
        """Start ticking; returns self."""
        self.watchdog.beat()
        self._thread.start()
        return self

    def stop(self, timeout: float = 1.0) -> bool:
        """Stop the loop and its watchdog; True if both ended in time."""
        self._stop.set()
        self._thread.join(timeout)
        return self.watchdog.stop(timeout) and not self._thread.is_alive()

    def call(self, fn: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Run ``fn`` on the loop thread and wait for it (``TimeoutError`` after ``timeout``)."""
        done = threading.Event()
        box: dict[str, Any] = {}
        self._jobs.put((fn, box, done))
        if not done.wait(timeout):
            raise TimeoutError(f"the loop did not run the job within {timeout:g} s")
        if "error" in box:
            raise box["error"]
        return box.get("result")

    def _run(self) -> None:
        due = time.monotonic() + self.interval
        while not self._stop.is_set():
            try:
                fn, box, done = self._jobs.get(timeout=max(0.0, due - time.monotonic()))
            except queue.Empty:
                now = time.monotonic()
                self.latency.record(now - due, now)
                self.watchdog.beat()
                due = now + self.interval
                continue
            try:
                box["result"] = fn()
            except Exception as exc:  # noqa: BLE001 - handed back to the caller
                box["error"] = exc
            done.set()
