"""Two counters: two threads, each at its own pace, their lines interleaved.

Try: Start, then change the delays so one counter is much faster than the other.

Look for: the log mixes the lines of ``counter-A`` and ``counter-B``. Each keeps its
own rhythm: the gap between two lines of the same counter stays close to its own
delay, whatever the other one does.

Why: while a thread waits (here in ``ctx.sleep``, which is ``Event.wait``) it does not
hold the GIL, so the other runs. Neither waits for the other.
"""

from app.lessons.base import Param, Verdict
from app.lessons.first_thread import count

ID = "two-counters"
PARAMS = (
    Param("count_a", 6, 1, 50), Param("delay_a", 0.1, 0.01, 2.0, "s"),
    Param("count_b", 4, 1, 50), Param("delay_b", 0.15, 0.01, 2.0, "s"),
)


def run(ctx, p):
    a = ctx.Thread(target=count, args=(ctx, p["count_a"], p["delay_a"]), name="counter-A")
    b = ctx.Thread(target=count, args=(ctx, p["count_b"], p["delay_b"]), name="counter-B")
    a.start()
    b.start()
    a.join()
    b.join()
    lines = ctx.lines()
    order = [e.thread for e in lines]
    switches = sum(1 for x, y in zip(order, order[1:]) if x != y)
    result = {"switches": switches}
    for name, key in (("counter-A", "a"), ("counter-B", "b")):
        times = [e.mono for e in lines if e.thread == name]
        gaps = sorted(y - x for x, y in zip(times, times[1:]))
        result[f"lines_{key}"] = len(times)
        result[f"median_gap_{key}_s"] = gaps[len(gaps) // 2] if gaps else None
    return result


def judge(p, runs):
    r = runs[-1]
    paces = []
    for key in ("a", "b"):
        gap, delay = r[f"median_gap_{key}_s"], p[f"delay_{key}"]
        paces.append(gap is None or abs(gap - delay) <= 0.5 * delay + 0.01)
    interleaved = r["switches"] >= 2 or min(p["count_a"], p["count_b"]) < 2
    gaps = ", ".join(
        f"{k.upper()} every {r[f'median_gap_{k}_s']:.3f} s" for k in ("a", "b") if r[f"median_gap_{k}_s"]
    )
    return Verdict(
        all(paces) and interleaved,
        f"the lines switched between the counters {r['switches']} times; each kept its own pace ({gaps})",
    )
