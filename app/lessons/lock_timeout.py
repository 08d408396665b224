"""Timeouts: give up on a lock, or stop waiting for a thread, after a while.

Try: Start, then change ``timeout`` and ``hold``.

Look for: while another thread holds the lock, ``lock.acquire(timeout=1)`` returns
False after about a second, and the worker goes on without the lock (unprotected, so
it must not touch the shared data then). ``t.join(timeout=0.5)`` on a slow thread
returns after half a second while ``t.is_alive()`` is still True: join with a timeout
tells you nothing until you ask ``is_alive()``.

Why: every blocking call in ``threading`` takes a timeout and reports, by its return
value or by ``is_alive()``, whether it got what it waited for. Nothing raises.
"""

import time

from app.lessons.base import Param, Verdict

ID = "lock-timeout"
PARAMS = (
    Param("timeout", 1.0, 0.1, 10.0, "s", help="how long the worker waits for the lock"),
    Param("hold", 2.0, 0.2, 20.0, "s", help="how long the other thread holds it"),
    Param("join_timeout", 0.5, 0.1, 10.0, "s"),
    Param("slow", 1.5, 0.2, 20.0, "s", help="how long the slow thread runs"),
)


def hold_lock(ctx, lock, seconds, holding):
    with lock:
        holding.set()
        ctx.sleep(seconds)


def try_lock(ctx, lock, timeout, out):
    began = time.monotonic()
    got = lock.acquire(timeout=timeout)
    out["waited"] = time.monotonic() - began
    out["got"] = got
    if got:
        lock.release()
        ctx.print("got the lock")
    else:
        ctx.print("gave up waiting; going on without the lock")


def run(ctx, p):
    lock = ctx.Lock("lock")
    holding, out = ctx.Event("holding"), {}
    holder = ctx.Thread(target=hold_lock, args=(ctx, lock, p["hold"], holding), name="holder")
    holder.start()
    holding.wait(5)
    worker = ctx.Thread(target=try_lock, args=(ctx, lock, p["timeout"], out), name="worker")
    worker.start()
    worker.join()

    slow = ctx.Thread(target=ctx.sleep, args=(p["slow"],), name="slow")
    slow.start()
    began = time.monotonic()
    slow.join(timeout=p["join_timeout"])
    joined_after = time.monotonic() - began
    alive = slow.is_alive()
    ctx.print(f"join returned after {joined_after:.2f} s; is_alive() = {alive}")
    return {"acquired": out["got"], "acquire_waited_s": round(out["waited"], 3),
            "join_returned_s": round(joined_after, 3), "alive_after_join": alive}


def judge(p, runs):
    r = runs[-1]
    expect_fail = p["hold"] > p["timeout"]
    acquire_ok = (r["acquired"] != expect_fail) and (
        not expect_fail or abs(r["acquire_waited_s"] - p["timeout"]) <= 0.2 * p["timeout"] + 0.05)
    expect_alive = p["slow"] > p["join_timeout"]
    join_ok = r["alive_after_join"] == expect_alive and (
        not expect_alive or abs(r["join_returned_s"] - p["join_timeout"]) <= 0.2 * p["join_timeout"] + 0.05)
    return Verdict(
        acquire_ok and join_ok,
        f"acquire(timeout={p['timeout']:g}) returned {r['acquired']} after {r['acquire_waited_s']:.2f} s; "
        f"join(timeout={p['join_timeout']:g}) returned after {r['join_returned_s']:.2f} s "
        f"with is_alive() = {r['alive_after_join']}",
    )
