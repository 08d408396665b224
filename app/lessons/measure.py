"""Small measurements the lessons' checks share: bands in an array, a thread's span,
its waits and holds, a median. No Qt, no threads: they read what was recorded."""

from __future__ import annotations

import math
import re
from typing import Iterable

import numpy as np

from ..core import recorder as rec
from ..core.timeline import Segment, Track

#: numpy lets go of the GIL inside one ufunc loop over more than about this many
#: elements (measured here: ``a += 1`` on a shared (N, 1) array from two threads ended
#: with unequal elements at N = 600 and above, never at 400 and below).
GIL_RELEASE_ELEMENTS = 500


def bands(a: np.ndarray) -> int:
    """Runs of equal neighbouring values: 1 if every element is equal."""
    flat = np.asarray(a).reshape(-1)
    return int(np.count_nonzero(np.diff(flat))) + 1 if flat.size else 0


def uniform(a: np.ndarray) -> bool:
    """True if every element of ``a`` is equal."""
    flat = np.asarray(a).reshape(-1)
    return bool(flat.size == 0 or flat.max() == flat.min())


def median(values: Iterable[float]) -> float | None:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else None


def gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in zip(times, times[1:])]


def span(track: Track) -> tuple[float, float]:
    """When the thread began and ended (``inf`` if it has not ended)."""
    began = next((m.t for m in track.marks if m.kind == rec.STARTED), track.first)
    return began, track.ended if track.ended is not None else math.inf


def overlapped(a: Track, b: Track) -> bool:
    """True if the two threads were alive at the same time at some moment."""
    (a0, a1), (b0, b1) = span(a), span(b)
    return a0 < b1 and b0 < a1


def segments(track: Track, state: str, name: str | None = None) -> list[Segment]:
    """The track's segments in ``state`` (on the object called ``name``, if given)."""
    return [s for s in track.segments
            if s.state == state and (name is None or getattr(s.obj, "name", None) == name)]


def longest(segments_: Iterable[Segment], now: float) -> float:
    return max((s.end_or(now) - s.start for s in segments_), default=0.0)


def number(text: str) -> float | None:
    """The first number in ``text`` (``"[2.]"`` gives 2.0), or None."""
    found = re.search(r"[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?", text)
    return float(found.group(0)) if found else None


