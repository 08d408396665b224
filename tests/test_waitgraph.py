"""Deadlocks are found in the wait-for graph, explained in words, and can be broken."""

import threading

from app.core.primitives import Event, Lock, Thread, WaitBroken
from app.core.recorder import Recorder
from app.core.waitgraph import DeadlockWatch, find_deadlocks

WAIT_S = 5.0


def wait_until(condition, timeout=WAIT_S):
    pause = threading.Event()
    for _ in range(int(timeout / 0.005)):
        if condition():
            return
        pause.wait(0.005)
    raise AssertionError("condition not met in time")


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


def test_no_alarm_for_waits_that_end_by_themselves_or_that_form_no_cycle():
    recorder, found = Recorder(), []
    lock = Lock("held", recorder=recorder)
    watch = DeadlockWatch(lambda: [lock], found.append).start()
    lock.acquire()
    try:
        timed = Thread(target=lambda: lock.acquire(timeout=0.3), name="timed", recorder=recorder)
        plain = Thread(target=lambda: (lock.acquire(), lock.release()), name="plain", recorder=recorder)
        timed.start()
        plain.start()
        wait_until(lambda: len(lock.waiters()) == 2)
        assert find_deadlocks([lock]) == []  # a waiter, an owner that is running: no cycle
        timed.join(WAIT_S)
    finally:
        lock.release()
        plain.join(WAIT_S)
        watch.stop()
    assert found == []


def test_an_rlock_taken_again_by_its_owner_is_no_deadlock():
    from app.core.primitives import RLock

    lock, found = RLock("r"), []
    watch = DeadlockWatch(lambda: [lock], found.append).start()
    done = Event("done", recorder=lock.recorder)
    with lock:
        with lock:
            done.set()
    watch.stop()
    assert found == [] and done.is_set()
