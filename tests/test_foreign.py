"""Threads the program did not start: seen in its code, given one lane, ended with the thread."""

import threading

from app.core import recorder as rec
from app.core.foreign import SUFFIX, ForeignWatch
from app.core.primitives import Lock
from app.core.recorder import Recorder
from helpers import wait_until


def test_a_thread_seen_in_the_programs_code_gets_a_lane_that_ends_with_it():
    recorder = Recorder()
    inside, stop = threading.Event(), threading.Event()

    def program_code():  # (this file stands for the program's)
        inside.set()
        stop.wait(5)

    thread = threading.Thread(target=program_code, name="library worker")
    idle = threading.Thread(target=stop.wait, args=(5,), name="not the program's")  # in threading.py only
    watch = ForeignWatch(recorder, {__file__}, lambda: [threading.main_thread().ident]).start()
    try:
        thread.start()
        idle.start()
        assert inside.wait(5)
        wait_until(lambda: watch.lanes)
        (lane,) = watch.lanes.values()
        assert lane.name == "library worker" + SUFFIX
        stop.set()
        thread.join(5)
        idle.join(5)
        wait_until(lambda: lane.ended)
    finally:
        stop.set()
        watch.stop()
    kinds = [r[2] for r in recorder.snapshot() if r[1] is lane]
    assert kinds == [rec.STARTED, rec.RUNNING, rec.FINISHED]
    assert watch.seen == [lane]


def test_a_thread_that_took_a_recorded_lock_first_keeps_its_one_lane():
    recorder = Recorder()
    recorder.implicit_suffix = SUFFIX
    lock = Lock("program's lock", recorder=recorder)
    recorded, stop = threading.Event(), threading.Event()

    def program_code():
        with lock:  # (its first record, before the watch has seen it)
            pass
        recorded.set()
        stop.wait(5)

    thread = threading.Thread(target=program_code, name="pool worker")
    watch = ForeignWatch(recorder, {__file__}, lambda: [threading.main_thread().ident]).start()
    try:
        thread.start()
        assert recorded.wait(5)
        wait_until(lambda: watch.lanes)
        stop.set()
        thread.join(5)
        wait_until(lambda: not watch.lanes and watch.seen and watch.seen[0].ended)
    finally:
        stop.set()
        watch.stop()
    lanes = {r[1] for r in recorder.snapshot()}
    assert [lane.name for lane in lanes] == ["pool worker" + SUFFIX]
    assert [r[2] for r in recorder.snapshot()][-1] == rec.FINISHED


def test_a_new_thread_with_a_dead_ones_ident_gets_a_lane_of_its_own():
    recorder = Recorder()
    go = threading.Event()
    watch = ForeignWatch(recorder, {__file__}, lambda: [threading.main_thread().ident]).start()

    def program_code(seen):
        seen.set()
        go.wait(5)

    names = []
    try:
        for i in range(4):  # one after another: CPython gives each the same ident, most often
            seen = threading.Event()
            thread = threading.Thread(target=program_code, args=(seen,), name=f"request {i}")
            go.clear()
            thread.start()
            assert seen.wait(5)
            wait_until(lambda: any(lane.thread is thread for lane in watch.lanes.values()))
            go.set()
            thread.join(5)
            names.append(thread.name)
        wait_until(lambda: not watch.lanes)
    finally:
        go.set()
        watch.stop()
    assert [lane.name for lane in watch.seen] == [name + SUFFIX for name in names]
    assert all(lane.ended for lane in watch.seen)
