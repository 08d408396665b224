"""Vectorised race: a += 1 against a /= 1.1, one numpy call at a time.

Try: Run x20 with the default K, then with K = 10.

Look for: after every run all elements are equal: one numpy operation on a small
array finishes before the other thread's operation starts. But the final value
changes from run to run when K is large, because the two threads' operations
interleave in a different order each time. With a small K each thread is done before
the other starts, and the value stops changing.

Why: a numpy call on a small array runs in C without letting go of the GIL, so it is
never cut in half; but between two calls the interpreter may switch threads, and when
it does is up to timing.
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
#: Below this K the threads do not overlap (measured), above LARGE_K they almost always do.
SMALL_K, LARGE_K = 100, 5_000


def add(a, k):
    for _ in range(k):
        a += 1


def divide(a, k):
    for _ in range(k):
        a /= 1.1


def run(ctx, p):
    a = np.ones(p["size"])
    ctx.show(a)
    threads = [ctx.Thread(target=add, args=(a, p["k"]), name="add"),
               ctx.Thread(target=divide, args=(a, p["k"]), name="divide")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"final": float(a[0]), "uniform": bool(a.max() == a.min())}


def judge(p, runs):
    uniform = sum(r["uniform"] for r in runs)
    distinct = len({r["final"] for r in runs})
    claim = "all elements equal in every run"
    ok = uniform == len(runs)
    if p["k"] >= LARGE_K and len(runs) >= 5:
        ok = ok and distinct > 1
        claim += ", and the final value varies"
    elif p["k"] <= SMALL_K:
        ok = ok and distinct == 1
        claim += ", and the final value stays the same"
    return Verdict(
        ok,
        f"{uniform} of {len(runs)} runs ended with all elements equal; {distinct} distinct final "
        f"values over {len(runs)} runs (K={p['k']}); predicted: {claim}",
    )
