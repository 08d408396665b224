"""Thread lanes rebuilt from a recorder's records: who was in which state, and when.

A :class:`Timeline` is fed records (see :mod:`app.core.recorder`) in the order they
were kept and turns them into one :class:`Track` per thread lifetime:

* ``segments``: consecutive :class:`Segment` s of one state each (running, pacing,
  waiting for a lock / event / condition, joining), the last one open while the
  thread is still in it;
* ``holds``: the intervals in which the thread held each lock;
* ``marks``: instants (started, set, notify, timed out, broken, finished, failed).

The window feeds it incrementally at display rate (:meth:`Timeline.follow`); the
trace export feeds it every record at once. No Qt here.
"""

from __future__ import annotations

import bisect
import math
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import recorder as rec
from .recorder import Lane, Record, Recorder, records_since


#: At most this many segments (and holds of one lock, and marks) are kept per thread.
MAX_PER_TRACK = 20_000


@dataclass
class Segment:
    """One state of one thread from ``start`` to ``end`` (``None``: still in it)."""

    state: str
    start: float
    end: float | None = None
    obj: Any = None  # the lock, event, condition or thread involved

    def describe(self) -> str:
        """In words: ``"waiting for lock 'array lock'"``."""
        return rec.describe(self.state, self.obj)

    def end_or(self, now: float) -> float:
        return self.end if self.end is not None else now


@dataclass
class Hold:
    """A lock held by the track's thread from ``start`` to ``end`` (``None``: still held)."""

    lock: Any
    start: float
    end: float | None = None

    def end_or(self, now: float) -> float:
        return self.end if self.end is not None else now


@dataclass(frozen=True)
class Mark:
    """An instant on a track: ``kind`` is one of :data:`app.core.recorder.MARKS` or an end."""

    kind: str
    t: float
    obj: Any = None


@dataclass
class Track:
    """Everything recorded about one thread lifetime."""

    lane: Lane
    segments: list[Segment] = field(default_factory=list)
    #: The holds, one list per lock: each list is in time order without overlaps (a
    #: thread holds a given lock once at a time), so it can be searched by bisection.
    holds_by_lock: dict[int, list[Hold]] = field(default_factory=dict)
    marks: list[Mark] = field(default_factory=list)
    ended: float | None = None  # when it finished or failed
    failed: bool = False

    @property
    def name(self) -> str:
        return self.lane.name

    @property
    def holds(self) -> list[Hold]:
        """Every hold of every lock, in the order they began."""
        return sorted((h for holds in self.holds_by_lock.values() for h in holds), key=lambda h: h.start)

    @property
    def first(self) -> float:
        """The earliest time this track knows about."""
        times = [s.start for s in self.segments[:1]] + [h[0].start for h in self.holds_by_lock.values() if h]
        times += [m.t for m in self.marks[:1]]
        return min(times) if times else 0.0

    def state_at(self, t: float) -> Segment | None:
        """The segment that covers time ``t``, if any."""
        for segment in reversed(self.segments):
            if segment.start <= t and (segment.end is None or t < segment.end):
                return segment
            if segment.start <= t:
                return None
        return None

    def holds_at(self, t: float) -> list[Hold]:
        """The locks held at time ``t``."""
        return [h for h in self.holds if h.start <= t and (h.end is None or t < h.end)]

    def time_in(self, state: str, now: float) -> float:
        """Seconds spent in ``state`` over the recorded segments."""
        return sum(s.end_or(now) - s.start for s in self.segments if s.state == state)


class Timeline:
    """Tracks built from records; :meth:`follow` reads only what is new since last time."""

    def __init__(self) -> None:
        self.tracks: dict[Lane, Track] = {}
        self._last: Record | None = None

    # -- feeding ---------------------------------------------------------------------------
    def follow(self, recorder: Recorder) -> int:
        """Feed the records added to ``recorder`` since the last call; return how many.

        Also ends the tracks of threads that ended without saying so (threads that are
        not instrumented record no "finished"), at the time this call noticed.
        """
        ring = recorder.records
        nothing_new = (ring[-1] is self._last) if ring else self._last is None
        records = [] if nothing_new else records_since(recorder.snapshot(), self._last)
        self.feed(records)
        now = time.monotonic()
        for track in self.tracks.values():
            if track.ended is None and not track.lane.alive:
                self._close(track, now)
                track.ended = now
        return len(records)

    def feed(self, records: Iterable[Record]) -> None:
        """Apply ``records`` in order."""
        for record in records:
            self._apply(record)
            self._last = record

    def _apply(self, record: Record) -> None:
        t, lane, kind, obj = record
        track = self.tracks.get(lane)
        if track is None:
            track = self.tracks[lane] = Track(lane)
        if kind == rec.HOLD:
            track.holds_by_lock.setdefault(id(obj), []).append(Hold(obj, t))
        elif kind == rec.RELEASE:  # closes the open hold: always the last of its lock's list
            holds = track.holds_by_lock.get(id(obj))
            if holds and holds[-1].end is None:
                holds[-1].end = t
        elif kind in rec.ENDS:
            self._close(track, t)
            track.ended, track.failed = t, kind == rec.FAILED
            track.marks.append(Mark(kind, t, obj))
        elif kind == rec.STARTED:
            track.marks.append(Mark(kind, t))
            self._enter(track, rec.RUNNING, t, None)
        elif kind in rec.MARKS:
            track.marks.append(Mark(kind, t, obj))
        else:
            self._enter(track, kind, t, obj)

    def restate(self, track: Track, state: str, t: float, obj: Any = None) -> None:
        """Begin ``state`` at ``t`` in ``track``'s open segment: what a sampler tells that the
        thread itself cannot record (blocked in C code). ``t`` is no earlier than the open
        segment's start."""
        if track.ended is None and track.segments and track.segments[-1].end is None:
            self._enter(track, state, max(t, track.segments[-1].start), obj)

    @staticmethod
    def _enter(track: Track, state: str, t: float, obj: Any) -> None:
        last = track.segments[-1] if track.segments else None
        if last is not None and last.end is None:
            if last.state == state and last.obj is obj:
                return  # the same state again (a lock wait retried): one segment
            t = max(t, last.start)  # (a record made before a sampler's restate, read after it)
            last.end = t
        track.segments.append(Segment(state, t, None, obj))

    @staticmethod
    def _close(track: Track, t: float) -> None:
        if track.segments and track.segments[-1].end is None:
            track.segments[-1].end = t

    # -- reading ---------------------------------------------------------------------------
    def ordered(self) -> list[Track]:
        """Tracks in the order their threads first appeared."""
        return sorted(self.tracks.values(), key=lambda track: track.lane.serial)

    def visible(self, t0: float, t1: float) -> list[Track]:
        """Tracks with anything between ``t0`` and ``t1`` (ended tracks scroll away)."""
        return [track for track in self.ordered()
                if track.first <= t1 and (track.ended is None or track.ended >= t0)]

    def find(self, name: str) -> list[Track]:
        """Every track of a thread called ``name`` (a name can come back in a new run)."""
        return [track for track in self.ordered() if track.name == name]

    def forget_before(self, t: float, keep: int = MAX_PER_TRACK) -> None:
        """Drop what ended before ``t``, and all but the last ``keep`` items of each kind
        per track, so a timeline left running stays bounded. Bisects: the lists are in
        time order, so this costs little however long they are."""
        for lane, track in list(self.tracks.items()):
            if track.ended is not None and track.ended < t:
                del self.tracks[lane]
                continue
            track.segments = _from(track.segments, t, keep)
            track.holds_by_lock = {key: kept for key, holds in track.holds_by_lock.items()
                                   if (kept := _from(holds, t, keep))}
            first = bisect.bisect_left(track.marks, t, key=lambda mark: mark.t)
            track.marks = track.marks[max(first, len(track.marks) - keep):]


def _from(items: list, t: float, keep: int) -> list:
    """The items of a time-ordered list that end at ``t`` or later, at most the last ``keep``."""
    first = bisect.bisect_left(items, t, key=lambda item: item.end_or(math.inf))
    return items[max(first, len(items) - keep):]
