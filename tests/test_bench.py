"""The benchmark command runs (quick mode) so that it cannot rot; its figures go to the README."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


# (about 80 s alone; five suites at once on two CPUs took it past 180 s. The subprocess's
# own timeout comes first, so that a slow run fails this test, not the whole session)
@pytest.mark.timeout(600)
def test_bench_quick_mode_runs_every_benchmark_and_prints_distributions_and_ratios():
    done = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True,
                          text=True, timeout=540)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "p99" in out and "p50/bound" in out and "frames/s" in out  # window_latency
    assert "p99 at 5 ms / p99 at 0.5 ms =" in out  # its ratio line
    assert "p99 with busy script / p99 with nothing running" in out  # its script table
    assert "ratio median" in out  # freeze_ratio
    assert "sleep-then-check / Event.wait" in out  # stop_latency
    assert "Lock, recording on" in out and "on / off =" in out  # primitives
    assert "launch -> first paint" in out  # startup
    assert out.count("elementwise-race   matches") == 2  # lesson_reliability at 5 ms and 0.5 ms
    assert "locks    work: plain" in out and "compute  work: plain" in out  # trace_cost
    assert "one step (hand-off, one line, stop again)" in out and "stepped run / plain run" in out  # step_cost


def test_bench_help_prints_help_and_runs_nothing():
    done = subprocess.run([sys.executable, "-m", "bench", "--help"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0
    assert "--quick" in done.stdout and "p99" not in done.stdout
