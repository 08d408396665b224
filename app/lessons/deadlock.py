"""Deadlock: a thread waits for a Lock that it holds itself.

Try: Start with REENTRANT = False. Within a second the app says which thread waits for
which lock and where it was taken, and offers to break the wait. Break it, and watch
what the broken wait leaves behind. Then press Re-run with RLock.

Look for: the main thread holds ``lock`` (``lock.acquire()``) when it calls
``increase``, whose ``with lock:`` asks for the same lock again: it waits forever,
and so do both workers, which also want the lock. Run plainly, this program never
ends. Breaking the wait raises an error in the main thread, which ends still holding
the lock; at the end of the program Python waits for the workers, the workers wait
for the lock: a new circle, found and broken in turn. With an RLock the program
finishes.

Why: a plain Lock does not know who holds it, so it cannot tell its owner from any
other thread. An RLock counts how often its owner took it and lets the owner in
again. This deadlock hides easily: ``increase`` looks harmless on its own.
"""

from ..core.params import Param
from .base import Verdict, every_run

ID = "deadlock"
PARAMS = (
    Param("SIZE", 100_000, 100, 2_000_000, help="rows of the array"),
    Param("REENTRANT", False, help="True: an RLock, which its owner may take again"),
)
FIX = ("REENTRANT", True, "Re-run with RLock")
ARRAY = "data"
#: How soon the app must notice the stuck wait.
DETECT_WITHIN_S = 1.0


def measure(seen):
    first = seen.findings[0] if seen.findings else None
    return {
        "found": [f.explain_lines()[0] for f in seen.findings],
        "self_deadlock": bool(first and first.is_self and first.threads == ["MainThread"]),
        "found_after_s": round(first.detected_after, 3) if first else None,
        "exit_code": seen.ending.exit_code,
        "finished": seen.ending.exit_code == 0 and not seen.ending.thread_errors,
    }


def judge(p, runs):
    return every_run(runs, lambda r: judge_run(p, r))


def judge_run(p, r):
    """One run against the claim."""
    if p["REENTRANT"]:
        return Verdict(r["finished"] and not r["found"],
                       "with an RLock the owner took the lock again and the program finished"
                       if r["finished"] else f"with an RLock the program should have finished; found: {r['found']}")
    if not r["self_deadlock"]:
        return Verdict(False, f"the main thread's wait for its own lock was not found; found: {r['found'] or 'nothing'}")
    within = r["found_after_s"] <= DETECT_WITHIN_S
    return Verdict(within, f"the main thread waited for a lock it held itself: found {r['found_after_s']:.2f} s "
                           f"after the wait began; {len(r['found'])} stuck wait(s) found and broken in all")
