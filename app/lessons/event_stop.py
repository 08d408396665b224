"""Stopping a loop: a forever loop that looks at a stop Event every round.

Try: Start with PACING = 'sleep', then 'wait', then 'none'; then THREADS = 3.

Look for: paced by ``sleep(0.1)``, the loop runs about 9 rounds in the second the main
thread waits, so the array, which starts at 1, ends at 10. After ``stop.set()`` the
loop notices only when its sleep is over: up to a whole PAUSE later. Paced by
``stop.wait(0.1)`` instead, the pause itself ends at ``set()``: the loop stops within
the pass it is in. Without any pause the loop runs as fast as it can and keeps a CPU
busy: many more rounds, none of them waiting. With THREADS = 3 one ``set()`` stops
all three loops.

Why: ``stop.wait(period)`` is both the pause and the check; ``time.sleep(period)`` is
only a pause. A loop that must stop promptly should wait on its stop Event.
"""

from ..core import recorder as rec
from ..core.params import Param
from .base import CannotMeasure, Verdict, every_run
from .measure import median, segments, span

ID = "event-stop"
PARAMS = (
    Param("SIZE", 10_000, 100, 1_000_000, help="rows of each array"),
    Param("PAUSE", 0.1, 0.01, 2.0, "s", help="pause after each pass"),
    Param("PACING", "sleep", choices=("sleep", "wait", "none"), help="how the loop pauses"),
    Param("THREADS", 1, 1, 8, help="loops stopped by the one Event"),
    Param("RUN_FOR", 1.0, 0.2, 10.0, "s", help="how long the main thread lets them run"),
)
ARRAY = "arrays"


def least_seconds(p):
    return p["RUN_FOR"]  # the main thread lets the loops run this long


def measure(seen):
    sets = seen.marks(rec.SET)
    if not sets:
        raise CannotMeasure("nobody set the stop Event")
    set_at = sets[0]
    workers = seen.tracks()[1:]
    ends = [span(t)[1] for t in workers]
    # a pass: a stretch of running between two pauses; the first (with the thread's start and
    # its print) and the last (which only sees the Event) are left out while others exist
    stretches = [segments(t, rec.RUNNING) for t in workers]
    passes = ([s.end - s.start for run_ in stretches for s in run_[1:-1] if s.end is not None]
              or [s.end - s.start for run_ in stretches for s in run_[:1] if s.end is not None])
    began = min(span(t)[0] for t in workers)
    if set_at <= began:
        raise CannotMeasure("the stop Event was set before any loop began: no rounds to count")
    arrays = seen.value("arrays")
    return {"rounds": [int(a.reshape(-1)[0]) - 1 for a in arrays],
            "ran_ms": round((set_at - began) * 1000, 1),
            "stop_latency_ms": round((max(ends) - set_at) * 1000, 1),
            "pass_ms": round((median(passes) or 0) * 1000, 2)}


def judge(p, runs):
    return every_run(runs, lambda r: judge_run(p, r))


def judge_run(p, r):
    """One run against the claim."""
    rounds, latency, work = r["rounds"], r["stop_latency_ms"] / 1000, r["pass_ms"] / 1000
    # the rounds are counted against the time the loops really had before set(): RUN_FOR is
    # the main thread's sleep, and a sleep on a busy machine can last longer than asked
    ran = r["ran_ms"] / 1000
    stopped = f"all {len(rounds)} loop(s) ended {r['stop_latency_ms']:.1f} ms after set()"
    text = (f"rounds: {', '.join(map(str, rounds))} in the {ran:.2f} s before set(); "
            f"a pass took {r['pass_ms']:.1f} ms; {stopped}")
    if p["PACING"] == "none":
        paced = ran / (0.1 + work)
        return Verdict(min(rounds) >= 3 * paced, f"without a pause: {text} ({min(rounds) / paced:.0f}x the "
                                                 "rounds of a loop paced at 0.1 s)")
    expected = ran / (p["PAUSE"] + work)
    counted = all(abs(n - expected) <= 0.3 * expected + 1 for n in rounds)
    if p["PACING"] == "sleep":
        prompt = latency <= p["PAUSE"] + 2 * work + 0.05
        return Verdict(counted and prompt, f"{text}; expected about {expected:.0f} rounds and a stop within "
                                           f"one sleep ({p['PAUSE']:g} s)")
    prompt = latency <= 2 * work + 0.02
    return Verdict(counted and prompt, f"{text}; expected about {expected:.0f} rounds and a stop within "
                                       "the pass under way (the wait ends at set())")
