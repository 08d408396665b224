"""Every thread's current frame (``sys._current_frames``), without CPython 3.11's deadlock.

``sys._current_frames()`` holds the interpreter's lock on its list of threads while it
makes a frame object for each thread. Making one may start a garbage collection; if that
frees a ``threading.local``, freeing it asks for the same lock, and the thread waits for
itself, holding the GIL: the whole process stops. Seen here (gdb: ``_PyThread_CurrentFrames``
→ ``gc_collect_main`` → ``local_clear`` → ``PyThread_acquire_lock``), from the lanes'
sampler, while a closed window's recorder waited to be collected.
``tests/test_frames.py`` makes it happen on purpose.

The caller's own frame is left out of the answer. With it, the answer holds the caller's
frame, whose locals hold the answer: a cycle through every other thread's frame and what
those frames' locals hold, left for the collector after the frames are done. The collector
frees a cycle's objects in no particular order, and some objects cannot bear that: a
``BytesIO`` freed before the view of its buffer that a finished frame still held (what
``multiprocessing.pool``'s change notifier leaves) is "SystemError: deallocated BytesIO
object has exported buffers" and a segmentation fault on CPython 3.12.1, "Exception ignored
... BufferError" on 3.13 (CPython gh-111331). Without the caller's frame the answer is
freed when the caller drops it, and the other frames' locals with it, as without threadlab.

Freed, but on the thread that let go last. A frame outlives its function while someone
holds it, and its locals with it; when a sampler thread (the lanes' feed) lets go of the
main thread's frame after that function returned, what the frame held (a window, a
widget) would be destroyed on the sampler's thread, where Qt objects must never be
destroyed (with the cycle, the window's collector freed them, on the GUI thread; this
keeps that promise without it: a guard, not seen to fail). So while a window runs, the
main thread's frames that another thread looked at are also kept in a list that only the
main thread empties (:func:`keep_main_frames`, :func:`let_go_of_main_frames`; the window's
garbage collector does both). Only the main thread's: the other threads' frames hold a
program's or threadlab's plain objects, never Qt's.
"""

from __future__ import annotations

import gc
import sys
import threading
from types import FrameType

#: Held by whoever switches automatic collection off and on again (here, and the window's
#: collector): two of them must not put back each other's state.
COLLECTION_SWITCH = threading.Lock()

_MAIN_IDENT = threading.main_thread().ident
#: While a window runs: the main thread's frames that other threads looked at, for the
#: main thread to let go of (None: nobody keeps them, no Qt objects to protect).
_kept_for_main: list[FrameType] | None = None


def current_frames() -> dict[int, FrameType]:
    """Every other thread's current frame, by ident: ``sys._current_frames()`` without the
    calling thread's own, made with the garbage collector paused (nothing else runs
    meanwhile: the call holds the GIL from start to end)."""
    with COLLECTION_SWITCH:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            frames = sys._current_frames()
            me = threading.get_ident()
            del frames[me]  # (see the module's docstring: no cycle through us)
            main = frames.get(_MAIN_IDENT)
            # (before this thread can let go of it: kept in the list, the main thread's
            # frame cannot be freed here, even if its function returns meanwhile)
            kept = _kept_for_main
            if main is not None and kept is not None and (not kept or kept[-1] is not main):
                kept.append(main)
            return frames
        finally:
            if was_enabled:
                gc.enable()


def keep_main_frames(keep: bool) -> None:
    """From now on (or no longer), keep the main thread's frames that other threads look
    at until the main thread lets go of them. Called on the main thread; turning it off
    lets go of what was kept."""
    global _kept_for_main
    with COLLECTION_SWITCH:
        kept = _kept_for_main
        if keep:
            if kept is None:
                _kept_for_main = []
            return  # (already on: the list stays, nothing is let go)
        _kept_for_main = None
    if kept:
        kept.clear()  # (outside the lock: freeing a frame may run a finalizer)


def let_go_of_main_frames() -> int:
    """On the main thread: let go of its frames that other threads looked at (freed here,
    if nothing else holds them). How many there were."""
    with COLLECTION_SWITCH:
        kept = _kept_for_main
        if not kept:
            return 0
        let_go = kept[:]
        kept.clear()
    count = len(let_go)
    let_go.clear()  # (outside the lock: freeing a frame may run a finalizer)
    return count
