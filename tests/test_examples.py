"""The programs in examples/ run plainly and traced, and the report says what they did."""

import subprocess
import sys
from pathlib import Path

from test_tracecli import trace

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def test_producer_consumer_runs_alike_plainly_and_traced(tmp_path):
    program = EXAMPLES / "producer_consumer.py"
    plain = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=60)
    code, report, out, err = trace(tmp_path, program)
    assert plain.returncode == code == 0, err
    assert out == plain.stdout == "20 jobs done, sum 2470\n"
    assert sorted(t["name"] for t in report["threads"]) == ["MainThread", "consumer 1", "consumer 2", "producer"]
    assert not any(t["alive_at_end"] for t in report["threads"])
    (lock,) = report["locks"]
    assert lock["name"] == "done_lock" and lock["taken"] == 20


def test_dining_philosophers_deadlock_is_found_named_and_ended(tmp_path):
    code, report, out, _err = trace(tmp_path, EXAMPLES / "dining_philosophers.py")
    assert code == 4 and "everyone has eaten" not in out
    (found,) = report["deadlocks"]
    assert sorted(found["threads"]) == ["philosopher 0", "philosopher 1", "philosopher 2"]
    assert sorted(found["locks"]) == ["forks", "forks #2", "forks #3"]


def test_dining_philosophers_eat_when_the_forks_are_ordered_or_the_wait_is_broken(tmp_path):
    code, report, out, err = trace(tmp_path, EXAMPLES / "dining_philosophers.py", "ordered")
    assert code == 0 and report["deadlocks"] == [] and out.endswith("everyone has eaten\n"), err
    code, report, out, err = trace(tmp_path, "--break", EXAMPLES / "dining_philosophers.py")
    assert code == 0 and report["deadlocks"][0]["broken"] and out.endswith("everyone has eaten\n"), err
