"""Peak envelope: a line through a long array that keeps every spike, in a few thousand points.

A plot has a few hundred pixels across; drawing a million points through them costs
far more than it shows. :func:`peak_envelope` splits the array into ``bins`` equal
runs and keeps each run's minimum and maximum, so the line still reaches every peak
and every dip (what pyqtgraph calls "peak" downsampling), with two numpy reductions
over the array and no Python loop.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def peak_envelope(y: np.ndarray, bins: int, start: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` of at most ``2 * bins`` points that keep every minimum and maximum of ``y``.

    ``start`` is the index of ``y[0]`` in the whole array (for a zoomed-in slice). Short
    arrays come back whole (as a copy). ``y`` may change while it is read: the result
    is then a mix of before and after, which is what a live display of it shows anyway.
    """
    n = int(y.size)
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    if n <= 2 * bins:
        return np.arange(start, start + n, dtype=np.float64), np.array(y, dtype=np.float64)
    per_bin = -(-n // bins)  # ceil: every bin gets the same number of elements but the last
    whole = (n // per_bin) * per_bin
    body = y[:whole].reshape(-1, per_bin)
    low, high = body.min(axis=1), body.max(axis=1)
    if whole < n:  # the short tail makes one more bin
        low = np.append(low, y[whole:].min())
        high = np.append(high, y[whole:].max())
    out_y = np.empty(2 * low.size)
    out_y[0::2], out_y[1::2] = low, high
    return _centres(start, n, per_bin, low.size), out_y


@lru_cache(maxsize=8)
def _centres(start: int, n: int, per_bin: int, bins: int) -> np.ndarray:
    """x of each bin's two points (the same for every frame of one size: cached)."""
    centres = start + np.minimum(np.arange(bins) * per_bin + per_bin / 2, n - 1)
    x = np.repeat(centres.astype(np.float64), 2)
    x.flags.writeable = False  # shared between frames: nobody may change it
    return x
