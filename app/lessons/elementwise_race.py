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

Step through: you choose which thread runs each line. Step the adding thread over the
first elements, then the dividing one past it: the elements each reached first end
1.818, the others 1.909. With Expand you will see that ``array[i] += 1`` cannot lose an
update here: ``array[i]`` is row ``i`` of a 2-D array, a view, and the add works on it in
place inside one instruction (``BINARY_OP +=``), so the read, the add and the write
happen in C, in one step. What races is the order of the threads at each element.
"""

import numpy as np

from ..core.params import Param
from .base import Challenge, Verdict
from .measure import bands, overlapped

ID = "elementwise-race"
PARAMS = (Param("SIZE", 100_000, 1_000, 2_000_000, help="rows of the array"),)
#: Here 20 of 20 runs of the article's program raced at Python's 5 ms switch interval.
REPEAT = 20
VARIES = True
HISTOGRAM = "bands"
ARRAY = "data"


def unequal_at_the_end(picture, names):
    """Both loops have ended and the elements are not all equal."""
    workers = [view for view in picture.threads if view.name != "MainThread"]
    data = names.get("data")
    if len(workers) < 2 or any(view.state != "finished" for view in workers) or not isinstance(data, np.ndarray):
        return False
    return bool(data.max() != data.min())


CHALLENGE = Challenge("Make the elements end unequal: let one thread overtake the other part of the way.",
                      unequal_at_the_end)


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
