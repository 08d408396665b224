"""The array's peak envelope, made on a :class:`~app.core.feed.Feed` thread.

Two numpy passes per frame over a large array cost the GUI thread a millisecond or
two at the median and ten at the 99th percentile when two element-wise workers run
(they let go of the GIL and wait to get it back). Made here, they cost the GUI thread
nothing: the display timer asks for the envelope of the array as it is and plots,
on the next tick, the envelope made since.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from .downsample import peak_envelope
from .feed import Feed


@dataclass(frozen=True)
class Envelope:
    """One finished envelope: the points to plot, and what they summarise."""

    x: np.ndarray
    y: np.ndarray
    size: int  # the length of the whole array it was made from
    request: int  # the number of the request it answers
    low: float = 0.0  # the smallest and largest y (0.0 when empty), so the GUI need not look
    high: float = 0.0
    shape: Any = None  # what ``shape(x, y)`` made of the points (the window: a path to draw)


class EnvelopeFeed(Feed[tuple, Envelope]):
    """Makes the peak envelope of a live array (or a slice of it) with ``bins`` bins.

    ``shape``, if given, is called with the envelope's ``x`` and ``y`` on the feed's
    thread, and its result travels with the envelope: the window passes a function that
    builds the curve's path, so that this too is done before the GUI thread sees it.
    """

    def __init__(self, bins: int, name: str = "envelope",
                 shape: Callable[[np.ndarray, np.ndarray], Any] | None = None) -> None:
        if bins < 1:
            raise ValueError(f"bins must be at least 1, got {bins}")
        super().__init__(name)
        self.bins = bins
        self.shape = shape
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
        shape = self.shape(x, y) if self.shape is not None else None
        return Envelope(x, y, int(array.size), number, low, high, shape)
