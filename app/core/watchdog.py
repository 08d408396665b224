"""Notice when a thread that should beat regularly (the GUI thread) stops, and for how long.

The watched thread calls :meth:`Watchdog.beat` often (the window does it from a
short QTimer). A separate watchdog thread looks at the time since the last beat:
once it passes ``threshold`` it writes a note to the log *while the stall is still
going on*. The next beat closes the stall and returns its measured length. Nothing
here is computed from a job's parameters: a stall is what the clock saw.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass

from . import logbook
from .logbook import LogBook
from .owned import OwnedThread


@dataclass(frozen=True)
class Stall:
    """A gap between two beats longer than the threshold."""

    started_wall: float  # time.time() of the last beat before the gap
    seconds: float


class Watchdog(OwnedThread):
    """Measures gaps between :meth:`beat` calls; a thread reports a gap while it lasts."""

    def __init__(
        self,
        log: LogBook | None = None,
        threshold: float = 0.1,
        poll: float = 0.02,
        name: str = "watchdog",
    ) -> None:
        super().__init__(name, period=poll)
        self.log = log
        self.threshold = threshold
        self.stalls: deque[Stall] = deque(maxlen=100)
        self._lock = threading.Lock()
        self.beats = 0
        self._last_mono = time.monotonic()
        self._last_wall = time.time()
        self._announced = False

    def start(self) -> "Watchdog":
        """Start the watching thread (beats are measured with or without it)."""
        self.beat()
        return super().start()

    def beat(self) -> Stall | None:
        """Record a beat; return the stall it ends, if the gap exceeded the threshold."""
        now_mono, now_wall = time.monotonic(), time.time()
        with self._lock:
            gap = now_mono - self._last_mono
            stall = Stall(self._last_wall, gap) if gap >= self.threshold else None
            if stall is not None:
                self.stalls.append(stall)
            self._last_mono, self._last_wall = now_mono, now_wall
            self._announced = False
            self.beats += 1
        return stall

    def current_gap(self) -> float:
        """Seconds since the last beat."""
        with self._lock:
            return time.monotonic() - self._last_mono

    def step(self) -> None:
        """Look at the time since the last beat; say so once if it is a freeze."""
        with self._lock:
            gap = time.monotonic() - self._last_mono
            announce = gap >= self.threshold and not self._announced
            if announce:
                self._announced = True
                since = self._last_wall
        if announce and self.log is not None:
                clock = time.strftime("%H:%M:%S", time.localtime(since))
                self.log.write(
                    f"the GUI thread has not answered for {gap:.2f} s (since {clock}); "
                    "the window is frozen",
                    logbook.NOTE,
                )
