"""Event: two workers wait until the caller says the data is ready.

Try: Start, and change ``prep`` to see the workers wait longer.

Look for: both workers start at once and print that they wait. Nothing happens until
the caller has prepared the data and calls ``ready.set()``; then both go on together,
and the final data holds the caller's preparation plus both workers' changes.

Why: ``Event.wait()`` blocks until another thread calls ``set()``, and one ``set()``
releases every waiter. It is the simplest way to say "go" to many threads.
"""

import threading
import time

import numpy as np

from app.lessons.base import Param, Verdict

ID = "event-ready"
PARAMS = (
    Param("prep", 0.5, 0.0, 10.0, "s", help="how long the caller prepares the data"),
    Param("size", 1000, 2, 1_000_000),
)


def worker(ctx, ready, a, part, woke):
    ctx.print("waiting for the data")
    ready.wait()
    woke[threading.current_thread().name] = time.monotonic()
    a[part] += 1
    ctx.print("added 1 to my half")


def run(ctx, p):
    a = np.zeros(p["size"])
    ctx.show(a)
    half = len(a) // 2
    parts = {"first": slice(0, half), "second": slice(half, None)}
    ready, woke = ctx.Event("ready"), {}
    threads = [ctx.Thread(target=worker, args=(ctx, ready, a, parts[k], woke), name=f"{k}-half")
               for k in parts]
    for t in threads:
        t.start()
    try:
        started = time.monotonic()
        ctx.sleep(p["prep"])
        a[:] = 10.0
        set_at = time.monotonic()
        ctx.print("data ready: set()")
    finally:
        ready.set()
    for t in threads:
        t.join()
    wakes = list(woke.values()) if len(woke) == 2 else []
    return {
        "both_waited_for_set": len(wakes) == 2 and min(wakes) >= set_at,
        "waited_s": round(set_at - started, 3),
        "woke_apart_s": round(max(wakes) - min(wakes), 4) if wakes else None,
        "final_all_11": bool(np.all(a == 11.0)),
    }


def judge(p, runs):
    r = runs[-1]
    return Verdict(
        r["both_waited_for_set"] and r["final_all_11"],
        f"both workers waited {r['waited_s']:.2f} s until set(), woke {r['woke_apart_s']} s apart, "
        f"and the data is prep (10) + 1 everywhere: {r['final_all_11']}",
    )
