"""Which threads are blocked outside Python: in C code that the instrument cannot see.

A thread reading a pipe, waiting on a socket, or sleeping through a ``time.sleep``
that was not the program's own (a library's) records nothing: to the recorder it is
still *running*. On Linux the kernel can tell otherwise. :class:`OutsideWatch` samples,
for each thread whose lane says running, its Python position (the top frame and its
last instruction, from ``sys._current_frames``) and its CPU time and state (from
``/proc/self/task/<id>/stat``). A thread that for :data:`MIN_S` has not moved in
Python, has used no CPU, and is asleep in the kernel is *blocked outside Python*; its
lane says so, and where (the last Python line it ran). A long numpy call uses CPU, so
it stays *running*; a thread waiting its turn for the GIL gets it within a few switch
intervals, far less than :data:`MIN_S`. Where ``/proc`` is missing nothing is told.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from . import recorder as rec
from .frames import current_frames
from .timeline import Timeline, Track

#: How long a thread must stay put (no Python progress, no CPU) to be called blocked.
MIN_S = 0.25


def kernel_view(native_id: int) -> tuple[str, int] | None:
    """The thread's kernel state letter (``R``, ``S``, ``D``...) and its CPU time in clock
    ticks (user + system); None where it cannot be read."""
    try:
        with open(f"/proc/self/task/{native_id}/stat", "rb") as stat:
            text = stat.read().decode("ascii", "replace")
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()  # (the name in brackets may hold spaces)
    try:
        return fields[0], int(fields[11]) + int(fields[12])
    except (IndexError, ValueError):
        return None


@dataclass
class _Still:
    since: float  # when this position and CPU time were first seen
    position: tuple[int, int]
    cpu: int


class OutsideWatch:
    """Tells the timeline when a running thread is blocked outside Python, and when it is
    back. Call :meth:`check` with the timeline's lock held, after following the recorder."""

    def __init__(self, min_s: float = MIN_S) -> None:
        self.min_s = min_s
        self._still: dict[int, _Still] = {}  # by lane serial

    def check(self, timeline: Timeline, now: float) -> int:
        """Sample every live running (or blocked) track; return how many changed state."""
        frames = current_frames()
        changed, seen = 0, set()
        for track in timeline.tracks.values():
            open_state = track.segments[-1].state if track.segments and track.segments[-1].end is None else None
            if track.ended is not None or open_state not in (rec.RUNNING, rec.OUTSIDE):
                continue
            sample = self._sample(track, frames)
            if sample is None:
                continue
            seen.add(track.lane.serial)
            position, letter, cpu, where = sample
            still = self._still.get(track.lane.serial)
            if still is None or still.position != position or still.cpu != cpu:
                self._still[track.lane.serial] = _Still(now, position, cpu)
                if open_state == rec.OUTSIDE:
                    timeline.restate(track, rec.RUNNING, now)
                    changed += 1
            elif open_state == rec.RUNNING and letter in "SD" and now - still.since >= self.min_s:
                timeline.restate(track, rec.OUTSIDE, still.since, where)
                changed += 1
        self._still = {k: v for k, v in self._still.items() if k in seen}
        return changed

    @staticmethod
    def _sample(track: Track, frames: dict) -> tuple[tuple[int, int], str, int, str] | None:
        thread = track.lane.thread
        native_id = getattr(thread, "native_id", None)
        frame = frames.get(getattr(thread, "ident", None))
        if native_id is None or frame is None:
            return None
        kernel = kernel_view(native_id)
        if kernel is None:
            return None
        where = f"last Python line: {os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"
        return (id(frame), frame.f_lasti), kernel[0], kernel[1], where
