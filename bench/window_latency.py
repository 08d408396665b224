"""Event-loop delay and redraw rate of the real lab window while workers run.

For each thread switch interval and array size, this opens the window offscreen,
starts two element-by-element mutators (lock off, so they run together), and for
``--seconds`` records how late the window's 20 ms probe timer fired and how many
frames were drawn. Each combination runs in a fresh subprocess so that nothing
(the interval, the array) carries over.

    python -m bench.window_latency            # full grid
    python -m bench.window_latency --quick    # a smoke run (used by the tests)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(switch_interval: float, size: int, seconds: float) -> dict:
    """Run one combination in this process and return its figures (milliseconds, fps)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from pyqtgraph.Qt import QtCore

    from app.core.lab import Lab
    from app.core.shared import SharedArray
    from app.gui.qtenv import make_application
    from app.gui.window import LabWindow

    sys.setswitchinterval(switch_interval)
    app = make_application([])
    window = LabWindow(Lab(SharedArray(size)))
    window.controls.size_spin.setValue(size)
    window.controls.use_lock_box.setChecked(False)
    for key, spin in window.controls.count_spins.items():
        spin.setValue(1 if key in ("add-elementwise", "divide-elementwise") else 0)
    frames = []
    draw = window._draw_array
    window._draw_array = lambda: (draw(), frames.append(1))
    window.show()

    def begin() -> None:
        window.start()
        window.latency.clear()
        frames.clear()

    QtCore.QTimer.singleShot(300, begin)
    QtCore.QTimer.singleShot(int(300 + seconds * 1000), window.close)
    app.exec_()
    delays = np.array([d for _, d in window.latency._samples]) * 1000
    return {
        "switch_ms": switch_interval * 1000,
        "size": size,
        "p50": float(np.percentile(delays, 50)),
        "p95": float(np.percentile(delays, 95)),
        "p99": float(np.percentile(delays, 99)),
        "max": float(delays.max()),
        "fps": len(frames) / seconds,
        "samples": int(delays.size),
    }


def run_isolated(switch_interval: float, size: int, seconds: float) -> dict:
    """:func:`measure` in a fresh interpreter; returns its JSON."""
    code = (
        "import json, sys; from bench.window_latency import measure; "
        f"print(json.dumps(measure({switch_interval!r}, {size!r}, {seconds!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=seconds + 60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark run failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short run per setting")
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    intervals = [0.005, 0.0005] if args.quick else [0.005, 0.001, 0.0005]
    sizes = [10_000] if args.quick else [100_000, 1_000_000]
    seconds = 0.8 if args.quick else args.seconds
    print(f"two element-wise mutators running; window offscreen; {seconds:g} s per row")
    print(f"{'switch':>8} {'points':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'fps':>5}")
    rows = []
    for size in sizes:
        for interval in intervals:
            r = run_isolated(interval, size, seconds)
            rows.append(r)
            print(f"{r['switch_ms']:>6g}ms {r['size']:>9,} {r['p50']:>8.1f} {r['p95']:>8.1f} "
                  f"{r['p99']:>8.1f} {r['max']:>8.1f} {r['fps']:>5.0f}")
    for size in sizes:
        by = {r["switch_ms"]: r for r in rows if r["size"] == size}
        slow, fast = by[max(by)], by[min(by)]
        print(f"{size:,} points: p99 at {max(by):g} ms / p99 at {min(by):g} ms = "
              f"{slow['p99'] / max(fast['p99'], 1e-9):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
