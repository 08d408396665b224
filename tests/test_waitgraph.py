"""Deadlocks are found in the wait-for graph, explained in words, and can be broken."""

import threading

from app.core.primitives import Lock, Thread, WaitBroken
from app.core.recorder import Recorder
from app.core.waitgraph import DeadlockWatch, find_deadlocks
from helpers import WAIT_S, wait_until


def two_lock_cycle(recorder, outcome):
    """Start two threads that take L1, L2 in opposite orders; return them and the locks."""
    locks = Lock("L1", recorder=recorder), Lock("L2", recorder=recorder)
    both_hold = threading.Barrier(2, timeout=WAIT_S)

    def take(first, second, name):
        with first:
            both_hold.wait()
            try:
                with second:
                    outcome[name] = "got both"
            except WaitBroken:
                outcome[name] = "broken"

    threads = [Thread(target=take, args=(locks[0], locks[1], "A"), name="A", recorder=recorder),
               Thread(target=take, args=(locks[1], locks[0], "B"), name="B", recorder=recorder)]
    for t in threads:
        t.start()
    return threads, list(locks)


def test_a_two_thread_cycle_is_found_within_half_a_second_explained_and_broken():
    recorder, outcome, found = Recorder(), {}, []
    threads, locks = two_lock_cycle(recorder, outcome)
    watch = DeadlockWatch(lambda: locks, found.append, auto_break=True).start()
    try:
        for t in threads:
            t.join(WAIT_S)
    finally:
        watch.stop()
    assert not any(t.is_alive() for t in threads)
    (deadlock,) = found
    assert deadlock.detected_after < 0.5
    assert sorted(deadlock.threads) == ["A", "B"] and sorted(deadlock.locks) == ["L1", "L2"]
    text = deadlock.explain()
    assert "test_waitgraph.py:" in text and "in take" in text and "'L1'" in text and "'L2'" in text
    assert sorted(outcome.values()) == ["broken", "got both"]  # one wait broken, the other went on


def test_a_thread_waiting_for_a_plain_lock_it_holds_is_a_cycle_of_one():
    lock, found = Lock("self"), []
    raised = []

    def twice():
        with lock:
            try:
                lock.acquire()
            except WaitBroken:
                raised.append(True)

    watch = DeadlockWatch(lambda: [lock], found.append, auto_break=True).start()
    t = Thread(target=twice, name="twice", recorder=lock.recorder)
    t.start()
    t.join(WAIT_S)
    watch.stop()
    (deadlock,) = found
    assert deadlock.is_self and deadlock.threads == ["twice"] and raised == [True]
    assert "holds itself" in deadlock.explain()


def test_one_look_is_not_enough_two_looks_at_the_same_waits_report_it():
    recorder, outcome, found = Recorder(), {}, []
    threads, locks = two_lock_cycle(recorder, outcome)
    wait_until(lambda: len(find_deadlocks(locks)) == 1)
    watch = DeadlockWatch(lambda: locks, found.append)  # scanned by hand, never started
    assert watch.scan() == [] and found == []
    (deadlock,) = watch.scan()
    assert found == [deadlock] and watch.scan() == []  # reported once
    deadlock.break_wait()
    for t in threads:
        t.join(WAIT_S)
    assert sorted(outcome.values()) == ["broken", "got both"]


def test_a_cycle_with_a_timed_wait_in_it_is_no_deadlock():
    recorder, found = Recorder(), []
    locks = Lock("L1", recorder=recorder), Lock("L2", recorder=recorder)
    both_hold = threading.Barrier(2, timeout=WAIT_S)
    outcome = {}

    def patient():  # holds L1, waits for L2 for at most 0.5 s
        with locks[0]:
            both_hold.wait()
            outcome["patient got L2"] = locks[1].acquire(timeout=0.5)

    def stubborn():  # holds L2, waits for L1 for as long as it takes
        with locks[1]:
            both_hold.wait()
            with locks[0]:
                outcome["stubborn got L1"] = True

    watch = DeadlockWatch(lambda: list(locks), found.append)  # scanned by hand
    threads = [Thread(target=patient, name="patient", recorder=recorder),
               Thread(target=stubborn, name="stubborn", recorder=recorder)]
    for t in threads:
        t.start()
    wait_until(lambda: len(locks[0].waiters()) == 1 and len(locks[1].waiters()) == 1)
    assert watch.scan() == [] and watch.scan() == []  # the circle is there, but it ends by itself
    for t in threads:
        t.join(WAIT_S)
    assert outcome == {"patient got L2": False, "stubborn got L1": True} and found == []


def test_a_lock_held_by_a_running_thread_is_no_deadlock():
    recorder, found = Recorder(), []
    lock = Lock("held", recorder=recorder)
    watch = DeadlockWatch(lambda: [lock], found.append)
    lock.acquire()
    try:
        waiter = Thread(target=lambda: (lock.acquire(), lock.release()), name="waiter", recorder=recorder)
        waiter.start()
        wait_until(lambda: len(lock.waiters()) == 1)
        assert watch.scan() == [] and watch.scan() == []  # the owner runs: no circle
    finally:
        lock.release()
        waiter.join(WAIT_S)
    assert found == []


def test_an_rlock_taken_again_by_its_owner_is_no_wait_at_all():
    from app.core.primitives import RLock

    lock, found = RLock("r"), []
    watch = DeadlockWatch(lambda: [lock], found.append)
    with lock:
        assert lock.acquire_unless(lambda: False)  # the owner is let in at once
        assert lock.waiters() == [] and watch.scan() == [] and watch.scan() == []
        lock.release()
    assert found == []


def test_a_wait_inside_condition_wait_is_never_the_one_broken():
    from app.core.waitgraph import Deadlock, WaitEdge
    from app.core.primitives import Waiter

    lock = Lock("l")
    a, b = Waiter(lock.recorder.lane(), None, 1.0, -1, breakable=False), Waiter(lock.recorder.lane(), None, 0.5, -1)
    edges = (WaitEdge(a, lock, b.lane, 0.0, "?", 1), WaitEdge(b, lock, a.lane, 0.0, "?", 1))
    assert Deadlock(edges, 2.0).victim.waiter is b  # the later wait is unbreakable: the other one goes
    assert Deadlock(edges[:1], 2.0).victim is None and Deadlock(edges[:1], 2.0).break_wait() == []
