"""Start-up: time from launch to the first painted window, and memory with a 1 000 000-point array.

Each measurement runs in a fresh interpreter (``python -m bench.startup --child SIZE``).
The parent reads its clock just before it starts the child and again when it reads
the child's "painted" line, which the child prints on the window's first paint event.
The child builds the window as :func:`app.gui.launch.launch` does (offscreen), then
reads its resident memory from ``/proc/self/status`` (VmRSS, and the peak VmHWM) once
with the window idle and once after the default workers have run and been drawn for
about a second, prints them as JSON, and closes the window (which joins the workers).
For context, the parent also times a bare ``python -c "import PyQt5.QtWidgets,
pyqtgraph, numpy"`` (of the binding in use).

Bytecode: pip compiles the packages it installs, but an editable install of threadlab
leaves its own modules to be compiled on the first launch, which then writes them to
``__pycache__`` for every later one. The main rows are those later launches (after
one launch per size that is not counted); one more row times the first launch, with
threadlab's ``__pycache__`` removed and ``PYTHONDONTWRITEBYTECODE=1``, as on a machine
that never keeps bytecode (this development machine sets that variable).

    python -m bench.startup            # full
    python -m bench.startup --quick    # a smoke run (the test suite runs it)
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import shutil
import subprocess
import sys
import time

import numpy as np

from bench.stats import ROOT, distribution

SIZES = (100_000, 1_000_000)  # the app's default, and the size the memory goal is about
MEMORY_SIZE = 1_000_000
PAINTED = "painted"
IDLE_S = 0.5  # after the first paint, before the idle reading
RUNNING_S = 1.0  # workers running and drawn, before the running reading
CHILD_GIVE_UP_S = 20.0  # the child quits by itself after this, whatever happened
RUN_TIMEOUT_S = 60.0  # the parent kills a child that takes longer
GOAL_PAINT_MS = 600.0
GOAL_RSS_MB = 160.0
#: The bare imports, of the binding the app uses (PYQTGRAPH_QT_LIB's, else pyqtgraph's first pick).
_CHOSEN = os.environ.get("PYQTGRAPH_QT_LIB")
IMPORTS = f"import {_CHOSEN}.QtWidgets, pyqtgraph, numpy" if _CHOSEN else "import pyqtgraph.Qt.QtWidgets, pyqtgraph, numpy"


# -- the child ------------------------------------------------------------------------------
def memory_mb() -> dict[str, float]:
    """This process's VmRSS and VmHWM from ``/proc/self/status``, in MB."""
    found: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024  # kB
    return found


def child(size: int) -> int:
    """Show the window over a ``size``-point array, say when it first paints, measure memory."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from pyqtgraph.Qt import QtCore

    from app.core.lab import Lab
    from app.core.logbook import LogBook
    from app.core.shared import SharedArray
    from app.gui import resources
    from app.gui.launch import GUI_SWITCH_INTERVAL_S
    from app.gui.qtenv import make_application
    from app.gui.window import LabWindow

    qapp = make_application(sys.argv[:1])
    qapp.setStyle("Fusion")
    qapp.setStyleSheet(resources.stylesheet())
    window = LabWindow(Lab(SharedArray(size), LogBook()))
    window.set_switch_interval(GUI_SWITCH_INTERVAL_S)
    window.controls.size_spin.setValue(size)  # else Start would resize to the panel's default
    figures: dict[str, object] = {"size": size}
    painted: list[bool] = []

    class FirstPaint(QtCore.QObject):
        """Prints :data:`PAINTED` on the window's first paint event, then goes on idle."""

        def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt's name
            if watched is window and event.type() == QtCore.QEvent.Type.Paint and not painted:
                painted.append(True)
                print(PAINTED, flush=True)
                QtCore.QTimer.singleShot(int(IDLE_S * 1000), idle)
            return False

    def idle() -> None:
        figures["idle"] = memory_mb()
        window.start()
        figures["workers"] = len(window.lab.alive())
        QtCore.QTimer.singleShot(int(RUNNING_S * 1000), running)

    def running() -> None:
        figures["running"] = memory_mb()
        print(json.dumps(figures), flush=True)
        window.close()
        qapp.quit()

    watcher = FirstPaint()
    window.installEventFilter(watcher)
    QtCore.QTimer.singleShot(int(CHILD_GIVE_UP_S * 1000), lambda: (window.close(), qapp.exit(2)))
    window.show()
    status = qapp.exec()
    window.removeEventFilter(watcher)
    return status if "running" in figures else 2


# -- the parent -----------------------------------------------------------------------------
def child_env(compiled: bool = True) -> dict[str, str]:
    """The children's environment: offscreen, and keeping bytecode unless ``compiled`` is False."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not compiled:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def forget_bytecode() -> None:
    """Remove threadlab's compiled modules, as a fresh editable install has none."""
    for cache in (ROOT / "app").rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def read_line(stream, deadline: float) -> str:
    """The first line of ``stream`` (a binary pipe), waiting no later than ``deadline``."""
    fd = stream.fileno()
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in buffer:
            left = deadline - time.perf_counter()
            if left <= 0 or not selector.select(left):
                raise TimeoutError("the child did not paint in time")
            chunk = os.read(fd, 4096)
            if not chunk:
                break  # the child ended
            buffer += chunk
    return buffer.decode(errors="replace")


def run_child(size: int, compiled: bool = True) -> dict:
    """One launch of the window in a fresh interpreter: ms to first paint, and memory."""
    if not compiled:
        forget_bytecode()
    began = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bench.startup", "--child", str(size)], cwd=ROOT,
                            env=child_env(compiled), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = read_line(proc.stdout, began + RUN_TIMEOUT_S)
        painted = time.perf_counter()
        rest, err = proc.communicate(timeout=max(1.0, began + RUN_TIMEOUT_S - time.perf_counter()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    lines = (first.encode() + rest).decode(errors="replace").splitlines()
    if proc.returncode != 0 or not lines or lines[0] != PAINTED:
        raise RuntimeError(f"start-up run failed ({proc.returncode}):\n{err.decode(errors='replace')}")
    # the last JSON line: closing, the window prints its own line about the workers after it
    figures = json.loads(next(line for line in reversed(lines) if line.startswith("{")))
    figures["paint_ms"] = (painted - began) * 1000
    return figures


def imports_ms() -> float:
    """ms for a fresh interpreter to import Qt's widgets, pyqtgraph and numpy, and exit."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", IMPORTS], cwd=ROOT, env=child_env(), check=True, timeout=RUN_TIMEOUT_S,
                   capture_output=True)
    return (time.perf_counter() - began) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--repeats", type=int, default=10, help="launches per size (default %(default)s)")
    parser.add_argument("--child", type=int, metavar="SIZE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        return child(args.child)
    repeats = 1 if args.quick else args.repeats

    runs: dict[int, list[dict]] = {size: [] for size in SIZES}
    first_launches: list[float] = []
    bare: list[float] = []
    for size in SIZES:
        run_child(size)  # not counted: writes the bytecode, warms the disk cache
    for i in range(repeats):  # interleaved, so a drift of the machine's speed falls on all alike
        for size in SIZES:
            runs[size].append(run_child(size))
        bare.append(imports_ms())
        if i % 2 == 0:
            first_launches.append(run_child(SIZES[0], compiled=False)["paint_ms"])
            run_child(SIZES[0])  # not counted: writes the bytecode again

    print(f"launch -> first paint of the window (offscreen): {repeats} fresh interpreters per size; ms")
    print(f"{'points':>9} {'':>26} {'median':>8} {'p95':>8} {'max':>8}")
    for size in SIZES:
        d = distribution([r["paint_ms"] for r in runs[size]])
        print(f"{size:>9,} {'bytecode kept (2nd launch on)':>26} {d['median']:8.0f} {d['p95']:8.0f} {d['max']:8.0f}")
    d = distribution(first_launches)
    print(f"{SIZES[0]:>9,} {'compiled at launch':>26} {d['median']:8.0f} {d['p95']:8.0f} {d['max']:8.0f}"
          f"   ({len(first_launches)} launches)")
    bare_ms = float(np.median(bare))
    default_paint = float(np.median([r["paint_ms"] for r in runs[SIZES[0]]]))
    print(f"bare python -c \"{IMPORTS}\": median {bare_ms:.0f} ms "
          f"({bare_ms / default_paint:.0%} of launch -> first paint at {SIZES[0]:,} points)")

    print(f"\nresident memory, median of {repeats}; MB (VmRSS now / VmHWM peak so far)")
    print(f"{'points':>9} {'idle RSS':>9} {'idle HWM':>9} {'run RSS':>9} {'run HWM':>9} {'workers':>8}")
    for size in SIZES:
        med = {f"{phase} {key}": float(np.median([r[phase][key] for r in runs[size]]))
               for phase in ("idle", "running") for key in ("VmRSS", "VmHWM")}
        workers = int(np.median([r["workers"] for r in runs[size]]))
        print(f"{size:>9,} {med['idle VmRSS']:9.1f} {med['idle VmHWM']:9.1f} {med['running VmRSS']:9.1f} "
              f"{med['running VmHWM']:9.1f} {workers:8d}")

    worst_paint = max(float(np.median([r["paint_ms"] for r in runs[size]])) for size in SIZES)
    rss = float(np.median([r["running"]["VmRSS"] for r in runs[MEMORY_SIZE]]))
    print(f"goal: launch -> first paint <= {GOAL_PAINT_MS:g} ms (median, both sizes): "
          f"{'met' if worst_paint <= GOAL_PAINT_MS else 'NOT met'} ({worst_paint:.0f} ms)")
    print(f"goal: RSS <= {GOAL_RSS_MB:g} MB with a {MEMORY_SIZE:,}-point array (running, median): "
          f"{'met' if rss <= GOAL_RSS_MB else 'NOT met'} ({rss:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
