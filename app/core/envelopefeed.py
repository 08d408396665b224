"""The array's peak envelope, made on a :class:`~app.core.feed.Feed` thread.

Two numpy passes per frame over a large array cost the GUI thread a millisecond or
two at the median and ten at the 99th percentile when two element-wise workers run
(they let go of the GIL and wait to get it back). Made here, they cost the GUI thread
nothing: the display timer asks for the envelope of the array as it is and plots,
on the next tick, the envelope made since.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.core.downsample import peak_envelope
from app.core.feed import Feed


@dataclass(frozen=True)
class Envelope:
    """One finished envelope: the points to plot, and what they summarise."""

    x: np.ndarray
    y: np.ndarray
    size: int  # the length of the whole array it was made from
    request: int  # the number of the request it answers
    low: float = 0.0  # the smallest and largest y (0.0 when empty), so the GUI need not look
    high: float = 0.0


class EnvelopeFeed(Feed[tuple, Envelope]):
    """Makes the peak envelope of a live array (or a slice of it) with ``bins`` bins."""

    def __init__(self, bins: int, name: str = "envelope") -> None:
        if bins < 1:
            raise ValueError(f"bins must be at least 1, got {bins}")
        super().__init__(name)
        self.bins = bins
        self._requests = 0

    def request(self, array: np.ndarray, first: int = 0, last: int | None = None) -> int:
        """Ask for the envelope of ``array[first:last]``; returns the request's number."""
        self._requests += 1
        self.ask((self._requests, array, first, array.size if last is None else last))
        return self._requests

    def make(self, request: tuple) -> Envelope:
        number, array, first, last = request
        x, y = peak_envelope(array[first:last], self.bins, first)
        low, high = (float(np.nanmin(y)), float(np.nanmax(y))) if y.size else (0.0, 0.0)
        return Envelope(x, y, int(array.size), number, low, high)
