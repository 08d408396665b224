"""The thread lanes, read from the recorder and painted on a :class:`~app.core.feed.Feed` thread.

Following the recorder (turning new records into segments) and painting the lanes
image are Python loops and numpy passes: a few milliseconds of the GUI thread per
frame, stretched to ten and more by busy workers (see :mod:`app.core.feed`). Here
they run on the feed's thread; the window asks for the stretch of time in view at
display rate and shows the finished :class:`LanesFrame` on its next tick.

The timeline is shared with the GUI thread, which reads it to say what a lane shows
under the mouse and paints at once when the user drags or zooms or a lesson run ends
(following the recorder first, so the picture is complete). Whoever touches the
timeline holds :attr:`LanesFeed.timeline_lock`; a tooltip waits for it only briefly.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from .feed import Feed
from .lanesimage import ROW_PX, render_lanes, stack_rows
from .outside import OutsideWatch
from .recorder import Recorder
from .timeline import Timeline, Track

#: Seconds of the timeline kept for scrolling back.
KEEP_S = 120.0
#: The smallest lane height in pixels when many lanes share the height.
MIN_ROW_PX = 8


@dataclass(frozen=True)
class View:
    """The stretch of time to paint, and the room it has."""

    t0: float
    t1: float
    width: int
    height: int
    busy: bool = True  # something runs: time moves on even without new records
    following: bool = True  # the right edge is the clock (else a fixed stretch of time)
    force: bool = False  # paint even if nothing seems to have changed (the last frame was dropped)
    #: The lanes to paint: serials ``first`` up to (not including) ``last`` (None: no end),
    #: and the lanes in ``always`` (the GUI's) whatever their serial.
    first: int = 0
    last: int | None = None
    always: tuple[int, ...] = ()

    def keeps(self, serial: int) -> bool:
        """True if the lane numbered ``serial`` is one this view paints."""
        return serial in self.always or (self.first <= serial and (self.last is None or serial < self.last))

    def same_place(self, other: "View | None") -> bool:
        """The same room, span and lanes, and the same stretch of time unless following."""
        if other is None:
            return False
        same = (self.width, self.height, self.following) == (other.width, other.height, other.following)
        same = same and (self.first, self.last, self.always) == (other.first, other.last, other.always)
        same = same and abs((self.t1 - self.t0) - (other.t1 - other.t0)) < 1e-9
        return same and (self.following or self.t1 == other.t1)


@dataclass(frozen=True)
class LanesFrame:
    """A painted stretch of time: the image, and the lanes in it from top to bottom."""

    image: np.ndarray
    rows: list[list[Track]]
    row_px: int
    view: View


class LanesFeed(Feed[View, LanesFrame]):
    """Follows ``recorder`` into a timeline and paints the lanes of the view asked for."""

    def __init__(self, recorder: Recorder, name: str = "lanes") -> None:
        super().__init__(name)
        self.recorder = recorder
        self.timeline = Timeline()
        self.timeline_lock = threading.Lock()
        self._pruned_at = 0.0
        self._last_view: View | None = None
        self.outside = OutsideWatch()  # threads blocked in C code, which record nothing

    def request(self, view: View) -> None:
        """Ask for ``view`` to be painted (on the feed's thread)."""
        self.ask(view)

    def make(self, view: View) -> LanesFrame | None:
        """Paint ``view`` (on the feed's thread); None when nothing changed since the last
        frame this thread painted: no new records, nothing running, the same view."""
        with self.timeline_lock:
            new = self._follow()
            if not (new or view.busy or view.force) and view.same_place(self._last_view):
                return None
            return self._paint(view)

    def render_now(self, view: View) -> LanesFrame:
        """Read new records and paint ``view`` on the calling thread (a drag, a zoom, a run's end)."""
        with self.timeline_lock:
            self._follow()
            return self._paint(view)

    def _follow(self) -> int:
        new = self.timeline.follow(self.recorder)
        now = time.monotonic()
        new += self.outside.check(self.timeline, now)
        if now - self._pruned_at >= 1.0:  # the timeline stays bounded on a forever run
            self._pruned_at = now
            self.timeline.forget_before(now - KEEP_S)
        return new

    def _paint(self, view: View) -> LanesFrame:
        rows = stack_rows([track for track in self.timeline.visible(view.t0, view.t1)
                           if view.keeps(track.lane.serial)])
        row_px = max(MIN_ROW_PX, min(ROW_PX, view.height // max(len(rows), 1)))
        image = render_lanes(rows, view.t0, view.t1, view.width, time.monotonic(), row_px)
        self._last_view = view
        return LanesFrame(image, rows, row_px, view)
