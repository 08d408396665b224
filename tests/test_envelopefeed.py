"""The envelope feed makes the plot's envelope on its own thread and is stopped by its owner."""

import numpy as np
import pytest

from app.core.downsample import peak_envelope
from app.core.envelopefeed import EnvelopeFeed
from helpers import wait_until


@pytest.fixture
def feed():
    f = EnvelopeFeed(bins=50)
    f.start()
    yield f
    assert f.stop(2.0), "the feed's thread did not end"


def taken(feed):
    """Wait for the next finished envelope and return it."""
    box = []
    wait_until(lambda: box.append(feed.take()) or box[-1] is not None)
    return box[-1]


def test_a_request_comes_back_as_the_envelope_of_that_array(feed):
    y = np.random.default_rng(1).random(10_000)
    number = feed.request(y)
    done = taken(feed)
    x, env = peak_envelope(y, 50)
    assert done.request == number and done.size == y.size
    assert np.array_equal(done.x, x) and np.array_equal(done.y, env)
    assert (done.low, done.high) == (y.min(), y.max())


def test_a_slice_is_summarised_with_its_own_x(feed):
    feed.request(np.arange(10_000.0), 2000, 3000)
    done = taken(feed)
    assert done.x.min() >= 2000 and done.x.max() < 3000 and done.y.max() <= 2999


def test_take_returns_each_envelope_once(feed):
    feed.request(np.zeros(100))
    taken(feed)
    assert feed.take() is None


def test_a_failing_request_reports_its_traceback_once(feed):
    feed.request(np.array([1, "a"] * 600, dtype=object))  # int < str raises TypeError
    errors = []
    wait_until(lambda: errors.append(feed.take_error()) or errors[-1] is not None)
    assert "TypeError" in errors[-1] and feed.take_error() is None
    feed.request(np.ones(10))
    assert taken(feed).size == 10  # the thread went on


def test_stop_ends_the_thread_even_while_it_waits():
    f = EnvelopeFeed(bins=10)
    f.start()
    assert f.stop(1.0)
    assert f.stop(1.0)  # twice is fine


def test_bins_below_one_are_refused():
    with pytest.raises(ValueError):
        EnvelopeFeed(bins=0)


def test_a_shape_function_runs_on_the_feeds_thread_and_travels_with_the_envelope():
    import threading

    threads = []
    f = EnvelopeFeed(bins=50, shape=lambda x, y: threads.append(threading.current_thread()) or (x.size, y.size))
    f.start()
    f.request(np.arange(10_000.0))
    done = taken(f)
    assert done.shape == (done.x.size, done.y.size) and [t.name for t in threads] == ["envelope"]
    assert f.stop(2.0)
