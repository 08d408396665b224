"""The benchmark command runs (quick mode) so that it cannot rot; its figures go to the README."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_mode_prints_a_distribution_and_a_ratio():
    done = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "p99 ms" in done.stdout and "x\n" in done.stdout  # distribution, then the ratio line
    assert "elementwise-race   matches" in done.stdout
    assert "Lock, recording on" in done.stdout and "on / off =" in done.stdout  # bench.primitives
