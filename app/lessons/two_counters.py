"""Two counters: two threads, each at its own pace, their lines interleaved.

Try: Start, then change DELAY_1 so one counter is much faster than the other.

Look for: the output mixes the two counters' numbers (the Log tab says which thread
printed each line). Each keeps its own rhythm: the first prints every DELAY_1 seconds,
the second every second (``count``'s default delay), whatever the other one does.

Why: while a thread sleeps it does not hold the GIL, so the other one runs. Neither
waits for the other: the main thread only waits, in ``join()``, for both to end.
"""

from ..core.params import Param
from .base import CannotMeasure, Verdict, every_run
from .measure import gaps, median

ID = "two-counters"
PARAMS = (
    Param("COUNT_1", 10, 1, 100, help="how many numbers the first thread prints"),
    Param("DELAY_1", 0.5, 0.01, 2.0, "s", help="the first thread's pause"),
    Param("COUNT_2", 5, 1, 100, help="how many numbers the second thread prints (one a second)"),
)


def least_seconds(p):
    return max(p["COUNT_1"] * p["DELAY_1"], p["COUNT_2"] * 1.0)  # the slower counter's sleeps


def measure(seen):
    first, second = seen.track(1).name, seen.track(2).name
    lines = [p for p in seen.printed if p.thread in (first, second) and p.text.strip().isdigit()]
    order = [p.thread for p in lines]
    defaults = getattr(seen.value("count"), "__defaults__", None)
    if not defaults:
        raise CannotMeasure("count() has no default delay any more")
    result = {"switches": sum(1 for a, b in zip(order, order[1:]) if a != b), "delay_2": defaults[-1]}
    for key, name in (("1", first), ("2", second)):
        times = [p.t for p in lines if p.thread == name]
        result[f"lines_{key}"] = len(times)
        result[f"median_gap_{key}_s"] = median(gaps(times))
    return result


def judge(p, runs):
    return every_run(runs, lambda r: judge_run(p, r))


def judge_run(p, r):
    """One run against the claim."""
    paces, words = [], []
    for key, delay in (("1", p["DELAY_1"]), ("2", r["delay_2"])):
        gap = r[f"median_gap_{key}_s"]
        paces.append(gap is None or abs(gap - delay) <= 0.5 * delay + 0.01)
        if gap is not None:
            words.append(f"thread {key} every {gap:.3f} s (asked {delay:g} s)")
    complete = r["lines_1"] == p["COUNT_1"] and r["lines_2"] == p["COUNT_2"]
    if min(p["COUNT_1"], p["COUNT_2"]) < 2:
        return Verdict(None, "with fewer than two numbers from a thread there is nothing to interleave")
    interleaved = r["switches"] >= 2
    return Verdict(
        complete and interleaved and all(paces),
        f"{r['lines_1']} and {r['lines_2']} numbers; the output switched between the threads "
        f"{r['switches']} times; each kept its own pace ({', '.join(words)})",
    )
