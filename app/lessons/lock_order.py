"""Lock-order inversion: two threads take the same two locks in opposite orders.

Try: Start with ONE_ORDER = False and watch the thread lanes. Then press Re-run with one
global order (or set ONE_ORDER = True) and Start again.

Look for: two transfers run at once, one from account A to B and one from B to A.
Each locks its source account first, checks the balance for a moment, then asks for
the other account's lock. Each now holds the lock the other one waits for: both
lanes turn red and stay red. Within half a second the app names both threads, both
locks and the lines where each lock was taken, and offers to break one wait; the
broken transfer fails with an error (its ``with`` blocks let go, nothing is lost) and
the other one completes. With one global order (A before B, whichever way the money
goes) both transfers complete, one after the other.

Why: a deadlock needs a circle of threads, each holding a lock the next one wants.
If every thread takes locks in the same order, the thread holding the "later" lock
never waits for an "earlier" one, so no circle can close. (This lesson is not in the
article; it is the deadlock that real programs meet most.)
"""

from ..core.params import Param
from .base import Challenge, Verdict, every_run

ID = "lock-order"
PARAMS = (
    Param("AMOUNT", 30, 1, 100, help="how much each transfer moves"),
    Param("CHECK", 0.2, 0.05, 2.0, "s", help="time between a transfer's first lock and its second"),
    Param("ONE_ORDER", False, help="True: every transfer locks A before B"),
)
FIX = ("ONE_ORDER", True, "Re-run with one global order")
CHALLENGE = Challenge(
    "Step the two transfers so that each waits for the lock the other one holds.",
    lambda picture, names: {"pay A->B", "pay B->A"} <= set(picture.circle))
#: How soon the app must notice the circle.
DETECT_WITHIN_S = 0.5


def least_seconds(p):
    return p["CHECK"]  # each transfer pauses between its two locks


def measure(seen):
    circle = next((f for f in seen.findings if not f.is_self and not f.abandoned), None)
    balances = seen.value("balances")
    moved = [p.text.strip() for p in seen.printed if p.text.startswith("moved")]
    return {
        "circle_found": circle is not None,
        "found_after_s": round(circle.detected_after, 3) if circle else None,
        "threads_named": sorted(circle.threads) if circle else [],
        "locks_named": sorted(circle.locks) if circle else [],
        "transfers_done": len(moved),
        "failed": len(seen.ending.thread_errors),
        "total": sum(balances.values()),
    }


def judge(p, runs):
    return every_run(runs, lambda r: judge_run(p, r))


def judge_run(p, r):
    """One run against the claim."""
    kept = r["total"] == 200
    money = f"total money {r['total']} (was 200)"
    if p["ONE_ORDER"]:
        ok = not r["circle_found"] and r["transfers_done"] == 2 and kept
        return Verdict(ok, f"with one global order: {r['transfers_done']} of 2 transfers done; deadlock "
                           f"found: {r['circle_found']}; {money}")
    if not r["circle_found"]:
        return Verdict(False, f"with opposite orders no circle was found; {r['transfers_done']} transfers done; {money}")
    named = len(r["threads_named"]) == 2 and len(r["locks_named"]) == 2
    within = r["found_after_s"] <= DETECT_WITHIN_S
    settled = r["transfers_done"] == 1 and r["failed"] == 1
    return Verdict(named and within and settled and kept,
                   f"the two transfers waited for each other: found {r['found_after_s']:.2f} s after the circle "
                   f"closed, naming {' and '.join(r['threads_named'])} and {' and '.join(r['locks_named'])}; "
                   f"after one wait was broken {r['transfers_done']} transfer done, {r['failed']} failed; {money}")
