import threading
import time

import numpy as np
import pytest

from app.core.shared import SharedArray
from app.core.workers import KINDS, Settings, make_job

never = lambda: False  # noqa: E731 - a should_stop that never asks to stop


def job(kind, shared=None, **settings):
    said = []
    shared = shared if shared is not None else SharedArray(1000)
    return make_job(kind, f"{kind}-1", shared, Settings(**settings), said.append), said


def test_counter_says_numbers_and_ends_at_count():
    counter, said = job("counter", counter_count=3)
    results = [counter.step(never) for _ in range(3)]
    assert said == ["1", "2", "3"]
    assert results == [True, True, False]


def test_counter_pauses_for_its_delay():
    counter, _ = job("counter", counter_delay=0.4)
    assert counter.pause == 0.4


def test_failing_counter_raises_after_three_steps():
    failing, said = job("failing")
    for _ in range(3):
        failing.step(never)
    with pytest.raises(ZeroDivisionError):
        failing.step(never)
    assert said == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("add-elementwise", 2.0),
        ("add-vectorised", 2.0),
        ("divide-elementwise", 1 / 1.1),
        ("divide-vectorised", 1 / 1.1),
    ],
)
def test_one_pass_changes_every_element(kind, expected):
    shared = SharedArray(5000)
    mutator, _ = job(kind, shared)
    mutator.step(never)
    np.testing.assert_allclose(shared.data, expected)
    assert mutator.stats.steps == 1


def test_elementwise_pass_stops_early_when_asked():
    shared = SharedArray(10_000)
    mutator, said = job("add-elementwise", shared)
    mutator.step(lambda: True)
    assert np.all(shared.data == 1.0)
    assert said == ["stopped mid-pass: 0 of 10,000 elements done"]


def test_mutator_waits_for_a_held_lock_and_gives_up_when_stopped():
    shared = SharedArray(100)
    mutator, said = job("add-vectorised", shared)
    stop = threading.Event()
    shared.lock.acquire()
    try:
        t = threading.Thread(target=mutator.step, args=(stop.is_set,), name="mutator")
        t.start()
        # wait (bounded) until the lock itself lists the mutator as its waiter
        end = time.monotonic() + 5
        while [w.lane.name for w in shared.lock.waiters()] != ["mutator"]:
            assert time.monotonic() < end, "the mutator never waited for the lock"
            stop.wait(0.01)
        assert mutator.stats.lock_waits == 1
        assert np.all(shared.data == 1.0)
        stop.set()
        t.join(2)
        assert not t.is_alive()
    finally:
        shared.lock.release()
    assert np.all(shared.data == 1.0)
    assert said == ["waiting for the lock: another thread holds it"]
    assert mutator.stats.steps == 0  # no pass ran, so none is counted


def test_mutator_ignores_lock_when_use_lock_is_off():
    shared = SharedArray(100, use_lock=False)
    mutator, _ = job("add-vectorised", shared)
    with shared.lock:
        mutator.step(never)
    assert np.all(shared.data == 2.0)


def test_unknown_kind_is_a_value_error():
    with pytest.raises(ValueError, match="unknown worker kind 'nope'"):
        job("nope")


@pytest.mark.parametrize("field", ["period", "counter_delay"])
def test_settings_reject_nan(field):
    with pytest.raises(ValueError, match="finite"):
        Settings(**{field: float("nan")})


def test_every_kind_has_a_description():
    assert all(kind.description for kind in KINDS.values())


def test_short_lock_waits_are_summed_up_not_told_one_by_one():
    from app.core.workers import LOCK_SUMMARY_S, WaitTally

    tally, said = WaitTally(), []
    now = 100.0
    for _ in range(300):  # two mutators trading the lock: 100 short waits a second, for 3 s
        for line in (tally.starting(now), tally.ended(0.004, now + 0.004, True)):
            if line:
                said.append(line)
        now += 0.01
    assert said[:2] == ["waiting for the lock: another thread holds it", "got the lock after waiting 0.00 s"]
    assert len(said) == 3  # 300 waits: the first told in full, then one sum after LOCK_SUMMARY_S
    assert said[2].startswith(f"waited for the lock 200 times more in the last {LOCK_SUMMARY_S:.1f} s: 0.80 s in all")


def test_a_long_lock_wait_is_told_on_its_own():
    from app.core.workers import WaitTally

    tally = WaitTally()
    tally.starting(10.0)
    tally.ended(0.01, 10.01, True)
    assert tally.starting(10.5) is None  # inside the quiet spell: not said at its start
    assert tally.ended(2.5, 13.0, True) == "got the lock after waiting 2.50 s"
