"""Frozen or live: the same slow job inside an event loop, then beside it on a thread.

Try: Start, and read the two measured gaps. For the real thing, go to the Lab tab,
choose "GUI thread" and Start: this very window freezes.

Look for: the program's ``event_loop`` stands for a GUI: it wants to run every 20 ms
(to repaint, to answer a click). When it runs the slow job itself, its longest gap is
the whole job: for that second a window would not repaint and clicks would wait in a
queue. When the job runs on a worker thread, the loop keeps its rhythm: its longest
gap stays a few milliseconds above 20 ms. The lanes show the same: the main thread
running without a break in the first half, sleeping between ticks in the second.

Why: an event loop handles one event at a time; work done inside a handler keeps the
loop from running until the work returns. A worker thread does its work beside the
loop instead, and the interpreter switches between them every switch interval.
"""

from ..core import recorder as rec
from ..core.params import Param
from .base import CannotMeasure, Verdict, every_run
from .measure import longest, number, segments, span

ID = "frozen-vs-threaded"
PARAMS = (
    Param("JOB", 1.0, 0.2, 5.0, "s", help="length of the slow job"),
    Param("TICK", 0.02, 0.005, 0.2, "s", help="how often the loop wants to run"),
)


def least_seconds(p):
    return 2 * (p["JOB"] + 0.5)  # the program's two loops, each JOB + 0.5 s long


def measure(seen):
    gaps = [number(p.text.split("gap", 1)[-1]) for p in seen.printed if "longest gap" in p.text]
    if len(gaps) < 2:
        raise CannotMeasure("the program did not print its two longest gaps")
    main, worker = seen.track(0), seen.track(1)
    began, ended = span(worker)
    running = segments(main, rec.RUNNING)
    before = [s for s in running if s.start < began]
    during = [s for s in running if s.start >= began and s.end_or(ended) <= ended]
    return {"gap_inside_loop_s": gaps[0], "gap_with_thread_s": gaps[1],
            "main_busy_inside_loop_s": round(longest(before, began), 3),
            "main_busy_with_thread_s": round(longest(during, ended), 4)}


def judge(p, runs):
    return every_run(runs, lambda r: judge_run(p, r))


def judge_run(p, r):
    """One run against the claim. The loop's own pause (TICK) is in both gaps, so what the
    job did is what it added to the gap: about all of itself inside the loop, almost
    nothing on a thread, for any TICK the form allows (a TICK as long as the job too)."""
    job, tick = p["JOB"], p["TICK"]
    added_inside = r["gap_inside_loop_s"] - tick
    added_beside = r["gap_with_thread_s"] - tick
    frozen = added_inside >= 0.9 * job and r["main_busy_inside_loop_s"] >= 0.9 * job
    live = added_beside < 0.25 * job and r["main_busy_with_thread_s"] < 0.25 * job
    return Verdict(
        frozen and live,
        f"with the job inside the loop the longest gap was {r['gap_inside_loop_s']:.3f} s (the main thread "
        f"ran {r['main_busy_inside_loop_s']:.2f} s without a break); with the job on a thread "
        f"{r['gap_with_thread_s']:.3f} s (its longest stretch: {r['main_busy_with_thread_s'] * 1000:.0f} ms), "
        f"{r['gap_inside_loop_s'] / max(r['gap_with_thread_s'], 1e-3):.0f}x shorter. Beyond the loop's own "
        f"{tick:g} s pause the job added {max(added_inside, 0):.3f} s to the gap inside the loop and "
        f"{max(added_beside, 0):.3f} s on a thread",
    )
