"""Python's cyclic garbage collector, run on the GUI thread only while the window is open.

Left to itself, the collector runs in whichever thread allocates when a generation fills
up, which is often a worker. Cyclic garbage that holds Qt objects is then destroyed on that
worker. Under PySide6 this hangs the whole process. Caught in gdb: a worker started a thread,
the allocation set off a collection, a ``QObject`` destructor in it waited for the GIL, and
the GUI thread held the GIL while it waited for a Qt mutex that the destructor held. PyQt
does not hang there, but Qt objects are not meant to be destroyed outside their thread either.

So while the window is open, automatic collection is off. A timer on the GUI thread
collects each generation once it is as full as the automatic collector would let it get.
pyqtgraph's ``GarbageCollector`` does the same. The lesson threads still allocate and free
as before; only the cycle collection moves to the GUI thread.

What exists when the window starts (the app, the window, the modules) is frozen
(``gc.freeze``): a full collection then scans only what came after (measured with the
window just open: 0.2 ms against 36-44 ms; it grows with what the runs keep). As the
automatic collector does, a full collection waits until the old generation has grown by
a quarter since the last one.

Only cyclic garbage moves: an object whose last reference a worker drops is still freed
by that worker, at once.

Every running collector shares one switch: the first to start saves the collector's
state and freezes, the last to stop puts it back (tests make many windows).
"""

from __future__ import annotations

import gc
import sys

from pyqtgraph.Qt import QtCore

from ..core.faults import FaultCounter
from ..core.frames import COLLECTION_SWITCH, keep_main_frames, let_go_of_main_frames

CHECK_INTERVAL_MS = 100  # (a check reads three counters; a collection runs only when due)
OLD_GROWTH = 1.25  # a full collection waits until the old generation has grown this much

_old_after_full = 0  # objects in the oldest generation after the last full collection
_running: list["GuiThreadCollector"] = []  # (under COLLECTION_SWITCH)
_enabled_before = False  # the collector's state when the first of them started


def collect_due() -> int:
    """Collect the oldest generation that is due, as automatic collection would.

    A generation is due when its count passes its threshold and every younger one is
    due too (a threshold of 0 never is); the oldest, only once it has grown by a
    quarter since the last full collection. Returns the generation collected, or -1.
    """
    global _old_after_full
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = -1
    for generation, (count, threshold) in enumerate(zip(counts, thresholds)):
        if not threshold or count <= threshold:
            break
        due = generation
    if due == 2 and len(gc.get_objects(generation=2)) < _old_after_full * OLD_GROWTH:
        due = 1
    if due >= 0:
        gc.collect(due)
    if due == 2:
        _old_after_full = len(gc.get_objects(generation=2))
    return due


class GuiThreadCollector(QtCore.QObject):
    """Owns the process's garbage collection while it runs: :meth:`start` turns automatic
    collection off and collects from a GUI-thread timer; :meth:`stop` gives collection back
    as it found it (once every collector has stopped)."""

    def __init__(self, parent: QtCore.QObject | None = None, faults: FaultCounter | None = None) -> None:
        super().__init__(parent)
        self.collections = [0, 0, 0]  # per generation, since start
        self.running = False
        # a failing collection is told once, then counted (the window passes its own, which
        # writes to its log)
        self._faults = faults or FaultCounter(lambda text: print(f"threadlab: {text}", file=sys.stderr))
        self._timer = QtCore.QTimer(self)
        self._timer.timeout.connect(self._check)

    def start(self) -> None:
        """Collect on this (the GUI) thread from now on."""
        global _enabled_before
        if self.running:
            return
        with COLLECTION_SWITCH:
            first = not _running
            if first:
                _enabled_before = gc.isenabled()
                gc.disable()
                gc.freeze()  # (what exists now, the app and its window, is never scanned again)
            _running.append(self)
        if first:
            keep_main_frames(True)  # (see app.core.frames: a sampler thread never frees them)
        self.running = True
        self._timer.start(CHECK_INTERVAL_MS)

    def _check(self) -> None:
        self._faults.run("letting go of the GUI thread's sampled frames", let_go_of_main_frames)
        self._faults.run("garbage collection", self._collect)

    def _collect(self) -> None:
        generation = collect_due()
        if generation >= 0:
            self.collections[generation] += 1

    def stop(self) -> None:
        """Stop collecting here (idempotent). The last collector to stop unfreezes and, if
        every thread may collect again, first collects here what the window left."""
        if not self.running:
            return
        self._timer.stop()
        self.running = False
        with COLLECTION_SWITCH:
            _running.remove(self)
            last = not _running
        if last:
            keep_main_frames(False)  # (lets go here, on the GUI thread, of what was kept)
        with COLLECTION_SWITCH:
            if last and not _running:
                gc.unfreeze()
                if _enabled_before:
                    gc.collect()
                    gc.enable()
