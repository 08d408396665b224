"""The instrument gives a program threading's behaviour, records it, and leaves the rest of
the process alone: the same results with and without it, the window's threads untouched."""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.core import recorder as rec
from app.core.program import ProgramRun
from helpers import WAIT_S

ROOT = Path(__file__).resolve().parents[1]

EVERY_PRIMITIVE = '''import queue
import threading
import time
from threading import Barrier, BoundedSemaphore, Condition, Event, Lock, RLock, Semaphore, Thread, Timer

results = []
lock, rlock, ready, cond = Lock(), RLock(), Event(), Condition()
sem, bounded, barrier, q = Semaphore(2), BoundedSemaphore(1), Barrier(3), queue.Queue()
items = []


class Worker(Thread):
    def __init__(self, n):
        super().__init__(name=f"worker-{n}")
        self.n = n

    def run(self):
        ready.wait()
        with rlock:
            with rlock:
                with lock:
                    results.append(self.n)
        with sem:
            time.sleep(0.01)
        barrier.wait()
        q.put(self.n * 10)


workers = [Worker(i) for i in range(3)]
for w in workers:
    w.start()
ready.set()
for w in workers:
    w.join()
print(sorted(results), sorted(q.get() for _ in range(3)))


def consumer():
    with cond:
        cond.wait_for(lambda: items)
        print("consumed", items.pop())


c = Thread(target=consumer)
c.start()
with cond:
    items.append(42)
    cond.notify()
c.join()
fired = []
t = Timer(0.01, lambda: fired.append(True))
t.start()
t.join()
cancelled = Timer(10, lambda: fired.append(False))
cancelled.start()
cancelled.cancel()
cancelled.join()
print("timer", fired)
with bounded:
    pass
try:
    bounded.release()
except ValueError:
    print("a bounded semaphore refused an extra release")
print("lock", lock.acquire(timeout=0.01), lock.locked())
lock.release()
print("daemon", Thread(target=print, daemon=True).daemon, threading.current_thread().name,
      threading.main_thread() is threading.current_thread())
print("name", Thread(target=consumer).name, Thread().name)
print("threads", threading.active_count())
'''


def run_program(source, name="program.py", timeout=WAIT_S, **kwargs):
    run = ProgramRun(source, name, **kwargs).start()
    assert run.join(timeout), "the program did not end"
    return run


def test_a_program_using_every_primitive_gives_the_same_output_with_and_without_the_instrument(tmp_path):
    path = tmp_path / "program.py"
    path.write_text(EVERY_PRIMITIVE)
    plain = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=30)
    assert plain.returncode == 0, plain.stderr
    run = run_program(EVERY_PRIMITIVE)
    assert run.output.text() == plain.stdout
    assert run.ending.exit_code == 0 and run.ending.ok


def test_its_waits_holds_and_threads_are_recorded_with_the_programs_names():
    run = run_program(EVERY_PRIMITIVE)
    kinds = {(lane.name, kind) for _, lane, kind, _ in run.recorder.snapshot()}
    assert {("worker-0", rec.HOLD), ("MainThread", rec.JOINING), ("Thread-1 (consumer)", rec.WAIT_COND),
            ("worker-1", rec.SLEEPING)} <= kinds
    assert {lock.name for lock in run.locks()} >= {"lock", "rlock"}


REAL_LOCK, REAL_THREAD = threading.Lock, threading.Thread


def test_the_rest_of_the_process_keeps_the_real_threading():
    gate = threading.Event()
    program = "import threading\nfrom threading import Event\nEvent().wait(0.3)\nprint(threading.Thread)\n"
    run = ProgramRun(program, "p.py").start()
    outsider = threading.Thread(target=gate.wait, args=(0.05,), name="outsider")  # the window's kind of thread
    outsider.start()
    outsider.join(WAIT_S)
    assert run.join(WAIT_S)
    assert threading.Thread is REAL_THREAD and threading.Lock is REAL_LOCK
    assert "outsider" not in {lane.name for _, lane, _, _ in run.recorder.snapshot()}
    assert "app.core" not in run.output.text() and "threading.Thread" in run.output.text()


def test_print_keeps_the_writes_in_order_and_notes_who_printed():
    program = ("from threading import Thread\nprint('a', end='')\n"
               "t = Thread(target=lambda: print('b'), name='t')\nt.start()\nt.join()\n"
               "import sys\nsys.stdout.write('c\\n')\nprint('d', file=sys.stderr)\n")
    run = run_program(program)
    assert run.output.text() == "ab\nc\nd\n"
    assert [(p.thread, p.text, p.stream) for p in run.output.printed] == [
        ("MainThread", "a", "stdout"), ("t", "b\n", "stdout"), ("MainThread", "d\n", "stderr")]


def test_primitives_are_named_after_the_line_that_made_them():
    program = ("from threading import Event, Lock, Semaphore\nlock = Lock()\nlocks = {'A': Lock(), 'B': Lock()}\n"
               "class Box:\n    def __init__(self):\n        self.guard = Lock()\nBox()\nprint([Lock()])\n"
               "a, (b, c) = Lock(), (Lock(), Lock())\n")
    run = run_program(program)
    assert [lock.name for lock in run.locks()] == ["lock", "locks['A']", "locks['B']", "guard", "Lock at line 8",
                                                  "a", "b", "c"]


def test_stop_ends_a_program_whose_threads_look_at_nothing():
    program = '''import queue, time
from threading import Barrier, Condition, Event, Lock, Semaphore, Thread
ev, cond, sem, bar, q, lock = Event(), Condition(), Semaphore(0), Barrier(3), queue.Queue(), Lock()
lock.acquire()


def spin():
    while True:
        pass


def waits_on_a_condition():
    with cond:
        cond.wait()


for target in (spin, ev.wait, waits_on_a_condition, sem.acquire, bar.wait, q.get,
               lambda: time.sleep(1000), lock.acquire):
    Thread(target=target).start()
while True:
    pass
'''
    before = threading.active_count()
    run = ProgramRun(program, "stubborn.py").start()
    deadline = time.monotonic() + WAIT_S
    while len(run.threads()) < 9 and time.monotonic() < deadline:
        run.join(0.01)
    began = time.monotonic()
    run.request_stop("Stop clicked")
    assert run.join(WAIT_S)
    assert time.monotonic() - began < 1.0
    assert run.ending.stopped == "Stop clicked" and run.ending.stragglers == [] and run.ending.thread_errors == []
    assert threading.active_count() == before


def test_a_threads_exception_is_printed_as_python_prints_it_and_the_program_goes_on():
    program = "from threading import Thread\n\ndef fail():\n    [][1]\n\nt = Thread(target=fail)\nt.start()\nt.join()\nprint('after')\n"
    run = run_program(program)
    out = run.output.text()
    assert out.startswith("Exception in thread Thread-1 (fail):\nTraceback (most recent call last):\n")
    assert 'File "program.py", line 4, in fail' in out and "IndexError" in out and out.endswith("after\n")
    assert run.ending.thread_errors == ["Thread-1 (fail): IndexError('list index out of range')"]
    assert run.ending.exit_code == 0


def test_what_a_failed_threads_frames_held_is_let_go_when_it_ends_as_python_does(tmp_path):
    # (each in a process of its own: the program turns automatic collection off for good)
    program = tmp_path / "fails.py"
    program.write_text("import gc, threading, weakref\n\nclass Held:\n    pass\n\nrefs = []\n\n"
                       "def fail():\n    held = Held()\n    refs.append(weakref.ref(held))\n    [][1]\n\n"
                       "gc.disable()  # (freed when let go, or not at all)\n"
                       "t = threading.Thread(target=fail)\nt.start()\nt.join()\n"
                       "print('freed:', refs[0]() is None, flush=True)\n")
    plain = subprocess.run([sys.executable, str(program)], capture_output=True, text=True, timeout=30)
    report = tmp_path / "report.json"
    traced = subprocess.run([sys.executable, str(ROOT / "main.py"), "trace", "--json", str(report), str(program)],
                            capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert "freed: True" in plain.stdout and "IndexError" in plain.stderr
    assert "freed: True" in traced.stdout, traced.stdout + traced.stderr
    assert "IndexError: list index out of range" in traced.stderr  # (it did fail, as Python says it)
    assert "failed: IndexError('list index out of range')" in traced.stderr  # (the report, in Python's words)
    errors = [t["error"] for t in json.loads(report.read_text())["threads"] if t["error"]]
    assert errors == ["IndexError('list index out of range')"]


def test_a_thread_exception_whose_repr_fails_is_still_printed_and_named():
    program = ("from threading import Thread\n\nclass Odd(Exception):\n    def __repr__(self):\n"
               "        raise RuntimeError('no words')\n\ndef fail():\n    raise Odd('odd')\n\n"
               "t = Thread(target=fail)\nt.start()\nt.join()\nprint('after')\n")
    run = run_program(program)
    out = run.output.text()
    assert out.startswith("Exception in thread Thread-1 (fail):\n") and "Odd: odd" in out and out.endswith("after\n")
    assert run.ending.thread_errors == ["Thread-1 (fail): Odd(<repr failed>)"]


def test_a_programs_own_excepthook_gets_its_threads_exceptions():
    program = ("import threading\nseen = []\nthreading.excepthook = lambda args: seen.append(args.exc_type.__name__)\n"
               "t = threading.Thread(target=lambda: 1 / 0)\nt.start()\nt.join()\nprint(seen)\n")
    assert run_program(program).output.text() == "['ZeroDivisionError']\n"


@pytest.mark.parametrize(("program", "code", "words"), [
    ("import sys\nsys.exit(3)\n", 3, ""),
    ("import sys\nsys.exit('bye')\n", 1, "bye\n"),
    ("x = 1\nraise KeyError(x)\n", 1, 'File "program.py", line 2, in <module>'),
])
def test_the_exit_status_is_the_programs_own(program, code, words):
    run = run_program(program)
    assert run.ending.exit_code == code and words in run.output.text()


def test_a_program_that_does_not_compile_is_refused_before_it_runs():
    with pytest.raises(SyntaxError) as error:
        ProgramRun("x = (1,\n", "broken.py")
    assert error.value.lineno == 1


def test_python_waits_for_threads_that_are_not_daemons_and_cuts_daemons_off():
    program = ('''import time
from threading import Thread


def slow():
    time.sleep(0.2)
    print("slow done")


def forever():
    while True:
        time.sleep(0.01)


Thread(target=slow).start()
Thread(target=forever, daemon=True).start()
print("main done")
''')
    run = run_program(program)
    assert run.output.text() == "main done\nslow done\n"
    assert run.ending.cut_off == ["Thread-2 (forever)"] and run.ending.exit_code == 0


def test_the_program_sees_its_own_argv_and_name():
    run = run_program("import sys\nprint(__name__, sys.argv)\n", argv=["prog.py", "--fast"])
    assert run.output.text() == "__main__ ['prog.py', '--fast']\n"


def test_star_imports_bring_in_what_they_always_do():
    program = "import time\nfrom queue import *\nfrom threading import *\ntime.sleep(0.001)\nprint(Queue, Lock is not None)\n"
    run = run_program(program)
    assert run.ending.exit_code == 0 and run.output.text() == "<class 'queue.Queue'> True\n"


def test_sys_exit_in_a_thread_ends_it_quietly_as_in_python():
    program = "import sys, threading\nt = threading.Thread(target=sys.exit, args=(3,))\nt.start()\nt.join()\nprint('on')\n"
    run = run_program(program)
    assert run.output.text() == "on\n" and run.ending.thread_errors == [] and run.ending.exit_code == 0


def test_the_program_sees_its_own_daemon_choice_everywhere():
    program = ("import threading\nt = threading.Thread(target=print)\n"
               "print(t.daemon, t.isDaemon(), 'daemon' in repr(t))\n")
    assert run_program(program).output.text() == "False False False\n"


def test_print_goes_where_the_programs_sys_stdout_points_and_str_is_called_once():
    program = ('''import io, sys
class Ticket:
    calls = 0
    def __str__(self):
        Ticket.calls += 1
        return f"ticket {Ticket.calls}"
buffer = io.StringIO()
sys.stdout = buffer
print("hidden")
sys.stdout = sys.__stdout__
print(Ticket())
print(repr(buffer.getvalue()), Ticket.calls)
''')
    run = run_program(program)
    assert run.output.text() == "ticket 1\n'hidden\\n' 1\n"
    assert [p.text for p in run.output.printed] == ["ticket 1\n", "'hidden\\n' 1\n"]


def test_a_daemon_left_running_at_exit_prints_nothing_more():
    program = ('''import time
from threading import Thread


def forever():
    try:
        while True:
            time.sleep(0.01)
    finally:
        print("daemon cleanup ran")


Thread(target=forever, daemon=True).start()
time.sleep(0.05)
print("main done")
''')
    assert run_program(program).output.text() == "main done\n"


def test_clearing_the_async_signal_leaves_no_exception_waiting_in_the_thread():
    from app.core.instrument import clear_async_signal

    clear_async_signal()
    clear_async_signal()
    for _ in range(10_000):  # (a stray one would be raised here, at the loop's turns)
        pass


def test_an_async_signal_never_seen_is_taken_back_after_its_time(monkeypatch):
    from app.core import instrument

    sent = []
    monkeypatch.setattr(instrument, "raise_in_thread", lambda ident, exc_type: sent.append(exc_type) or True)
    monkeypatch.setattr(instrument, "ASYNC_SIGNAL_WAIT_S", 0.01)  # (nothing is sent: it never comes)
    instrument.clear_async_signal()
    assert sent == [instrument._SignalCleared, None]


def test_clearing_the_async_signal_runs_no_collection_that_could_receive_it(monkeypatch):
    import gc

    from app.core import instrument

    seen = []
    monkeypatch.setattr(instrument, "raise_in_thread", lambda ident, exc_type: seen.append(gc.isenabled()) or True)
    monkeypatch.setattr(instrument, "ASYNC_SIGNAL_WAIT_S", 0.01)
    was = gc.isenabled()
    instrument.clear_async_signal()
    assert seen == [False, False] and gc.isenabled() == was  # (off while sent and taken back; as it was after)
