"""Eight slow jobs on a pool of three worker threads, their results added up under a lock.

Each job waits a little (as a download or an instrument reading would) and then adds
its result to a shared total. The pool runs three jobs at a time, so the eight take
about three rounds, not eight.

Run plainly (python examples/thread_pool.py) or traced (threadlab trace
examples/thread_pool.py): the report lists the pool's workers, ThreadPoolExecutor-0_0
to 0_2, how long each waited on the pool's queue, and how often the total's lock was taken.
"""
import threading
import time
from concurrent.futures import ThreadPoolExecutor

total = 0
total_lock = threading.Lock()


def job(number):
    global total
    time.sleep(0.05)  # the slow part: waiting for something outside the program
    with total_lock:
        total += number
    return number * number


with ThreadPoolExecutor(max_workers=3) as pool:
    squares = list(pool.map(job, range(1, 9)))
print(f"squares {squares}, total {total}")
