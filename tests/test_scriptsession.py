"""A script run for the window in a child process: its live feed, its output, its end."""

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.core import recorder as rec
from app.core.recorder import Recorder
from app.core.scriptsession import KILL_AFTER_S, KILL_REPORTING_AFTER_S, OUTPUT_KEPT_CHARS, ScriptSession
from app.core.session import Ended, Found, Note, Output
from helpers import process_alive
from test_tracecli import script

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
WAIT_S = 20.0


class Watched:
    """A started session, polled as the window's display timer would."""

    def __init__(self, path, *args):
        self.recorder = Recorder()
        self.session = ScriptSession(str(path), list(args), recorder=self.recorder)
        self.events = []
        self.session.start()

    def until(self, condition, timeout=WAIT_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.events += self.session.poll()
            if condition():
                return
            threading.Event().wait(0.02)  # (the display timer's pace)
        raise AssertionError(f"not met in {timeout} s; events: {self.events}")

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]

    def ended(self):
        self.until(lambda: self.of(Ended))
        (ending,) = self.of(Ended)
        return ending

    def output(self):
        return "".join(e.text for e in self.of(Output))

    def lane_names(self):
        return {record[1].name for record in self.recorder.snapshot()}


@pytest.fixture
def watch():
    made = []

    def start(path, *args):
        made.append(Watched(path, *args))
        return made[-1]

    yield start
    for w in made:
        w.session.request_stop()
        if not w.session.join(5.0):
            w.session.kill()
            w.session.join(5.0)
        assert not process_alive(w.session.child.pid)


def test_a_deadlock_is_found_live_named_and_broken_on_request(watch):
    w = watch(EXAMPLES / "dining_philosophers.py")
    w.until(lambda: w.of(Found))
    finding = w.of(Found)[0].finding
    assert sorted(finding.threads) == ["philosopher 0", "philosopher 1", "philosopher 2"]
    assert "circle" in finding.explain_lines()[0]
    assert w.session.running  # the program waits for the user: Break the wait or Stop
    assert {lock.owner.name for lock in w.session.locks()} == set(finding.threads)
    assert all(len(lock.waiters()) == 1 for lock in w.session.locks())
    w.session.break_waits()
    ending = w.ended()
    assert any(isinstance(e, Note) and e.text.startswith("wait broken in philosopher") for e in w.events)
    assert ending.result["exit_code"] == 0 and w.output().endswith("everyone has eaten\n")


def test_records_locks_and_output_match_what_the_program_did(watch):
    plain = subprocess.run([sys.executable, str(EXAMPLES / "producer_consumer.py")], capture_output=True,
                           text=True, timeout=60)
    w = watch(EXAMPLES / "producer_consumer.py")
    ending = w.ended()
    assert ending.result["exit_code"] == 0 and w.output() == plain.stdout
    assert {"MainThread", "producer", "consumer 1", "consumer 2"} <= w.lane_names()
    (lock,) = [lock for lock in w.session.locks() if lock.name == "done_lock"]
    assert lock.acquisitions == 20 and lock.owner is None
    ends = [r for r in w.recorder.snapshot() if r[2] in rec.ENDS]
    assert sorted(r[1].name for r in ends) == ["MainThread", "consumer 1", "consumer 2", "producer"]
    assert not any(lane.alive for lane in w.session.feed.lanes.values())


def test_the_program_gets_its_arguments_its_folder_and_an_empty_stdin(watch, tmp_path):
    path = script(tmp_path, """
        import os, sys
        print(sys.argv[1:], os.getcwd() == os.path.dirname(os.path.abspath(__file__)))
        try:
            input()
        except EOFError:
            print("no input")
        """)
    w = watch(path, "a b", "c")
    w.ended()
    assert w.output() == "['a b', 'c'] True\nno input\n"


def test_stop_ends_a_program_that_never_ends_and_says_what_its_threads_did(watch, tmp_path):
    path = script(tmp_path, """
        import threading, time
        def spin():
            while True:
                pass
        threading.Thread(target=spin, name="spinner", daemon=True).start()
        while True:
            time.sleep(0.05)
        """)
    w = watch(path)
    w.until(lambda: "spinner" in w.lane_names())
    w.session.request_stop()
    ending = w.ended()
    assert "stopped by Stop" in ending.summary and ending.result["exit_code"] == 130
    doing = {d["thread"]: d["state"] for d in ending.result["doing_at_end"]}
    assert doing["spinner"] == "running" and doing["MainThread"].startswith("sleeping")


def test_a_program_that_holds_the_gil_in_c_is_killed_after_stop(watch, tmp_path):
    path = script(tmp_path, """
        print("summing", flush=True)
        sum(range(10 ** 12))
        """)
    w = watch(path)
    w.until(lambda: "summing" in w.output())
    asked = time.monotonic()
    w.session.request_stop()
    ending = w.ended()
    assert time.monotonic() - asked >= KILL_AFTER_S
    assert "ended without a report (killed by SIGKILL)" in ending.summary
    assert not w.session.feed.stopping.is_set()  # (it never got to take Stop)


def test_a_crash_or_os_exit_ends_only_the_script(watch, tmp_path):
    crash = script(tmp_path, "import ctypes\nctypes.string_at(0)\n", "crash.py")
    assert "killed by SIGSEGV" in watch(crash).ended().summary
    exits = script(tmp_path, "import os\nprint('bye', flush=True)\nos._exit(3)\n", "exits.py")
    w = watch(exits)
    assert w.ended().result["exit_code"] == 3 and w.output() == "bye\n"


def test_megabytes_of_output_are_kept_within_a_bound(watch, tmp_path):
    path = script(tmp_path, """
        import sys
        for i in range(60_000):
            sys.stdout.write(f"{i:09d} " * 10 + "\\n")
        print("last line")
        """)
    w = watch(path)
    w.session.join(WAIT_S)  # (no poll meanwhile: 6 MB wait in the session)
    ending = w.ended()
    text = w.output()
    assert ending.result["exit_code"] == 0 and text.endswith("last line\n")
    assert len(text) < OUTPUT_KEPT_CHARS + CHUNK_SLACK and "characters of output left out" in text


CHUNK_SLACK = 70_000


def test_a_script_that_cannot_run_is_refused_in_one_line(tmp_path):
    session = ScriptSession(str(script(tmp_path, "def f(:\n")), recorder=Recorder())
    with pytest.raises(ValueError, match=r"line 1"):
        session.start()
    assert session.child is None and not session.running


def test_stop_right_after_start_waits_until_the_program_can_report(watch, tmp_path):
    w = watch(script(tmp_path, "import time\ntime.sleep(30)\n"))
    w.session.request_stop()  # (the child is still importing: SIGTERM would kill it unreported)
    ending = w.ended()
    assert ending.result is not None and ending.result["exit_code"] == 130, ending.summary


def test_hundreds_of_threads_each_get_a_lane_and_an_end(watch, tmp_path):
    path = script(tmp_path, """
        import threading
        lock = threading.Lock()
        def work():
            with lock:
                pass
        threads = [threading.Thread(target=work, name=f"w{i}") for i in range(300)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        """)
    w = watch(path)
    assert w.ended().result["exit_code"] == 0
    names = {lane.name for lane in w.session.feed.lanes.values()}
    assert {f"w{i}" for i in range(300)} <= names
    assert not any(lane.alive for lane in w.session.feed.lanes.values())
    (lock,) = w.session.locks()
    assert lock.acquisitions == 300


def test_an_exception_or_sys_exit_is_the_programs_own_status(watch, tmp_path):
    raises = watch(script(tmp_path, "raise ValueError('no')\n", "raises.py"))
    assert raises.ended().result["exit_code"] == 1 and "ValueError: no" in raises.output()
    exits = watch(script(tmp_path, "import sys\nsys.exit(7)\n", "exits.py"))
    assert exits.ended().result["exit_code"] == 7


def test_a_forked_process_that_outlives_the_program_neither_blocks_nor_hides_the_end(watch, tmp_path):
    path = script(tmp_path, """
        import os, time, warnings
        warnings.simplefilter("ignore", DeprecationWarning)  # (3.12+: fork in a process with threads)
        if os.fork() == 0:
            time.sleep(2)  # (holds the output pipe open after the program ended)
            os._exit(0)
        print("parent done", flush=True)
        """)
    w = watch(path)
    polls, deadline = [], time.monotonic() + WAIT_S
    while not w.of(Ended) and time.monotonic() < deadline:
        began = time.monotonic()
        w.events += w.session.poll()
        polls.append(time.monotonic() - began)
        threading.Event().wait(0.02)
    ending = w.of(Ended)[0]
    assert ending.result["exit_code"] == 0 and w.output() == "parent done\n"
    assert max(polls) < 0.5  # (a poll never waits for the pipes)
    assert w.session.join(5.0)  # the forked one ends too, and with it the readers


LOCK_TAKERS = """
    import threading
    def take(lock):
        while True:
            with lock:
                pass
    for i in range(4):
        threading.Thread(target=take, args=(threading.Lock(),), name=f"taker {i}", daemon=True).start()
    print("taking", flush=True)
    threading.Event().wait()
    """


@pytest.mark.timeout(150)
def test_stop_on_busy_threads_with_a_full_ring_still_ends_with_a_report(watch, tmp_path):
    # (the program says it took Stop, and is then given more than 5 s for its report: with
    # four test suites on two CPUs, summing up the full ring took longer, and it was killed)
    w = watch(script(tmp_path, LOCK_TAKERS))
    w.until(lambda: w.session.feed.records + w.session.feed.skipped > 600_000, timeout=60)  # (the ring is full)
    w.session.request_stop()
    w.until(lambda: w.of(Ended), timeout=KILL_REPORTING_AFTER_S + 5)
    ending = w.of(Ended)[0]
    assert ending.result is not None, ending.summary  # (not killed: reported)
    assert w.session.feed.stopping.is_set()
    doing = {d["thread"]: d["state"] for d in ending.result["doing_at_end"]}
    assert set(doing) >= {f"taker {i}" for i in range(4)}
    assert all(t["alive_at_end"] for t in ending.result["threads"] if t["name"].startswith("taker"))


def test_a_second_signal_during_the_report_does_not_cut_it_short(watch, tmp_path):
    w = watch(script(tmp_path, LOCK_TAKERS))
    w.until(lambda: "taking" in w.output() and w.session.feed.ready.is_set())
    w.session.request_stop()
    threading.Event().wait(0.05)  # (the report is being made: as a terminal's Ctrl+C right after)
    w.session.child.send_signal(signal.SIGINT)
    ending = w.ended()
    assert ending.result is not None and ending.result["exit_code"] == 130, ending.summary
    assert "Traceback" not in w.output()


def test_the_locks_listed_are_the_programs_and_a_librarys_only_once_contended(watch):
    w = watch(EXAMPLES / "thread_pool.py")
    w.ended()
    assert [lock.name for lock in w.session.locks()] == ["total_lock"]


def test_a_program_with_thousands_of_locks_ends_without_a_long_poll(watch, tmp_path):
    w = watch(script(tmp_path, """
        import threading
        locks = [threading.Lock() for _ in range(5000)]
        for lock in locks:
            with lock:
                pass
        print("done")
        """))
    polls, deadline = [], time.monotonic() + 60
    while not w.of(Ended) and time.monotonic() < deadline:
        began = time.monotonic()
        w.events += w.session.poll()
        polls.append(time.monotonic() - began)
        threading.Event().wait(0.02)
    assert w.of(Ended)[0].result["exit_code"] == 0
    assert len(w.session.locks()) == 5000 and all(lock.acquisitions == 1 for lock in w.session.locks())
    assert max(polls) < 0.5


def test_a_line_of_the_feed_that_cannot_be_read_is_counted_and_the_rest_are_read(tmp_path):
    session = ScriptSession(str(tmp_path / "none.py"), recorder=Recorder())
    session._apply_feed('{"lanes": [[1, "worker"]]}\n')
    session._apply_feed('{"records": [[1.0, 1, "running", null]]')  # (cut short)
    session._apply_feed('{"records": [[1.0, 99, "running", null]]}\n')  # (a lane never sent)
    session._apply_feed('{"records": [[2.0, 1, "running", null]]}\n')
    assert session._bad_lines == 2 and session.feed.records == 1
    notes = [e.text for e in session.poll() if isinstance(e, Note)]
    assert any("2 lines of the program's live feed could not be read" in n for n in notes)
