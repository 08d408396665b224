"""current_frames: sys._current_frames without CPython 3.11's self-deadlock."""

import subprocess
import sys
import textwrap
from pathlib import Path

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
