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
"""

from __future__ import annotations

import gc
import sys
import threading
from types import FrameType

#: Held by whoever switches automatic collection off and on again (here, and the window's
#: collector): two of them must not put back each other's state.
COLLECTION_SWITCH = threading.Lock()


def current_frames() -> dict[int, FrameType]:
    """Every other thread's current frame, by ident: ``sys._current_frames()`` without the
    calling thread's own, made with the garbage collector paused (nothing else runs
    meanwhile: the call holds the GIL from start to end)."""
    with COLLECTION_SWITCH:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            frames = sys._current_frames()
            del frames[threading.get_ident()]  # (see the module's docstring: no cycle through us)
            return frames
        finally:
            if was_enabled:
                gc.enable()
