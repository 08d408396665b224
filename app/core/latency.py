"""Event-loop latency: how late a short timer fires, kept over a sliding time window."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LatencyStats:
    """Percentiles of the delays in the window, in seconds (all 0.0 with no samples)."""

    p50: float
    p99: float
    max: float
    samples: int

    def describe(self) -> str:
        """``"p50 1 · p99 8 · max 12 ms"``."""
        return f"p50 {self.p50 * 1000:.0f} · p99 {self.p99 * 1000:.0f} · max {self.max * 1000:.0f} ms"


class LatencyMeter:
    """Collects delays (seconds late) with their times; answers last, max and percentiles.

    Written by the loop's own thread, read by the same thread (the window) or, after the
    loop stopped, by anyone; the ``deque`` appends and copies are atomic under the GIL.
    """

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

    def series(self) -> tuple[np.ndarray, np.ndarray]:
        """``(times, delays)`` in the window, for a plot (monotonic seconds, seconds)."""
        samples = np.array(self._samples.copy(), dtype=float).reshape(-1, 2)
        return samples[:, 0], samples[:, 1]

    def stats(self) -> LatencyStats:
        """p50, p99 and max over the window."""
        return latency_stats(self.series()[1])

    def clear(self) -> None:
        """Forget every sample."""
        self._samples.clear()


def latency_stats(delays: np.ndarray) -> LatencyStats:
    """p50, p99 and max of ``delays`` (seconds; a plot that already has them passes them in)."""
    ordered = np.sort(delays)
    if not ordered.size:
        return LatencyStats(0.0, 0.0, 0.0, 0)
    # by hand, not np.percentile: its first call imports modules, which took 140 ms with a
    # busy worker competing for the GIL, right in the middle of a measurement
    return LatencyStats(_percentile(ordered, 50), _percentile(ordered, 99), float(ordered[-1]), int(ordered.size))


def _percentile(ordered: np.ndarray, q: float) -> float:
    """The ``q``-th percentile of sorted values, interpolated linearly (numpy's default)."""
    rank = (ordered.size - 1) * q / 100
    low = int(rank)
    high = min(low + 1, ordered.size - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))
