"""The helper thread every owner stops the same way: asked, joined with a bound, errors kept."""

import threading

from app.core.owned import OwnedThread
from helpers import WAIT_S


class Counter(OwnedThread):
    def __init__(self, fail_at=None):
        super().__init__("counter", period=0.001)
        self.steps = 0
        self.fail_at = fail_at

    def step(self):
        self.steps += 1
        if self.steps == self.fail_at:
            raise ValueError("step failed")


def test_stop_ends_the_thread_at_once_and_says_so():
    counter = Counter().start()
    done = threading.Event()
    while counter.steps < 3:
        done.wait(0.001)
    assert counter.stop(WAIT_S) and not counter.alive


def test_an_error_in_a_step_is_kept_and_the_thread_goes_on():
    counter = Counter(fail_at=2).start()
    pause = threading.Event()
    while counter.steps < 5:
        pause.wait(0.001)
    assert counter.stop(WAIT_S)
    errors = counter.take_errors()
    assert "ValueError: step failed" in errors and counter.take_errors() is None


def test_stopping_a_thread_that_never_started_is_fine():
    assert Counter().stop(0.1)
