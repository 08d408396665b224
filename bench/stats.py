"""What every benchmark shares: a distribution of samples, and a measurement in a fresh interpreter."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def distribution(samples: list[float], scale: float = 1.0) -> dict[str, float]:
    """min, median (also as p50), p95, p99, max and the count of ``samples`` times ``scale``
    (not a number for each when there are none, so that a table shows the gap)."""
    data = np.asarray(samples, dtype=float) * scale
    if data.size == 0:
        return {**dict.fromkeys(("min", "median", "p50", "p95", "p99", "max"), float("nan")), "samples": 0}
    median = float(np.median(data))
    return {"min": float(data.min()), "median": median, "p50": median,
            "p95": float(np.percentile(data, 95)), "p99": float(np.percentile(data, 99)),
            "max": float(data.max()), "samples": int(data.size)}


def run_json(code: str, timeout: float) -> Any:
    """Run ``python -c code`` offscreen from the project's root; return the last JSON line it printed."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if done.returncode != 0:
        raise RuntimeError(f"benchmark run failed:\n{done.stderr}")
    return json.loads(next(line for line in reversed(done.stdout.splitlines()) if line.startswith(("{", "["))))
