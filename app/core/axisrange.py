"""A y range for a live plot that follows the data but moves seldom.

Moving an axis is the most expensive part of a frame (pyqtgraph regenerates every tick
label), and with busy Python workers each regeneration stretches a frame to tens of
milliseconds of wall time. Fitting the range to each frame's data makes it move on
almost every frame when the data jumps about (two mutators racing flip the whole array
between two levels) or drifts (a sum converging). :class:`StickyRange` fits the range
to everything the data did over the last ``memory_s`` seconds, with a margin, and
moves it only when the data leaves it, or when the range it would choose now is
under a quarter of the one shown.
"""

from __future__ import annotations

from collections import deque

#: Seconds of the data's extent that the range keeps room for.
MEMORY_S = 2.0
#: Room left above and below the recent extent, as a fraction of it.
MARGIN = 0.25
#: The range shrinks when the one it would choose now is under this fraction of it.
SHRINK = 0.25


class StickyRange:
    """Decides when a plot's y range must move, and to what.

    >>> r = StickyRange()
    >>> r.fit(0.0, 4.0, now=0.0)        # the first data sets a range
    (-1.0, 5.0)
    >>> r.fit(1.0, 3.0, now=0.1) is None  # inside it: the axis stays still
    True
    """

    def __init__(self, memory_s: float = MEMORY_S, margin: float = MARGIN, shrink: float = SHRINK) -> None:
        self.memory_s = memory_s
        self.margin = margin
        self.shrink = shrink
        self.shown: tuple[float, float] | None = None
        # the extents of the last memory_s seconds, one deque per field: min() and max()
        # of a deque of floats run in C, a frame's worth of Python less than a generator
        self._times: deque[float] = deque()
        self._lows: deque[float] = deque()
        self._highs: deque[float] = deque()

    def reset(self) -> None:
        """Forget the range and the recent data (a new array, or the user zoomed)."""
        self.shown = None
        for recent in (self._times, self._lows, self._highs):
            recent.clear()

    def fit(self, low: float, high: float, now: float) -> tuple[float, float] | None:
        """Note this frame's extent; return the new range if the axis must move, else None."""
        times, lows, highs = self._times, self._lows, self._highs
        times.append(now)
        lows.append(low)
        highs.append(high)
        while times[0] < now - self.memory_s:
            times.popleft()
            lows.popleft()
            highs.popleft()
        wanted = self._range_for(min(lows), max(highs))
        shown = self.shown
        if shown is not None and shown[0] <= low and high <= shown[1]:
            if wanted[1] - wanted[0] >= self.shrink * (shown[1] - shown[0]):
                return None  # the data is inside and still fills the range well
        self.shown = wanted
        return wanted

    def _range_for(self, lowest: float, highest: float) -> tuple[float, float]:
        span = highest - lowest
        pad = span * self.margin if span > 0 else max(abs(highest) * 0.05, 0.5)
        return (lowest - pad, highest + pad)
