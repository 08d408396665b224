"""Element-wise race: the same two operations, one element at a time, in Python loops.

Try: Start (twenty runs), look at the plot, then Run xN and read the histogram of band
counts. Then open the lock lesson and do the same.

Look for: in most runs the elements end with two different values:
``(1+1)/1.1 = 1.818`` where the adding thread got there first and
``1/1.1+1 = 1.909`` where the dividing thread did, in bands that mark where one
thread overtook the other. Now and then one thread stays ahead all the way and every
element is equal.

Why: the interpreter switches threads every switch interval (5 ms by default), in the
middle of a Python loop. Which thread is ahead at each element depends on when those
switches happen. (The OS does not decide this: with the GIL, the interpreter does.)
"""

from app.core.params import Param
from app.lessons.base import Verdict
from app.lessons.measure import bands, overlapped

ID = "elementwise-race"
PARAMS = (Param("SIZE", 100_000, 1_000, 2_000_000, help="rows of the array"),)
#: Here 20 of 20 runs of the article's program raced at Python's 5 ms switch interval.
REPEAT = 20
VARIES = True
HISTOGRAM = "bands"
ARRAY = "data"


def measure(seen):
    data = seen.array("data")
    return {"max": float(data.max()), "min": float(data.min()), "bands": bands(data),
            "together": overlapped(seen.track(1), seen.track(2))}


def judge(p, runs):
    raced = [r for r in runs if r["max"] != r["min"]]
    n = len(runs)
    if raced:
        example = max(raced, key=lambda r: r["bands"])
        return Verdict(True, f"{len(raced)} of {n} runs ended with unequal elements; e.g. max "
                             f"{example['max']:.3f} != min {example['min']:.3f}: {example['bands']} bands "
                             "where the threads overtook each other")
    together = sum(r["together"] for r in runs)
    text = f"none of {n} runs raced (the threads ran at the same time in {together} of them)"
    return Verdict(False if n >= 10 else None, text if n >= 10 else f"{text}; too few runs to tell: Run xN")
