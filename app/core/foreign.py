"""Threads that run a program's code but that the program did not start itself.

A program's own ``threading`` is the instrument's, so every thread it starts is
recorded from its first step. Others can run its code too: a thread a library started
with the real ``threading`` (``socketserver``'s request threads, ``multiprocessing.pool.
ThreadPool``'s workers, a Qt ``QThread``) calling back into the program. A
:class:`ForeignWatch` looks at every thread's stack a few times a second; one that has a
frame of the program's own files and is not one of the program's threads gets a lane,
named after the thread with :data:`SUFFIX`. Its lane says *running* while it is seen in
the program's code and *outside the program's code* otherwise; its waits on the
program's locks and events are recorded on the same lane, as any thread's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from app.core import recorder as rec
from app.core.frames import current_frames
from app.core.owned import OwnedThread
from app.core.recorder import Lane, Recorder

#: How often the stacks are looked at.
LOOK_S = 0.05
#: Added to such a thread's name in its lane.
SUFFIX = " (not started by the program)"


class ForeignWatch(OwnedThread):
    """Gives a lane to each thread seen running ``program_files`` code that is not in
    ``own_idents()`` (the program's threads); the owner stops it with :meth:`stop`."""

    def __init__(self, recorder: Recorder, program_files: set[str], own_idents: Callable[[], Iterable[int]]) -> None:
        super().__init__("foreign-thread-watch", LOOK_S)
        self.recorder = recorder
        self.program_files = program_files
        self.own_idents = own_idents
        self.lanes: dict[int, Lane] = {}  # by ident, while the thread lives
        self.seen: list[Lane] = []  # every lane given, in order (for the report)
        self._inside: dict[int, bool] = {}
        self._noted: set[int] = set()

    def step(self) -> None:
        frames = current_frames()
        own = set(self.own_idents()) | {threading.get_ident()}
        known = self.recorder.lanes_by_ident()
        for ident, frame in frames.items():
            if ident in own:
                continue
            inside = self._runs_program_code(frame)
            lane = self.lanes.get(ident)
            if lane is None:
                if not inside:
                    continue
                thread = threading._active.get(ident)  # noqa: SLF001 - the real threading's registry
                if thread is None:
                    continue
                lane = self.recorder.lane_for_ident(thread, thread.name + SUFFIX)
                self.lanes[ident] = lane
                if known.get(ident) is not lane:  # (made here: it has no records yet)
                    self.recorder.record(rec.STARTED, lane=lane)
            if self._inside.get(ident) != inside:
                self._inside[ident] = inside
                self.recorder.record(rec.RUNNING if inside else rec.ELSEWHERE, lane=lane)
        for ident, lane in self.recorder.lanes_by_ident().items():
            if lane.serial not in self._noted:  # (also a lane the thread made itself, taking a lock)
                self._noted.add(lane.serial)
                self.seen.append(lane)
            if ident not in frames and ident not in own:
                self.end(ident, lane)

    def end(self, ident: int, lane: Lane) -> None:
        """The thread is gone: its lane ends."""
        self.lanes.pop(ident, None)
        self._inside.pop(ident, None)
        self.recorder.forget_ident(ident)
        if not lane.ended:
            self.recorder.record(rec.FINISHED, lane=lane)
            lane.ended = True

    def _runs_program_code(self, frame) -> bool:
        files = self.program_files
        while frame is not None:
            if frame.f_code.co_filename in files:
                return True
            frame = frame.f_back
        return False
