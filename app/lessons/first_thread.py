"""Your first thread: a slow counter runs beside the code that started it.

Try: Start, and watch the numbers arrive one per DELAY while the window stays live.
Then Run xN and look at where "Thread started" lands in the Output tab.

Look for: ``t.start()`` returns at once: the main thread prints "Thread started" while
the counter has barely begun, long before its last number. Exactly where the line
lands is a race: before the first number, after it, or even inside its line
(``0Thread started``), when the counter's ``print`` has written the digit but not yet
its newline. "Thread finished" always comes after the last number, because
``t.join()`` waits until the thread has ended.

Why: ``start()`` only asks for ``count`` to run on a new thread; from then on the two
threads race. ``print(i)`` writes the number and the newline separately, and Python
may switch threads between two writes. Who wins that first race depends on timing:
the machine, the switch interval, even what reads the output (a terminal, a pipe,
this window). Measured here with the article's program: mostly inside the line with
the output going to a terminal, mostly after the number with it going to a pipe that
nobody waits on, as in this window.
"""

import re

from ..core.params import Param
from .base import Verdict
from .measure import gaps, median

ID = "first-thread"
PARAMS = (
    Param("COUNT", 10, 1, 100, help="how many numbers the thread prints"),
    Param("DELAY", 0.2, 0.01, 2.0, "s", help="pause after each number"),
)
REPEAT = 5
VARIES = True
HISTOGRAM = "order"
#: How the main thread's line landed, as the raw output shows it.
ORDERS = ("'started' first", "inside the number's line", "number first")


def least_seconds(p):
    return p["COUNT"] * p["DELAY"]  # the counter sleeps after each number


def measure(seen):
    out = seen.output
    started_at = out.find("Thread started")
    digits = [m.start() for m in re.finditer(r"\d", out)]
    counter = seen.track(1).name
    numbers = [p for p in seen.printed_by(counter) if p.text.strip().isdigit()]
    if started_at < 0 or not digits:
        order = None
    elif started_at < digits[0]:
        order = ORDERS[0]
    elif re.search(r"\d+Thread started", out):
        order = ORDERS[1]
    else:
        order = ORDERS[2]
    return {
        "numbers": len(numbers),
        "order": order,
        "started_before_last_number": 0 <= started_at < digits[-1] if digits else False,
        "finished_after_last_number": out.rfind("Thread finished") > (digits[-1] if digits else len(out)),
        "median_gap_s": median(gaps([p.t for p in numbers])),
    }


def judge(p, runs):
    n = len(runs)
    complete = sum(r["numbers"] == p["COUNT"] for r in runs)
    early = sum(r["started_before_last_number"] for r in runs)
    after = sum(r["finished_after_last_number"] for r in runs)
    gap = median(r["median_gap_s"] for r in runs if r["median_gap_s"] is not None)
    # a sleep is never shorter than asked; on a busy machine the thread can wake tens of
    # milliseconds late, which the 50 ms allows (a counter at twice the default DELAY fails)
    paced = gap is None or 0.75 * p["DELAY"] <= gap <= 1.25 * p["DELAY"] + 0.05
    seen = {order: sum(r["order"] == order for r in runs) for order in ORDERS}
    orders = ", ".join(f"{order} {count}x" for order, count in seen.items() if count)
    varied = sum(1 for count in seen.values() if count) > 1
    pace = f", one every {gap:.3f} s (DELAY {p['DELAY']:g} s)" if gap is not None else ""
    needs_two = p["COUNT"] >= 2
    return Verdict(
        complete == n and after == n and paced and (early == n or not needs_two),
        f"all {p['COUNT']} numbers arrived in {complete} of {n} runs{pace}; 'Thread started' came "
        f"before the last number in {early} of {n} (start() did not wait) and 'Thread finished' after "
        f"it in {after} of {n} (join() did). Where 'Thread started' landed: {orders}"
        + ("; it changed from run to run" if varied else "; the same way in every run here"),
    )
