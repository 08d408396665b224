"""What a thread can hand back: a shared array, an int, a return value.

Try: Start and read the three results in the outcome panel.

Look for: the numpy array that the thread changed is changed for the caller too: it
is the same object. The int is not: ``x += 1`` inside the thread makes a new int that
only the thread sees. And the value the target function returns is simply dropped by
``Thread``; to get it back, put it somewhere the caller can read, here a ``Queue``.

Why: threads share every object; what they do not share is their local names.
Rebinding a name (ints are immutable) is invisible outside; changing an object in
place (the array) is visible to everyone who holds it.
"""

import queue

import numpy as np

from app.lessons.base import Param, Verdict

ID = "shared-array"
PARAMS = (Param("size", 10, 1, 1000, help="elements in the array"),)


def add_one_to_array(a):
    a += 1  # in place: the caller's array changes


def add_one_to_int(x):
    x += 1  # rebinds the local name only


def compute(x):
    return x * 2  # Thread drops this value


def compute_into(x, results):
    results.put(x * 2)  # a place the caller can read


def run(ctx, p):
    a = np.ones(p["size"])
    x = 1
    results = queue.Queue()
    threads = [
        ctx.Thread(target=add_one_to_array, args=(a,), name="array"),
        ctx.Thread(target=add_one_to_int, args=(x,), name="int"),
        ctx.Thread(target=compute, args=(21,), name="returns"),
        ctx.Thread(target=compute_into, args=(21, results), name="queue"),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ctx.show(a)
    return {
        "array_changed": bool(np.all(a == 2.0)),
        "int_after": x,
        "queue_got": results.get_nowait() if not results.empty() else None,
    }


def judge(p, runs):
    r = runs[-1]
    ok = r["array_changed"] and r["int_after"] == 1 and r["queue_got"] == 42
    return Verdict(
        ok,
        f"array changed for the caller: {r['array_changed']}; int after the thread: "
        f"{r['int_after']} (unchanged); return value lost, the queue delivered {r['queue_got']}",
    )
