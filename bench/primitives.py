"""What recording costs: the instrumented primitives against plain ``threading``.

1. Uncontended acquire/release pairs, in a tight loop on one thread, for
   ``threading.Lock``, a do-nothing Python wrapper around it (the floor for any lock
   written in Python), :class:`app.core.primitives.Lock` with recording off (owner,
   call site and counters only) and on, and the same for RLock. Each figure is the
   best of ``--repeats`` runs of ``--pairs`` pairs, reported as ns per pair, with the
   distribution over repeats and the ratio to ``threading.Lock``.
2. A lesson's program's run time under the instrument with recording on and off
   (``lock`` and ``main-holds-lock``), median over ``--lesson-runs`` runs of each,
   interleaved, and the ratio. (``bench.fidelity`` compares the program run plainly.)

    python -m bench.primitives            # full
    python -m bench.primitives --quick    # a smoke run (the test suite runs it)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from typing import Callable

from bench.stats import distribution

from app.core.primitives import Lock, RLock
from app.core.recorder import Recorder
from app.core.program import ProgramRun
from app.lessons import get


class PythonWrapper:
    """The least a lock written in Python can do: forward to a ``threading.Lock``."""

    def __init__(self) -> None:
        self._inner = threading.Lock()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._inner.acquire(blocking, timeout)

    def release(self) -> None:
        self._inner.release()


def pairs_ns(lock, pairs: int) -> float:
    """ns per ``acquire(); release()`` pair, one run of ``pairs`` pairs."""
    acquire, release = lock.acquire, lock.release
    began = time.perf_counter()
    for _ in range(pairs):
        acquire()
        release()
    return (time.perf_counter() - began) / pairs * 1e9


def with_ns(lock, pairs: int) -> float:
    """ns per ``with lock: pass``."""
    began = time.perf_counter()
    for _ in range(pairs):
        with lock:
            pass
    return (time.perf_counter() - began) / pairs * 1e9


def lock_costs(pairs: int, repeats: int) -> list[tuple[str, str, dict[str, float]]]:
    """Every lock kind with each way of taking it: (name, form, distribution of ns per pair)."""
    capacity = 10_000  # the ring wraps during the run, as it does in a long session
    kinds: list[tuple[str, Callable[[], object]]] = [
        ("threading.Lock", threading.Lock),
        ("Python wrapper (floor)", PythonWrapper),
        ("Lock, recording off", lambda: Lock("b", recorder=Recorder(capacity, enabled=False))),
        ("Lock, recording on", lambda: Lock("b", recorder=Recorder(capacity))),
        ("threading.RLock", threading.RLock),
        ("RLock, recording on", lambda: RLock("b", recorder=Recorder(capacity))),
    ]
    rows = []
    for name, make in kinds:
        lock = make()
        for form, measure in (("acquire/release", pairs_ns), ("with", with_ns)):
            if form == "with" and not hasattr(lock, "__enter__"):
                continue
            measure(lock, pairs // 10)  # warm up
            rows.append((name, form, distribution([measure(lock, pairs) for _ in range(repeats)])))
    return rows


def lesson_seconds(lesson_id: str, params: dict, runs: int) -> dict[bool, list[float]]:
    """Wall time of single runs of a lesson's program under the instrument with recording
    off and on, interleaved (so a drift of the machine's speed falls on both alike)."""
    lesson = get(lesson_id)
    source = lesson.program(lesson.check_params(params))
    times: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(runs):
        for enabled in (False, True):
            run = ProgramRun(source, lesson.program_name, recorder=Recorder(enabled=enabled))
            began = time.perf_counter()
            run.start().join(60)
            times[enabled].append(time.perf_counter() - began)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--pairs", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--lesson-runs", type=int, default=31)
    args = parser.parse_args(argv)
    pairs, repeats, lesson_runs = (5_000, 3, 2) if args.quick else (args.pairs, args.repeats, args.lesson_runs)

    print(f"uncontended lock cost: {repeats} repeats of {pairs:,} pairs; ns per pair")
    print(f"{'lock':24} {'form':16} {'min':>7} {'median':>7} {'p95':>7} {'max':>7} {'x plain':>8}")
    print("(x plain: min against threading.Lock's min, or threading.RLock's for the RLock rows)")
    rows = lock_costs(pairs, repeats)
    base = {(name, form): d["min"] for name, form, d in rows if name.startswith("threading.")}
    for name, form, d in rows:
        plain = base[("threading.RLock" if "RLock" in name else "threading.Lock", form)]
        print(f"{name:24} {form:16} {d['min']:7.0f} {d['median']:7.0f} {d['p95']:7.0f} {d['max']:7.0f} "
              f"{d['min'] / plain:7.1f}x")

    print(f"\nlesson run time, recording on vs off: median of {lesson_runs} runs each, interleaved")
    for lesson_id, params in (("lock", {"SIZE": 100_000}), ("main-holds-lock", {"SIZE": 20_000})):
        times = lesson_seconds(lesson_id, params, lesson_runs)
        off, on = times[False], times[True]
        print(f"{lesson_id:18} off {statistics.median(off) * 1000:8.1f} ms   on {statistics.median(on) * 1000:8.1f} ms"
              f"   on / off = {statistics.median(on) / statistics.median(off):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
