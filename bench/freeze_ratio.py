"""The headline figure: the same job frozen on the GUI thread vs beside it on a worker thread.

Runs the ``frozen-vs-threaded`` lesson in the real window (offscreen, fresh interpreter
per switch interval) ``--repeats`` times with a 1 s job. Each run first puts a 1 s
pure-Python job on the GUI thread (the watchdog measures how long the window froze),
then the same job on a worker thread (the probe timer measures the longest event-loop
delay meanwhile). The ratio freeze / longest delay says how much a worker thread buys.

    python -m bench.freeze_ratio            # 10 runs at 0.5 ms and at 5 ms
    python -m bench.freeze_ratio --quick    # a smoke run (the test suite runs it)
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from bench.stats import run_json
GOAL_RATIO = 50.0


def measure(switch_interval: float, repeats: int, job: float) -> list[dict]:
    """Run the lesson ``repeats`` times in a window in this process; the runs' figures."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pyqtgraph.Qt import QtCore

    from app.core.lab import Lab
    from app.core.logbook import LogBook
    from app.core.shared import SharedArray
    from app.gui.qtenv import make_application
    from app.gui.window import LabWindow

    app = make_application([])
    window = LabWindow(Lab(SharedArray(1000), LogBook()))
    window.set_switch_interval(switch_interval)
    window.tabs.setCurrentIndex(1)
    window.lesson_panel.select("frozen-vs-threaded")
    window.lesson_panel.params.set_value("job", job)
    window.show()
    runs: list[dict] = []

    def next_run() -> None:
        if window.lessons.running or window.lessons.runner is not None:
            return  # still running, or its end not yet taken in by the display timer
        if runs_done() >= repeats:
            timer.stop()
            window.close()
            return
        window.start()

    def runs_done() -> int:
        result = window.lessons.last_result
        if result is not None and (not runs or runs[-1]["result"] is not result):
            runs.append({"result": result, **result.runs[0]})
        return len(runs)

    timer = QtCore.QTimer()
    timer.timeout.connect(next_run)
    QtCore.QTimer.singleShot(500, lambda: timer.start(100))
    QtCore.QTimer.singleShot(int((job * 2 + 20) * 1000 * repeats), window.close)  # never hang
    app.exec_()
    return [{k: v for k, v in run.items() if k != "result"} for run in runs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short run per interval")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    repeats, job = (1, 0.3) if args.quick else (args.repeats, 1.0)
    print(f"frozen-vs-threaded in the window: {job:g} s job, {repeats} runs per switch interval")
    print(f"{'switch':>7} {'freeze s':>9} {'worker max delay ms (median/p95/max)':>37} {'ratio median':>13} {'min':>6}")
    for interval in (0.0005, 0.005):
        runs = run_json(f"import json; from bench.freeze_ratio import measure; "
                        f"print(json.dumps(measure({interval!r}, {repeats!r}, {job!r})))",
                        timeout=repeats * (job * 2 + 30) + 60)
        frozen = np.array([r["frozen_s"] for r in runs])
        worst = np.array([r["worker_max_delay_s"] for r in runs]) * 1000
        ratios = frozen / np.maximum(worst / 1000, 1e-3)
        print(f"{interval * 1000:>5g}ms {np.median(frozen):>9.2f} {np.median(worst):>17.1f} "
              f"{np.percentile(worst, 95):>9.1f} {worst.max():>9.1f} {np.median(ratios):>12.0f}x {ratios.min():>5.0f}x",
              flush=True)
        if interval == 0.0005:
            goal = "met" if np.median(ratios) >= GOAL_RATIO else "NOT met"
            print(f"        goal freeze / worker max delay >= {GOAL_RATIO:g} at the window's 0.5 ms: {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
