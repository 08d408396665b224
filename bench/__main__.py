"""``python -m bench``: run every benchmark (``--quick`` for a smoke run of each).

The full run takes about a quarter of an hour on the 2-core development machine; its
figures are in the README, with the machine they came from.
"""

import argparse
import sys

from bench import (fidelity, freeze_ratio, lesson_reliability, primitives, startup, step_cost, stop_latency,
                   trace_cost, window_latency)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description="Run every benchmark of threadlab.",
                                     epilog="Each benchmark also runs alone: python -m bench.fidelity --help, ...")
    parser.add_argument("--quick", action="store_true", help="a smoke run of each benchmark (seconds, not minutes)")
    quick = parser.parse_args(argv).quick
    steps = [
        lambda: window_latency.main(["--quick"] if quick else []),
        lambda: freeze_ratio.main(["--quick"] if quick else []),
        lambda: stop_latency.main(["--quick"] if quick else []),
        lambda: primitives.main(["--quick"] if quick else []),
        lambda: startup.main(["--quick"] if quick else []),
        lambda: lesson_reliability.main(["--quick"] if quick else ["--times", "30", "--switch-interval", "5"]),
        lambda: lesson_reliability.main(["--quick", "--switch-interval", "0.5"] if quick
                                        else ["--times", "30", "--switch-interval", "0.5"]),
        lambda: fidelity.main(["--quick"] if quick else []),
        lambda: trace_cost.main(["--quick"] if quick else []),
        lambda: step_cost.main(["--quick"] if quick else []),
    ]
    code = 0
    for i, step in enumerate(steps):
        if i:
            print(flush=True)
        code |= step()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
