"""How reliably the probabilistic lessons show their claim with their default settings.

Runs each lesson whose outcome varies from run to run ``--times`` times through the
core (as ``python main.py run ID`` does) and counts how often the verdict was "matches".
For the element-wise race it also counts single runs that raced, which is what sets
its default repeat count. The lessons run at Python's 5 ms switch interval from the
command line and at 0.5 ms in the window, so ``--switch-interval`` (ms) sets the
interval for the run; their claims must hold at both.

    python -m bench.lesson_reliability --times 30 --switch-interval 5
    python -m bench.lesson_reliability --times 30 --switch-interval 0.5
    python -m bench.lesson_reliability --quick    # once each, with small constants (the suite runs it)
"""

from __future__ import annotations

import argparse
import sys

from app.core.switching import SwitchInterval

from app.lessons import LESSONS
from app.lessons.base import MATCHES, run_lesson

#: Small constants for --quick (a smoke run: these change the odds, not the code path).
QUICK = {"first-thread": {"COUNT": 3, "DELAY": 0.02}, "elementwise-race": {"SIZE": 20_000},
         "lock": {"SIZE": 20_000}, "main-holds-lock": {"SIZE": 20_000}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=30, help="lesson runs per lesson (default 30)")
    parser.add_argument("--switch-interval", type=float, default=5.0, metavar="MS",
                        help="the interpreter's switch interval for the run, 0.5 to 50 ms (default 5)")
    parser.add_argument("--quick", action="store_true", help="once each, with small constants")
    args = parser.parse_args(argv)
    switch = SwitchInterval()
    try:
        switch.set(args.switch_interval / 1000)
        return _run(1 if args.quick else args.times, args.switch_interval, args.quick)
    finally:
        switch.restore()


def _run(times: int, interval_ms: float, quick: bool) -> int:
    print(f"each lesson run {times} times with its {'quick constants' if quick else 'defaults'}, "
          f"switch interval {interval_ms:g} ms")
    for lesson in (lesson for lesson in LESSONS.values() if lesson.varies):
        oks, undecided, raced, runs, distinct = 0, 0, 0, 0, []
        for _ in range(times):
            result = run_lesson(lesson, QUICK.get(lesson.id, {}) if quick else {})
            oks += result.verdict == MATCHES
            undecided += result.verdict not in (MATCHES, "does not match")
            runs += len(result.runs)
            raced += sum(r.get("max") != r.get("min") for r in result.runs if "max" in r)
            if lesson.histogram_key:
                distinct.append(len({r[lesson.histogram_key] for r in result.runs}))
        line = f"{lesson.id:18} matches {oks}/{times} ({lesson.repeat} runs each; too few to tell {undecided})"
        if raced:
            line += f"; single runs that raced: {raced}/{runs} ({raced / runs:.0%})"
        if distinct:
            line += f"; distinct '{lesson.histogram_key}' values per lesson run: min {min(distinct)}, " \
                    f"median {sorted(distinct)[len(distinct) // 2]}"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
