"""Frozen or live: the same slow job on the GUI thread, then on a worker thread.

Try: Start, and try to click or move the window during the first half.

Look for: while the job runs on the GUI thread the window stops repainting and your
clicks wait in a queue; afterwards the app tells you how long it was frozen. The same
job on a worker thread leaves the window live: the event-loop delay stays small and
Stop works.

Why: the GUI thread runs the event loop, which repaints and handles clicks between
two events. Work done inside an event handler keeps the loop from running until the
work returns. A worker thread does its work beside the loop instead.
"""

import time

from app.lessons.base import Param, Verdict

ID = "frozen-vs-threaded"
PARAMS = (Param("job", 1.0, 0.2, 5.0, "s", help="length of the slow job"),)


def slow_job(seconds, stop):
    """Pure-Python busy work for ``seconds`` (ends early on Stop)."""
    end = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < end and not stop.is_set():
        rounds += 1
    return rounds


def run(ctx, p):
    loop = ctx.loop
    began = time.time()
    beats = loop.watchdog.beats
    ctx.print(f"running the job on the GUI thread for {p['job']:g} s")
    loop.call(lambda: slow_job(p["job"], ctx.stop), timeout=p["job"] + 30)
    loop.watchdog.wait_for_beat(beats + 1, timeout=2)
    frozen = max((s.seconds for s in list(loop.watchdog.stalls) if s.started_wall >= began - 0.1),
                 default=0.0)
    ctx.print(f"the GUI thread was frozen for {frozen:.2f} s")

    loop.latency.clear()
    ctx.print(f"running the same job on a worker thread for {p['job']:g} s")
    t = ctx.Thread(target=slow_job, args=(p["job"], ctx.stop), name="worker")
    t.start()
    t.join()
    worst = loop.latency.recent_max
    ctx.print(f"the longest event-loop delay meanwhile: {worst * 1000:.0f} ms")
    return {"job_s": p["job"], "frozen_s": round(frozen, 3), "worker_max_delay_s": round(worst, 4)}


def judge(p, runs):
    r = runs[-1]
    ratio = r["frozen_s"] / max(r["worker_max_delay_s"], 1e-3)
    return Verdict(
        r["frozen_s"] >= 0.9 * p["job"] and r["worker_max_delay_s"] < 0.25 * p["job"],
        f"on the GUI thread the window froze for {r['frozen_s']:.2f} s of a {p['job']:g} s job; "
        f"on a worker the longest event-loop delay was {r['worker_max_delay_s'] * 1000:.0f} ms "
        f"({ratio:.0f}x shorter)",
    )
