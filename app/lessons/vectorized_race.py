"""Vectorised race: a += 1 against a /= 1.1, one numpy call at a time.

Try: Run xN with the default K, then with K = 100.

Look for: after every run all elements are equal: one numpy operation on a small
array finishes before the other thread's operation starts. With a large K the final
value changes from run to run, because the two threads' operations interleave in a
different order each time. With a small K each thread does all its operations in one
go, so only two outcomes are possible (adds first, or divides first), whichever thread
the scheduler lets in first.

Why: a numpy call on a small array runs in C without letting go of the GIL, so it is
never cut in half; but between two calls the interpreter may switch threads (every
switch interval, 5 ms by default), and when it does is up to timing. Both threads wait
for a start Event so that they really run at the same time.
"""

import numpy as np

from app.lessons.base import Param, Verdict

ID = "vectorized-race"
PARAMS = (
    Param("k", 10_000, 1, 1_000_000, help="operations per thread"),
    Param("size", 100, 1, 1000, help="elements in the array (small: one call is never split)"),
)
REPEAT = 20
VARIES = True
HISTOGRAM = "final"
#: Measured here (15 x 20 runs each): K <= 1000 gave at most 2 distinct values every time,
#: K = 10 000 gave 13 to 20.
SMALL_K, LARGE_K = 1_000, 5_000


def add(a, k, go):
    go.wait()
    for _ in range(k):
        a += 1


def divide(a, k, go):
    go.wait()
    for _ in range(k):
        a /= 1.1


def run(ctx, p):
    a = np.ones(p["size"])
    ctx.show(a)
    go = ctx.Event("go")
    threads = [ctx.Thread(target=add, args=(a, p["k"], go), name="add"),
               ctx.Thread(target=divide, args=(a, p["k"], go), name="divide")]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join()
    return {"final": float(a[0]), "uniform": bool(a.max() == a.min())}


def judge(p, runs):
    uniform = sum(r["uniform"] for r in runs)
    distinct = len({r["final"] for r in runs})
    claim = "all elements equal in every run"
    ok = uniform == len(runs)
    if p["k"] >= LARGE_K and len(runs) >= 5:
        ok = ok and distinct > 2
        claim += ", and more final values than the two orders of whole blocks"
    elif p["k"] <= SMALL_K:
        ok = ok and distinct <= 2
        claim += ", and at most two final values (adds first or divides first)"
    return Verdict(
        ok,
        f"{uniform} of {len(runs)} runs ended with all elements equal; {distinct} distinct final "
        f"values over {len(runs)} runs (K={p['k']}); predicted: {claim}",
    )
