"""A program run's machinery: deadlocks found and broken, the output read as it comes."""

import time

from app.core.program import ProgramRun
from helpers import WAIT_S

CIRCLE = '''from threading import Lock, Thread
from time import sleep
a, b = Lock(), Lock()


def one():
    with a:
        sleep(0.05)
        with b:
            pass


def two():
    with b:
        sleep(0.05)
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
