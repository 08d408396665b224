"""Lock-order inversion: two threads take the same two locks in opposite orders.

Try: Start with order = inverted and watch the thread lanes. Then press Re-run with
one global order (or choose order = global) and Start again.

Look for: two transfers run at once, one from account A to B and one from B to A.
Each locks its source account first, checks the balance for a moment, then asks for
the other account's lock. With the inverted order each thread now holds the lock the
other one waits for: both lanes turn to "waiting for lock" and stay there. Within
half a second the app names both threads, both locks and the lines where each lock
was taken, and offers to break one wait; the broken transfer gives up (nothing is
lost) and the other one completes. With one global order (always lock A before B,
whichever way the money goes) both transfers complete, one after the other.

Why: a deadlock needs a circle of threads, each holding a lock the next one wants.
If every thread takes locks in the same order, the thread holding the "later" lock
never waits for an "earlier" one, so no circle can close.
"""

from app.core.primitives import WaitBroken
from app.lessons.base import Param, Verdict

ID = "lock-order"
PARAMS = (
    Param("order", "inverted", choices=("inverted", "global"),
          help="inverted: each transfer locks its source first; global: always A before B"),
    Param("check", 0.2, 0.05, 2.0, "s", help="how long a transfer holds its first lock before the second"),
    Param("amount", 30, 1, 100, help="how much each transfer moves"),
)
FIX = ("order", "global", "Re-run with one global order")
#: How soon the app must notice the circle.
DETECT_WITHIN_S = 0.5


def transfer(ctx, accounts, locks, source, target, amount, order, check, done):
    if order == "inverted":
        first, second = locks[source], locks[target]
    else:
        first, second = sorted((locks[source], locks[target]), key=lambda lock: lock.name)
    try:
        with first:
            ctx.sleep(check)  # check the balance, write an audit line...
            with second:
                accounts[source] -= amount
                accounts[target] += amount
        done[source] = "moved"
        ctx.print(f"moved {amount} from {source} to {target}")
    except WaitBroken as exc:
        done[source] = "gave up"
        ctx.print(f"gave up, nothing moved: {exc}")


def run(ctx, p):
    accounts = {"A": 100, "B": 100}
    locks = {name: ctx.Lock(f"account {name}") for name in accounts}
    done = {}
    threads = [
        ctx.Thread(target=transfer, name=f"pay {source}->{target}",
                   args=(ctx, accounts, locks, source, target, p["amount"], p["order"], p["check"], done))
        for source, target in (("A", "B"), ("B", "A"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    found = ctx.findings[0] if ctx.findings else None
    return {
        "order": p["order"],
        "detected": found is not None,
        "detected_after_s": round(found.detected_after, 3) if found else None,
        "threads_named": sorted(found.threads) if found else [],
        "locks_named": sorted(found.locks) if found else [],
        "outcomes": dict(sorted(done.items())),
        "total": accounts["A"] + accounts["B"],
    }


def judge(p, runs):
    r = runs[-1]
    kept = r["total"] == 200
    if r["order"] == "global":
        ok = not r["detected"] and set(r["outcomes"].values()) == {"moved"} and kept
        return Verdict(ok, f"with one global order: {_outcomes(r)}; deadlock found: {r['detected']}; "
                           f"total money {r['total']} (was 200)")
    names_both = r["threads_named"] == ["pay A->B", "pay B->A"] and r["locks_named"] == ["account A", "account B"]
    within = r["detected"] and r["detected_after_s"] <= DETECT_WITHIN_S
    gave_up = sorted(r["outcomes"].values()) == ["gave up", "moved"]
    how = (f"found {r['detected_after_s']:.2f} s after the circle closed, naming "
           f"{' and '.join(r['threads_named'])}") if r["detected"] else "no deadlock found"
    return Verdict(within and names_both and gave_up and kept,
                   f"with the inverted order the two transfers waited for each other: {how}; "
                   f"after one wait was broken: {_outcomes(r)}; total money {r['total']} (was 200)")


def _outcomes(r):
    return ", ".join(f"{source}: {what}" for source, what in r["outcomes"].items())
