"""Deadlock: a thread waits for a Lock that it holds itself.

Try: Start with lock_kind = Lock. The lesson's caller (a lesson thread, never the GUI
thread) gets stuck; within a second the app says which thread waits for which lock
and where it was taken, and offers to break the wait. Then choose RLock and Start again.

Look for: with a plain Lock the second ``with lock:`` never returns: the lock is held,
by the very thread that waits for it, and a plain Lock does not know who holds it.
With an RLock the same code finishes: an RLock counts how often its owner took it and
lets the owner in again.

Why: this is the smallest deadlock there is. It hides easily: ``update`` looks
harmless, and only the caller's ``with lock:`` around the call makes it hang.
"""

from app.core.primitives import WaitBroken
from app.lessons.base import Param, Verdict

ID = "deadlock"
PARAMS = (Param("lock_kind", "Lock", choices=("Lock", "RLock"), help="the kind of lock both places take"),)
FIX = ("lock_kind", "RLock", "Re-run with RLock")
#: How soon the app must notice the stuck wait.
DETECT_WITHIN_S = 1.0


def update(lock, data):
    with lock:  # the same lock, taken a second time by the same thread
        data["value"] += 1


def run(ctx, p):
    lock = ctx.Lock("data lock") if p["lock_kind"] == "Lock" else ctx.RLock("data lock")
    data = {"value": 0}
    try:
        with lock:
            data["value"] = 1
            update(lock, data)
        finished = True
        ctx.print(f"finished: value = {data['value']}")
    except WaitBroken as exc:
        finished = False
        ctx.print(f"the stuck wait ended with an error: {exc}")
    found = ctx.findings[0] if ctx.findings else None
    return {
        "lock_kind": p["lock_kind"],
        "finished": finished,
        "detected": found is not None,
        "detected_after_s": round(found.detected_after, 3) if found else None,
    }


def judge(p, runs):
    r = runs[-1]
    if r["lock_kind"] == "RLock":
        return Verdict(r["finished"] and not r["detected"],
                       "with an RLock the owner took the lock again and the code finished"
                       if r["finished"] else "with an RLock the code should have finished, but did not")
    within = r["detected"] and r["detected_after_s"] <= DETECT_WITHIN_S
    how = f"found {r['detected_after_s']:.2f} s after the wait began" if r["detected"] else "not found"
    return Verdict(
        within and not r["finished"],
        f"with a plain Lock the caller waited for a lock it held itself: deadlock {how}, "
        "then the wait was broken",
    )
