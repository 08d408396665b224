"""Threads blocked in C code (which record nothing) are told apart from threads that run."""

import os
import threading
import time

import pytest

from app.core import recorder as rec
from app.core.outside import OutsideWatch, kernel_view
from app.core.recorder import Recorder
from app.core.timeline import Timeline
from helpers import wait_until

pytestmark = pytest.mark.skipif(kernel_view(threading.get_native_id()) is None, reason="needs /proc")


def lane_state(recorder, timeline, watch, name):
    timeline.follow(recorder)
    watch.check(timeline, time.monotonic())
    (track,) = timeline.find(name)
    return track.segments[-1].state if track.segments[-1].end is None else None


def started(recorder, name, target):
    def body():
        recorder.new_lane(name)
        recorder.record(rec.RUNNING)
        target()
    thread = threading.Thread(target=body, name=name)
    thread.start()
    return thread


def test_a_thread_reading_a_pipe_is_blocked_outside_python_until_the_data_comes():
    recorder, timeline, watch = Recorder(), Timeline(), OutsideWatch(min_s=0.1)
    read_end, write_end = os.pipe()
    try:
        reader = started(recorder, "reader", lambda: os.read(read_end, 1))
        wait_until(lambda: lane_state(recorder, timeline, watch, "reader") == rec.OUTSIDE)
        (track,) = timeline.find("reader")
        assert "test_outside.py" in track.segments[-1].describe()  # where it last ran Python
        os.write(write_end, b"x")
        reader.join(5)
        timeline.follow(recorder)
        assert not reader.is_alive() and track.ended is not None
    finally:
        os.close(read_end)
        os.close(write_end)


def test_a_thread_busy_in_python_stays_running():
    recorder, timeline, watch = Recorder(), Timeline(), OutsideWatch(min_s=0.1)
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            pass

    spinner = started(recorder, "spinner", spin)
    try:
        states, end = set(), time.monotonic() + 0.5
        while time.monotonic() < end:
            states.add(lane_state(recorder, timeline, watch, "spinner"))
            stop.wait(0.02)
        assert states == {rec.RUNNING}
    finally:
        stop.set()
        spinner.join(5)
