"""Every thread's current frame (``sys._current_frames``), without CPython 3.11's deadlock.

``sys._current_frames()`` holds the interpreter's lock on its list of threads while it
makes a frame object for each thread. Making one may start a garbage collection; if that
frees a ``threading.local``, freeing it asks for the same lock, and the thread waits for
itself, holding the GIL: the whole process stops. Seen here (gdb: ``_PyThread_CurrentFrames``
→ ``gc_collect_main`` → ``local_clear`` → ``PyThread_acquire_lock``), from the lanes'
sampler, while a closed window's recorder waited to be collected.
``tests/test_frames.py`` makes it happen on purpose.
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
    """``sys._current_frames()`` with the garbage collector paused around it (nothing else
    runs meanwhile: the call holds the GIL from start to end)."""
    with COLLECTION_SWITCH:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return sys._current_frames()
        finally:
            if was_enabled:
                gc.enable()
