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

from . import recorder as rec
from .frames import current_frames
from .owned import OwnedThread
from .recorder import Lane, Recorder

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
        self.seen: list[Lane] = []  # every lane given, in order (for the report)
        self._inside: dict[int, bool] = {}  # by lane serial: seen in the program's code last time
        self._noted: set[int] = set()

    def step(self) -> None:
        frames = current_frames()
        own = set(self.own_idents()) | {threading.get_ident()}
        active = dict(threading._active)  # noqa: SLF001 - the real threading's registry, by ident
        # a lane whose thread is gone ends, also when a new thread already has its ident
        for ident, lane in self.recorder.lanes_by_ident().items():
            if lane.serial not in self._noted:  # (also a lane the thread made itself, taking a lock)
                self._noted.add(lane.serial)
                self.seen.append(lane)
            if ident not in own and (ident not in frames or active.get(ident) is not lane.thread):
                self.end(ident, lane)
        known = self.recorder.lanes_by_ident()
        for ident, frame in frames.items():
            thread = active.get(ident)
            if ident in own or thread is None:
                continue
            inside = self._runs_program_code(frame)
            lane = known.get(ident)
            if lane is None:
                if not inside:
                    continue
                lane = self.recorder.lane_for_ident(thread, thread.name + SUFFIX)
                self.recorder.record(rec.STARTED, lane=lane)
                self._noted.add(lane.serial)
                self.seen.append(lane)
            if self._inside.get(lane.serial) != inside:
                self._inside[lane.serial] = inside
                self.recorder.record(rec.RUNNING if inside else rec.ELSEWHERE, lane=lane)

    def end(self, ident: int, lane: Lane) -> None:
        """The thread is gone: its lane ends."""
        self._inside.pop(lane.serial, None)
        self.recorder.forget_ident(ident, lane)
        if not lane.ended:
            self.recorder.record(rec.FINISHED, lane=lane)
            lane.ended = True

    @property
    def lanes(self) -> dict[int, Lane]:
        """The lanes of the live threads that the program did not start, by ident."""
        return {ident: lane for ident, lane in self.recorder.lanes_by_ident().items() if not lane.ended}

    def _runs_program_code(self, frame) -> bool:
        files = self.program_files
        while frame is not None:
            if frame.f_code.co_filename in files:
                return True
            frame = frame.f_back
        return False
