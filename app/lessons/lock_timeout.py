"""Timeouts: give up on a lock, or stop waiting for a thread, after a while.

Try: Start, then change TIMEOUT, WAIT and JOIN_TIMEOUT.

Look for: the main thread takes the lock and never lets go. The worker's
``lock.acquire(timeout=TIMEOUT)`` returns False after TIMEOUT seconds (``Lock:
False``), and the worker goes on without the lock: nothing stops it from changing the
data, so ``data`` ends at 2 anyway. Then ``slow.join(timeout=JOIN_TIMEOUT)`` returns
after JOIN_TIMEOUT seconds while ``slow.is_alive()`` is still True: a join with a
timeout tells you nothing until you ask ``is_alive()``.

Why: every blocking call in ``threading`` takes a timeout and reports, by its return
value or by ``is_alive()``, whether it got what it waited for. Nothing raises: if you
ignore the answer, your code runs unprotected, as this worker does.
"""

from ..core import recorder as rec
from ..core.params import Param
from .base import Verdict, every_run
from .measure import segments

ID = "lock-timeout"
PARAMS = (
    Param("SIZE", 100_000, 100, 2_000_000, help="rows of the array"),
    Param("TIMEOUT", 1.0, 0.1, 10.0, "s", help="how long the worker waits for the lock"),
    Param("WAIT", 5.0, 0.1, 30.0, "s", help="how long the main thread waits before it joins"),
    Param("JOIN_TIMEOUT", 0.5, 0.1, 10.0, "s", help="how long the main thread waits for the slow thread"),
)
ARRAY = "data"


def least_seconds(p):
    return max(p["WAIT"], p["TIMEOUT"]) + 2 * p["JOIN_TIMEOUT"]  # the main's wait, then the slow thread


def measure(seen):
    worker = seen.track(1)
    waits = segments(worker, rec.WAIT_LOCK)  # none: it got the lock at once
    timed_out = any(m.kind == rec.TIMED_OUT for m in worker.marks)
    joins = segments(seen.track(0), rec.JOINING)
    timed_joins = [s for s in joins if getattr(s.obj, "name", "") == seen.track(2).name] if len(seen.tracks()) > 2 else []
    alive = [p.text for p in seen.printed if p.text.startswith("alive after join")]
    return {
        "acquire_returned_false": timed_out,
        "acquire_waited_s": round(waits[0].end_or(waits[0].start) - waits[0].start, 3) if waits else 0.0,
        "data_after": float(seen.array("data").mean()),
        "join_waited_s": round(timed_joins[0].end_or(0) - timed_joins[0].start, 3) if timed_joins else None,
        "alive_after_join": bool(alive) and alive[0].strip().endswith("True"),
    }


def judge(p, runs):
    return every_run(runs, lambda r: judge_run(p, r))


def judge_run(p, r):
    """One run against the claim."""
    close = abs(r["acquire_waited_s"] - p["TIMEOUT"]) <= 0.2 * p["TIMEOUT"] + 0.1
    joined = r["join_waited_s"]
    join_close = joined is not None and abs(joined - p["JOIN_TIMEOUT"]) <= 0.2 * p["JOIN_TIMEOUT"] + 0.1
    ok = r["acquire_returned_false"] and close and r["data_after"] == 2 and join_close and r["alive_after_join"]
    return Verdict(
        ok,
        f"acquire(timeout={p['TIMEOUT']:g}) gave up after {r['acquire_waited_s']:.2f} s and the worker "
        f"changed the data anyway (mean {r['data_after']:g}); join(timeout={p['JOIN_TIMEOUT']:g}) returned after "
        f"{joined if joined is None else f'{joined:.2f}'} s with is_alive() = {r['alive_after_join']}",
    )
