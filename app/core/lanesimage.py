"""The thread lanes as one RGBA image, painted with numpy (no Qt here).

:func:`render_lanes` turns tracks of a :class:`~app.core.timeline.Timeline` into
pixels: per lane a state bar (its colour says what the thread was doing) and a thin
bar while it held a lock, with ticks for instants (an Event set, a wait broken). The
window wraps the image in one ``QImage``, so a frame costs the same few calls into Qt
however many segments are in view. :func:`stack_rows` puts the tracks of a thread
name that comes back run after run into one row.
"""

from __future__ import annotations

import bisect

import numpy as np

from . import recorder as rec
from .timeline import Track

#: What each state looks like, in the order of the legend.
STATE_COLOURS = {
    rec.RUNNING: "#2e9d57",
    rec.WAIT_LOCK: "#d9412b",
    rec.WAIT_EVENT: "#f0a92e",
    rec.WAIT_COND: "#b565c9",
    rec.JOINING: "#6f86d6",
    rec.PACING: "#c9d3e0",
    rec.SLEEPING: "#a9b4c4",
    rec.OUTSIDE: "#8d6e56",
    rec.EVENT_LOOP: "#d3ead9",
    rec.PAUSED: "#efe3a0",
    rec.ELSEWHERE: "#e4dcc8",  # (seldom seen: not in the legend; the hover says it)
}
LEGEND = {
    rec.RUNNING: "running",
    rec.WAIT_LOCK: "waiting for a lock",
    rec.WAIT_EVENT: "waiting for an event",
    rec.WAIT_COND: "waiting on a condition",
    rec.JOINING: "joining a thread",
    rec.PACING: "pacing (a wait with a timeout)",
    rec.SLEEPING: "sleeping (time.sleep)",
    rec.OUTSIDE: "blocked outside Python (in C: a pipe, a socket...)",
    rec.EVENT_LOOP: "idle (GUI event loop)",
    rec.PAUSED: "paused for its next step (Step through)",
}
HOLD_COLOUR = "#3b3b3b"
#: Instants drawn as a thin tick across the lane.
MARK_COLOURS = {
    rec.SET: "#c27c00",
    rec.NOTIFY: "#8a3c9e",
    rec.BROKEN: "#9b1c0c",
    rec.FAILED: "#9b1c0c",
    rec.TIMED_OUT: "#222222",
    rec.GAVE_UP: "#222222",
}
#: Pixel rows of one lane: the state bar, then the thin "holds a lock" bar.
ROW_PX = 22
BAR_ROWS = (3, 14)
HOLD_ROWS = (16, 19)
#: At most this many segments of one lane are painted per frame (every k-th beyond).
MAX_SEGMENTS_PER_LANE = 4000


def _rgba(colour: str) -> np.ndarray:
    """``"#rrggbb"`` as an opaque RGBA pixel."""
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)] + [255], dtype=np.uint8)


STATE_RGBA = {state: _rgba(colour) for state, colour in STATE_COLOURS.items()}
HOLD_RGBA = _rgba(HOLD_COLOUR)
MARK_RGBA = {kind: _rgba(colour) for kind, colour in MARK_COLOURS.items()}


def in_view(items: list, t0: float, t1: float, now: float) -> list:
    """The items that overlap ``[t0, t1]``, from a list in time order without overlaps
    (one lane's segments, or its holds of one lock)."""
    first = bisect.bisect_left(items, t0, key=lambda item: item.end_or(now))
    last = bisect.bisect_right(items, t1, key=lambda item: item.start)
    return items[first:last]


def stack_rows(tracks: list[Track]) -> list[list[Track]]:
    """Put tracks in rows: a thread whose name already has a row that was free when it
    started joins that row, so a lesson run ten times shows one "add" lane, not ten."""
    rows: list[list[Track]] = []
    for track in tracks:
        for row in rows:
            last = row[-1]
            if last.name == track.name and last.ended is not None and last.ended <= track.first:
                row.append(track)
                break
        else:
            rows.append([track])
    return rows


def render_lanes(rows: list[list[Track]], t0: float, t1: float, width: int, now: float,
                 row_px: int = ROW_PX) -> np.ndarray:
    """Paint ``rows`` of tracks between times ``t0`` and ``t1`` into an RGBA image ``width``
    pixels wide.

    Pixel row ``i * row_px`` starts lane ``i``: a state bar, then a thin bar while its
    thread holds a lock. A segment shorter than a pixel still paints one pixel, so a
    short wait stays visible; where several share a pixel the last one wins.
    """
    width = max(int(width), 1)
    bar = (max(1, row_px * BAR_ROWS[0] // ROW_PX), row_px * BAR_ROWS[1] // ROW_PX)
    hold_rows = (row_px * HOLD_ROWS[0] // ROW_PX, max(row_px * HOLD_ROWS[1] // ROW_PX, row_px * HOLD_ROWS[0] // ROW_PX + 1))
    image = np.full((max(len(rows), 1) * row_px, width, 4), 255, dtype=np.uint8)
    scale = width / max(t1 - t0, 1e-9)

    def columns(start: float, end: float) -> tuple[int, int]:
        x0 = int((start - t0) * scale)
        return max(x0, 0), min(max(int((end - t0) * scale + 0.999), x0 + 1), width)

    for i, track in ((i, track) for i, row in enumerate(rows) for track in row):
        top = i * row_px
        segments = in_view(track.segments, t0, t1, now)
        segments = segments[:: max(1, len(segments) // MAX_SEGMENTS_PER_LANE)]
        for waits in (False, True):  # waits last: a pixel with any wait in it shows the wait
            for segment in segments:
                if (segment.state in rec.WAITING) == waits:
                    x0, x1 = columns(segment.start, segment.end_or(now))
                    image[top + bar[0]: top + bar[1], x0:x1] = STATE_RGBA[segment.state]
        for lock_holds in track.holds_by_lock.values():
            holds = in_view(lock_holds, t0, t1, now)
            for hold in holds[:: max(1, len(holds) // MAX_SEGMENTS_PER_LANE)]:
                x0, x1 = columns(hold.start, hold.end_or(now))
                image[top + hold_rows[0]: top + hold_rows[1], x0:x1] = HOLD_RGBA
        first = bisect.bisect_left(track.marks, t0, key=lambda mark: mark.t)
        for mark in track.marks[first: bisect.bisect_right(track.marks, t1, key=lambda mark: mark.t)]:
            if mark.kind in MARK_RGBA:
                x0, _ = columns(mark.t, mark.t)
                image[top + 1: top + row_px - 1, x0: x0 + 2] = MARK_RGBA[mark.kind]
    return image
