"""The headline figure: the same work frozen on the GUI thread vs beside it on a worker thread.

Runs the Lab's work in the real window (offscreen, fresh interpreter per switch
interval) ``--repeats`` times: one element-wise mutator for ``job`` seconds, first on
the GUI thread (the Lab tab's "GUI thread" mode: the watchdog measures how long the
window froze), then the same mutator on a worker thread for as long (the probe timer
measures the longest event-loop delay meanwhile). The ratio freeze / longest delay
says how much a worker thread buys.

    python -m bench.freeze_ratio            # 10 runs at 0.5 ms and at 5 ms
    python -m bench.freeze_ratio --quick    # a smoke run (the test suite runs it)
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from bench.stats import run_json

GOAL_RATIO = 50.0
WORK = {"add-elementwise": 1}


def measure(switch_interval: float, repeats: int, job: float) -> list[dict]:
    """Freeze and run beside ``repeats`` times in a window in this process; each run's figures."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pyqtgraph.Qt import QtCore

    from app.core.lab import Lab
    from app.core.logbook import LogBook
    from app.core.session import LabSession
    from app.core.shared import SharedArray
    from app.gui.qtenv import make_application
    from app.gui.window import LabWindow

    app = make_application([])
    window = LabWindow(Lab(SharedArray(100_000), LogBook()))
    window.set_switch_interval(switch_interval)
    window.show()
    runs: list[dict] = []
    state: dict = {"phase": "freeze"}

    def step() -> None:
        try:
            take_a_step()
        except Exception:  # noqa: BLE001 - a benchmark that fails says why
            import traceback

            traceback.print_exc()
            window.close()

    def take_a_step() -> None:
        if window.busy:
            return
        if state["phase"] == "freeze" and len(runs) >= repeats:
            timer.stop()
            window.close()
            return
        if state["phase"] == "freeze":
            state["began"] = time.time()
            window.run_session(LabSession(window.lab, WORK, duration=job, on_gui_thread=True))  # returns after it
            state["phase"] = "frozen"  # the probe that ends the stall fires before the next tick
        elif state["phase"] == "frozen":
            frozen = max((s.seconds for s in list(window.watchdog.stalls) if s.started_wall >= state["began"] - 0.1),
                         default=0.0)
            runs.append({"frozen_s": frozen})
            window.latency.clear()
            window.run_session(LabSession(window.lab, WORK, duration=job))
            state["phase"] = "beside"
        else:
            runs[-1]["worker_max_delay_s"] = window.latency.recent_max
            state["phase"] = "freeze"

    timer = QtCore.QTimer()
    timer.timeout.connect(step)
    QtCore.QTimer.singleShot(500, lambda: timer.start(100))
    QtCore.QTimer.singleShot(int((job * 2 + 20) * 1000 * repeats), window.close)  # never hang
    app.exec()
    return [r for r in runs if "worker_max_delay_s" in r]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short run per interval")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    repeats, job = (1, 0.3) if args.quick else (args.repeats, 1.0)
    print(f"the Lab's work in the window, on the GUI thread then on a worker: {job:g} s of an element-wise "
          f"mutator, {repeats} runs per switch interval")
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
