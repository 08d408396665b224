"""The recorder keeps a bounded ring of state changes, one lane per thread lifetime."""

import threading

import pytest

from app.core import recorder as rec
from app.core.primitives import Event, Lock, Thread
from app.core.recorder import Recorder, records_since


def test_the_ring_never_holds_more_than_its_capacity():
    recorder = Recorder(capacity=100)
    lock = Lock("l", recorder=recorder)
    for _ in range(1000):
        with lock:
            pass
    assert len(recorder.records) == 100 and recorder.full
    assert [kind for _, _, kind, _ in recorder.snapshot()[-2:]] == [rec.HOLD, rec.RELEASE]


def test_a_disabled_recorder_keeps_nothing_but_locks_still_know_their_owner():
    recorder = Recorder(enabled=False)
    lock = Lock("l", recorder=recorder)
    with lock:
        assert lock.owner is not None
    assert recorder.snapshot() == []


def test_each_thread_lifetime_gets_its_own_lane_even_with_the_same_name():
    recorder = Recorder()
    for _ in range(2):
        t = Thread(target=lambda: None, name="worker", recorder=recorder)
        t.start()
        t.join(5)
    lanes = [lane for _, lane, kind, _ in recorder.snapshot() if kind == rec.STARTED]
    assert [lane.name for lane in lanes] == ["worker", "worker"] and lanes[0] is not lanes[1]


def test_records_since_follows_the_ring_by_identity():
    recorder = Recorder(capacity=4)
    event = Event("e", recorder=recorder)
    event.set()
    first = recorder.snapshot()
    assert records_since(first, None) == first
    assert records_since(first, first[-1]) == []
    event.clear()
    event.set()
    assert records_since(recorder.snapshot(), first[-1]) == recorder.snapshot()[1:]
    for _ in range(5):  # more than the ring holds: the last one seen is gone, all are new
        event.set()
    assert records_since(recorder.snapshot(), first[-1]) == recorder.snapshot()


def test_capacity_must_be_positive():
    with pytest.raises(ValueError, match="capacity"):
        Recorder(capacity=0)


def test_a_lane_given_to_another_thread_becomes_its_own_at_its_first_record():
    recorder = Recorder()
    go, done = threading.Event(), threading.Event()

    def later():
        go.wait(5)
        recorder.record(rec.RUNNING)
        done.set()

    thread = threading.Thread(target=later, name="library thread")
    thread.start()
    given = recorder.lane_for_ident(thread, "library thread (seen)")
    go.set()
    assert done.wait(5)
    thread.join(5)
    (record,) = recorder.snapshot()
    assert record[1] is given and given.name == "library thread (seen)"
