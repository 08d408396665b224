"""The lock: the element-wise race again, with one Lock held around each whole loop.

Try: Run xN and compare with the element-wise race. During the runs, press Acquire
Lock: the GUI gets the lock between two loops, and the next thread waits (red) until
you press Release Lock.

Look for: every run ends with all elements equal, and in the thread lanes the two
loops never run at the same time: the second thread waits at ``with lock:`` (red)
until the first has finished its loop. Which thread goes first can change, so the
final value is one of two numbers.

Why: a Lock lets one thread in at a time. Holding it around the whole loop makes the
loop one indivisible step for every thread that also takes the lock.
"""

from ..core import recorder as rec
from ..core.params import Param
from .base import Verdict
from .measure import bands, segments

ID = "lock"
PARAMS = (Param("SIZE", 100_000, 1_000, 2_000_000, help="rows of the array"),)
REPEAT = 10
VARIES = True
HISTOGRAM = "final"
ARRAY = "data"


def measure(seen):
    data = seen.array("data")
    workers = [seen.track(1), seen.track(2)]
    held = [bool(t.holds) for t in workers]
    waited = [bool(segments(t, rec.WAIT_LOCK)) for t in workers]
    return {"final": round(float(data.reshape(-1)[0]), 6), "bands": bands(data),
            "both_took_the_lock": all(held), "one_waited": any(waited)}


def judge(p, runs):
    n = len(runs)
    equal = sum(r["bands"] == 1 for r in runs)
    locked = sum(r["both_took_the_lock"] for r in runs)
    waited = sum(r["one_waited"] for r in runs)
    text = (f"{equal} of {n} runs ended with all elements equal; both threads took the lock in "
            f"{locked} of {n}; one waited for the other at the lock in {waited} of {n}")
    if equal < n or locked < n:
        return Verdict(False, text)
    if not waited:
        return Verdict(None, f"{text}: the threads never met at the lock, so it had nothing to keep apart")
    return Verdict(True, f"{text}: the lock kept the loops apart")
