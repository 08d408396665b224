"""How reliably the probabilistic lessons show their claim with their default settings.

Runs each lesson whose outcome varies from run to run ``--times`` times through the
core (as ``python main.py run ID`` does) and counts how often the verdict was "matches".
For the element-wise race it also counts single runs that raced, which is what sets
its default repeat count.

    python -m bench.lesson_reliability --times 30
"""

from __future__ import annotations

import argparse
import sys

from app.lessons import LESSONS
from app.lessons.base import run_lesson


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=30, help="lesson runs per lesson (default 30)")
    args = parser.parse_args(argv)
    print(f"each lesson run {args.times} times with its defaults")
    for lesson in (lesson for lesson in LESSONS.values() if lesson.varies):
        oks, raced, runs, distinct = 0, 0, 0, []
        for _ in range(args.times):
            result = run_lesson(lesson, lesson.defaults())
            oks += result.ok
            runs += len(result.runs)
            raced += sum(r.get("max") != r.get("min") for r in result.runs if "max" in r)
            if lesson.histogram_key:
                distinct.append(len({r[lesson.histogram_key] for r in result.runs}))
        line = f"{lesson.id:18} matches {oks}/{args.times} ({lesson.repeat} runs each)"
        if raced:
            line += f"; single runs that raced: {raced}/{runs} ({raced / runs:.0%})"
        if distinct:
            line += f"; distinct '{lesson.histogram_key}' values per lesson run: min {min(distinct)}, " \
                    f"median {sorted(distinct)[len(distinct) // 2]}"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
