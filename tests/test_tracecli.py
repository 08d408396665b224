"""``threadlab trace SCRIPT``: each test runs a small program of the kind users bring, in a
subprocess as a user would, and checks what the report says against what the program did."""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import bytes_written, child_pids, end_if_running, process_alive, wait_until

ROOT = Path(__file__).resolve().parents[1]


def script(folder, text, name="prog.py"):
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def trace(folder, *args, stdin="", timeout=60):
    """``main.py trace --json FILE ARGS``: (exit status, the report or None, stdout, stderr)."""
    report_file = folder / "report.json"
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "trace", "--json", str(report_file),
                           *map(str, args)], input=stdin, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    report = json.loads(report_file.read_text()) if report_file.exists() else None
    return done.returncode, report, done.stdout, done.stderr


TWO_WORKERS = """\
    import sys
    import threading
    import time

    from helper import ROUNDS  # a module of its own folder

    counter = 0
    lock = threading.Lock()


    def add():
        global counter
        time.sleep(0.1)  # (the main thread is in join meanwhile)
        for _ in range(ROUNDS):
            with lock:
                counter += 1


    workers = [threading.Thread(target=add, name=f"adder {i}") for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(__name__, sys.argv[1:], counter)
"""


def test_a_program_runs_as_python_runs_it_and_the_report_counts_its_threads_and_lock(tmp_path):
    script(tmp_path, "ROUNDS = 500\n", "helper.py")
    code, report, out, err = trace(tmp_path, script(tmp_path, TWO_WORKERS), "one", "two")
    assert code == 0, err
    assert out.startswith("__main__ ['one', 'two'] 1000\n")  # its own output, first and unchanged
    assert [t["name"] for t in report["threads"]] == ["MainThread", "adder 0", "adder 1"]
    (lock,) = report["locks"]
    assert lock["name"] == "lock" and lock["taken"] == 1000 and lock["most_taken_at"].endswith("prog.py:15 in add")
    assert report["exit_code"] == 0 and report["ended"] == "exit" and report["deadlocks"] == []
    assert report["threads"][0]["joining_s"] >= 0.09  # the main thread waited in join
    assert all(t["sleeping_s"] >= 0.09 for t in report["threads"][1:])
    assert "adder 0:" in err and "lock (Lock): taken 1000x" in err  # the words, on stderr


DEADLOCK = """\
    import threading
    import time

    a, b = threading.Lock(), threading.Lock()


    def transfer(first, second):
        with first:
            time.sleep(0.1)
            with second:
                pass


    t1 = threading.Thread(target=transfer, args=(a, b), name="a then b")
    t2 = threading.Thread(target=transfer, args=(b, a), name="b then a")
    t1.start()
    t2.start()
    t1.join()
    t2.join()
    print("both done")
"""


def test_a_deadlock_is_explained_and_the_program_ended_with_status_4(tmp_path):
    code, report, out, err = trace(tmp_path, script(tmp_path, DEADLOCK))
    assert code == 4, err
    assert "both done" not in out
    (found,) = report["deadlocks"]
    assert sorted(found["threads"]) == ["a then b", "b then a"] and sorted(found["locks"]) == ["a", "b"]
    assert found["found_after_s"] < 1.0 and not found["broken"]
    doing = {d["thread"]: d for d in report["doing_at_end"]}
    assert doing["a then b"]["state"] == "waiting for lock 'b', held by b then a"
    assert doing["a then b"]["line"] == "prog.py:10"
    assert "Deadlock: 2 threads wait for each other" in err


def test_break_lets_a_deadlocked_program_go_on_with_its_own_status(tmp_path):
    code, report, out, err = trace(tmp_path, "--break", script(tmp_path, DEADLOCK))
    assert code == 0, err
    assert "both done" in out and "WaitBroken" in err  # one transfer's wait was broken
    assert report["deadlocks"][0]["broken"] and report["ended"] == "exit"


def test_timeout_stops_a_program_that_never_ends_and_says_what_each_thread_did(tmp_path):
    forever = script(tmp_path, """\
        import threading
        import time

        ready = threading.Event()
        threading.Thread(target=ready.wait, name="waiter", daemon=True).start()
        while True:
            time.sleep(0.05)
    """)
    code, report, _out, err = trace(tmp_path, "--timeout", "0.5", forever)
    assert code == 124, err
    doing = {d["thread"]: d["state"] for d in report["doing_at_end"]}
    assert doing == {"MainThread": "sleeping (time.sleep)", "waiter": "waiting for event 'ready'"}
    assert report["ended"] == "timeout" and 0.5 <= report["duration_s"] < 2.0


def test_os_exit_gives_its_status_and_a_report(tmp_path):
    code, report, out, err = trace(tmp_path, script(tmp_path, """\
        import os
        import threading

        threading.Thread(target=print, args=("from a thread",)).start()
        os._exit(3)
    """))
    assert code == 3, err
    assert report["ended"] == "os._exit" and report["exit_code"] == 3


def test_stdin_and_the_exit_status_are_the_programs(tmp_path):
    code, report, out, err = trace(tmp_path, script(tmp_path, """\
        import sys

        words = sys.stdin.readline().split()
        print(len(words))
        sys.exit(5)
    """), stdin="three little words\n")
    assert code == 5 and out.startswith("3\n") and report["exit_code"] == 5


def test_an_exception_in_the_main_thread_is_printed_as_python_prints_it(tmp_path):
    code, report, _out, err = trace(tmp_path, script(tmp_path, "x = 1\nraise ValueError('no good')\n"))
    assert code == 1 and 'File "' in err and "ValueError: no good" in err and report["exit_code"] == 1


@pytest.mark.parametrize(("args", "words"), [(["missing.py"], "missing.py: no such file"),
                                             (["--timeout", "0", "x.py"], "--timeout")])
def test_bad_input_is_one_line_and_status_2(tmp_path, args, words):
    code, report, _out, err = trace(tmp_path, *args)
    assert code == 2 and report is None
    assert len(err.strip().splitlines()) == 1 and words in err


def test_a_script_that_does_not_compile_names_its_line_and_runs_nothing(tmp_path):
    code, _report, _out, err = trace(tmp_path, script(tmp_path, "print('before')\nbad(\n"))
    assert code == 2 and "prog.py, line 2" in err and "before" not in err


@pytest.mark.skipif(sys.platform == "win32", reason="a segfault and a signal's status")
def test_a_program_that_crashes_the_interpreter_is_told_by_threadlab(tmp_path):
    code, report, _out, err = trace(tmp_path, script(tmp_path, "import ctypes\nctypes.string_at(0)\n"))
    assert report is None and code == 128 + signal.SIGSEGV
    assert "ended without a report (killed by SIGSEGV)" in err


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads children from /proc")
def test_ctrl_c_ends_the_program_with_a_report_and_no_process_is_left(tmp_path):
    forever = script(tmp_path, "import time\nprint('started', flush=True)\nwhile True:\n    time.sleep(0.05)\n")
    proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "trace", str(forever)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        wait_until(lambda: len(child_pids(proc.pid)) == 1, timeout=10)
        child = child_pids(proc.pid)[0]
        wait_until(lambda: bytes_written(child) >= len("started\n"), timeout=10)
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl+C: the whole group
        code = proc.wait(10)
    finally:
        end_if_running(proc, group=True)
    assert code == 130
    assert "stopped by SIGINT" in proc.stderr.read()
    assert not process_alive(child)


def test_modules_of_the_programs_folder_are_traced_too(tmp_path):
    script(tmp_path, """\
        import threading

        stats_lock = threading.Lock()
        done = []


        def start_workers(count):
            threads = [threading.Thread(target=work, args=(i,), name=f"pool worker {i}") for i in range(count)]
            for t in threads:
                t.start()
            return threads


        def work(i):
            with stats_lock:
                done.append(i)
    """, "workers.py")
    code, report, out, err = trace(tmp_path, script(tmp_path, """\
        import workers

        for t in workers.start_workers(3):
            t.join()
        print(sorted(workers.done))
    """))
    assert code == 0 and out.startswith("[0, 1, 2]"), err
    assert [t["name"] for t in report["threads"]] == ["MainThread", "pool worker 0", "pool worker 1", "pool worker 2"]
    (lock,) = report["locks"]
    assert lock["name"] == "stats_lock" and lock["taken"] == 3 and "workers.py:15 in work" in lock["most_taken_at"]


def test_a_thread_pools_workers_and_their_queue_waits_are_seen(tmp_path):
    code, report, out, err = trace(tmp_path, script(tmp_path, """\
        import threading
        from concurrent.futures import ThreadPoolExecutor

        lock = threading.Lock()
        total = 0


        def add(n):
            global total
            with lock:
                total += n


        with ThreadPoolExecutor(max_workers=2) as pool:
            for n in range(20):
                pool.submit(add, n)
        print(total)
    """))
    assert code == 0 and out.startswith("190"), err
    workers = [t for t in report["threads"] if t["name"].startswith("ThreadPoolExecutor-")]
    assert workers and sum(t["event_wait_s"] for t in workers) > 0  # idle workers wait on the pool's queue
    program_locks = [lock for lock in report["locks"] if not lock["library"]]
    assert [(lock["name"], lock["taken"]) for lock in program_locks] == [("lock", 20)]
    assert all(": " in lock["name"] for lock in report["locks"] if lock["library"])  # named after the library
    assert "made for the program, never contended" in err  # the pool's own locks: one line


def test_every_kind_of_thread_the_program_makes_is_in_the_report(tmp_path):
    code, report, _out, err = trace(tmp_path, script(tmp_path, """\
        import threading
        import time
        from threading import Barrier, Condition, Semaphore, Thread, Timer


        class Counter(Thread):
            def run(self):
                with Semaphore(1):
                    pass


        meet = Barrier(2)
        cond = Condition()


        def outer():
            inner = Thread(target=meet.wait, name="inner")  # a thread started by a thread
            inner.start()
            meet.wait()
            with cond:
                cond.notify_all()
            inner.join()


        fired = threading.Event()
        Counter(name="subclass").start()
        Thread(target=outer, name="outer").start()
        Thread(target=time.sleep, args=(5,), name="sleepy", daemon=True).start()
        Timer(0.01, fired.set).start()
        fired.wait()
    """))
    assert code == 0, err
    names = {t["name"]: t for t in report["threads"]}
    assert {"MainThread", "subclass", "outer", "inner", "sleepy"} <= set(names)
    assert len(names) == 6  # and the Timer's own thread
    assert names["sleepy"]["daemon"] and names["sleepy"]["sleeping_s"] > 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork")
def test_a_program_that_forks_is_reported_by_its_own_process_not_its_childs(tmp_path):
    code, report, out, err = trace(tmp_path, script(tmp_path, """\
        import os

        pid = os.fork()
        if pid == 0:
            os._exit(7)  # the forked child's exit: not the program's
        _, status = os.waitpid(pid, 0)
        print("child ended with", os.waitstatus_to_exitcode(status))
    """))
    assert code == 0 and out.startswith("child ended with 7"), err
    assert report["ended"] == "exit" and report["exit_code"] == 0


def test_hundreds_of_threads_are_all_in_the_json_and_summed_up_in_words(tmp_path):
    code, report, _out, err = trace(tmp_path, script(tmp_path, """\
        import threading

        threads = [threading.Thread(target=len, args=("x",)) for _ in range(300)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    """))
    assert code == 0 and len(report["threads"]) == 301, err
    assert "and 271 more threads, together:" in err and len(err.splitlines()) < 50


def test_a_lock_made_by_code_python_generates_for_the_program_is_the_programs(tmp_path):
    code, report, _out, err = trace(tmp_path, script(tmp_path, """\
        import threading
        from dataclasses import dataclass, field


        @dataclass
        class Account:
            lock: threading.Lock = field(default_factory=threading.Lock)


        account = Account()
        with account.lock:
            pass
    """))
    assert code == 0, err
    assert [(lock["name"], lock["library"], lock["taken"]) for lock in report["locks"]] == [("account", False, 1)]


def test_threads_the_program_did_not_start_but_that_run_its_code_are_reported(tmp_path):
    code, report, out, err = trace(tmp_path, script(tmp_path, """
        import threading
        from multiprocessing.pool import ThreadPool  # (its workers use the real threading)

        lock = threading.Lock()

        def square(x):
            total = 0
            for i in range(1_000_000):  # (long enough to be seen: the stacks are looked at every 50 ms)
                total += i % 7
            with lock:
                return x * x

        with ThreadPool(2) as pool:
            print(sorted(pool.map(square, range(4))))
        """))
    assert code == 0 and out == "[0, 1, 4, 9]\n", err
    foreign = [t for t in report["threads"] if not t["started_by_program"]]
    assert foreign and all(t["name"].endswith("(not started by the program)") for t in foreign)
    assert {t["name"] for t in report["threads"] if t["started_by_program"]} == {"MainThread"}
    assert any(t["running_s"] > 0 for t in foreign)  # (ThreadPool's exit does not join its workers)
    assert report["locks"][0]["taken"] == 4 and "(not started by the program)" in err


def test_a_schedule_steps_a_script_and_a_saved_random_one_replays(tmp_path):
    from tests.test_stepper import LOST_UPDATE

    prog = tmp_path / "lost.py"
    prog.write_text(LOST_UPDATE)
    start = ["MainThread"] * 8  # up to both workers started
    for steps, printed in ((["A", "B", "A", "B"], "1\n"), (["A", "A", "B", "B"], "2\n")):
        plan = tmp_path / "plan.json"
        plan.write_text(json.dumps({"format": "threadlab-schedule", "version": 1, "steps": start + steps}))
        status, report, out, err = trace(tmp_path, "--schedule", plan, prog)
        assert status == 0 and out == printed, err
        assert report["stepped"]["steps"] == 12 and "stepped by a schedule: 12 steps" in err
    saved = tmp_path / "saved.json"
    status, report, out, err = trace(tmp_path, "--schedule", "random:11", "--save-schedule", saved, prog)
    assert status == 0 and report["stepped"]["seed"] == 11 and f"saved to {saved}" in err
    status, again, out_again, _ = trace(tmp_path, "--schedule", saved, prog)
    assert out_again == out and again["stepped"]["steps"] == report["stepped"]["steps"]


def test_a_schedule_that_does_not_fit_the_script_ends_it_with_status_2(tmp_path):
    prog = script(tmp_path, "import threading\nprint('one')\nprint('two')\n")
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"format": "threadlab-schedule", "version": 1, "steps": ["MainThread", "B"]}))
    status, report, out, err = trace(tmp_path, "--schedule", plan, prog)
    assert status == 2 and "step 2 of 2 (B): no thread called 'B'" in err and out == ""
    assert report["stepped"]["error"].startswith("step 2 of 2")
    assert report["doing_at_end"][0]["state"] == "paused by the stepper"
    (tmp_path / "report.json").unlink()
    status, report, out, err = trace(tmp_path, "--save-schedule", plan, prog)
    assert status == 2 and "--save-schedule needs --schedule" in err and report is None
