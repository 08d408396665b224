"""The caller holds the lock: workers wait until it lets go, then go one at a time.

Try: Run x10 and watch which worker goes first.

Look for: the caller takes the lock, starts both workers and changes the data while
holding it. Both workers wait at ``with lock:`` until the caller releases it; then one
runs its whole loop, then the other. Which one goes first changes from run to run.

Why: the caller is just another thread as far as the lock is concerned. When it
releases the lock, the OS wakes the waiters, and the order is not promised.
"""

import time

import numpy as np

from app.lessons.base import Param, Verdict
from app.lessons.lock import add, divide

ID = "main-holds-lock"
PARAMS = (
    Param("size", 20_000, 100, 2_000_000, help="elements in the array"),
    Param("hold", 0.3, 0.0, 5.0, "s", help="how long the caller holds the lock after starting the workers"),
)
REPEAT = 10
VARIES = True
HISTOGRAM = "first"


def run(ctx, p):
    a = np.ones(p["size"])
    ctx.show(a)
    lock = ctx.Lock("array lock")
    spans = {}
    threads = [ctx.Thread(target=add, args=(a, lock, spans), name="add"),
               ctx.Thread(target=divide, args=(a, lock, spans), name="divide")]
    with lock:
        for t in threads:
            t.start()
        a[:] = 10.0  # the caller prepares the data while the workers wait
        ctx.sleep(p["hold"])
        released = time.monotonic()
    for t in threads:
        t.join()
    (s1, e1), (s2, e2) = spans["add"], spans["divide"]
    return {
        "waited_for_release": min(s1, s2) >= released,
        "overlap": s1 < e2 and s2 < e1,
        "first": "add" if s1 < s2 else "divide",
        "final": round(float(a[0]), 6),
    }


def judge(p, runs):
    waited = sum(r["waited_for_release"] for r in runs)
    overlaps = sum(r["overlap"] for r in runs)
    expected = {round((10 + 1) / 1.1, 6), round(10 / 1.1 + 1, 6)}
    right = sum(r["final"] in expected for r in runs)
    firsts = {name: sum(r["first"] == name for r in runs) for name in ("add", "divide")}
    return Verdict(
        waited == len(runs) and overlaps == 0 and right == len(runs),
        f"both workers waited for the caller's release in {waited} of {len(runs)} runs, never "
        f"overlapped ({overlaps} overlaps), and the data shows prep + both steps in {right}; "
        f"first: 'add' {firsts['add']} times, 'divide' {firsts['divide']} times",
    )
