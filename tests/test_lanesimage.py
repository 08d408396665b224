"""The lanes image: each state in its colour, short waits visible, one row per thread name."""

import numpy as np

from app.core import recorder as rec
from app.core.lanesimage import HOLD_RGBA, STATE_COLOURS, STATE_RGBA, render_lanes, stack_rows
from app.core.recorder import Lane
from app.core.timeline import Timeline


class Named:
    def __init__(self, name):
        self.name = name


def test_render_paints_each_state_in_its_colour_and_a_short_wait_at_least_a_pixel():
    lane = Lane(1, "t", 1)
    tl = Timeline()
    tl.feed([(0.0, lane, rec.RUNNING, None), (5.0, lane, rec.WAIT_LOCK, None),
             (5.0001, lane, rec.RUNNING, None), (10.0, lane, rec.FINISHED, None)])
    image = render_lanes(stack_rows(tl.ordered()), 0.0, 10.0, 100, now=10.0)
    middle = image[8]
    red = np.all(middle == STATE_RGBA[rec.WAIT_LOCK], axis=1)
    assert red.sum() == 1 and red[50]
    assert np.all(middle[:50] == STATE_RGBA[rec.RUNNING]) and set(STATE_COLOURS) >= {rec.RUNNING}


def test_a_held_lock_paints_the_thin_bar_only_while_held():
    lane, lock = Lane(1, "t", 1), Named("l")
    tl = Timeline()
    tl.feed([(0.0, lane, rec.RUNNING, None), (2.0, lane, rec.HOLD, lock), (4.0, lane, rec.RELEASE, lock)])
    image = render_lanes(stack_rows(tl.ordered()), 0.0, 10.0, 100, now=10.0)
    held = np.all(image[17] == HOLD_RGBA, axis=1)
    assert held[20:40].all() and not held[:19].any() and not held[41:].any()


def test_a_name_that_comes_back_after_its_thread_ended_shares_its_row():
    first, again, other = Lane(1, "worker", 1), Lane(2, "worker", 2), Lane(3, "other", 3)
    tl = Timeline()
    tl.feed([(0.0, first, rec.RUNNING, None), (1.0, first, rec.FINISHED, None),
             (0.5, other, rec.RUNNING, None), (2.0, again, rec.RUNNING, None)])
    rows = stack_rows(tl.ordered())
    assert [[t.lane for t in row] for row in rows] == [[first, again], [other]]
