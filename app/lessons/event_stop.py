"""Stopping a loop: a forever loop that checks a stop Event every round.

Try: Start with ``period`` 0.1, then with ``period`` 0 (no pacing).

Look for: paced at 0.1 s, about ten rounds run in one second, and the loop ends within
one round of ``stop.set()``, in fact at once, since the pause itself is
``stop.wait(period)``. Without pacing, the loop spins: it runs many thousands of rounds
and keeps a CPU busy doing nothing useful.

Why: ``stop.wait(period)`` is both the pause and the check. ``time.sleep(period)``
would make the loop notice the stop only after the sleep is over.
"""

import time

from app.lessons.base import Param, Verdict

ID = "event-stop"
PARAMS = (
    Param("period", 0.1, 0.0, 2.0, "s", help="pause per round; 0 = no pacing"),
    Param("run_for", 1.0, 0.2, 10.0, "s", help="when the caller sets the stop Event"),
)


def forever(stop, period, out):
    rounds = 0
    while not stop.is_set():
        rounds += 1
        if period:
            stop.wait(period)
    out["rounds"], out["ended"] = rounds, time.monotonic()


def run(ctx, p):
    stop, out = ctx.Event("stop"), {}
    t = ctx.Thread(target=forever, args=(stop, p["period"], out), name="loop")
    t.start()
    ctx.sleep(p["run_for"])
    stopped = time.monotonic()
    stop.set()
    t.join()
    latency = out["ended"] - stopped
    ctx.print(f"{out['rounds']} rounds; the loop ended {latency * 1000:.1f} ms after stop.set()")
    return {"rounds": out["rounds"], "stop_latency_s": round(latency, 4)}


def judge(p, runs):
    r = runs[-1]
    if p["period"] > 0:
        expected = p["run_for"] / p["period"]
        ok = abs(r["rounds"] - expected) <= 0.3 * expected + 1 and r["stop_latency_s"] < p["period"]
        return Verdict(ok, f"{r['rounds']} rounds (expected about {expected:.0f}); stopped "
                           f"{r['stop_latency_s'] * 1000:.1f} ms after set(), within one round")
    paced = p["run_for"] / 0.1
    ok = r["rounds"] >= 10 * paced
    return Verdict(ok, f"without pacing: {r['rounds']:,} rounds in {p['run_for']:g} s, "
                       f"{r['rounds'] / paced:,.0f}x the paced count")
