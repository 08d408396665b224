import threading
import time

from app.core.lockgrab import HELD, IDLE, WAITING, LockGrab


def test_free_lock_is_taken_at_once_and_released():
    lock = threading.Lock()
    grab = LockGrab(lock)
    assert grab.request() == HELD
    assert lock.locked()
    grab.release()
    assert grab.state == IDLE and not lock.locked()
    assert grab.close()


def test_held_lock_makes_the_grab_wait_without_blocking_then_take_it():
    lock = threading.Lock()
    lock.acquire()
    grab = LockGrab(lock)
    assert grab.request() == WAITING
    assert not grab.wait_held(0.1)
    lock.release()
    assert grab.wait_held(2)
    assert grab.waited > 0
    grab.release()
    assert not lock.locked()
    assert grab.close()


def test_the_grab_wins_against_workers_taking_the_lock_in_turn():
    lock = threading.Lock()
    stop = threading.Event()

    def worker():  # two of these hold the lock almost all the time, as two mutators do
        while not stop.is_set():
            if lock.acquire(timeout=0.05):
                stop.wait(0.02)
                lock.release()
            stop.wait(0.005)  # the pause between passes that the real mutators have

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for w in workers:
        w.start()
    grab = LockGrab(lock)
    try:
        grab.request()
        assert grab.wait_held(5), "the GUI never got the lock from two busy workers"
    finally:
        grab.release()
        stop.set()
        for w in workers:
            w.join(2)
        assert grab.close()


def test_cancel_while_waiting_leaves_the_lock_to_its_owner():
    lock = threading.Lock()
    lock.acquire()
    grab = LockGrab(lock)
    grab.request()
    grab.cancel()
    assert grab.close()
    assert grab.state == IDLE and lock.locked()
    lock.release()
    assert not lock.locked()


def test_a_grab_of_a_lesson_lock_stops_waiting_when_the_lesson_is_stopped():
    import threading

    from app.core.primitives import Lock

    pause = threading.Event()
    lock = Lock("lesson lock")
    lock.acquire()
    grab = LockGrab(lock)
    try:
        assert grab.request() == WAITING
        lock.stop_waits("the lesson was stopped")  # the lesson's Stop ends every wait for its locks
        end = time.monotonic() + 5
        while grab.state == WAITING and time.monotonic() < end:
            pause.wait(0.005)
        assert grab.state == IDLE  # no longer waiting, and no uncaught error in the taker
    finally:
        lock.release()
        assert grab.close(timeout=2)
