"""Threads the program did not start: seen in its code, given one lane, ended with the thread."""

import threading

from app.core import recorder as rec
from app.core.foreign import SUFFIX, ForeignWatch
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
    recorded, stop = threading.Event(), threading.Event()

    def program_code():
        recorder.record(rec.RUNNING)  # (as a recorded lock does)
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
