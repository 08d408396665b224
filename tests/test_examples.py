"""The programs in examples/ run plainly and traced, and the report says what they did."""

import subprocess
import sys
from pathlib import Path

from test_tracecli import trace

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def plainly_and_traced(folder, name, stdout):
    """Run ``examples/name`` plainly and traced; both must end with status 0 and print
    ``stdout``. The trace's report."""
    program = EXAMPLES / name
    plain = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=60)
    code, report, out, err = trace(folder, program)
    assert plain.returncode == code == 0, err
    assert out == plain.stdout == stdout
    return report


def test_producer_consumer_runs_alike_plainly_and_traced(tmp_path):
    report = plainly_and_traced(tmp_path, "producer_consumer.py", "20 jobs done, sum 2470\n")
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


def test_thread_pool_runs_alike_plainly_and_traced_and_shows_the_pools_workers(tmp_path):
    report = plainly_and_traced(tmp_path, "thread_pool.py", "squares [1, 4, 9, 16, 25, 36, 49, 64], total 36\n")
    workers = sorted(t["name"] for t in report["threads"] if t["name"].startswith("ThreadPoolExecutor"))
    assert workers == ["ThreadPoolExecutor-0_0", "ThreadPoolExecutor-0_1", "ThreadPoolExecutor-0_2"]
    assert sum(t["sleeping_s"] for t in report["threads"]) >= 8 * 0.05 * 0.9  # eight jobs' waits
    (total,) = [lock for lock in report["locks"] if not lock["library"]]
    assert total["name"] == "total_lock" and total["taken"] == 8


def test_bank_transfer_deadlocks_unless_the_accounts_are_locked_in_one_order(tmp_path):
    program = EXAMPLES / "bank_transfer.py"
    code, report, out, _err = trace(tmp_path, program)
    assert code == 4 and out == ""
    (found,) = report["deadlocks"]
    assert sorted(found["threads"]) == ["clerk A->B", "clerk B->A"]
    code, report, out, err = trace(tmp_path, program, "ordered")
    assert code == 0 and report["deadlocks"] == [], err
    assert out == "Alice 1000, Bob 1000, total 2000\n"
