"""The benchmark command runs (quick mode) so that it cannot rot; its figures go to the README."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_mode_prints_a_distribution_and_a_ratio():
    done = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "p99 ms" in done.stdout
    assert "x" in done.stdout.splitlines()[-1]  # the ratio line
