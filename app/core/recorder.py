"""What the instrumented threads did, and when: a bounded ring of state changes.

The instrumented primitives (:mod:`app.core.primitives`) call :meth:`Recorder.record`
whenever a thread changes state: it starts, runs, paces itself, waits for a lock, an
event, a condition or another thread, takes or lets go of a lock, finishes or fails.
Each record is one tuple::

    (t, lane, kind, obj)

``t`` is ``time.monotonic()``; ``lane`` is the :class:`Lane` of the thread the record
is about; ``kind`` is one of the constants below; ``obj`` is the primitive involved
(a lock, an event, a condition, a thread) or ``None``.

Records go into a ``deque`` with a ``maxlen``: the oldest fall out, so a lesson left
running for hours holds the same memory as one that ran for a second. Appending to a
deque and copying it are single C calls, atomic under the GIL, so recording takes no
lock of its own. The thread lanes (:mod:`app.core.timeline`) and the trace export
(:mod:`app.core.chrometrace`) are built from these records, never from guesses.
"""

from __future__ import annotations

import itertools
import threading
import time
import weakref
from collections import deque
from typing import Any

# -- thread states: each starts a new segment in the thread's lane -------------------------
STARTED = "started"  # the thread began: a mark, and the state becomes RUNNING
RUNNING = "running"
PACING = "pacing"  # Event.wait(timeout): idle by choice, for a bounded time
SLEEPING = "sleeping"  # time.sleep in a program's code
WAIT_LOCK = "waiting for lock"
WAIT_EVENT = "waiting for event"  # Event.wait() with no timeout
WAIT_COND = "waiting on condition"
JOINING = "joining"  # Thread.join(): waiting for another thread to end
EVENT_LOOP = "idle (event loop)"  # the GUI thread between events (recorded by the window)
OUTSIDE = "blocked outside Python"  # told by the lanes' sampler, never recorded (see app.core.outside)
PAUSED = "paused by the stepper"  # waiting for its next step (Step through)
ELSEWHERE = "outside the program's code"  # a thread the program did not start (see app.core.foreign)
FINISHED = "finished"
FAILED = "failed"  # the thread ended with an exception

ENDS = (FINISHED, FAILED)
#: States in which a thread is blocked by another thread (as opposed to pacing itself).
WAITING = (WAIT_LOCK, WAIT_EVENT, WAIT_COND, JOINING)

# -- lock ownership: recorded on the owner's lane ------------------------------------------
HOLD = "hold"
RELEASE = "release"

# -- instants: marks on a lane, no change of state -----------------------------------------
SET = "set"  # Event.set()
NOTIFY = "notify"  # Condition.notify()/notify_all()
TIMED_OUT = "timed out"  # a wait with a timeout gave up
BROKEN = "broken"  # a lock wait was broken from outside (WaitBroken)
GAVE_UP = "gave up"  # Lock.acquire_unless: the owner asked the wait to end
MARKS = (STARTED, SET, NOTIFY, TIMED_OUT, BROKEN, GAVE_UP)

Record = tuple  # (t, lane, kind, obj)
#: Lanes of threads that got none at their start kept by ident before the ended ones are dropped.
PRUNE_AT = 64

_now = time.monotonic


class Lane:
    """One thread's row in the timeline: one per thread *lifetime* (idents get reused)."""

    __slots__ = ("serial", "name", "ident", "ended", "_thread", "__weakref__")

    def __init__(self, serial: int, name: str, ident: int | None,
                 thread: threading.Thread | None = None) -> None:
        self.serial = serial
        self.name = name
        self.ident = ident
        self.ended = False  # set when the thread's own code is over (it may live on a little)
        self._thread = weakref.ref(thread) if thread is not None else None

    @property
    def thread(self) -> threading.Thread | None:
        """The thread this lane is about, while it exists."""
        return self._thread() if self._thread is not None else None

    @property
    def alive(self) -> bool:
        """False once its thread has ended (a thread that is not instrumented records no
        end of its own: the timeline closes its lane when it sees this)."""
        if self.ended:
            return False
        thread = self.thread
        return thread is not None and thread.is_alive()

    def __repr__(self) -> str:
        return f"<Lane {self.serial} {self.name!r}>"


class Recorder:
    """A ring buffer of thread state changes, and the lanes of the threads that made them.

    ``capacity`` bounds the records kept; ``enabled=False`` keeps the lanes (locks still
    know their owners, so deadlocks are still found) but drops the records, which is
    what the cost benchmark compares against.
    """

    def __init__(self, capacity: int = 50_000, enabled: bool = True) -> None:
        if capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self.enabled = enabled
        self.records: deque[Record] = deque(maxlen=capacity)
        self.t0 = _now()
        self._local = threading.local()  # the calling thread's Lane; dies with the thread
        self._serials = itertools.count(1)
        #: Lanes of threads that got no lane when they started (threads started with the real
        #: ``threading`` that then use a recorded primitive, or that a sampler saw), by ident.
        self._by_ident: dict[int, Lane] = {}
        self._by_ident_lock = threading.Lock()  # (a thread's first record and a sampler may race)
        #: Added to the name of such a thread's lane (a traced script: "not started by the program").
        self.implicit_suffix = ""

    # -- lanes ---------------------------------------------------------------------------
    def lane(self) -> Lane:
        """The calling thread's lane (created on its first record)."""
        try:
            return self._local.lane
        except AttributeError:
            me = threading.current_thread()
            with self._by_ident_lock:
                lane = self._by_ident.get(me.ident)
                if lane is None or lane.ended or lane.thread is not me:
                    if len(self._by_ident) >= PRUNE_AT:
                        self._prune()
                    lane = self.new_lane(me.name + self.implicit_suffix)
                    self._by_ident[me.ident] = lane
            self._local.lane = lane
            return lane

    def _prune(self) -> None:
        """Drop the lanes of threads that have ended from :attr:`_by_ident` (under its lock)."""
        for ident, lane in list(self._by_ident.items()):
            if not lane.alive:
                del self._by_ident[ident]

    def new_lane(self, name: str | None = None) -> Lane:
        """Give the calling thread a fresh lane (a thread starting calls this first)."""
        me = threading.current_thread()
        lane = Lane(next(self._serials), name if name is not None else me.name, me.ident, me)
        self._local.lane = lane
        return lane

    def mark(self) -> int:
        """A lane number that comes after every lane made so far and before every lane made
        later (a session's lanes are the ones from its mark on)."""
        return next(self._serials)

    def lane_for(self, thread: threading.Thread) -> Lane:
        """A lane made for ``thread`` before it starts; the thread takes it with :meth:`adopt`
        (so that the new thread's first steps are as short as a plain thread's)."""
        return Lane(next(self._serials), thread.name, None, thread)

    def lane_for_ident(self, thread: threading.Thread, name: str) -> Lane:
        """The lane of a running ``thread`` that is not the caller (a sampler saw it), made
        if it has none: the thread takes it as its own at its first record (one lane per
        thread, whoever made it first)."""
        with self._by_ident_lock:
            lane = self._by_ident.get(thread.ident)
            if lane is None or lane.ended or lane.thread is not thread:
                lane = Lane(next(self._serials), name, thread.ident, thread)
                self._by_ident[thread.ident] = lane
        return lane

    def lanes_by_ident(self) -> dict[int, Lane]:
        """The lanes of threads that got none when they started (a copy), by ident."""
        with self._by_ident_lock:
            return dict(self._by_ident)

    def forget_ident(self, ident: int, lane: Lane) -> None:
        """Drop ``lane`` (kept for ``ident``) once its thread has ended."""
        with self._by_ident_lock:
            if self._by_ident.get(ident) is lane:
                del self._by_ident[ident]

    def adopt(self, lane: Lane) -> None:
        """Make ``lane`` the calling thread's."""
        self._local.lane = lane

    # -- records -------------------------------------------------------------------------
    def record(self, kind: str, obj: Any = None, lane: Lane | None = None) -> None:
        """Append ``(now, lane, kind, obj)``; ``lane`` defaults to the calling thread's."""
        if self.enabled:
            self.records.append((_now(), lane if lane is not None else self.lane(), kind, obj))

    def snapshot(self) -> list[Record]:
        """A copy of the kept records, oldest first (one atomic copy under the GIL)."""
        return list(self.records.copy())

    @property
    def full(self) -> bool:
        """True once the ring is full: from now on every record pushes out the oldest."""
        return len(self.records) >= self.capacity



def records_since(records: list[Record], last: Record | None) -> list[Record]:
    """The records after ``last`` (found by identity); all of them if it is gone or ``None``.

    A reader that remembers the last record it saw can follow a ring buffer without
    sequence numbers: records are unique tuples, and if ``last`` has been pushed out,
    every record now kept is newer than it.
    """
    if last is None:
        return records
    for i in range(len(records) - 1, -1, -1):
        if records[i] is last:
            return records[i + 1:]
    return records


def describe(kind: str, obj: Any) -> str:
    """``"waiting for lock 'array lock'"`` and the like, for tooltips and traces."""
    name = getattr(obj, "name", None)
    if kind == WAIT_COND and name and getattr(obj, "kind", ""):
        return f"waiting on {obj.kind} {name!r}"  # a Semaphore, a Barrier, a Queue
    if kind in (WAIT_LOCK, WAIT_EVENT, WAIT_COND) and name:
        return f"{kind} {name!r}"
    if kind == PACING and name:
        return f"pacing (wait with a timeout on {name!r})"
    if kind == SLEEPING:
        return "sleeping (time.sleep)"
    if kind == OUTSIDE and isinstance(obj, str):
        return f"{kind} ({obj})"
    if kind == JOINING and name:
        return f"joining thread {name!r}"
    return kind
