"""How live the real window stays while workers run, and how fast it redraws the array.

Each combination runs in a fresh interpreter (nothing carries over), opens the lab
window offscreen, starts ``n`` workers of one kind (lock off, so they really run
together) and records for ``--seconds`` how late the window's 20 ms probe timer fires
(the event-loop delay) and how often the array plot is painted.

Three tables:

1. **delay**: 0, 1, 2, 4 and 8 workers of each kind (element-by-element Python loops,
   vectorised numpy passes, sleeping counters) at switch intervals 0.5, 1, 5 and 20 ms,
   100 000 points. With ``n`` CPU-bound Python workers the median delay is expected
   near ``(2n + 1) x`` the switch interval (the GUI thread waits for the GIL behind
   each of them); the last column says how far the window sits from that bound.
2. **plot**: two element-wise workers at the window's own 0.5 ms, with 1 000 to
   10 000 000 points: frames of the array drawn per second and the delay.
3. **script**: the Script tab running a program of 8 busy threads, and one of 4 threads
   that do nothing but take locks (its feed at its cap of records), beside the same
   window with nothing running, alternating, at the window's 0.5 ms. The program is a
   process of its own: the window's GIL sees only the feed.
4. **stepping**: Step through on the element-wise race, paused (waiting for a click)
   and under a Random schedule that steps as fast as it can, beside the same window
   with nothing running, alternating, at 0.5 ms.
5. **goal**: two element-wise workers at 0.5 ms, 100 000 points, for ``--goal-seconds``
   (about 900 probes in 20 s), three times; each beside the same probe and the same
   workers in a bare Qt window with nothing else in it: the floor that the GIL sets
   for any Python GUI thread here.

    python -m bench.window_latency            # all five tables (about 10 minutes)
    python -m bench.window_latency --quick    # a smoke run (the test suite runs it)
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from bench.stats import distribution, run_json
KINDS = {
    "element-wise": ("add-elementwise", "divide-elementwise"),
    "vectorised": ("add-vectorised", "divide-vectorised"),
    "sleeping": ("counter",),
}


def counts_for(kind: str, n: int) -> dict[str, int]:
    """``n`` workers of ``kind``, alternating its job kinds (add, divide, add, ...)."""
    jobs = KINDS[kind]
    counts = {job: 0 for job in jobs}
    for i in range(n):
        counts[jobs[i % len(jobs)]] += 1
    return counts


def measure(kind: str, n: int, switch_interval: float, size: int, seconds: float) -> dict:
    """Run one combination in this process; return delays (ms) and frames per second."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pyqtgraph.Qt import QtCore

    from app.core.lab import Lab
    from app.core.session import LabSession
    from app.core.shared import SharedArray
    from app.core.workers import Settings
    from app.gui.qtenv import make_application
    from app.gui.window import LabWindow

    app = make_application([])
    window = LabWindow(Lab(SharedArray(size)))
    window.set_switch_interval(switch_interval)
    window.lab.shared.use_lock = False
    frames = FrameCounter(window)
    delays = DelayLog(window.latency)
    window.show()

    def begin() -> None:
        try:
            if n:
                window.run_session(LabSession(window.lab, counts_for(kind, n), Settings(counter_delay=0.01)))
            delays.clear()
            frames.count = 0
        finally:  # (timed from the start, and whatever happened: see measure_stepping)
            QtCore.QTimer.singleShot(int(seconds * 1000), window.close)

    QtCore.QTimer.singleShot(500, begin)
    app.exec()
    return {"kind": kind, "n": n, "switch_ms": switch_interval * 1000, "size": size,
            **distribution(delays.delays, scale=1000), "fps": frames.count / seconds}


#: The programs of the script table: ``busy`` threads compute, ``locks`` threads only
#: take and let go of one lock each; both run until the window stops them.
SCRIPTS = {
    "busy": """
import threading

def spin():
    n = 0
    while True:
        n += 1

for i in range({n}):
    threading.Thread(target=spin, name=f"busy {{i}}", daemon=True).start()
threading.Event().wait()
""",
    "locks": """
import threading

def take(lock):
    while True:
        with lock:
            pass

for i in range({n}):
    threading.Thread(target=take, args=(threading.Lock(),), name=f"taker {{i}}", daemon=True).start()
threading.Event().wait()
""",
}


def probed_window():
    """The application and a shown lab window (offscreen unless a display is set) at the
    window's own 0.5 ms switch interval, with every event-loop delay it measures kept."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.core.lab import Lab
    from app.core.shared import SharedArray
    from app.gui.qtenv import make_application
    from app.gui.window import LabWindow

    app = make_application([])
    window = LabWindow(Lab(SharedArray(100_000)))
    window.set_switch_interval(0.0005)
    delays = DelayLog(window.latency)
    window.show()
    return app, window, delays


def measure_script(kind: str, n: int, seconds: float) -> dict:
    """The window while its Script tab runs ``SCRIPTS[kind]`` with ``n`` threads ("idle":
    nothing running); delays in ms, and the records the feed brought."""
    import tempfile

    from pyqtgraph.Qt import QtCore

    app, window, delays = probed_window()
    folder = tempfile.TemporaryDirectory()
    fed = [0, 0]

    def begin() -> None:
        try:
            if kind != "idle":
                path = os.path.join(folder.name, f"{kind}.py")
                with open(path, "w", encoding="utf-8") as file:
                    file.write(SCRIPTS[kind].format(n=n))
                window.open_script(path)
                window.start()
        finally:  # (timed from here, and whatever happened: see measure_stepping)
            QtCore.QTimer.singleShot(1000, delays.clear)  # (once the child runs)
            QtCore.QTimer.singleShot(int(1000 + seconds * 1000), end)

    def end() -> None:
        feed = getattr(window.session, "feed", None)
        if feed is not None:
            fed[:] = [feed.records, feed.skipped]
        window.close()

    QtCore.QTimer.singleShot(500, begin)
    app.exec()
    folder.cleanup()
    return {"kind": kind, "n": n, **distribution(delays.delays, scale=1000),
            "records_per_s": fed[0] / (seconds + 1), "skipped_per_s": fed[1] / (seconds + 1)}


def measure_stepping(kind: str, seconds: float) -> dict:
    """The window while a lesson is stepped: "idle" (nothing running), "paused" (Step
    through, waiting for a click), "random" (a random schedule stepping the element-wise
    race at full speed on the lesson's thread); delays in ms, and steps taken per second."""
    from pyqtgraph.Qt import QtCore

    app, window, delays = probed_window()
    steps = [0, 0.0]

    def begin() -> None:
        try:
            window.open_lesson("elementwise-race")
            if kind != "idle":
                window.start_stepping()
            if kind == "random":
                QtCore.QTimer.singleShot(300, lambda: window.step_panel.control.run_random(1))
        finally:  # (whatever happened: the measurement still ends)
            QtCore.QTimer.singleShot(1000, started)

    def started() -> None:
        # (the end timed from here: on a busy machine opening the lesson took so long that
        # an end timed from the launch came first, and nothing was measured)
        QtCore.QTimer.singleShot(int(seconds * 1000), end)
        delays.clear()
        steps[:] = [len(window.step_panel.picture.schedule), time.monotonic()]

    def end() -> None:
        taken = len(window.step_panel.picture.schedule) - steps[0]
        steps[:] = [taken / max(time.monotonic() - steps[1], 1e-9), 0.0]
        window.close()

    QtCore.QTimer.singleShot(500, begin)
    app.exec()
    return {"kind": kind, **distribution(delays.delays, scale=1000), "steps_per_s": steps[0]}


def run_stepping_isolated(kind: str, seconds: float) -> dict:
    """:func:`measure_stepping` in a fresh interpreter."""
    code = (f"import json; from bench.window_latency import measure_stepping; "
            f"print(json.dumps(measure_stepping({kind!r}, {seconds!r})))")
    return run_json(code, timeout=seconds + 120)


def stepping_table(repeats: int, seconds: float) -> list[dict]:
    print(f"\nthe window while a lesson is stepped (0.5 ms), {seconds:g} s per run, alternating")
    print(f"{'':>30} {'p50 ms':>7} {'p95':>7} {'p99':>7} {'max':>7} {'steps/s':>8}")
    rows = []
    labels = {"idle": "nothing running", "paused": "Step through, paused",
              "random": "Random, stepping at full speed"}
    for _ in range(repeats):
        for kind in labels:
            r = run_stepping_isolated(kind, seconds)
            rows.append(r)
            print(f"{labels[kind]:>30} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} {r['max']:>7.1f} "
                  f"{r['steps_per_s']:>8,.0f}", flush=True)
    for kind in ("paused", "random"):
        ratio = median_of([r for r in rows if r["kind"] == kind], "p99") / max(
            median_of([r for r in rows if r["kind"] == "idle"], "p99"), 1e-9)
        print(f"p99 {labels[kind]} / p99 with nothing running (medians): {ratio:.2f}x")
    return rows


def measure_floor(n: int, switch_interval: float, seconds: float) -> dict:
    """The same probe and workers with no lab window: a bare Qt window (the GIL's floor)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import time

    from pyqtgraph.Qt import QtCore, QtWidgets

    from app.core.lab import Lab
    from app.core.shared import SharedArray
    from app.core.switching import SwitchInterval
    from app.core.workers import Settings
    from app.gui.qtenv import make_application

    app = make_application([])
    label = QtWidgets.QLabel("probe only")
    label.show()
    switch = SwitchInterval()
    switch.set(switch_interval)
    lab = Lab(SharedArray(100_000))
    lab.shared.use_lock = False
    delays: list[float] = []
    probe = QtCore.QTimer()
    probe.setSingleShot(True)
    probe.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
    armed = [time.monotonic()]

    def on_probe() -> None:  # what the window's probe does, and nothing else
        now = time.monotonic()
        delays.append(now - armed[0] - 0.020)
        armed[0] = time.monotonic()
        probe.start(20)

    def begin() -> None:
        try:
            if n:
                lab.start(counts_for("element-wise", n), Settings(counter_delay=0.01))
            delays.clear()
        finally:  # (timed from the start, and whatever happened: see measure_stepping)
            QtCore.QTimer.singleShot(int(seconds * 1000), end)

    def end() -> None:
        lab.request_stop()
        lab.join(2.0)
        app.quit()

    probe.timeout.connect(on_probe)
    probe.start(20)
    QtCore.QTimer.singleShot(500, begin)
    app.exec()
    switch.restore()
    return {"kind": "bare window", "n": n, "switch_ms": switch_interval * 1000, "size": 0,
            **distribution(delays, scale=1000), "fps": 0.0}


class DelayLog:
    """Keeps every delay the window's latency meter records (the meter keeps only 5 s)."""

    def __init__(self, meter) -> None:
        self.delays: list[float] = []
        record = meter.record

        def kept(delay: float, now: float | None = None) -> None:
            self.delays.append(delay)
            record(delay, now)

        meter.record = kept

    def clear(self) -> None:
        self.delays.clear()


class FrameCounter:
    """Counts frames of the array drawn: paints of the plot that show an envelope not painted before.

    (A view is repainted for other reasons too, for instance when an axis moves;
    those are not new frames.)
    """

    def __init__(self, window) -> None:
        import pyqtgraph as pg

        self.count = 0
        self._version = self._painted = 0
        show = window.array_plot.curve.show_envelope

        def new_data(envelope) -> None:
            self._version += 1
            show(envelope)

        window.array_plot.curve.show_envelope = new_data
        view, paint_event = window.array_plot.plot, pg.GraphicsView.paintEvent

        def counted(widget, event):  # on the class: pyqtgraph's paintEvent is Python already
            if widget is view and self._painted != self._version:
                self._painted = self._version
                self.count += 1
            return paint_event(widget, event)

        pg.GraphicsView.paintEvent = counted


def run_script_isolated(kind: str, n: int, seconds: float) -> dict:
    """:func:`measure_script` in a fresh interpreter."""
    code = (f"import json; from bench.window_latency import measure_script; "
            f"print(json.dumps(measure_script({kind!r}, {n!r}, {seconds!r})))")
    return run_json(code, timeout=seconds + 120)


def script_table(repeats: int, seconds: float) -> list[dict]:
    print(f"\nthe window while the Script tab runs a program (0.5 ms), {seconds:g} s per run, alternating")
    print(f"{'':>22} {'p50 ms':>7} {'p95':>7} {'p99':>7} {'max':>7} {'records/s':>10} {'left out/s':>10}")
    rows = []
    for _ in range(repeats):
        for kind, n in (("idle", 0), ("busy", 8), ("locks", 4)):
            r = run_script_isolated(kind, n, seconds)
            rows.append(r)
            label = {"idle": "nothing running", "busy": "8 busy threads", "locks": "4 lock-taking threads"}[kind]
            print(f"{label:>22} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} {r['max']:>7.1f} "
                  f"{r['records_per_s']:>10,.0f} {r['skipped_per_s']:>10,.0f}", flush=True)
    for kind in ("busy", "locks"):
        ratio = median_of([r for r in rows if r["kind"] == kind], "p99") / max(
            median_of([r for r in rows if r["kind"] == "idle"], "p99"), 1e-9)
        print(f"p99 with {kind} script / p99 with nothing running (medians): {ratio:.2f}x")
    return rows


def run_isolated(kind: str, n: int, switch_interval: float, size: int, seconds: float) -> dict:
    """:func:`measure` (or :func:`measure_floor` for kind "floor") in a fresh interpreter."""
    call = (f"measure_floor({n!r}, {switch_interval!r}, {seconds!r})" if kind == "floor"
            else f"measure({kind!r}, {n!r}, {switch_interval!r}, {size!r}, {seconds!r})")
    code = f"import json; from bench.window_latency import measure, measure_floor; print(json.dumps({call}))"
    return run_json(code, timeout=seconds + 120)


def delay_table(workers: list[int], intervals: list[float], kinds: list[str], seconds: float) -> list[dict]:
    print(f"event-loop delay of the window (100 000 points, lock off), {seconds:g} s per row")
    print(f"{'workers':>14} {'n':>2} {'switch':>7} {'p50 ms':>7} {'p95':>7} {'p99':>7} {'max':>7} "
          f"{'(2n+1)x':>8} {'p50/bound':>9}")
    rows = []
    for kind in kinds:
        for interval in intervals:
            for n in workers:
                if n == 0 and kind != kinds[0]:
                    continue  # no workers is the same whatever their kind
                r = run_isolated(kind, n, interval, 100_000, seconds)
                rows.append(r)
                bound = (2 * n + 1) * interval * 1000 if kind == "element-wise" and n else None
                ratio = f"{r['p50'] / bound:9.2f}" if bound else f"{'':>9}"
                label = kind if n else "none"
                print(f"{label:>14} {n:>2} {interval * 1000:>5g}ms {r['p50']:>7.1f} {r['p95']:>7.1f} "
                      f"{r['p99']:>7.1f} {r['max']:>7.1f} {bound or 0:>8.1f} {ratio}", flush=True)
    return rows


def plot_table(sizes: list[int], seconds: float) -> list[dict]:
    print(f"\nframes of the array drawn with 2 element-wise workers (lock off) at 0.5 ms, {seconds:g} s per row")
    print(f"{'points':>11} {'frames/s':>9} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    rows = []
    for size in sizes:
        r = run_isolated("element-wise", 2, 0.0005, size, seconds)
        rows.append(r)
        print(f"{size:>11,} {r['fps']:>9.1f} {r['p50']:>7.1f} {r['p99']:>7.1f} {r['max']:>7.1f}", flush=True)
    return rows


def goal_table(repeats: int, seconds: float) -> list[dict]:
    print(f"\nthe goal row: 2 element-wise workers at 0.5 ms, 100 000 points, {seconds:g} s per run")
    print(f"{'':>12} {'p50 ms':>7} {'p95':>7} {'p99':>7} {'max':>7} {'probes':>7}")
    rows = []
    for _ in range(repeats):  # interleaved, so both see the same machine
        for kind in ("element-wise", "floor"):
            r = run_isolated(kind, 2, 0.0005, 100_000, seconds)
            rows.append(r)
            label = "window" if kind == "element-wise" else "bare window"
            print(f"{label:>12} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} {r['max']:>7.1f} "
                  f"{r['samples']:>7}", flush=True)
    return rows


def median_of(rows: list[dict], key: str) -> float:
    values = sorted(r[key] for r in rows)
    return values[len(values) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few short rows")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--goal-seconds", type=float, default=20.0)
    args = parser.parse_args(argv)
    if args.quick:
        delays = delay_table([2], [0.005, 0.0005], ["element-wise"], 0.8)
        plots = plot_table([10_000], 0.8)
        script_table(1, 0.8)
        stepping_table(1, 0.8)
        goals = goal_table(1, 0.8)
    else:
        delays = delay_table([0, 1, 2, 4, 8], [0.0005, 0.001, 0.005, 0.02], list(KINDS), args.seconds)
        plots = plot_table([1_000, 100_000, 1_000_000, 10_000_000], args.seconds)
        script_table(3, args.seconds)
        stepping_table(3, args.seconds)
        goals = goal_table(3, args.goal_seconds)
    by = {(r["kind"], r["n"], r["switch_ms"]): r for r in delays}
    slow, fast = by.get(("element-wise", 2, 5.0)), by.get(("element-wise", 2, 0.5))
    if slow and fast:
        print(f"\n2 element-wise workers: p99 at 5 ms / p99 at 0.5 ms = {slow['p99'] / max(fast['p99'], 1e-9):.1f}x")
    window = [r for r in goals if r["kind"] == "element-wise"]
    floor = [r for r in goals if r["kind"] == "bare window"]
    p99, bare = median_of(window, "p99"), median_of(floor, "p99")
    goal = "met" if p99 <= 10 else "NOT met"
    print(f"goal p99 <= 10 ms with 2 element-wise workers at 0.5 ms (median of {len(window)} runs): "
          f"{p99:.1f} ms, {goal}; a bare Qt window with the same workers: {bare:.1f} ms")
    big = [r for r in plots if r["size"] == 1_000_000]
    if big:
        goal = "met" if big[0]["fps"] >= 30 else "NOT met"
        print(f"goal >= 30 frames/s at 1 000 000 points with 2 element-wise workers: {big[0]['fps']:.1f}, {goal}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
