"""The main thread holds the lock: the workers wait until it lets go, then go one at a time.

Try: Run xN and watch which worker goes first, in the lanes and in the outcome.

Look for: the main thread takes the lock, starts the dividing thread and then the
adding one, and changes the data while it holds the lock. Both workers wait at
``with lock:`` (red in the lanes) until the main thread releases it; then one runs
its whole loop while the other keeps waiting. Usually the thread that began to wait
first gets the lock first (here, the divider), but nothing promises it. (On a busy
machine a worker may start so late that it gets to the lock after the release.)

Why: to a Lock the main thread is just another thread. When it lets go, the lock
wakes one waiter; which one is up to the lock's implementation and the OS, not the
order your code started the threads in.
"""

from ..core import recorder as rec
from ..core.params import Param
from .base import CannotMeasure, Verdict
from .measure import segments, uniform

ID = "main-holds-lock"
PARAMS = (Param("SIZE", 100_000, 100, 2_000_000, help="rows of the array"),)
REPEAT = 10
VARIES = True
HISTOGRAM = "first"
ARRAY = "data"


def measure(seen):
    main, first, second = seen.track(0), seen.track(1), seen.track(2)
    if not main.holds:
        raise CannotMeasure("the main thread took no lock")
    released = main.holds[0].end
    got = {}
    for label, track in (("first started", first), ("second started", second)):
        if not track.holds:
            raise CannotMeasure(f"the {label} thread took no lock")
        waits = segments(track, rec.WAIT_LOCK)
        got[label] = (bool(waits) and waits[0].start < released <= (waits[0].end or released),
                      track.holds[0].start, track.holds[0].end_or(track.holds[0].start))
    (w1, s1, e1), (w2, s2, e2) = got["first started"], got["second started"]
    data = seen.array("data")
    return {"both_waited_for_the_release": w1 and w2, "one_at_a_time": e1 <= s2 or e2 <= s1,
            "first": "first started" if s1 < s2 else "second started", "uniform": uniform(data)}


def judge(p, runs):
    n = len(runs)
    waited = sum(r["both_waited_for_the_release"] for r in runs)
    apart = sum(r["one_at_a_time"] for r in runs)
    equal = sum(r["uniform"] for r in runs)
    first = sum(r["first"] == "first started" for r in runs)
    # a worker the OS is slow to run may reach the lock only after the main thread's short
    # hold is over (seen on a loaded machine): the waits must be seen in most runs, not all;
    # one at a time and equal elements, the lock's promises, in every run
    others = "the other run" if n - waited == 1 else f"the other {n - waited} runs"
    late = f" (in {others} a worker got to the lock after the release)" if waited < n else ""
    most = "" if waited * 2 > n else " (needed in more than half)"
    return Verdict(
        waited * 2 > n and apart == n and equal == n,
        f"both workers waited for the main thread's release in {waited} of {n} runs{late}{most} and ran "
        f"one at a time in {apart}; all elements equal in {equal}. The thread that started (and "
        f"began to wait) first got the lock first in {first} of {n} runs",
    )
