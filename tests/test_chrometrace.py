"""The trace file opens as Chrome Trace Event JSON and its slices match what the threads did."""

import json
import threading

import pytest

from app.core.chrometrace import LOCKS_PID, THREADS_PID, save_trace
from app.core.recorder import Recorder
from app.lessons import get
from app.lessons.base import LessonRun, run_lesson

ADD, DIVIDE = "Thread-1 (increase)", "Thread-2 (divide)"  # the lock program's threads


def load(path):
    trace = json.loads(path.read_text())
    events = trace["traceEvents"]
    for e in events:  # the fields every viewer needs
        assert {"ph", "pid", "name"} <= e.keys()
        if e["ph"] in ("X", "i"):
            assert {"ts", "tid"} <= e.keys() and e["ts"] >= 0
        if e["ph"] == "X":
            assert e["dur"] >= 0
    return trace, events


def track_names(events, pid):
    return {e["tid"]: e["args"]["name"] for e in events
            if e["ph"] == "M" and e["pid"] == pid and e["name"] == "thread_name"}


@pytest.fixture(scope="module")
def lock_trace(tmp_path_factory):
    """The lock lesson, 3 runs, recorded and saved."""
    recorder = Recorder()
    result = run_lesson(get("lock"), {"SIZE": 20_000}, 3, how=LessonRun(recorder=recorder))
    path = save_trace(recorder, tmp_path_factory.mktemp("trace") / "lock.json", title="lock")
    return result, load(path)


def test_every_thread_has_a_named_track_and_every_lock_one(lock_trace):
    _, (trace, events) = lock_trace
    threads = track_names(events, THREADS_PID)
    names = sorted(threads.values())
    assert names.count(ADD) == 3 and names.count(DIVIDE) == 3 and names.count("MainThread") == 3
    locks = track_names(events, LOCKS_PID)
    assert sorted(locks.values()) == ["lock 'lock'", "lock 'lock' #2", "lock 'lock' #3"]
    assert trace["otherData"]["producer"] == "threadlab" and trace["displayTimeUnit"] == "ms"


def test_holds_of_one_lock_never_overlap_and_each_loop_is_one_hold(lock_trace):
    result, (_, events) = lock_trace
    holds = [e for e in events if e["ph"] == "X" and e["pid"] == LOCKS_PID]
    assert len(holds) == 2 * len(result.runs)
    by_lock = {}
    for e in holds:
        by_lock.setdefault(e["tid"], []).append(e)
    for slices in by_lock.values():
        slices.sort(key=lambda e: e["ts"])
        assert [e["args"]["thread"] for e in slices] in ([ADD, DIVIDE], [DIVIDE, ADD])
        first, second = slices
        assert first["ts"] + first["dur"] <= second["ts"]  # never together: the lock works


def test_a_wait_slice_ends_when_the_holder_lets_go(tmp_path):
    from app.core.primitives import Event, Lock, Thread

    recorder = Recorder()
    lock, waiting = Lock("l", recorder=recorder), Event("waiting", recorder=recorder)
    lock.acquire()
    t = Thread(target=lambda: (waiting.set(), lock.acquire(), lock.release()), name="waiter", recorder=recorder)
    t.start()
    waiting.wait(5)
    pause = threading.Event()
    for _ in range(2500):  # until the waiter is inside acquire (at most 5 s)
        if lock.waiters():
            break
        pause.wait(0.002)
    assert lock.waiters(), "the waiter never started waiting"
    lock.release()
    t.join(5)
    _, events = load(save_trace(recorder, tmp_path / "wait.json"))
    (wait,) = [e for e in events if e["ph"] == "X" and e["args"].get("state") == "waiting for lock"]
    holds = sorted((e for e in events if e["ph"] == "X" and e["pid"] == LOCKS_PID), key=lambda e: e["ts"])
    assert [h["args"]["thread"] for h in holds] == ["MainThread", "waiter"]
    released = holds[0]["ts"] + holds[0]["dur"]
    assert released <= wait["ts"] + wait["dur"] <= released + 50_000  # the wait ends at the release
    assert holds[1]["ts"] >= wait["ts"] + wait["dur"]  # and the waiter holds it from then on


def test_open_slices_end_at_save_time_and_say_so(tmp_path):
    from app.core.primitives import Lock

    recorder = Recorder()
    lock = Lock("held", recorder=recorder)
    lock.acquire()
    try:
        _, events = load(save_trace(recorder, tmp_path / "open.json"))
    finally:
        lock.release()
    (hold,) = [e for e in events if e["ph"] == "X" and e["pid"] == LOCKS_PID]
    assert hold["args"]["open"] is True and hold["name"].startswith("held by ")
