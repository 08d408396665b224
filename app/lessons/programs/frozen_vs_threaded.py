# A thread that must answer every 20 ms (an event loop) and a slow job:
# first the job runs on that thread, then beside it on a thread of its own.
import time
from threading import Thread

JOB = 1.0  # seconds of pure-Python work
TICK = 0.02  # how often the loop wants to run


def slow_job():
    end = time.monotonic() + JOB
    while time.monotonic() < end:
        pass


def event_loop(seconds, job=None):
    """Tick every TICK s for `seconds`, running `job` on the first tick;
    return the longest gap between two ticks."""
    longest, last = 0.0, time.monotonic()
    end = last + seconds
    while last < end:
        time.sleep(TICK)
        if job is not None:
            job()  # the loop runs nothing else until the job returns
            job = None
        now = time.monotonic()
        longest, last = max(longest, now - last), now
    return longest


gap = event_loop(JOB + 0.5, slow_job)
print('job inside the loop: longest gap', round(gap, 3), 's')

worker = Thread(target=slow_job)
worker.start()
gap = event_loop(JOB + 0.5)
print('job on a thread: longest gap', round(gap, 3), 's')
worker.join()
