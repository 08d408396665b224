"""A Feed serves the newest request on its own thread and keeps its errors for the owner."""

import threading

import pytest

from app.core.feed import Feed
from app.core.owned import MAX_ERRORS
from helpers import wait_until


class Failing(Feed):
    """Raises on every request; counts the errors once the feed has kept them."""

    def __init__(self):
        super().__init__("failing")
        self.served = 0

    def make(self, request):
        raise ValueError(f"request {request}")

    def _keep(self, text):
        # counted here, not in make(): a take_error() after serve() must find the error kept
        super()._keep(text)
        self.served += 1


class Doubling(Feed):
    def __init__(self):
        super().__init__("doubling")
        self.entered, self.gate = threading.Event(), threading.Event()

    def make(self, request):
        self.entered.set()
        self.gate.wait(5)
        return request * 2


@pytest.fixture
def failing():
    f = Failing()
    f.start()
    yield f
    assert f.stop(2.0)


def serve(feed, request):
    before = feed.served
    feed.ask(request)
    wait_until(lambda: feed.served > before)


def test_every_error_between_two_takes_is_reported_once(failing):
    serve(failing, 1)
    serve(failing, 2)
    text = failing.take_error()
    assert "request 1" in text and "request 2" in text
    assert failing.take_error() is None


def test_errors_beyond_the_limit_are_counted(failing):
    for i in range(MAX_ERRORS + 3):
        serve(failing, i)
    assert "(and 3 more errors like these)" in failing.take_error()


def test_a_newer_request_replaces_one_not_yet_served():
    f = Doubling()
    f.start()
    f.ask(1)  # taken at once, then held at the gate
    assert f.entered.wait(5)
    f.ask(2)
    f.ask(3)  # replaces 2
    f.gate.set()
    results = []
    wait_until(lambda: results.append(f.take()) or results[-1] == 6)
    assert 4 not in results
    assert f.stop(2.0)
