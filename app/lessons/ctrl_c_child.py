"""The child program of the ctrl-c lesson: ``python -m app.lessons.ctrl_c_child VARIANT SECONDS``.

VARIANT is ``non-daemon``, ``daemon`` or ``clean``. The worker works for SECONDS;
the parent sends SIGINT (Ctrl+C) to this process while it does.

The main thread waits in ``time.sleep``, not in ``t.join()``: seen here on CPython
3.11.7, a KeyboardInterrupt that lands inside ``join()`` leaves the worker marked as
finished, and the interpreter then exits without waiting for it.
"""

import sys
import threading
import time


def say(text):
    sys.stdout.write(text + "\n")  # one write per line: print() may split it between threads
    sys.stdout.flush()


def work(stop, seconds):
    say("worker: working")
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if stop.wait(0.05):
            say("worker: stopped cleanly")
            return
    say("worker: done")


def main(variant, seconds):
    stop = threading.Event()
    t = threading.Thread(target=work, args=(stop, seconds), daemon=(variant == "daemon"))
    t.start()
    say("main: ready")
    if variant != "clean":
        while t.is_alive():
            time.sleep(0.05)  # Ctrl+C raises KeyboardInterrupt here, in the main thread only
        return 0
    try:
        while t.is_alive():
            time.sleep(0.05)
    except KeyboardInterrupt:
        say("main: KeyboardInterrupt; setting the stop Event and joining")
        stop.set()
        t.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
