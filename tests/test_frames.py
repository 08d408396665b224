"""current_frames: sys._current_frames without CPython 3.11's self-deadlock."""

import gc
import subprocess
import sys
import textwrap
import threading
import weakref
from pathlib import Path

import pytest

from app.core import frames as frames_module
from app.core.frames import current_frames, keep_main_frames, let_go_of_main_frames

ROOT = Path(__file__).resolve().parents[1]

# Garbage in generation 1 holding a threading.local, and a collection of generation 1 due
# while sys._current_frames() makes the frames of running threads: on 3.11 the collection
# frees the local, which asks for the lock that _current_frames holds (plain
# sys._current_frames() hangs here within a few hundred rounds).
PROGRAM = textwrap.dedent("""\
    import gc, threading, time
    from app.core.frames import current_frames

    stop = threading.Event()

    def busy():
        def deep(n):
            return deep(n - 1) if n else time.sleep(0.0005)
        while not stop.is_set():
            deep(20)

    threads = [threading.Thread(target=busy) for _ in range(4)]
    for t in threads:
        t.start()

    class Holder:
        pass

    gc.set_threshold(1, 2, 1000)
    for _ in range(3000):
        keep = Holder()
        keep.me, keep.local = keep, threading.local()
        keep.local.x = 1
        gc.collect(0)  # it survives: generation 1
        del keep  # now garbage there
        current_frames()
    stop.set()
    for t in threads:
        t.join()
    print("done")
""")


def test_current_frames_survives_a_collection_that_frees_a_thread_local():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert done.returncode == 0 and done.stdout == "done\n", done.stderr


def test_the_callers_own_frame_is_left_out():
    frames = current_frames()
    assert threading.get_ident() not in frames and threading.main_thread().ident == threading.get_ident()


class _Held:
    pass


def _look_at_every_thread() -> int:
    frames = current_frames()  # (held in this frame's locals until it returns)
    return len(frames)


def test_what_another_threads_finished_frame_held_is_freed_without_the_collector():
    holding, finish, held = threading.Event(), threading.Event(), []

    def worker():
        thing = _Held()
        held.append(weakref.ref(thing))
        holding.set()
        finish.wait(10)

    thread = threading.Thread(target=worker, name="holder")
    thread.start()
    assert holding.wait(10)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        assert _look_at_every_thread() >= 1
        finish.set()
        thread.join(10)
        assert not thread.is_alive()
        assert held[0]() is None  # (a cycle through our own frame would keep it for the collector)
    finally:
        if was_enabled:
            gc.enable()


# multiprocessing.pool's change notifier leaves a BytesIO and a view of its buffer in a
# finished frame: freed by the collector, in a cycle, CPython 3.12.1 crashes and 3.13 says
# "BufferError" (gh-111331); 3.10 and 3.11 say nothing, and the test before guards them
BYTESIO_PROGRAM = textwrap.dedent("""\
    import gc, io, threading
    from app.core.frames import current_frames

    holding, finish = threading.Event(), threading.Event()

    def worker():
        stream = io.BytesIO(b"x" * 100)
        view = stream.getbuffer()
        del stream
        holding.set()
        finish.wait(10)

    def look():
        frames = current_frames()
        return len(frames)

    thread = threading.Thread(target=worker)
    thread.start()
    holding.wait(10)
    look()
    finish.set()
    thread.join(10)
    gc.collect()
    print("done")
""")


def test_a_buffer_view_a_finished_thread_held_is_not_freed_by_the_collector():
    done = subprocess.run([sys.executable, "-c", BYTESIO_PROGRAM], capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert (done.returncode, done.stdout, done.stderr) == (0, "done\n", "")


def _sampled_by_another_thread_after_return(freed_on):
    """The main thread makes a thing in a function; another thread looks at every frame
    while that function runs, and lets go of what it saw only after it has returned."""
    looked, returned, dropped = [], threading.Event(), threading.Event()

    def sampler():
        seen = current_frames()
        looked.append(True)
        returned.wait(10)
        del seen  # (the main thread's frame, and the thing in it, may go here)
        dropped.set()

    def make_a_thing():
        thing = _Held()
        weakref.finalize(thing, lambda: freed_on.append(threading.get_ident()))
        looker.start()
        while not looked:  # (no call in the loop: this frame is the one looked at)
            pass

    looker = threading.Thread(target=sampler, name="sampler")
    make_a_thing()
    returned.set()
    assert dropped.wait(10)
    looker.join(10)
    return looker.ident


@pytest.mark.parametrize("kept", [True, False], ids=["kept for the main thread", "not kept"])
def test_the_main_threads_frame_a_sampler_let_go_of_is_freed_on_the_main_thread_while_kept(kept):
    was_kept = frames_module._kept_for_main is not None
    was_enabled = gc.isenabled()
    gc.disable()
    freed_on = []
    try:
        keep_main_frames(kept)
        sampler = _sampled_by_another_thread_after_return(freed_on)
        if kept:  # a window runs: only the main thread lets go of it
            assert freed_on == []
            assert let_go_of_main_frames() == 1 and freed_on == [threading.get_ident()]
        else:  # no window: freed by the sampler, which is why a window keeps them
            assert freed_on == [sampler]
    finally:
        keep_main_frames(was_kept)
        if was_enabled:
            gc.enable()
