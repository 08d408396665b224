# A worker thread, and a main thread that gets Ctrl+C
# (run it in a terminal and press Ctrl+C).
import time
from threading import Event, Thread

WORK = 2.0  # seconds of work the worker does
DAEMON = False  # True: the worker dies with the main thread
CLEAN = False  # True: on Ctrl+C, tell the worker to stop and wait for it

stop = Event()


def work():
    print('worker: working')
    end = time.monotonic() + WORK
    while time.monotonic() < end:
        if stop.wait(0.05):
            print('worker: stopped cleanly')
            return
    print('worker: done')


t = Thread(target=work, daemon=DAEMON)
t.start()
print('main: ready for Ctrl+C')
try:
    while t.is_alive():
        # Ctrl+C raises KeyboardInterrupt here, in the main thread only
        time.sleep(0.05)
except KeyboardInterrupt:
    if not CLEAN:
        raise
    print('main: Ctrl+C, stopping the worker')
    stop.set()
    t.join()
