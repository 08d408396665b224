"""The lanes feed reads the recorder and paints the lanes on its own thread."""

import threading
import time

import pytest

from app.core.lanesfeed import LanesFeed, View
from app.core.primitives import Lock, Thread
from app.core.recorder import Recorder
from helpers import wait_until


def recorded_run():
    """A recorder holding one finished thread that took a lock once."""
    recorder = Recorder()
    lock = Lock("l", recorder=recorder)

    def work():
        with lock:
            pass

    t = Thread(target=work, name="worker", recorder=recorder)
    t.start()
    threading.Thread.join(t, 5)  # (not recorded: a thread still alive right after start, as on 3.13,
    return recorder              # would give the joining thread a lane of its own)


def now_view(width=200, height=100, busy=True):
    now = time.monotonic()
    return View(now - 10, now, width, height, busy)


@pytest.fixture
def feed():
    f = LanesFeed(recorded_run())
    f.start()
    yield f
    assert f.stop(2.0), "the feed's thread did not end"


def test_a_request_comes_back_painted_with_a_row_per_thread(feed):
    feed.request(now_view(width=200, height=100))
    frames = []
    wait_until(lambda: frames.append(feed.take()) or frames[-1] is not None)
    frame = frames[-1]
    assert [row[0].name for row in frame.rows] == ["worker"]
    assert frame.image.shape == (frame.row_px, 200, 4)
    assert frame.rows[0][0].holds  # the lock it took is in the track


def test_nothing_new_and_nothing_running_paints_nothing():
    feed = LanesFeed(recorded_run())
    assert feed.make(now_view(busy=False)) is not None  # the first look reads the records
    assert feed.make(now_view(busy=False)) is None  # the same again: no frame
    assert feed.make(now_view(busy=True)) is not None  # while something runs, time moves on
    assert feed.make(now_view(width=300, busy=False)) is not None  # a new size needs a frame


def test_a_forced_request_paints_even_if_nothing_changed():
    feed = LanesFeed(recorded_run())
    feed.make(now_view(busy=False))
    view = now_view(busy=False)
    assert feed.make(View(view.t0, view.t1, view.width, view.height, busy=False, force=True)) is not None


def test_a_fixed_stretch_of_time_that_moved_is_painted_again():
    feed = LanesFeed(recorded_run())
    view = now_view(busy=False)
    fixed = View(view.t0, view.t1, view.width, view.height, busy=False, following=False)
    assert feed.make(fixed) is not None
    assert feed.make(fixed) is None
    moved = View(view.t0 - 1, view.t1 - 1, view.width, view.height, busy=False, following=False)
    assert feed.make(moved) is not None


def test_render_now_reads_and_paints_on_the_calling_thread():
    feed = LanesFeed(recorded_run())
    frame = feed.render_now(now_view(height=400))
    assert [row[0].name for row in frame.rows] == ["worker"] and frame.image.shape[1] == 200


def test_many_lanes_share_the_height_down_to_a_minimum():
    recorder = Recorder()
    threads = [Thread(target=lambda: None, name=f"t{i}", recorder=recorder) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        threading.Thread.join(t, 5)  # (unrecorded, as above)
    frame = LanesFeed(recorder).make(now_view(height=100))
    assert len(frame.rows) == 30 and frame.row_px == 8


def test_views_are_in_the_same_place_by_size_span_and_when_not_following_time():
    a = View(0.0, 10.0, 200, 100)
    assert a.same_place(View(5.0, 15.0, 200, 100))  # following: the clock moved on, same place
    assert not a.same_place(View(0.0, 10.0, 300, 100))
    assert not a.same_place(View(0.0, 5.0, 200, 100))  # zoomed
    fixed = View(0.0, 10.0, 200, 100, following=False)
    assert not fixed.same_place(View(5.0, 15.0, 200, 100, following=False))
    assert not fixed.same_place(a) and not a.same_place(None)
