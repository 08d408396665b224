"""Element-wise race: the same two operations, one element at a time, in Python loops.

Try: Start (twenty runs), look at the plot, then Run xN and read the histogram of band
counts. Then open the lock lesson and do the same.

Look for: on some runs the elements end with two different values, ``(1+1)/1.1 = 1.818``
where the adder got there first and ``1/1.1+1 = 1.909`` where the divider did, in bands
that mark where one thread overtook the other. On other runs one thread stayed ahead
all the way and every element is equal.

Why: the interpreter switches threads every few milliseconds (the switch interval),
in the middle of a Python loop. Which thread is ahead at each element depends on when
those switches happen.
"""

import numpy as np

from app.lessons.base import Param, Verdict

ID = "elementwise-race"
PARAMS = (Param("size", 100_000, 1_000, 2_000_000, help="elements in the array"),)
#: 42 % of single runs raced here (249 of 600), so 20 runs all miss it with p ~ 2e-5.
REPEAT = 20
VARIES = True
HISTOGRAM = "bands"


def add(a):
    for i in range(len(a)):
        a[i] += 1


def divide(a):
    for i in range(len(a)):
        a[i] /= 1.1


def bands(a):
    """Number of runs of equal neighbouring values."""
    return int(np.count_nonzero(np.diff(a))) + 1


def run(ctx, p):
    a = np.ones(p["size"])
    ctx.show(a)
    threads = [ctx.Thread(target=add, args=(a,), name="add"),
               ctx.Thread(target=divide, args=(a,), name="divide")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"max": float(a.max()), "min": float(a.min()), "bands": bands(a)}


def judge(p, runs):
    raced = [r for r in runs if r["max"] != r["min"]]
    example = max(runs, key=lambda r: r["bands"])
    detail = (f"e.g. max {example['max']:.3f} != min {example['min']:.3f}: {example['bands']} bands "
              "where the threads overtook each other") if raced else "every run had all elements equal"
    return Verdict(bool(raced), f"{len(raced)} of {len(runs)} runs ended with unequal elements; {detail}")
