"""What one step costs: a program's thread handed the turn, run one line, stopped again.

A program with two threads that each count to a number in a loop is stepped to its end,
alternating threads at every line (the most hand-offs a schedule can have), and the same
program is run plainly; the time per step and the plain time per line are printed, with
the ratio of the stepped run to the plain one.

    python -m bench.step_cost            # 3 runs of 2 000 steps
    python -m bench.step_cost --quick    # a smoke run (the test suite runs it)
"""

from __future__ import annotations

import argparse
import sys
import time

from app.core.program import ProgramRun
from app.core.stepper import Stepper
from bench.stats import distribution

PROGRAM = """\
import threading

def count(n):
    total = 0
    for i in range(n):
        total += i

threads = [threading.Thread(target=count, args=(N,), name=f"counter {k}") for k in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""


def stepped(lines_per_thread: int) -> tuple[float, int]:
    """Seconds and steps to step the program to its end, alternating threads."""
    stepper = Stepper(PROGRAM.replace("N", str(lines_per_thread))).start()
    try:
        began = time.perf_counter()
        steps = 0
        while True:
            ready = stepper.ready()
            if not ready:
                break
            stepper.step(ready[steps % len(ready)])
            steps += 1
        return time.perf_counter() - began, steps
    finally:
        stepper.close()


def plain(lines_per_thread: int) -> float:
    """Seconds to run the same program under the instrument, not stepped."""
    run = ProgramRun(PROGRAM.replace("N", str(lines_per_thread)), "program.py")
    began = time.perf_counter()
    run.start()
    run.join(60)
    return time.perf_counter() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    runs, lines = (1, 100) if args.quick else (3, 500)
    per_step, ratios = [], []
    for _ in range(runs):
        seconds, steps = stepped(lines)
        base = plain(lines)
        per_step.append(seconds / steps)
        ratios.append(seconds / base)
    d = distribution(per_step, scale=1e6)
    print(f"one step (hand-off, one line, stop again), {runs} runs of {steps} steps: "
          f"median {d['p50']:.1f} us, max {d['max']:.1f} us; goal <= 50 us: "
          f"{'met' if d['p50'] <= 50 else 'NOT met'}")
    print(f"stepped run / plain run of the same program: median {sorted(ratios)[len(ratios) // 2]:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
