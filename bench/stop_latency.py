"""Stop latency: time from Stop to every worker joined, for Event.wait pacing vs sleep-then-check pacing.

No CPU-bound worker competes; each stop lands at a random moment of the workers' pause.
Three ways, ``--stops`` stops each, timed from the stop request to the last ``join``:

a. the app's own path: a :class:`~app.core.lab.Lab` over a small array running two
   counters and the two vectorised mutators with the default :class:`Settings`
   (they pace with ``stop_event.wait(pause)``); ``lab.request_stop()`` then
   ``lab.join(timeout)``, which must report every worker ended;
b. four plain threads paced by ``stop.wait(period)``;
c. the same four threads paced by ``time.sleep(period)`` then a look at the flag
   (expected: about period/2 median and about one period at worst).

    python -m bench.stop_latency            # full
    python -m bench.stop_latency --quick    # a smoke run (the test suite runs it)
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from typing import Callable

from bench.stats import distribution

from app.core.lab import Lab
from app.core.logbook import LogBook
from app.core.shared import SharedArray
from app.core.workers import Settings

#: The app's workers for (a): counters pace 0.25 s, vectorised mutators 0.02 s (defaults).
LAB_COUNTS = {"counter": 2, "add-vectorised": 1, "divide-vectorised": 1}
LAB_ARRAY_SIZE = 1_000
#: Plain workers for (b) and (c).
PLAIN_THREADS = 4
PLAIN_PERIOD_S = 0.25
#: How long a stop may take before the run counts as failed (every join is bounded by it).
JOIN_TIMEOUT_S = 2.0
GOAL_P99_MS = 10.0

#: The bench's own pacing: an Event that is never set, so ``wait`` is a plain timed wait.
_never = threading.Event()


def pause(seconds: float) -> None:
    """Wait ``seconds`` on an Event (the bench paces itself like the app's workers)."""
    _never.wait(seconds)


# -- (a) the app's Lab ----------------------------------------------------------------------
def lab_stop_ms(max_wait: float) -> tuple[float, bool]:
    """Start a fresh Lab, wait a random time, stop it; (ms to all joined, all ended)."""
    lab = Lab(SharedArray(LAB_ARRAY_SIZE), LogBook())
    lab.start(LAB_COUNTS, Settings())
    try:
        pause(random.uniform(0.0, max_wait))
        began = time.perf_counter()
        lab.request_stop()
        report = lab.join(JOIN_TIMEOUT_S)
        return (time.perf_counter() - began) * 1000, report.all_ended
    finally:
        lab.stop(JOIN_TIMEOUT_S)  # no-op when they ended; never leaves a worker behind


# -- (b) and (c) plain threads --------------------------------------------------------------
def wait_paced(stop: threading.Event, period: float, steps: list[int]) -> None:
    """A worker loop that paces with ``stop.wait(period)``: a stop wakes it at once."""
    while not stop.is_set():
        steps.append(1)
        if stop.wait(period):
            break


def sleep_paced(stop: threading.Event, period: float, steps: list[int]) -> None:
    """A worker loop that sleeps ``period`` and only then looks at the flag."""
    while not stop.is_set():
        steps.append(1)
        time.sleep(period)


def plain_stop_ms(body: Callable[[threading.Event, float, list[int]], None], period: float) -> tuple[float, bool]:
    """Start :data:`PLAIN_THREADS` threads of ``body``, stop them at a random moment of
    their period; (ms from ``stop.set()`` to every thread joined, all ended)."""
    stop = threading.Event()
    steps: list[int] = []
    threads = [threading.Thread(target=body, args=(stop, period, steps), name=f"{body.__name__}-{i}", daemon=True)
               for i in range(PLAIN_THREADS)]
    for thread in threads:
        thread.start()
    try:
        pause(random.uniform(0.0, period))
        began = time.perf_counter()
        stop.set()
        end = time.monotonic() + JOIN_TIMEOUT_S
        for thread in threads:
            thread.join(max(0.0, end - time.monotonic()))
        return (time.perf_counter() - began) * 1000, not any(t.is_alive() for t in threads)
    finally:
        stop.set()
        for thread in threads:
            thread.join(JOIN_TIMEOUT_S)


# -- reporting ------------------------------------------------------------------------------
def repeat(measure: Callable[[], tuple[float, bool]], stops: int) -> tuple[list[float], int]:
    """``stops`` measurements: (ms of each, how many left a worker running past the timeout)."""
    times, failed = [], 0
    for _ in range(stops):
        ms, ended = measure()
        times.append(ms)
        failed += not ended
    return times, failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--stops", type=int, default=200, help="stops measured per way (default %(default)s)")
    args = parser.parse_args(argv)
    stops = 5 if args.quick else args.stops
    settings = Settings()
    lab_wait = max(settings.period, settings.counter_delay)  # the stop lands anywhere in the longest pause

    ways = [
        (f"Lab: {sum(LAB_COUNTS.values())} workers, stop_event.wait", lambda: lab_stop_ms(lab_wait)),
        (f"{PLAIN_THREADS} threads, stop.wait({PLAIN_PERIOD_S:g})", lambda: plain_stop_ms(wait_paced, PLAIN_PERIOD_S)),
        (f"{PLAIN_THREADS} threads, sleep({PLAIN_PERIOD_S:g}) + check",
         lambda: plain_stop_ms(sleep_paced, PLAIN_PERIOD_S)),
    ]
    print(f"stop -> every worker joined: {stops} stops per row, each at a random moment of the pause; "
          f"no CPU-bound worker; ms per stop")
    print(f"{'pacing':36} {'median':>8} {'p95':>8} {'p99':>8} {'max':>8} {'failed':>7}")
    results: dict[int, dict[str, float]] = {}
    failures = 0
    for i, (name, measure) in enumerate(ways):
        times, failed = repeat(measure, stops)
        failures += failed
        d = results[i] = distribution(times)
        print(f"{name:36} {d['median']:8.2f} {d['p95']:8.2f} {d['p99']:8.2f} {d['max']:8.2f} {failed:7d}")

    ratio = results[2]["median"] / max(results[1]["median"], 1e-9)
    print(f"sleep-then-check / Event.wait, median = {ratio:.0f}x")
    lab_p99 = results[0]["p99"]
    met = lab_p99 <= GOAL_P99_MS and failures == 0
    print(f"goal: Stop -> every worker joined p99 <= {GOAL_P99_MS:g} ms (Lab): "
          f"{'met' if met else 'NOT met'} ({lab_p99:.2f} ms; {failures} stops left a worker running)")
    leftover = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if leftover:
        print(f"threads still running: {', '.join(leftover)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
