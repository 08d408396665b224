"""Event-loop latency: how late a short timer fires, kept over a sliding time window."""

from __future__ import annotations

import time
from collections import deque


class LatencyMeter:
    """Collects delays (seconds late) with their times; answers last and recent max."""

    def __init__(self, window: float = 5.0) -> None:
        self.window = window
        self._samples: deque[tuple[float, float]] = deque()

    def record(self, delay: float, now: float | None = None) -> None:
        """Add one delay measured at ``now`` (monotonic seconds)."""
        now = time.monotonic() if now is None else now
        self._samples.append((now, max(0.0, delay)))
        horizon = now - self.window
        while self._samples and self._samples[0][0] < horizon:
            self._samples.popleft()

    @property
    def last(self) -> float:
        """The latest delay, 0.0 before any sample."""
        return self._samples[-1][1] if self._samples else 0.0

    @property
    def recent_max(self) -> float:
        """Largest delay within the window."""
        return max((d for _, d in self._samples), default=0.0)

    def clear(self) -> None:
        """Forget every sample."""
        self._samples.clear()
