"""The lock: the element-wise race again, with one Lock held around each whole loop.

Try: Run x10 and compare with the element-wise race.

Look for: every run ends with all elements equal, and the two loops never overlap in
time: the second thread waits at ``with lock:`` until the first has finished its loop.
Which thread goes first can change, so the final value is one of two numbers.

Why: a Lock lets one thread in at a time. Holding it around the whole loop makes the
loop one indivisible step for every thread that also takes the lock.
"""

import time

import numpy as np

from app.lessons.base import Param, Verdict
from app.lessons.elementwise_race import bands

ID = "lock"
PARAMS = (Param("size", 100_000, 1_000, 2_000_000, help="elements in the array"),)
REPEAT = 10
VARIES = True
HISTOGRAM = "final"


def add(a, lock, spans):
    with lock:
        began = time.monotonic()
        for i in range(len(a)):
            a[i] += 1
        spans["add"] = (began, time.monotonic())


def divide(a, lock, spans):
    with lock:
        began = time.monotonic()
        for i in range(len(a)):
            a[i] /= 1.1
        spans["divide"] = (began, time.monotonic())


def run(ctx, p):
    a = np.ones(p["size"])
    ctx.show(a)
    lock = ctx.Lock("array lock")
    spans = {}
    threads = [ctx.Thread(target=add, args=(a, lock, spans), name="add"),
               ctx.Thread(target=divide, args=(a, lock, spans), name="divide")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (s1, e1), (s2, e2) = spans["add"], spans["divide"]
    return {"final": round(float(a[0]), 6), "bands": bands(a), "overlap": s1 < e2 and s2 < e1,
            "first": "add" if s1 < s2 else "divide"}


def judge(p, runs):
    uniform = sum(r["bands"] == 1 for r in runs)
    overlaps = sum(r["overlap"] for r in runs)
    firsts = {name: sum(r["first"] == name for r in runs) for name in ("add", "divide")}
    return Verdict(
        uniform == len(runs) and overlaps == 0,
        f"{uniform} of {len(runs)} runs ended with all elements equal; the loops overlapped in "
        f"{overlaps} runs; 'add' went first {firsts['add']} times, 'divide' {firsts['divide']} times",
    )
