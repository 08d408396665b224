"""A program run's machinery: deadlocks found and broken, the output read as it comes."""

import time

from app.core.program import ProgramRun
from helpers import WAIT_S

CIRCLE = '''from threading import Barrier, Lock, Thread
a, b = Lock(), Lock()
both_hold_one = Barrier(2)  # each takes its second lock only once the other holds its first


def one():
    with a:
        both_hold_one.wait()
        with b:
            pass


def two():
    with b:
        both_hold_one.wait()
        with a:
            pass


t1, t2 = Thread(target=one), Thread(target=two)
t1.start()
t2.start()
t1.join()
t2.join()
print("done")
'''


def test_a_deadlock_waits_for_the_user_and_breaks_when_asked():
    found = []
    run = ProgramRun(CIRCLE, "circle.py", on_finding=found.append).start()
    deadline = time.monotonic() + WAIT_S
    while not found and time.monotonic() < deadline:
        run.join(0.01)
    assert found and sorted(found[0].locks) == ["a", "b"] and run.running
    assert len(run.break_waits()) == 1
    assert run.join(WAIT_S) and run.output.text().endswith("done\n")
    assert len(run.ending.thread_errors) == 1 and "WaitBroken" in run.ending.thread_errors[0]


def test_with_auto_break_a_deadlocked_program_never_hangs():
    run = ProgramRun(CIRCLE, "circle.py", auto_break=True).start()
    assert run.join(WAIT_S) and len(run.findings) == 1


def test_a_join_that_waits_for_a_thread_that_waits_for_the_joiners_lock_is_a_circle():
    program = ("from threading import Lock, Thread\nlock = Lock()\nt = Thread(target=lock.acquire)\n"
               "with lock:\n    t.start()\n    t.join()\n")
    run = ProgramRun(program, "join.py", auto_break=True).start()
    assert run.join(WAIT_S)
    (finding,) = run.findings
    assert finding.threads == ["Thread-1 (acquire)", "MainThread"] or finding.threads == ["MainThread", "Thread-1 (acquire)"]
    assert "join at join.py:6" in finding.explain()


def test_output_is_read_while_the_program_runs():
    program = "import time\nprint('first', flush=True)\ntime.sleep(0.3)\nprint('second')\n"
    run = ProgramRun(program, "p.py").start()
    deadline = time.monotonic() + WAIT_S
    while "first" not in run.output.text_since(0)[0] and time.monotonic() < deadline:
        run.join(0.01)
    assert run.running and run.output.text_since(0)[0] == "first\n"
    assert run.join(WAIT_S) and run.output.text() == "first\nsecond\n"


def test_a_plain_lock_used_as_a_signal_between_threads_is_no_deadlock():
    program = ("from threading import Lock, Thread\nfrom time import sleep\ndone = Lock()\ndone.acquire()\n\n"
               "def work():\n    sleep(0.4)\n    done.release()\n\n"
               "Thread(target=work).start()\ndone.acquire()  # waits until the worker says so\nprint('signalled')\n")
    run = ProgramRun(program, "signal.py", auto_break=True).start()
    assert run.join(WAIT_S) and run.findings == [] and run.output.text() == "signalled\n"


def test_the_end_of_a_run_does_not_wait_for_a_child_that_holds_its_output():
    program = ("import subprocess, sys\n"
               "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(2)'], stdout=sys.stdout)\n"
               "print('started a child')\n")
    run = ProgramRun(program, "child.py").start()
    try:
        began = time.monotonic()
        assert run.join(WAIT_S) and time.monotonic() - began < 1.5
        assert run.output.text() == "started a child\n"
    finally:
        run.namespace["child"].wait(WAIT_S)


def test_a_circle_through_a_plain_lock_while_another_thread_runs_is_reported_unsure_and_not_broken():
    program = ("from threading import Lock, Thread\nfrom time import sleep\nlock = Lock()\nlock.acquire()\n\n"
               "def ticker():\n    for _ in range(60):\n        sleep(0.05)\n\n"
               "t = Thread(target=ticker)\nt.start()\nlock.acquire()\n")
    found = []
    run = ProgramRun(program, "unsure.py", auto_break=True, on_finding=found.append).start()
    deadline = time.monotonic() + WAIT_S
    while not found and time.monotonic() < deadline:
        run.join(0.05)
    assert found and found[0].certain is False and "Perhaps a deadlock" in found[0].explain()
    assert run.running  # not broken by itself
    run.request_stop("test over")
    assert run.join(WAIT_S)
