"""Your first thread: a slow counter runs beside the code that started it.

Try: Start, and watch the numbers arrive one per delay while the window stays live.
Run it a few times and compare where "started" lands.

Look for: "started" is printed by the caller right after ``t.start()``. It usually
comes before the first number, but not always: once ``start()`` returns, the new
thread and the caller race, and which one prints first is up to the scheduler.
"finished" always comes after the last number, because ``t.join()`` waits until the
thread has ended.

Why: ``start()`` only asks the OS to run ``count`` on another thread; ``join()`` is the
one place where the caller waits for it.
"""

from app.lessons.base import Param, Verdict

ID = "first-thread"
PARAMS = (
    Param("count", 5, 1, 50, help="how many numbers the thread prints"),
    Param("delay", 0.1, 0.01, 2.0, "s", help="pause between two numbers"),
)


def count(ctx, n, delay=0.5):
    """The worker: print 1..n, one per ``delay`` (``ctx.sleep`` ends early on Stop)."""
    for i in range(1, n + 1):
        ctx.print(i)
        if ctx.sleep(delay):
            return


def run(ctx, p):
    t = ctx.Thread(target=count, args=(ctx, p["count"]), kwargs={"delay": p["delay"]}, name="counter")
    t.start()
    ctx.print("started")
    t.join()
    ctx.print("finished")
    lines = ctx.lines()
    numbers = [e for e in lines if e.thread == "counter"]
    started = next(e for e in lines if e.text == "started")
    finished = next(e for e in lines if e.text == "finished")
    gaps = [b.mono - a.mono for a, b in zip(numbers, numbers[1:])]
    return {
        "numbers": len(numbers),
        "started_before_first_number": bool(numbers) and started.index < numbers[0].index,
        "finished_after_last_number": bool(numbers) and finished.index > numbers[-1].index,
        "median_gap_s": sorted(gaps)[len(gaps) // 2] if gaps else None,
    }


def judge(p, runs):
    complete = all(r["numbers"] == p["count"] for r in runs)
    after = all(r["finished_after_last_number"] for r in runs)
    first = sum(r["started_before_first_number"] for r in runs)
    gap = runs[-1]["median_gap_s"]
    pace = gap is None or abs(gap - p["delay"]) <= 0.5 * p["delay"] + 0.01
    gap_text = "" if gap is None else f", one every {gap:.3f} s (delay {p['delay']:g} s)"
    return Verdict(
        complete and after and pace,
        f"{runs[-1]['numbers']} numbers arrived{gap_text}; 'started' came before the first "
        f"number in {first} of {len(runs)} runs; 'finished' came after the last number in "
        f"{sum(r['finished_after_last_number'] for r in runs)} of {len(runs)}, because join() waited",
    )
